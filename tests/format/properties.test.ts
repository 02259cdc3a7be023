// Properties that hold for any input: lines fit the width, tables carry no trailing blanks, and
// every header's dashes are as wide as its label.
import fc from 'fast-check';
import { PSObject } from '../../core/engine/values';
import { cellWidth, formatToString, renderTable, wrapText } from '../../core/format';

const cellValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 7 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '漢', '\n', 'b'), maxLength: 30 }),
);

const rowsArb = fc
  .uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/), { minLength: 1, maxLength: 4, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() })
  .chain((names) =>
    fc.array(
      fc.tuple(...names.map(() => cellValue)).map((vals) => PSObject.fromEntries(names.map((n, i) => [n, vals[i]]))),
      { minLength: 1, maxLength: 6 },
    ),
  );

describe('formatting properties', () => {
  test('table lines fit the width and never end in a blank', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 10, max: 160 }), (rows, width) => {
        const text = formatToString(rows, { width });
        for (const line of text.split('\n')) {
          expect(cellWidth(line)).toBeLessThanOrEqual(width);
          expect(line).toBe(line.replace(/\s+$/, ''));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('-Wrap keeps every line within the width too', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 10, max: 100 }), (rows, width) => {
        for (const line of renderTable(rows, { wrap: true }, width).split('\n')) expect(cellWidth(line)).toBeLessThanOrEqual(width);
      }),
      { numRuns: 200 },
    );
  });

  test('dashes under a header are as wide as the label while the column is wide enough', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const [, header, dashes] = formatToString(rows, { width: 400, stream: true });
        const labels = header.trim().split(/ +/);
        const runs = dashes.trim().split(/ +/);
        expect(runs.map((r) => r.length)).toEqual(labels.map((l) => l.length));
      }),
      { numRuns: 200 },
    );
  });

  test('word wrap loses no characters other than the line breaks', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'c'), maxLength: 80 }), fc.integer({ min: 1, max: 20 }), (s, w) => {
        const parts = wrapText(s, w, w);
        expect(parts.join('')).toBe(s);
        for (const p of parts) expect(cellWidth(p)).toBeLessThanOrEqual(w);
      }),
    );
  });

  test('ten thousand rows format in well under a second', () => {
    const rows = Array.from({ length: 10000 }, (_, i) => PSObject.fromEntries([['Name', `item${i}`], ['Size', i], ['Ok', i % 2 === 0]]));
    const t0 = Date.now();
    const text = formatToString(rows);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(text.split('\n').length).toBe(10000 + 5);
  });
});

// Table drawing rules, and PowerShell's own Pester expectations where they fix an exact result:
// PowerShell/PowerShell test/powershell/Modules/Microsoft.PowerShell.Utility/Format-Table.Tests.ps1
import { Hashtable, PSVersion } from '../../core/engine/values';
import { formatToString, registerView, renderTable, unregisterViews } from '../../core/format';
import { custom, lines, obj } from './helpers';

afterEach(() => {
  unregisterViews('Test.Format');
});

describe('cells', () => {
  test('numbers right-aligned with their header, strings and booleans left, $null blank', () => {
    const rows = [custom({ Name: 'a', Size: 5, Ok: true, Note: null }), custom({ Name: 'bbbbbb', Size: 12345, Ok: false, Note: 'x' })];
    expect(formatToString(rows)).toBe(
      lines('', 'Name    Size Ok    Note', '----    ---- --    ----', 'a          5 True', 'bbbbbb 12345 False x', ''),
    );
  });

  test('arrays as {a, b}; beyond $FormatEnumerationLimit (4) the rest is "..."', () => {
    const rows = [custom({ A: ['a', 'b'], B: [1, 2, 3, 4], C: [1, 2, 3, 4, 5], D: [] })];
    expect(formatToString(rows)).toBe(
      lines('', 'A      B            C               D', '-      -            -               -', '{a, b} {1, 2, 3, 4} {1, 2, 3, 4...} {}', ''),
    );
  });

  test('a hashtable in a cell shows its keys, as pwsh enumerates dictionaries in cells', () => {
    const h = new Hashtable();
    h.set('x', 1);
    h.set('y', 2);
    expect(formatToString([custom({ H: h, N: 'n' })])).toBe(lines('', 'H      N', '-      -', '{x, y} n', ''));
  });

  test('versions, dates and nested objects by their string', () => {
    const child = custom({ x: 1 });
    const rows = [custom({ V: new PSVersion(1, 2, 3, 4), D: new Date(2016, 4, 2, 9, 5, 7), O: child })];
    expect(formatToString(rows)).toBe(lines('', 'V       D                   O', '-       -                   -', '1.2.3.4 05/02/2016 09:05:07 @{x=1}', ''));
  });

  test('a multi-line value shows its first line and the ellipsis', () => {
    expect(formatToString([custom({ name: 'line1\nline2', n: 1 })])).toBe(lines('', 'name     n', '----     -', 'line1... 1', ''));
  });
});

describe('fitting to the width', () => {
  test('the last column is truncated with "..." and lines never pass the width', () => {
    const long = 'x'.repeat(200);
    const text = formatToString([custom({ Id: 'a', Text: long })], { width: 40 });
    expect(text).toBe(lines('', 'Id Text', '-- ----', 'a  ' + 'x'.repeat(34) + '...', ''));
  });

  test('columns that do not fit at all are dropped, and the one before shrinks', () => {
    const row = custom({ A: 'a'.repeat(15), B: 'b'.repeat(15), C: 'c'.repeat(15) });
    // 15 + 1 + 15 = 31 > 25: C is hidden (it would need width < 1), then B shrinks to 9.
    expect(formatToString([row], { width: 25 })).toBe(
      lines('', 'A               B', '-               -', 'a'.repeat(15) + ' ' + 'b'.repeat(6) + '...', ''),
    );
  });

  test('the console keeps its last column free, Out-String uses the whole width', () => {
    const row = custom({ T: 'y'.repeat(30) });
    expect(formatToString([row], { width: 30 })).toContain('y'.repeat(30));
    expect(formatToString([row], { width: 29 })).toContain('y'.repeat(26) + '...');
  });

  test('a right-aligned value that is too long keeps its tail', () => {
    registerView('Test.Format', {
      kind: 'table',
      columns: [{ label: 'N', value: 'N', width: 5, alignment: 'Right' }],
    });
    expect(formatToString([obj({ N: 'abcdefgh' }, ['Test.Format'])])).toBe(lines('', '    N', '    -', '...gh', ''));
  });
});

describe('PowerShell Format-Table.Tests.ps1', () => {
  test('"Format-Table with array should work": a hashtable entry holding 0..255', () => {
    const info = new Hashtable();
    info.set('array', Array.from({ length: 256 }, (_, i) => i));
    expect(renderTable([info])).toMatch(/array\s+\{0, 1, 2, 3\.\.\.\}/);
  });

  test('"Format-Table with Less/Equal/More Count should work": the enumeration limit', () => {
    const t = new Hashtable();
    t.set('test', [1, 2]);
    expect(renderTable([t], { enumerationLimit: 1 })).toMatch(/test\s+\{1\.\.\.\}/);
    expect(renderTable([t], { enumerationLimit: 2 })).toMatch(/test\s+\{1, 2\}/);
    expect(renderTable([t], { enumerationLimit: 10 })).toMatch(/test\s+\{1, 2\}/);
    expect(renderTable([t], { enumerationLimit: -1 })).toMatch(/test\s+\{1, 2\}/);
  });

  test('"Format-Table with Autosize should work"', () => {
    const rows = [custom({ name: 'Bob', size: 1234, booleanValue: true }), custom({ name: 'Jim', size: 5678, booleanValue: false })];
    const result = renderTable(rows, { autoSize: true });
    expect(result).toMatch(/name size booleanValue/);
    expect(result).toMatch(/---- ---- ------------/);
    expect(result).toMatch(/Bob\s+1234\s+True/);
    expect(result).toMatch(/Jim\s+5678\s+False/);
  });

  test('"...string and -Force should output table with requested properties"', () => {
    for (const input of [['single line string'], ['line1\nline2'], ['line1', 'line2']]) {
      const result = renderTable(input, { property: ['foo', 'bar'], force: true });
      expect(result.replace(/ /g, '').replace(/\n/g, '')).toBe('foobar------');
    }
  });

  test('"...should not add trailing whitespace to the header"', () => {
    expect(renderTable(['hello'], { property: ['foo'], force: true }).replace(/\n/g, '')).toBe('foo---');
    // Without -Force the string is printed as it is (out of band).
    expect(renderTable(['hello'], { property: ['foo'] })).toBe('hello\n');
  });

  test('"...should not add trailing whitespace to rows" (-HideTableHeaders)', () => {
    expect(renderTable([custom({ a: 1, b: 2 })], { hideTableHeaders: true }).replace(/\n/g, '')).toBe('1 2');
  });

  test('"Format-Table should have correct alignment" (left, center, right view columns)', () => {
    registerView('Test.Format', {
      kind: 'table',
      columns: [
        { label: 'Left', value: 'Left', width: null, alignment: 'Left' },
        { label: 'Center', value: 'Center', width: null, alignment: 'Center' },
        { label: 'Right', value: 'Right', width: null, alignment: 'Right' },
      ],
    });
    const a = obj({ Left: 1, Center: 2, Right: 3 }, ['Test.Format', 'System.Management.Automation.PSCustomObject']);
    expect(formatToString([a])).toBe(lines('', 'Left Center Right', '---- ------ -----', '1      2        3', ''));
  });

  test('"...should not have trailing whitespace if there is truncation" (double-width character)', () => {
    registerView('Test.Format', { kind: 'table', columns: [{ label: 'Left', value: 'Left', width: 4, alignment: 'Left' }] });
    const left = obj({ Left: '123\u{2B758}' }, ['Test.Format']);
    expect(formatToString([left]).replace(/\n/g, '')).toBe('Left----1...');
    unregisterViews('Test.Format');
    registerView('Test.Format', { kind: 'table', columns: [{ label: 'Center', value: 'Center', width: 6, alignment: 'Center' }] });
    const center = obj({ Center: '12345\u{2B758}' }, ['Test.Format']);
    expect(formatToString([center]).replace(/\n/g, '')).toBe('Center------123...');
  });
});

describe('Format-Table options', () => {
  const rows = [custom({ Name: 'alpha', Length: 10, Mode: 'rw' }), custom({ Name: 'beta', Length: 200, Mode: 'r' })];

  test('-Property with names, wildcards and a calculated column', () => {
    const kb = new Hashtable();
    kb.set('N', 'KB');
    kb.set('E', (o: unknown) => ((o as { get(n: string): number }).get('Length') / 10));
    expect(renderTable(rows, { property: ['N*', kb] })).toBe(lines('', 'Name  KB', '----  --', 'alpha  1', 'beta  20', ''));
  });

  test('calculated column with Label, Width and Alignment', () => {
    const text = renderTable(rows, {
      property: [{ label: 'Who', expression: 'Name', width: 8, alignment: 'Right' }, 'Mode'],
    });
    expect(text).toBe(lines('', '     Who Mode', '     --- ----', '   alpha rw', '    beta r', ''));
  });

  test('script blocks run through the caller\'s evaluate hook; their text labels the column', () => {
    // Stands in for the engine's ScriptBlock: an object whose toString() is its text.
    class FakeBlock {
      constructor(readonly text: string, readonly fn: (o: unknown) => unknown) {}
      toString(): string {
        return this.text;
      }
    }
    const evaluate = (e: unknown, o: unknown): unknown => (e as FakeBlock).fn(o);
    const len = new FakeBlock('$_.Length * 2', (o) => (o as { get(n: string): number }).get('Length') * 2);
    const h = new Hashtable();
    h.set('Label', 'Double');
    h.set('Expression', len);
    expect(renderTable(rows, { property: ['Name', len], evaluate })).toBe(
      lines('', 'Name  $_.Length * 2', '----  -------------', 'alpha            20', 'beta            400', ''),
    );
    expect(renderTable(rows, { property: [h], evaluate })).toBe(lines('', 'Double', '------', '    20', '   400', ''));
    expect(() => renderTable(rows, { property: [h] })).toThrow('The "expression" key has a type, System.Object, that is not valid; expected types are {System.String, System.Management.Automation.ScriptBlock}.');
  });

  test('an unknown calculated-property key is an error', () => {
    const bad = new Hashtable();
    bad.set('Nme', 'x');
    bad.set('Expression', 'Name');
    expect(() => renderTable(rows, { property: [bad] })).toThrow('The Nme key is not valid.');
  });

  test('-Wrap breaks long values onto more lines instead of truncating', () => {
    const r = [custom({ Id: 1, Text: 'the quick brown fox jumps over the lazy dog' })];
    expect(renderTable(r, { wrap: true }, 20)).toBe(
      lines('', 'Id Text', '-- ----', ' 1 the quick brown', '   fox jumps over', '   the lazy dog', ''),
    );
    expect(renderTable(r, {}, 20)).toBe(lines('', 'Id Text', '-- ----', ' 1 the quick brow...', ''));
  });

  test('-AutoSize ignores fixed view widths', () => {
    registerView('Test.Format', { kind: 'table', columns: [{ label: 'Name', value: 'Name', width: 20 }, { label: 'X', value: 'X', width: null }] });
    const o = obj({ Name: 'ab', X: 'x' }, ['Test.Format']);
    expect(renderTable([o])).toBe(lines('', 'Name                 X', '----                 -', 'ab                   x', ''));
    expect(renderTable([o], { autoSize: true })).toBe(lines('', 'Name X', '---- -', 'ab   x', ''));
  });

  test('-GroupBy prints a group header whenever the value changes', () => {
    const r = [custom({ Kind: 'a', N: 1 }), custom({ Kind: 'a', N: 2 }), custom({ Kind: 'b', N: 3 })];
    expect(renderTable(r, { property: ['N'], groupBy: 'Kind' })).toBe(
      lines('', '   Kind: a', '', 'N', '-', '1', '2', '', '   Kind: b', '', 'N', '-', '3', ''),
    );
  });

  // pwsh's word wrap keeps a word's trailing blank, so the blank after "Long" starts line two.
  test('a label longer than its fixed column wraps in the header; dashes stay within the column', () => {
    registerView('Test.Format', { kind: 'table', columns: [{ label: 'Long Header', value: 'A', width: 4 }, { label: 'B', value: 'B', width: null }] });
    const o = obj({ A: 'x', B: 'y' }, ['Test.Format']);
    expect(renderTable([o])).toBe(lines('', 'Long B', ' Hea', 'der', '---- -', 'x    y', ''));
  });
});

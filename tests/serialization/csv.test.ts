// ConvertTo-Csv / ConvertFrom-Csv. Expectations marked "Pester" come from PowerShell's
// test/powershell/Modules/Microsoft.PowerShell.Utility/ConvertTo-Csv.Tests.ps1 and
// ConvertFrom-Csv.Tests.ps1; the parsing cases follow the comments in CsvCommands.cs.
import fc from 'fast-check';
import { CSV_UNSPECIFIED_HEADER_WARNING, CsvError, convertFromCsv, convertToCsv } from '../../core/serialization';
import { Hashtable, PSObject, PSVersion } from '../../core/engine/values';

const obj = (entries: [string, unknown][], typeNames?: string[]) => PSObject.fromEntries(entries, typeNames);
const props = (o: PSObject) => Object.fromEntries(o.properties().map((p) => [p.name, p.value]));

describe('ConvertTo-Csv', () => {
  const input = obj([
    ['First', 1],
    ['Second', 2],
  ]);

  test('Pester: no type information by default; quoted header and values', () => {
    expect(convertToCsv([input])).toEqual(['"First","Second"', '"1","2"']);
  });

  test('Pester: -IncludeTypeInformation writes #TYPE first', () => {
    expect(convertToCsv([input], { includeTypeInformation: true })).toEqual([
      '#TYPE System.Management.Automation.PSCustomObject',
      '"First","Second"',
      '"1","2"',
    ]);
  });

  test('Pester: -Delimiter', () => {
    expect(convertToCsv([input], { delimiter: ';', includeTypeInformation: true })).toEqual([
      '#TYPE System.Management.Automation.PSCustomObject',
      '"First";"Second"',
      '"1";"2"',
    ]);
  });

  test('quotes are doubled; null is an empty unquoted cell; columns come from the first object', () => {
    const rows = [
      obj([
        ['Name', 'say "hi"'],
        ['Note', null],
        ['When', true],
      ]),
      obj([['Name', 'only name']]),
      obj([
        ['Extra', 'ignored'],
        ['Note', 'n'],
      ]),
    ];
    expect(convertToCsv(rows)).toEqual(['"Name","Note","When"', '"say ""hi""",,"True"', '"only name",,', ',"n",']);
  });

  test('-UseQuotes AsNeeded / Never and -QuoteFields', () => {
    const row = obj([
      ['A', 'plain'],
      ['B', 'has,comma'],
      ['C', 'multi\nline'],
      ['D', 'q"uote'],
    ]);
    expect(convertToCsv([row], { useQuotes: 'AsNeeded' })).toEqual(['A,B,C,D', 'plain,"has,comma","multi\nline","q""uote"']);
    expect(convertToCsv([row], { useQuotes: 'Never' })).toEqual(['A,B,C,D', 'plain,has,comma,multi\nline,q"uote']);
    expect(convertToCsv([row], { quoteFields: ['a', 'C'] })).toEqual(['"A",B,"C",D', '"plain",has,comma,"multi\nline",q"uote']);
    expect(convertToCsv([row], { noHeader: true, useQuotes: 'Never' })).toEqual(['plain,has,comma,multi\nline,q"uote']);
  });

  test('cell text is the value\'s ToString: arrays name their type, objects their @{…} form', () => {
    const h = new Hashtable();
    h.set('k', 1);
    const row = obj([
      ['Arr', [1, 2]],
      ['Ver', new PSVersion(1, 2, 3)],
      ['Obj', obj([['x', 1]])],
      ['Dict', h],
      ['Num', 1.5],
    ]);
    expect(convertToCsv([row])[1]).toBe('"System.Object[]","1.2.3","@{x=1}","System.Collections.Hashtable","1.5"');
  });

  test('dictionaries contribute their keys as columns; strings their Length', () => {
    const h = new Hashtable(true);
    h.set('Name', 'n');
    h.set('Size', 3);
    expect(convertToCsv([h], { includeTypeInformation: true })).toEqual([
      '#TYPE System.Collections.Specialized.OrderedDictionary',
      '"Name","Size"',
      '"n","3"',
    ]);
    expect(convertToCsv(['abc'])).toEqual(['"Length"', '"3"']);
    expect(convertToCsv([new PSVersion(1, 2, 3, 65539)], { useQuotes: 'Never' })).toEqual([
      'Major,Minor,Build,Revision,MajorRevision,MinorRevision',
      '1,2,3,65539,1,3',
    ]);
  });

  test('an imported object exports its type without the CSV: prefix', () => {
    const o = obj([['a', '1']], ['CSV:My.Type', 'My.Type']);
    expect(convertToCsv([o], { includeTypeInformation: true })[0]).toBe('#TYPE My.Type');
  });

  test('a property that cannot be read is an empty cell', () => {
    const o = obj([['a', 'x']]);
    o.define('b', () => {
      throw new Error('unreadable');
    });
    expect(convertToCsv([o])).toEqual(['"a","b"', '"x",']);
  });

  test('a delimiter must be one character', () => {
    expect(() => convertToCsv([input], { delimiter: ';;' })).toThrow(CsvError);
  });
});

describe('ConvertFrom-Csv', () => {
  test('Pester: multiple columns become note properties; values are strings', () => {
    const { objects } = convertFromCsv('a,b,c\n1,2,3');
    expect(objects).toHaveLength(1);
    expect(objects[0].typeNames).toEqual(['System.Management.Automation.PSCustomObject', 'System.Object']);
    expect(props(objects[0])).toEqual({ a: '1', b: '2', c: '3' });
  });

  test('Pester: #TYPE gives the type name and CSV:type name', () => {
    const { objects } = convertFromCsv('#TYPE My.Custom.Object\na,b,c\n1,2,3');
    expect(objects[0].typeNames).toEqual(['My.Custom.Object', 'CSV:My.Custom.Object']);
  });

  test('Pester: -Header makes the first line data', () => {
    const lines = convertToCsv([obj([['First', 1], ['Second', 2]])]);
    const { objects } = convertFromCsv(lines, { header: ['Header1', 'Header2'] });
    expect(objects.map(props)).toEqual([
      { Header1: 'First', Header2: 'Second' },
      { Header1: '1', Header2: '2' },
    ]);
  });

  test('quoting rules of the Import-Csv parser', () => {
    const text = [
      'Name,Value,Other',
      '"foo, bar","say ""hi""",x',
      '"foo bar"   ,  lead,"multi',
      'line"',
      '"foo bar" ab,foo "ba,r"',
      'foo bar ,c',
      '',
      'short',
      'trailing,',
      'eof,',
    ].join('\r\n');
    const { objects } = convertFromCsv(text);
    expect(objects.map(props)).toEqual([
      { Name: 'foo, bar', Value: 'say "hi"', Other: 'x' },
      { Name: 'foo bar', Value: 'lead', Other: 'multi\r\nline' },
      { Name: 'foo bar ab', Value: 'foo "ba', Other: 'r"' },
      { Name: 'foo bar ', Value: 'c', Other: null },
      { Name: 'short', Value: null, Other: null },
      { Name: 'trailing', Value: '', Other: null },
      // At the very end of the input a trailing delimiter adds no empty cell.
      { Name: 'eof', Value: null, Other: null },
    ]);
  });

  test('comment lines before the header are skipped; #Fields: names the columns (W3C log)', () => {
    expect(convertFromCsv('#TYPE T\n# note\na\n1').objects.map(props)).toEqual([{ a: '1' }]);
    expect(convertFromCsv('#Software: x\n#Fields: date,time\n2026,12:00').objects.map(props)).toEqual([
      { date: '2026', time: '12:00' },
    ]);
  });

  test('unnamed columns are called H1, H2… and the caller is told to warn', () => {
    const r = convertFromCsv('a,,c,\n1,2,3,4');
    expect(r.usedDefaultNames).toBe(true);
    expect(props(r.objects[0])).toEqual({ a: '1', H1: '2', c: '3' });
    expect(CSV_UNSPECIFIED_HEADER_WARNING).toMatch(/Default names starting with "H"/);
  });

  test('a repeated column name is an error', () => {
    expect(() => convertFromCsv('a,b,A\n1,2,3')).toThrow('The member "A" is already present.');
  });

  test('empty input gives no objects', () => {
    expect(convertFromCsv('').objects).toEqual([]);
    expect(convertFromCsv('a,b').objects).toEqual([]);
  });

  test('what ConvertTo-Csv writes, ConvertFrom-Csv reads back (as strings), for any text', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', 'é', ';') , maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 5 }), (rows) => {
        const objects = rows.map(([a, b]) => obj([['A', a], ['B', b]]));
        const back = convertFromCsv(convertToCsv(objects).join('\n')).objects;
        // A record that is one empty cell is a blank line, which Import-Csv skips.
        const expected = rows.map(([a, b]) => ({ A: a, B: b }));
        expect(back.map(props)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

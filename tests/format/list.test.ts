// Lists, and PowerShell's own Pester expectations where they fix an exact result:
// PowerShell/PowerShell test/powershell/Modules/Microsoft.PowerShell.Utility/Format-List.Tests.ps1
import { Hashtable } from '../../core/engine/values';
import { TYPE_NAMES, formatToString, renderList } from '../../core/format';
import { custom, lines, obj } from './helpers';

describe('PowerShell Format-List.Tests.ps1', () => {
  test('"Should produce the expected output"', () => {
    expect(renderList([custom({ testName: 'testValue' })])).toBe('\ntestName : testValue\n\n');
  });

  test('"Format-List with array should work"', () => {
    const info = new Hashtable();
    info.set('array', Array.from({ length: 256 }, (_, i) => i));
    expect(renderList([info])).toMatch(/Name {2}: array\s+Value : \{0, 1, 2, 3\.\.\.\}/);
  });

  test('"...with complex object for End-To-End should work"', () => {
    const info = new Hashtable();
    info.set('intArray', [1, 2, 3, 4]);
    info.set('arrayList', ['string1', 'string2']);
    const result = renderList([info]);
    expect(result).toMatch(/Name {2}: intArray/);
    expect(result).toMatch(/Value : \{1, 2, 3, 4\}/);
    expect(result).toMatch(/Name {2}: arrayList/);
    expect(result).toMatch(/Value : \{string1, string2\}/);
  });

  test('"...with No/Null Objects" and "...single/multiple line string" with -Property foo,bar print nothing', () => {
    for (const input of [[new Hashtable()], [null], ['single line string'], ['Line1\nLine2'], ['Line1', 'Line2']]) {
      expect(renderList(input, { property: ['foo', 'bar'], force: true }).trim()).toBe('');
    }
  });

  test('"...with multiple different class object should work"', () => {
    const objs = [
      obj({ Name: 'name1', Length: 1 }, ['TestClass']),
      obj({ Name: 'name2', Value: 'value2', Length: 2 }, ['TestClass2']),
      obj({ Name: 'name3', Length: 3 }, ['TestClass']),
    ];
    expect(renderList(objs)).toBe(
      lines('', 'Name   : name1', 'Length : 1', '', 'Name   : name2', 'Value  : value2', 'Length : 2', '', 'Name   : name3', 'Length : 3', ''),
    );
  });

  test('"Format-List should work with double byte wide chars"', () => {
    const o = custom({ '哇': '62', dbda: 'KM', '消息': '千' });
    expect(renderList([o])).toBe('\n哇   : 62\ndbda : KM\n消息 : 千\n\n');
  });

  test('"Float, double, and decimal should not be truncated..."', () => {
    const o = custom({ double: 1234.56789, float: 9876.543 });
    expect(renderList([o])).toBe('\ndouble : 1234.56789\nfloat  : 9876.543\n\n');
  });
});

describe('lists', () => {
  test('five or more properties make a list at Out-Default', () => {
    const o = custom({ a: 1, bb: 'x', ccc: null, d: true, e: [1, 2] });
    expect(formatToString([o])).toBe(lines('', 'a   : 1', 'bb  : x', 'ccc : ', 'd   : True', 'e   : {1, 2}', ''));
  });

  test('long values wrap at the width with the continuation under the value column', () => {
    const o = custom({ Id: 7, Summary: 'Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server' });
    expect(renderList([o], {}, 40)).toBe(
      lines('', 'Id      : 7', 'Summary : Container OS Image of Windows ', '          Server 2016 Technical Preview ', '          5 : Nano Server', ''),
    );
  });

  test('embedded newlines continue under the value column', () => {
    expect(renderList([custom({ Text: 'one\ntwo' })])).toBe(lines('', 'Text : one', '       two', ''));
  });

  test('-Property with names, wildcards and *', () => {
    const o = custom({ Name: 'n', Publisher: 'p', Path: '/x', Size: 3 });
    expect(renderList([o], { property: ['P*'] })).toBe(lines('', 'Publisher : p', 'Path      : /x', ''));
    expect(renderList([o], { property: ['*'] })).toBe(lines('', 'Name      : n', 'Publisher : p', 'Path      : /x', 'Size      : 3', ''));
    expect(renderList([o], { property: ['size', 'Name'] })).toBe(lines('', 'Size : 3', 'Name : n', ''));
  });

  test('-Property skips names an object lacks; an object with none of them prints nothing', () => {
    const a = custom({ Name: 'a', Size: 1 });
    const b = custom({ Other: 2 });
    expect(renderList([a, b], { property: ['Name', 'Missing'] })).toBe(lines('', 'Name : a', ''));
    expect(renderList([b], { property: ['Name'] })).toBe('');
  });

  test('-GroupBy prints the group header before each run of equal values', () => {
    const r = [custom({ Kind: 'a', N: 1 }), custom({ Kind: 'a', N: 2 }), custom({ Kind: 'b', N: 3 })];
    expect(renderList(r, { property: ['N'], groupBy: 'Kind' })).toBe(
      lines('', '   Kind: a', '', 'N : 1', '', 'N : 2', '', '   Kind: b', '', 'N : 3', ''),
    );
  });

  test('-Property * lists each object by its own properties', () => {
    const a = custom({ x: 1 });
    const b = custom({ yy: 2, z: 3 });
    expect(renderList([a, b], { property: ['*'] })).toBe(lines('', 'x : 1', '', 'yy : 2', 'z  : 3', ''));
  });

  test('Measure-Object output uses the GenericMeasureInfo list view', () => {
    const m = obj({ Count: 3, Average: null, Sum: 6, Maximum: null, Minimum: null, StandardDeviation: null, Property: null }, [
      TYPE_NAMES.GenericMeasureInfo,
    ]);
    expect(formatToString([m])).toBe(
      lines('', 'Count             : 3', 'Average           : ', 'Sum               : 6', 'Maximum           : ', 'Minimum           : ', 'StandardDeviation : ', 'Property          : ', ''),
    );
  });
});

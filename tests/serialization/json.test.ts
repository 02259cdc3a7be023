// ConvertTo-Json / ConvertFrom-Json. Expectations marked "Pester" are taken from PowerShell's
// test/powershell/Modules/Microsoft.PowerShell.Utility/ConvertTo-Json.Tests.ps1 and
// ConvertFrom-Json.Tests.ps1.
import fc from 'fast-check';
import {
  JsonConversionError,
  JsonSerializationError,
  convertFromJson,
  convertFromJsonInputs,
  convertToJson,
  jsonDepthWarning,
  makeTimeSpan,
} from '../../core/serialization';
import { Hashtable, PSObject, PSVersion } from '../../core/engine/values';

const json = (v: unknown, o = {}) => convertToJson(v, o).text;
const obj = (entries: [string, unknown][]) => PSObject.fromEntries(entries);
const ht = (entries: [string, unknown][], ordered = false) => {
  const h = new Hashtable(ordered);
  for (const [k, v] of entries) h.set(k, v);
  return h;
};

function offsetText(d: Date): string {
  const m = -d.getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

describe('ConvertTo-Json text', () => {
  test('nested objects and arrays with 2-space indentation and "name": value', () => {
    const v = obj([
      ['Name', 'nano'],
      ['Tags', ['a', 'b']],
      ['Info', obj([['Size', 10], ['Ok', true]])],
      ['None', null],
    ]);
    expect(json(v)).toBe(
      [
        '{',
        '  "Name": "nano",',
        '  "Tags": [',
        '    "a",',
        '    "b"',
        '  ],',
        '  "Info": {',
        '    "Size": 10,',
        '    "Ok": true',
        '  },',
        '  "None": null',
        '}',
      ].join('\n'),
    );
  });

  test('-Compress writes no whitespace', () => {
    expect(json(obj([['a', [1, { b: 1 } && obj([['b', 'x y']])]], ['c', false]]), { compress: true })).toBe(
      '{"a":[1,{"b":"x y"}],"c":false}',
    );
  });

  test('empty array and empty object', () => {
    expect(json([])).toBe('[]');
    expect(json(new PSObject())).toBe('{}');
    expect(json(obj([['e', []], ['o', new Hashtable()]]))).toBe('{\n  "e": [],\n  "o": {}\n}');
  });

  test('Pester: a single input is not wrapped; -AsArray wraps it', () => {
    expect(json(1)).toBe('1');
    expect(json(1, { asArray: true })).toMatch(/^\[[\s\S]*1[\s\S]*\]$/);
    expect(json([1, 2], { asArray: false })).toMatch(/^\[[\s\S]*1[\s\S]*2[\s\S]*\]$/);
    expect(json(1, { asArray: true })).toBe('[\n  1\n]');
    expect(json([1, 2], { asArray: true, compress: true })).toBe('[[1,2]]');
  });

  test('Pester: null handling', () => {
    expect(json(obj([['prop', null]]), { compress: true })).toBe('{"prop":null}');
    expect(json(null, { compress: true })).toBe('null');
    expect(json([1, null, 2], { compress: true })).toBe('[1,null,2]');
    expect(json(ht([['a', null], ['b', undefined]], true), { compress: true })).toBe('{"a":null,"b":null}');
  });

  test('Pester: -Depth 0 is accepted and scalars are unaffected', () => {
    expect(json(1, { depth: 0 })).toBe('1');
  });

  test('Pester: quotes are not escaped by default; EscapeHtml escapes them', () => {
    const v = ht([['abc', "'def'"]]);
    expect(json(v)).toBe('{\n  "abc": "\'def\'"\n}');
    expect(json(v, { escapeHandling: 'Default' })).toBe('{\n  "abc": "\'def\'"\n}');
    expect(json(v, { escapeHandling: 'EscapeHtml' })).toBe('{\n  "abc": "\\u0027def\\u0027"\n}');
  });

  test('string escaping follows Newtonsoft defaults', () => {
    expect(json('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(json('\t\n\r\b\f')).toBe('"\\t\\n\\r\\b\\f"');
    expect(json('\u0001\u001f\u0085\u2028\u2029')).toBe('"\\u0001\\u001f\\u0085\\u2028\\u2029"');
    expect(json('<>&\' é')).toBe('"<>&\' é"');
    expect(json('<>&"é', { escapeHandling: 'EscapeHtml' })).toBe('"\\u003c\\u003e\\u0026\\u0022é"');
    expect(json('é\u{1F600}~', { escapeHandling: 'EscapeNonAscii' })).toBe('"\\u00e9\\ud83d\\ude00~"');
  });

  test('numbers: integers plain, doubles in round-trip form, non-finite as strings', () => {
    expect(json([1, -5, 2147483648, 9007199254740991, 1.5, 0.1 + 0.2, 1e20, 1.5e-7, 123456789012345680000], { compress: true })).toBe(
      '[1,-5,2147483648,9007199254740991,1.5,0.30000000000000004,1E+20,1.5E-07,1.2345678901234568E+20]',
    );
    expect(json([NaN, Infinity, -Infinity], { compress: true })).toBe('["NaN","Infinity","-Infinity"]');
    expect(json(12345678901234567890n)).toBe('12345678901234567890');
  });

  test('booleans', () => {
    expect(json([true, false], { compress: true })).toBe('[true,false]');
  });

  test('dates in round-trip form with the local offset', () => {
    const d = new Date(2026, 10, 23, 15, 3, 38, 123);
    expect(json(d)).toBe(`"2026-11-23T15:03:38.123${offsetText(d)}"`);
    const whole = new Date(2026, 0, 1, 0, 0, 0, 0);
    expect(json(whole)).toBe(`"2026-01-01T00:00:00${offsetText(whole)}"`);
    const tenth = new Date(2026, 0, 1, 0, 0, 0, 100);
    expect(json(tenth)).toBe(`"2026-01-01T00:00:00.1${offsetText(tenth)}"`);
  });

  test('a version is an object of its six properties', () => {
    expect(json(new PSVersion(10, 0, 20348, 1), { compress: true })).toBe(
      '{"Major":10,"Minor":0,"Build":20348,"Revision":1,"MajorRevision":0,"MinorRevision":1}',
    );
    expect(json(new PSVersion(1, 2), { compress: true })).toBe(
      '{"Major":1,"Minor":2,"Build":-1,"Revision":-1,"MajorRevision":-1,"MinorRevision":-1}',
    );
  });

  test('a TimeSpan is an object of its properties', () => {
    const t = JSON.parse(json(makeTimeSpan(15_000_000)));
    expect(t.Ticks).toBe(15_000_000);
    expect(t.Seconds).toBe(1);
    expect(t.Milliseconds).toBe(500);
  });

  test('a dictionary with a non-string key cannot be converted', () => {
    const h = new Hashtable();
    h.set(1, 'x');
    expect(() => json(h)).toThrow(JsonSerializationError);
    expect(() => json(h)).toThrow(
      "The type 'System.Collections.Hashtable' is not supported for serialization or deserialization of a dictionary. Keys must be strings.",
    );
  });
});

test('a property whose getter throws is written as null', () => {
  const o = obj([['a', 1]]);
  o.define('b', () => {
    throw new Error('unreadable');
  });
  expect(json(o, { compress: true })).toBe('{"a":1,"b":null}');
});

describe('depth truncation', () => {
  const nested = ht([['a', ht([['b', ht([['c', ht([['d', 1]])]])]])]]);

  test('default depth 2: the level-3 container becomes its string form and the caller is told', () => {
    const r = convertToJson(nested);
    expect(r.truncated).toBe(true);
    expect(r.text).toBe('{\n  "a": {\n    "b": {\n      "c": "System.Collections.Hashtable"\n    }\n  }\n}');
    expect(jsonDepthWarning(2)).toBe('Resulting JSON is truncated as serialization has exceeded the set depth of 2.');
  });

  test('deep enough: nothing truncated', () => {
    const r = convertToJson(nested, { depth: 3, compress: true });
    expect(r).toEqual({ text: '{"a":{"b":{"c":{"d":1}}}}', truncated: false });
  });

  test('custom objects become @{…}, arrays join with spaces, versions their text', () => {
    const v = obj([['l1', obj([['l2', obj([['o', obj([['x', 1], ['y', 'z']])], ['a', [1, 2, 3]], ['v', new PSVersion(1, 2, 3)]])]])]]);
    const r = convertToJson(v, { depth: 1, compress: true });
    expect(r.text).toBe('{"l1":{"l2":"@{o=@{x=1; y=z}; a=1 2 3; v=1.2.3}"}}');
    const r2 = convertToJson(v, { depth: 2, compress: true });
    expect(r2.text).toBe('{"l1":{"l2":{"o":"@{x=1; y=z}","a":"1 2 3","v":"1.2.3"}}}');
    expect(r2.truncated).toBe(true);
  });

  test('scalars and dates deeper than the depth are still written as themselves', () => {
    const r = convertToJson([[[['s', 1, true, null]]]], { depth: 0, compress: true });
    // The inner arrays are one value at depth 1: flattened and joined with spaces.
    expect(r.text).toBe('["s 1 True "]');
    const flat = convertToJson(['s', 1, new Date(2026, 0, 1)], { depth: 0, compress: true });
    expect(flat.truncated).toBe(false);
  });

  test('a cycle is cut by the depth instead of looping', () => {
    const o = obj([['name', 'self']]);
    o.set('me', o);
    const r = convertToJson(o, { compress: true });
    // Three levels as objects, then the string form (its type name, as @{…} would never end).
    expect(r.text).toBe(
      '{"name":"self","me":{"name":"self","me":{"name":"self","me":"System.Management.Automation.PSCustomObject"}}}',
    );
    expect(r.truncated).toBe(true);
  });

  test('depth outside 0..100 is refused', () => {
    expect(() => convertToJson(1, { depth: 101 })).toThrow(RangeError);
    expect(() => convertToJson(1, { depth: -1 })).toThrow(RangeError);
  });
});

describe('ConvertFrom-Json', () => {
  test('objects become PSCustomObjects with ordered properties', () => {
    const o = convertFromJson('{"b": 1, "a": {"x": [1, "two", null, true]}, "c": 2.5}') as PSObject;
    expect(o).toBeInstanceOf(PSObject);
    expect(o.typeNames).toEqual(['System.Management.Automation.PSCustomObject', 'System.Object']);
    expect(o.propertyNames()).toEqual(['b', 'a', 'c']);
    expect((o.get('a') as PSObject).get('x')).toEqual([1, 'two', null, true]);
    expect(o.get('c')).toBe(2.5);
  });

  test('Pester: a single-line object; one string per object; a multi-line object', () => {
    expect((convertFromJson('{"a" : "1"}') as PSObject).get('a')).toBe('1');
    const two = convertFromJsonInputs(['{"a" : "1"}', '{"a" : "x"}']);
    expect(two).toHaveLength(2);
    expect((two[1] as PSObject).get('a')).toBe('x');
    const joined = convertFromJsonInputs(['{"a" :', '"x"}']);
    expect(joined).toHaveLength(1);
    expect((joined[0] as PSObject).get('a')).toBe('x');
    expect((convertFromJsonInputs(['{"a" : "1"}'], { asHashtable: true })[0] as Hashtable).get('a')).toBe('1');
  });

  test('ISO date strings become dates, other strings stay strings', () => {
    const o = convertFromJson('{"d":"2026-11-23T15:03:38.123+00:00","u":"2026-11-23T15:03:38Z","s":"2026-11-23","t":"not 2026-11-23T15:03:38"}') as PSObject;
    expect((o.get('d') as Date).toISOString()).toBe('2026-11-23T15:03:38.123Z');
    expect((o.get('u') as Date).toISOString()).toBe('2026-11-23T15:03:38.000Z');
    expect(o.get('s')).toBe('2026-11-23');
    expect(o.get('t')).toBe('not 2026-11-23T15:03:38');
    expect(convertFromJson('"2026-11-23T15:03:38Z"', { noDateParsing: true })).toBe('2026-11-23T15:03:38Z');
  });

  test('numbers: integers, doubles, big integers', () => {
    expect(convertFromJson('[1, -0, 1.0, 1e3, 2.5E-3, 9007199254740993, -12345678901234567890]')).toEqual([
      1,
      0,
      1,
      1000,
      0.0025,
      9007199254740993n,
      -12345678901234567890n,
    ]);
  });

  test("Newtonsoft's leniency: comments, single quotes, bare names, trailing commas, NaN", () => {
    const o = convertFromJson("// lead\n{ name: 'x', /* c */ \"n\": NaN, list: [1, 2,], }") as PSObject;
    expect(o.get('name')).toBe('x');
    expect(o.get('n')).toBeNaN();
    expect(o.get('list')).toEqual([1, 2]);
  });

  test('escapes in strings', () => {
    expect(convertFromJson('"a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00"')).toBe('a"b\\c/d\né\u{1F600}');
  });

  test('blank input is null', () => {
    expect(convertFromJson('   \n')).toBeNull();
  });

  test('a repeated key keeps the last value; keys differing in case are refused unless -AsHashtable, which keeps both', () => {
    expect((convertFromJson('{"a":1,"a":2}') as PSObject).properties()).toEqual([{ name: 'a', value: 2 }]);
    expect(() => convertFromJson('{"a":1,"A":2}')).toThrow(
      "Cannot convert the JSON string because it contains keys with different casing. Please use the -AsHashTable switch instead. The key that was attempted to be added to the existing key 'a' was 'A'.",
    );
    expect(() => convertFromJson('{"":1}')).toThrow(/property whose name is an empty string/);
    // -AsHashtable makes a case-sensitive table: both keys stay, each with its own value.
    const cased = convertFromJson('{"a":1,"A":2,"a":3}', { asHashtable: true }) as Hashtable;
    expect(cased.entries()).toEqual([
      ['a', 3],
      ['A', 2],
    ]);
    expect(cased.get('A')).toBe(2);
    expect(cased.has('B')).toBe(false);
    const h = convertFromJson('{"":1,"b":2}', { asHashtable: true }) as Hashtable;
    expect(h.ordered).toBe(true);
    expect(h.entries()).toEqual([
      ['', 1],
      ['b', 2],
    ]);
  });

  test('round trip through ConvertTo-Json', () => {
    const v = obj([
      ['Name', 'nano "x"\n'],
      ['N', 42],
      ['D', 0.5],
      ['T', new Date(2026, 10, 23, 15, 3, 38, 250)],
      ['L', [1, 'a', null, false]],
      ['O', obj([['k', 'v']])],
    ]);
    const back = convertFromJson(convertToJson(v).text) as PSObject;
    expect(back.propertyNames()).toEqual(v.propertyNames());
    expect(back.get('Name')).toBe('nano "x"\n');
    expect(back.get('N')).toBe(42);
    expect(back.get('D')).toBe(0.5);
    expect((back.get('T') as Date).getTime()).toBe((v.get('T') as Date).getTime());
    expect(back.get('L')).toEqual([1, 'a', null, false]);
    expect((back.get('O') as PSObject).get('k')).toBe('v');
  });

  test('any JSON-representable value survives ConvertTo-Json then ConvertFrom-Json', () => {
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }).filter((s) => !/^\d{4}-/.test(s)),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1 }).map((k) => 'k' + k), tie('node'), { maxKeys: 4 })),
    })).node;
    const toPS = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(toPS)
        : v !== null && typeof v === 'object'
          ? (() => {
              // JSON object keys are case-sensitive, PSObject's are not: keep the first spelling.
              const o = new PSObject();
              for (const [k, x] of Object.entries(v)) if (!o.has(k)) o.set(k, toPS(x));
              return o;
            })()
          : v;
    const plain = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(plain) : v instanceof PSObject ? v.properties().map((p) => [p.name, plain(p.value)]) : v;
    fc.assert(
      fc.property(tree, (t) => {
        const ps = toPS(t);
        const back = convertFromJson(convertToJson(ps, { depth: 100 }).text);
        expect(plain(back)).toEqual(plain(ps));
      }),
      { numRuns: 200 },
    );
  });
});

describe('malformed JSON', () => {
  test.each([
    ['{"a":}', "Unexpected character encountered while parsing value: }. Path 'a', line 1, position 5."],
    ['{"a":1 "b":2}', "After parsing a value an unexpected character was encountered: \". Path 'a', line 1, position 7."],
    ['[1,2', "Unexpected end when reading JSON. Path '[1]', line 1, position 4."],
    ['1 2', "Additional text encountered after finished reading JSON content: 2. Path '', line 1, position 2."],
    ['<html>', "Unexpected character encountered while parsing value: <. Path '', line 0, position 0."],
    ['{"a":"x', "Unterminated string. Expected delimiter: \". Path 'a', line 1, position 7."],
    ['{\n  "a": tru\n}', "Unexpected character encountered while parsing value: t. Path 'a', line 2, position 7."],
    ['{"a" 1}', "Invalid character after parsing property name. Expected ':' but got: 1. Path 'a', line 1, position 5."],
    ['{"a":"\\q"}', "Bad JSON escape sequence: \\q. Path 'a', line 1, position 6."],
    ['{"a":[1,{"b":01}]}', "Input string '01' is not a valid number. Path 'a[1].b', line 1, position 13."],
    ['{-:1}', "Invalid property identifier character: -. Path '', line 1, position 1."],
  ])('%j', (text, detail) => {
    let err: unknown;
    try {
      convertFromJson(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonConversionError);
    expect((err as Error).message).toBe(`Conversion from JSON failed with error: ${detail}`);
  });

  test('the error carries line, position and path', () => {
    try {
      convertFromJson('{\n  "list": [1,\n    }');
      throw new Error('no error');
    } catch (e) {
      const j = e as JsonConversionError;
      expect(j.line).toBe(3);
      expect(j.position).toBe(4);
      expect(j.path).toBe('list[0]');
    }
  });

  test('nesting beyond -Depth is an error, not a stack overflow', () => {
    expect(() => convertFromJson('['.repeat(5000) + ']'.repeat(5000))).toThrow(/The reader's MaxDepth of 1024 has been exceeded/);
    expect(() => convertFromJson('[[[1]]]', { depth: 2 })).toThrow(/MaxDepth of 2 has been exceeded/);
  });

  test('random garbage never crashes: it parses or throws JsonConversionError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[]":,\'/*01a-.e \n\\tnu'.split('')), maxLength: 30 }), (s) => {
        try {
          convertFromJson(s);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonConversionError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

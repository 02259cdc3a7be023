// CLIXML reading and writing. The fixture pwsh-export.clixml is written by hand in the layout
// Export-Clixml produces (MS-PSRP 2.2.5 elements, CRLF line ends, 2-space indentation).
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import {
  CLIXML_STREAM_HEADER,
  ClixmlError,
  ClixmlStreamReader,
  ClixmlStreamWriter,
  ClixmlWriter,
  convertFromClixml,
  convertFromClixmlStream,
  decodeClixmlBytes,
  convertToClixml,
  decodeClixmlString,
  encodeClixmlString,
  readClixmlItems,
  readClixmlStream,
  serializeClixmlStreamObject,
  makeTimeSpan,
} from '../../core/serialization';
import { Hashtable, PSObject, PSVersion } from '../../core/engine/values';

/** The local UTC offset of a date as .NET writes it (`+01:00`), computed independently of the code under test. */
function offsetText(d: Date): string {
  const m = -d.getTimezoneOffset();
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const fixture = fs.readFileSync(path.join(__dirname, 'fixtures', 'pwsh-export.clixml'), 'utf8');

/** A typed object standing for a .NET object (adapted properties, own ToString). */
function typed(typeName: string, text: string, entries: [string, unknown][]): PSObject {
  const o = PSObject.fromEntries(entries, [typeName, 'System.Object']);
  o.toStringFn = () => text;
  return o;
}

describe('importing a file as PowerShell writes it', () => {
  const values = convertFromClixml(fixture);
  const first = values[0] as PSObject;
  const second = values[1] as PSObject;

  test('top-level objects in order, primitives included', () => {
    expect(values).toHaveLength(6);
    expect(values[3]).toBe('plain string');
    expect(values[4]).toBe(42);
    expect(values[5]).toBeNull();
  });

  test('objects carry the Deserialized. prefix on every type name', () => {
    expect(first).toBeInstanceOf(PSObject);
    expect(first.typeNames).toEqual([
      'Deserialized.System.Management.Automation.PSCustomObject',
      'Deserialized.System.Object',
    ]);
    // TNRef reuses the hierarchy of TN RefId 0.
    expect(second.typeNames).toEqual(first.typeNames);
  });

  test('primitive properties come back with their types and values', () => {
    expect(first.propertyNames().slice(0, 6)).toEqual(['Name', 'Version', 'Created', 'PulledUtc', 'Layers', 'Size']);
    expect(first.get('Name')).toBe('nanoserver');
    const v = first.get('Version');
    expect(v).toBeInstanceOf(PSVersion);
    expect((v as PSVersion).toString()).toBe('10.0.20348.2113');
    expect((first.get('Created') as Date).toISOString()).toBe('2026-11-23T14:03:38.123Z');
    expect((first.get('PulledUtc') as Date).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(first.get('Layers')).toBe(3);
    expect(first.get('Size')).toBe(5368709120);
    expect(first.get('Ratio')).toBe(0.75);
    expect(first.get('Pulled')).toBe(true);
    expect(first.get('Parent')).toBeNull();
    expect(first.has('Parent')).toBe(true);
    expect(first.get('Empty')).toBe('');
    expect(first.get('Id')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(first.get('Feed')).toBe('https://example.invalid/v2/feed?a=1&b=2');
    expect(first.get('Drive')).toBe('C');
    expect(first.get('Flags')).toBe(255);
  });

  test('_xHHHH_ escapes and XML entities are decoded', () => {
    expect(first.get('Notes')).toBe('line1\r\nline2\ttabbed, a_x0041_ literal & <tag>');
  });

  test('TimeSpan reads as a TimeSpan-shaped object', () => {
    const age = first.get('Age') as PSObject;
    expect(age.typeNames[0]).toBe('System.TimeSpan');
    expect(age.get('Days')).toBe(1);
    expect(age.get('Hours')).toBe(2);
    expect(age.get('Minutes')).toBe(30);
    expect(age.get('Seconds')).toBe(15);
    expect(age.get('Milliseconds')).toBe(500);
    expect(age.toString()).toBe('1.02:30:15.5000000');
  });

  test('lists read back as arrays, dictionaries as Hashtables', () => {
    expect(first.get('Tags')).toEqual(['latest', 'ltsc2022', 2022]);
    const labels = first.get('Labels') as Hashtable;
    expect(labels).toBeInstanceOf(Hashtable);
    expect(labels.ordered).toBe(false);
    expect(labels.keys()).toEqual(['os', 'arch']);
    expect(labels.get('OS')).toBe('windows');
    expect(labels.get('arch')).toEqual(['amd64', 'arm64']);
    const ordered = values[2] as Hashtable;
    expect(ordered.ordered).toBe(true);
    expect(ordered.entries()).toEqual([
      ['zeta', 1],
      ['alpha', null],
    ]);
  });

  test('an adapted object keeps its ToString and gets Props and MS as properties', () => {
    const loc = first.get('Location') as PSObject;
    expect(loc.typeNames).toEqual([
      'Deserialized.System.IO.DirectoryInfo',
      'Deserialized.System.IO.FileSystemInfo',
      'Deserialized.System.MarshalByRefObject',
      'Deserialized.System.Object',
    ]);
    expect(loc.toString()).toBe('C:\\ProgramData\\images');
    expect(loc.propertyNames()).toEqual(['Name', 'Exists', 'Parent', 'CreationTime', 'PSPath', 'PSIsContainer']);
    expect((loc.get('CreationTime') as Date).toISOString()).toBe('2025-01-02T02:04:05.600Z');
  });

  test('an enum (primitive inside Obj) stands as its underlying value', () => {
    expect(first.get('Color')).toBe(12);
  });

  test('shared references (Ref) resolve to the same object', () => {
    expect(second.get('Tags')).toBe(first.get('Tags'));
    expect(second.get('Sibling')).toBe(first);
    expect((second.get('Version') as PSVersion).toString()).toBe('10.0.17763.5576');
  });

  test('the file bytes decode as UTF-8 (pwsh 7) or UTF-16 LE with BOM (Windows PowerShell 5.1)', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixture, 'utf16le')]);
    expect(decodeClixmlBytes(utf16)).toBe(fixture);
    expect(decodeClixmlBytes(Buffer.from('\ufeff' + fixture, 'utf8'))).toBe(fixture);
    expect(decodeClixmlBytes(Buffer.from(fixture, 'utf16le'))).toBe(fixture);
    expect(convertFromClixml(decodeClixmlBytes(utf16))).toHaveLength(6);
    expect(() => decodeClixmlBytes(Buffer.from([0x3c, 0x4f, 0xff, 0xfe, 0xfd]))).toThrow(/not valid UTF-8 text/);
  });

  test('an XML declaration, comments and a BOM around the document are accepted', () => {
    const text = '\ufeff<?xml version="1.0" encoding="utf-8"?>\n<!-- exported -->\n' + fixture.replace('<S>plain string</S>', '<!-- c --><S>plain string</S>');
    expect(convertFromClixml(text)[3]).toBe('plain string');
  });

  test('the stream attribute defaults to Output', () => {
    expect(readClixmlItems(fixture).map((i) => i.stream)).toEqual(Array(6).fill('Output'));
  });
});

describe('writing', () => {
  test('a PSCustomObject is written exactly as Export-Clixml lays it out', () => {
    const when = new Date(2026, 10, 23, 15, 3, 38, 120);
    const o = PSObject.fromEntries([
      ['Name', 'nano'],
      ['Count', 2],
      ['When', when],
      ['Missing', null],
      ['Version', new PSVersion(10, 0, 20348, 1)],
    ]);
    expect(convertToClixml([o])).toBe(
      [
        '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">',
        '  <Obj RefId="0">',
        '    <TN RefId="0">',
        '      <T>System.Management.Automation.PSCustomObject</T>',
        '      <T>System.Object</T>',
        '    </TN>',
        '    <MS>',
        '      <S N="Name">nano</S>',
        '      <I32 N="Count">2</I32>',
        `      <DT N="When">2026-11-23T15:03:38.12${offsetText(when)}</DT>`,
        '      <Nil N="Missing" />',
        '      <Version N="Version">10.0.20348.1</Version>',
        '    </MS>',
        '  </Obj>',
        '</Objs>',
      ].join('\n'),
    );
  });

  test('numbers pick I32, I64 or Db; booleans, dates, escapes', () => {
    const day = new Date(2026, 0, 2);
    const text = convertToClixml([2147483647, 2147483648, 1.5, 1e20, -Infinity, true, 'a\nb_x', day], {
      indent: false,
    });
    expect(text).toBe(
      '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' +
        '<I32>2147483647</I32><I64>2147483648</I64><Db>1.5</Db><Db>1E+20</Db><Db>-INF</Db><B>true</B>' +
        `<S>a_x000A_b_x005F_x</S><DT>2026-01-02T00:00:00${offsetText(day)}</DT></Objs>`,
    );
  });

  test('hashtables and arrays: TN written once, then TNRef; repeated objects become Ref', () => {
    const shared = PSObject.fromEntries([['x', 1]]);
    const h = new Hashtable();
    h.set('k', [1, 'a']);
    const text = convertToClixml([PSObject.fromEntries([['A', shared], ['B', shared], ['H', h]]), shared], {
      indent: false,
    });
    expect(text).toContain('<Obj N="A" RefId="1"><TNRef RefId="0" /><MS><I32 N="x">1</I32></MS></Obj><Ref N="B" RefId="1" />');
    expect(text).toContain(
      '<Obj N="H" RefId="2"><TN RefId="1"><T>System.Collections.Hashtable</T><T>System.Object</T></TN>' +
        '<DCT><En><S N="Key">k</S><Obj N="Value" RefId="3"><TN RefId="2"><T>System.Object[]</T><T>System.Array</T>' +
        '<T>System.Object</T></TN><LST><I32>1</I32><S>a</S></LST></Obj></En></DCT></Obj>',
    );
    // The second top-level object is the same instance: a Ref to RefId 1.
    expect(text.endsWith('<Ref RefId="1" /></Objs>')).toBe(true);
  });

  test('typed objects write ToString and Props; property bags do not write ToString', () => {
    const img = typed('Posh.ContainerImage', "ContainerImage (Name = 'nano')", [['Name', 'nano']]);
    const text = convertToClixml([img], { indent: false });
    expect(text).toContain(
      '<TN RefId="0"><T>Posh.ContainerImage</T><T>System.Object</T></TN><ToString>ContainerImage (Name = \'nano\')</ToString>' +
        '<Props><S N="Name">nano</S></Props>',
    );
    expect(convertToClixml([new PSObject()], { indent: false })).toBe(
      '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><TN RefId="0">' +
        '<T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN></Obj></Objs>',
    );
  });
});

/** Structural snapshot that keeps types visible for comparison. */
function shape(v: unknown, seen = new Map<unknown, number>()): unknown {
  if (v instanceof Date) return { date: v.toISOString() };
  if (v instanceof PSVersion) return { version: v.toString() };
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (v !== null && typeof v === 'object') {
    if (seen.has(v)) return { ref: seen.get(v) };
    seen.set(v, seen.size);
  }
  if (Array.isArray(v)) return v.map((x) => shape(x, seen));
  if (v instanceof Hashtable) return { ordered: v.ordered, entries: v.entries().map(([k, x]) => [shape(k, seen), shape(x, seen)]) };
  if (v instanceof PSObject) {
    return {
      typeNames: v.typeNames,
      toString: v.toStringFn ? v.toStringFn() : null,
      props: v.properties().map((p) => [p.name, shape(p.value, seen)]),
    };
  }
  return v;
}

describe('round trip', () => {
  test('what we write reads back with the same values, Deserialized type names and shared references', () => {
    const shared = [1, 2];
    const h = new Hashtable(true);
    h.set('b', 2);
    h.set('a', new PSVersion(1, 2));
    const o = PSObject.fromEntries([
      ['S', 'x_y\u0001\u00e9\u{1F600}'],
      ['N', -7],
      ['L', 9007199254740991],
      ['D', 0.1 + 0.2],
      ['T', new Date(2026, 10, 23, 15, 3, 38, 7)],
      ['B', false],
      ['Nil', null],
      ['Arr', shared],
      ['Arr2', shared],
      ['H', h],
      ['Big', 9223372036854775807n],
      ['Span', makeTimeSpan(-12345678)],
    ]);
    const back = convertFromClixml(convertToClixml([o, 'tail']));
    const r = back[0] as PSObject;
    expect(r.typeNames).toEqual(['Deserialized.System.Management.Automation.PSCustomObject', 'Deserialized.System.Object']);
    expect(r.get('Arr2')).toBe(r.get('Arr'));
    const expected = shape(o) as { props: [string, unknown][] };
    const actual = shape(r) as { props: [string, unknown][] };
    // TimeSpan is a primitive in CLIXML: it keeps its own type name.
    expect(actual.props).toEqual(expected.props);
    expect(back[1]).toBe('tail');
    // Reading again and writing again is stable.
    expect(convertToClixml(back)).toBe(convertToClixml(convertFromClixml(convertToClixml(back))));
  });

  test('a cycle is written with Ref and read back as the same cycle', () => {
    const o = PSObject.fromEntries([['Name', 'loop']]);
    o.set('Self', o);
    const arr: unknown[] = ['x'];
    arr.push(arr);
    o.set('Arr', arr);
    const r = convertFromClixml(convertToClixml([o]))[0] as PSObject;
    expect(r.get('Self')).toBe(r);
    const ra = r.get('Arr') as unknown[];
    expect(ra[1]).toBe(ra);
  });

  test('any string survives writing and reading (property names too)', () => {
    const anyUnit = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    fc.assert(
      fc.property(anyUnit, anyUnit, (value, name) => {
        const o = new PSObject();
        o.set(name === '' ? 'p' : name, value);
        const r = convertFromClixml(convertToClixml([o, value]));
        expect((r[0] as PSObject).properties()).toEqual(o.properties());
        expect(r[1]).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('_xHHHH_ escaping', () => {
  test.each([
    ['line\nbreak', 'line_x000A_break'],
    ['cr\r', 'cr_x000D_'],
    ['tab\t', 'tab_x0009_'],
    ['nul\u0000', 'nul_x0000_'],
    ['del\u007f c1\u0085', 'del_x007F_ c1_x0085_'],
    ['_x not a code', '_x005F_x not a code'],
    ['_X upper', '_x005F_X upper'],
    ['a_b _y _', 'a_b _y _'],
    ['\u{1F600}', '_xD83D__xDE00_'],
    ['plain <&> text', 'plain <&> text'],
  ])('%j <-> %j', (raw, encoded) => {
    expect(encodeClixmlString(raw)).toBe(encoded);
    expect(decodeClixmlString(encoded)).toBe(raw);
  });

  test('decoding accepts the 8-digit form and leaves malformed escapes alone', () => {
    expect(decodeClixmlString('_x0001F600_')).toBe('\u{1F600}');
    expect(decodeClixmlString('_x12_ _xZZZZ_ _x0041')).toBe('_x12_ _xZZZZ_ _x0041');
  });

  test('encode then decode is the identity', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), (s) => {
        expect(decodeClixmlString(encodeClixmlString(s))).toBe(s);
      }),
    );
  });
});

describe('depth limit', () => {
  // A -> B -> C -> D, each a typed object with adapted properties.
  const d = typed('T.D', 'D-string', [['Leaf', 1]]);
  const c = typed('T.C', 'C-string', [['D', d]]);
  const b = typed('T.B', 'B-string', [['C', c]]);
  const a = typed('T.A', 'A-string', [['B', b]]);

  test('default depth 2: objects two adapted levels down are written as their ToString', () => {
    const text = convertToClixml([a], { indent: false });
    expect(text).toContain('<Props><Obj N="B"');
    expect(text).toContain('<Props><S N="C">C-string</S></Props>');
    expect(text).not.toContain('T.C');
    const r = convertFromClixml(text)[0] as PSObject;
    expect(((r.get('B') as PSObject).get('C'))).toBe('C-string');
  });

  test('-Depth 1 and -Depth 3', () => {
    expect(convertToClixml([a], { depth: 1, indent: false })).toContain('<Props><S N="B">B-string</S></Props>');
    const deep = convertToClixml([a], { depth: 3, indent: false });
    expect(deep).toContain('<S N="D">D-string</S>');
    expect(deep).toContain('T.C');
  });

  test('note properties of a property bag do not use up depth (as pwsh: instance members keep the depth)', () => {
    const bag = PSObject.fromEntries([['L1', PSObject.fromEntries([['L2', PSObject.fromEntries([['L3', 'deep']])]])]]);
    const r = convertFromClixml(convertToClixml([bag], { depth: 1 }))[0] as PSObject;
    expect(((r.get('L1') as PSObject).get('L2') as PSObject).get('L3')).toBe('deep');
  });

  test('a property bag reached at depth 0 is its string plus its notes', () => {
    const bag = PSObject.fromEntries([['k', 'v']]);
    const holder = typed('T.H', 'H', [['Bag', bag]]);
    const text = convertToClixml([holder], { depth: 1, indent: false });
    expect(text).toContain('<Obj N="Bag" RefId="1"><S>@{k=v}</S><MS><S N="k">v</S></MS></Obj>');
    expect((convertFromClixml(text)[0] as PSObject).get('Bag')).toBe('@{k=v}');
  });

  test('nesting beyond pwsh\'s 50 levels below the top is cut to a string, and such a file reads back', () => {
    let chain: unknown = 'bottom';
    for (let i = 0; i < 60; i++) chain = PSObject.fromEntries([['Next', chain]]);
    let r = convertFromClixml(convertToClixml([chain]))[0];
    let levels = 0;
    while (r instanceof PSObject) {
      r = r.get('Next');
      levels++;
    }
    expect(levels).toBe(50);
    expect(typeof r).toBe('string');
  });

  test('depth below 1 is refused', () => {
    expect(() => new ClixmlWriter({ depth: 0 })).toThrow(RangeError);
  });
});

describe('the -OutputFormat XML stream', () => {
  const OBJS = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">';

  test('the writer emits the header, one unindented document, objects as they come, shared RefIds', () => {
    const w = new ClixmlStreamWriter();
    const o = PSObject.fromEntries([['a', 'line\nbreak']]);
    expect(w.write(o)).toBe(
      `${CLIXML_STREAM_HEADER}\n${OBJS}<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T>` +
        '<T>System.Object</T></TN><MS><S N="a">line_x000A_break</S></MS></Obj>',
    );
    expect(w.write(o)).toBe('<Ref RefId="0" />');
    expect(w.write('oops', 'Error')).toBe('<S S="Error">oops</S>');
    expect(w.end()).toBe('</Objs>');
    expect(new ClixmlStreamWriter().end()).toBe('');
  });

  test('the reader yields each object as soon as it is complete, with RefIds shared across objects', () => {
    const w = new ClixmlStreamWriter();
    const shared = PSObject.fromEntries([['Name', 'one']]);
    const text = w.write(shared) + w.write('warn me', 'Warning') + w.write([1, 2]) + w.write(shared) + w.end();
    const reader = new ClixmlStreamReader();
    const got: { at: number; stream: string; value: unknown }[] = [];
    for (let i = 0; i < text.length; i++) {
      for (const item of reader.push(text[i])) got.push({ at: i, ...item });
    }
    got.push(...reader.end().map((x) => ({ at: -1, ...x })));
    expect(got.map((g) => g.stream)).toEqual(['Output', 'Warning', 'Output', 'Output']);
    expect((got[0].value as PSObject).get('Name')).toBe('one');
    expect(got[1].value).toBe('warn me');
    expect(got[2].value).toEqual([1, 2]);
    expect(got[3].value).toBe(got[0].value);
    // The first object came out at its own closing tag, long before the end of the input.
    expect(got[0].at).toBe(text.indexOf('</Obj>') + '</Obj>'.length - 1);
  });

  test('pwsh\'s well-known progress output reads as a progress-stream object', () => {
    const pwshText =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0">' +
      '<TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64>' +
      '<PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR>' +
      '<SD> </SD></PR></MS></Obj></Objs>';
    const r = new ClixmlStreamReader();
    const items = [...r.push(pwshText), ...r.end()];
    expect(items).toHaveLength(1);
    expect(items[0].stream).toBe('progress');
    const rec = (items[0].value as PSObject).get('Record') as PSObject;
    expect(rec.get('Activity')).toBe('Preparing modules for first use.');
    expect(rec.get('RecordType')).toBe('Completed');
    expect(rec.get('PercentComplete')).toBe(-1);
    expect(rec.get('CurrentOperation')).toBeNull();
  });

  test('a whole stream held in one string', () => {
    const w = new ClixmlStreamWriter();
    const text = w.write(1) + w.write('two', 'Verbose') + w.end() + '\r\n';
    expect(convertFromClixmlStream(text)).toEqual([
      { stream: 'Output', value: 1 },
      { stream: 'Verbose', value: 'two' },
    ]);
  });

  test('one document per object (each with its own RefIds) reads too', () => {
    const text = [
      CLIXML_STREAM_HEADER,
      serializeClixmlStreamObject(PSObject.fromEntries([['n', 1]])),
      serializeClixmlStreamObject(PSObject.fromEntries([['n', 2]])),
      '',
    ].join('\n');
    expect(serializeClixmlStreamObject('x')).toBe(`${OBJS}<S>x</S></Objs>`);
    const r = new ClixmlStreamReader();
    const values = [...r.push(text), ...r.end()].map((i) => (i.value as PSObject).get('n'));
    expect(values).toEqual([1, 2]);
  });

  test('a ">" inside an attribute value does not end the element early', () => {
    const r = new ClixmlStreamReader();
    const items = r.push(`${CLIXML_STREAM_HEADER}\n${OBJS}<S N='a>b' S="Output">x</S>`);
    expect(items.map((i) => i.value)).toEqual(['x']);
  });

  test('readClixmlStream decodes UTF-8 split across chunks', async () => {
    const w = new ClixmlStreamWriter();
    const bytes = Buffer.from(w.write('h\u00e9llo \u{1F600}') + w.write(3) + w.end(), 'utf8');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    }
    const items = [];
    for await (const item of readClixmlStream(chunks())) items.push(item.value);
    expect(items).toEqual(['h\u00e9llo \u{1F600}', 3]);
  });

  test('a stream without the header, or cut off, is an error', () => {
    expect(() => new ClixmlStreamReader().push('<Objs Version="1.1.0.1">\n')).toThrow(/expected the '#< CLIXML' header/);
    const r = new ClixmlStreamReader();
    r.push(`${CLIXML_STREAM_HEADER}\n${OBJS}<S>x`);
    expect(() => r.end()).toThrow(/input ended before <\/Objs>/);
    const r2 = new ClixmlStreamReader();
    expect(() => r2.push(`${CLIXML_STREAM_HEADER}\n${OBJS}<S>x</S><I32>1x</I32>`)).toThrow(/<I32> holds '1x'/);
    expect(() => new ClixmlStreamReader().push(`${CLIXML_STREAM_HEADER}\n<Other/>`)).toThrow(/expected '<Objs'/);
  });

  test('an object larger than the limit is refused instead of buffered', () => {
    const r = new ClixmlStreamReader({ maxLength: 1000 });
    r.push(`${CLIXML_STREAM_HEADER}\n${OBJS}<S>`);
    expect(() => r.push('a'.repeat(2000))).toThrow(/larger than 1000 characters/);
  });
});

describe('bad input', () => {
  const ns = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"';
  const doc = (body: string) => `<Objs Version="1.1.0.1" ${ns}>${body}</Objs>`;

  test.each([
    ['mismatched tags', `<Objs ${ns}>\n  <Obj RefId="0">\n  </Objx>\n</Objs>`, /Invalid CLIXML: .*line 3/],
    ['an unknown element', doc('<Foo>1</Foo>'), /unknown element <Foo>/],
    ['a non-integer I32', doc('<I32>12x</I32>'), /<I32> holds '12x', not an integer/],
    ['an out-of-range I32', doc('<I32>2147483648</I32>'), /<I32> value 2147483648 is out of range/],
    ['a bad date', doc('<DT>2026-13-01T00:00:00</DT>'), /<DT> holds '2026-13-01T00:00:00', not a round-trip date/],
    ['a bad version', doc('<Version>1.x</Version>'), /<Version> holds '1.x'/],
    ['a dangling Ref', doc('<Ref RefId="9" />'), /<Ref RefId="9"> refers to no earlier object/],
    ['a dangling TNRef', doc('<Obj RefId="0"><TNRef RefId="3" /></Obj>'), /<TNRef RefId="3"> refers to no earlier <TN>/],
    ['a property without a name', doc('<Obj RefId="0"><MS><S>x</S></MS></Obj>'), /property <S> in <MS> has no N attribute/],
    ['a dictionary entry without a key', doc('<Obj RefId="0"><DCT><En><S N="Value">x</S></En></DCT></Obj>'), /without a key/],
    ['the wrong root', '<Objects><S>x</S></Objects>', /root element is <Objects>, not <Objs>/],
    ['a foreign namespace', '<Objs xmlns="urn:other"><S>x</S></Objs>', /has namespace 'urn:other'/],
    ['an empty document', '   ', /the document is empty/],
    ['an undefined entity', doc('<S>&foo;</S>'), /undefined entity '&foo;'/],
    ['elements inside a string', doc('<S>a<B>true</B></S>'), /<S> must hold text, found <B>/],
    ['text between objects', doc('stray<S>x</S>'), /unexpected text 'stray'/],
  ])('%s gives a clear error', (_name, text, message) => {
    expect(() => convertFromClixml(text)).toThrow(ClixmlError);
    expect(() => convertFromClixml(text)).toThrow(message);
  });

  test('a DOCTYPE with an entity bomb is refused before any expansion, quickly', () => {
    const bomb =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
      `\n]>\n<Objs Version="1.1.0.1" ${ns}><S>&lol9;</S></Objs>`;
    const start = Date.now();
    expect(() => convertFromClixml(bomb)).toThrow(/DOCTYPE and entity declarations are not allowed \(line 2, column 1\)/);
    expect(Date.now() - start).toBeLessThan(200);
  });

  test('absurdly deep nesting is refused without exhausting the stack', () => {
    const depth = 20000;
    const body = '<Obj RefId="0"><LST>'.repeat(1) + '<Obj><LST>'.repeat(depth) + '</LST></Obj>'.repeat(depth) + '</LST></Obj>';
    const start = Date.now();
    expect(() => convertFromClixml(doc(body))).toThrow(/nest deeper than 512 levels/);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  test('a document over the size limit is refused up front', () => {
    expect(() => convertFromClixml(doc('<S>' + 'a'.repeat(5000) + '</S>'), { maxLength: 1000 })).toThrow(
      /larger than 1000 characters/,
    );
  });
});

describe('properties that cannot be read', () => {
  test('a throwing getter is left out, as pwsh skips properties it cannot get', () => {
    const o = PSObject.fromEntries([['ok', 1]], ['T.Broken', 'System.Object']);
    o.define('bad', () => {
      throw new Error('no');
    });
    o.toStringFn = () => {
      throw new Error('no ToString either');
    };
    const text = convertToClixml([o], { indent: false });
    expect(text).toContain('<TN RefId="0"><T>T.Broken</T><T>System.Object</T></TN><Props><I32 N="ok">1</I32></Props>');
    expect(text).not.toContain('bad');
    expect(text).not.toContain('<ToString>');
  });
});

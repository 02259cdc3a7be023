// CLIXML, PowerShell's object serialization format (MS-PSRP 2.2.5), as Export-Clixml,
// Import-Clixml and `pwsh -OutputFormat XML` write and read it, over the value model of
// core/engine/values.ts. fast-xml-parser builds and parses the XML; this file maps values.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { Hashtable, PSObject, PSVersion, typeNameOf } from '../engine/values';
import {
  decodeClixmlString,
  depthLimitedString,
  readProperties,
  encodeClixmlString,
  formatDoubleXml,
  formatDuration,
  formatRoundTripDate,
  isTimeSpan,
  makeTimeSpan,
  parseDoubleXml,
  parseDuration,
  parseIsoDate,
} from './dotnet';

export const CLIXML_NAMESPACE = 'http://schemas.microsoft.com/powershell/2004/04';
export const CLIXML_VERSION = '1.1.0.1';
/** First line of the stream `pwsh -OutputFormat XML` writes. */
export const CLIXML_STREAM_HEADER = '#< CLIXML';

const PSCUSTOMOBJECT = 'System.Management.Automation.PSCustomObject';
const DESERIALIZED = 'Deserialized.';
/** serialization.cs MaxDepthBelowTopLevel: nesting beyond this is written as a string. */
const MAX_DEPTH_BELOW_TOP_LEVEL = 50;
/** XML elements per object level at most (Obj, DCT, En, value), for fast-xml-parser's nesting guards. */
const TAGS_PER_LEVEL = 4;

export class ClixmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClixmlError';
  }
}

// ------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------

/** A node in fast-xml-parser's preserveOrder tree: `{ Tag: children, ':@': attributes }`. */
type XNode = { [tag: string]: XNode[] | Record<string, string> | string | undefined };

function escapeXmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;');
}

function el(tag: string, attrs: Record<string, string> | null, children: XNode[]): XNode {
  const n: XNode = { [tag]: children };
  if (attrs && Object.keys(attrs).length) {
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) a[k] = escapeXmlAttr(v);
    n[':@'] = a;
  }
  return n;
}

function textNode(s: string): XNode {
  return { '#text': escapeXmlText(s) };
}

export interface ClixmlWriteOptions {
  /** Export-Clixml -Depth: levels of adapted properties written before objects become strings (default 2). */
  depth?: number;
  /** Indent with two spaces and put elements on their own lines, as Export-Clixml does (default true). */
  indent?: boolean;
}

/**
 * Objects whose properties are note properties (`<MS>`): PSCustomObject property bags and
 * objects that were themselves deserialized. Other PSObjects stand for .NET objects and
 * write adapted properties (`<Props>`).
 */
function isPropertyBag(o: PSObject): boolean {
  return (
    o.typeNames.length === 0 ||
    o.typeNames[0].startsWith(DESERIALIZED) ||
    o.typeNames.some((t) => t === PSCUSTOMOBJECT || t === DESERIALIZED + PSCUSTOMOBJECT)
  );
}

/** The type hierarchy a pure PSCustomObject has: anything else is written as a modified TN. */
function hasDefaultBagTypeNames(o: PSObject): boolean {
  return o.typeNames.length === 2 && o.typeNames[0] === PSCUSTOMOBJECT && o.typeNames[1] === 'System.Object';
}

function isByteArray(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/**
 * One CLIXML document being written. Object and type-name RefIds are shared by every object
 * added, so an object met twice (in the same or a later top-level object) is written once and
 * then as `<Ref RefId="n" />`, as one Export-Clixml pipeline does.
 */
export class ClixmlWriter {
  private readonly depth: number;
  private readonly indent: boolean;
  private readonly objectRefs = new Map<object, string>();
  private readonly typeRefs = new Map<string, string>();
  private readonly top: XNode[] = [];
  private nesting = 0;

  constructor(options: ClixmlWriteOptions = {}) {
    this.depth = options.depth ?? 2;
    if (!Number.isInteger(this.depth) || this.depth < 1) throw new RangeError('CLIXML depth must be an integer of at least 1');
    this.indent = options.indent ?? true;
  }

  /** Adds one top-level object; `stream` (Error, Warning, …) becomes the `S` attribute. */
  add(value: unknown, stream?: string): void {
    this.top.push(this.writeOne(value, null, this.depth, stream ?? null));
  }

  /** The complete `<Objs …>` document. */
  toString(): string {
    const root = el('Objs', { Version: CLIXML_VERSION, xmlns: CLIXML_NAMESPACE }, this.top);
    return buildXml([root], this.indent);
  }

  /**
   * Writes one top-level object and returns its XML alone (no root, one line), for a stream
   * whose `<Objs>` root the caller opens and closes. RefIds stay shared with earlier objects.
   */
  fragment(value: unknown, stream?: string): string {
    return buildXml([this.writeOne(value, null, this.depth, stream ?? null)], false);
  }

  private primitive(tag: string, name: string | null, stream: string | null, text: string): XNode {
    // Attribute order as serialization.cs writes it: N then S for values, S then N for Nil.
    const attrs: Record<string, string> = {};
    if (tag === 'Nil' && stream !== null) attrs.S = stream;
    if (name !== null) attrs.N = encodeClixmlString(name);
    if (stream !== null) attrs.S = stream;
    return el(tag, attrs, text === '' ? [] : [textNode(text)]);
  }

  private objStart(name: string | null, stream: string | null, refId: string | null): Record<string, string> {
    const attrs: Record<string, string> = {};
    if (stream !== null) attrs.S = stream;
    if (name !== null) attrs.N = encodeClixmlString(name);
    if (refId !== null) attrs.RefId = refId;
    return attrs;
  }

  private typeNamesNode(typeNames: string[]): XNode {
    const key = typeNames.join('\u0000');
    const existing = this.typeRefs.get(key);
    if (existing !== undefined) return el('TNRef', { RefId: existing }, []);
    const id = String(this.typeRefs.size);
    this.typeRefs.set(key, id);
    return el('TN', { RefId: id }, typeNames.map((t) => el('T', null, [textNode(encodeClixmlString(t))])));
  }

  private newRef(o: object): string {
    const id = String(this.objectRefs.size);
    this.objectRefs.set(o, id);
    return id;
  }

  private writeOne(value: unknown, name: string | null, depth: number, stream: string | null = null): XNode {
    if (value === null || value === undefined) return this.primitive('Nil', name, stream, '');
    if (this.nesting >= MAX_DEPTH_BELOW_TOP_LEVEL) {
      return this.primitive('S', name, stream, encodeClixmlString(depthLimitedString(value)));
    }
    this.nesting++;
    try {
      return this.writeValue(value, name, depth, stream);
    } finally {
      this.nesting--;
    }
  }

  private writeValue(value: unknown, name: string | null, depth: number, stream: string | null): XNode {
    switch (typeof value) {
      case 'string':
        return this.primitive('S', name, stream, encodeClixmlString(value));
      case 'boolean':
        return this.primitive('B', name, stream, value ? 'true' : 'false');
      case 'bigint':
        if (value >= -9223372036854775808n && value <= 9223372036854775807n) return this.primitive('I64', name, stream, value.toString());
        if (value > 0n && value <= 18446744073709551615n) return this.primitive('U64', name, stream, value.toString());
        return this.primitive('Db', name, stream, formatDoubleXml(Number(value)));
      case 'number': {
        const t = typeNameOf(value);
        if (t === 'System.Int32') return this.primitive('I32', name, stream, String(value));
        if (t === 'System.Int64') return this.primitive('I64', name, stream, String(value));
        return this.primitive('Db', name, stream, formatDoubleXml(value));
      }
    }
    if (value instanceof Date) return this.primitive('DT', name, stream, formatRoundTripDate(value));
    if (value instanceof PSVersion) return this.primitive('Version', name, stream, value.toString());
    if (isByteArray(value)) return this.primitive('BA', name, stream, Buffer.from(value).toString('base64'));
    if (isTimeSpan(value)) return this.primitive('TS', name, stream, formatDuration(value.get('Ticks') as number));
    if (typeof value !== 'object') return this.primitive('S', name, stream, encodeClixmlString(String(value)));

    const seen = this.objectRefs.get(value as object);
    if (seen !== undefined) {
      const attrs: Record<string, string> = {};
      if (stream !== null) attrs.S = stream;
      if (name !== null) attrs.N = encodeClixmlString(name);
      attrs.RefId = seen;
      return el('Ref', attrs, []);
    }

    // Containers are not counted against the depth: their items get the container's depth.
    if (Array.isArray(value)) {
      const attrs = this.objStart(name, stream, this.newRef(value));
      const tn = this.typeNamesNode(['System.Object[]', 'System.Array', 'System.Object']);
      const items = value.map((item) => this.writeOne(item, null, depth));
      return el('Obj', attrs, [tn, el('LST', null, items)]);
    }
    if (value instanceof Hashtable) {
      const attrs = this.objStart(name, stream, this.newRef(value));
      const tn = this.typeNamesNode(
        value.ordered
          ? ['System.Collections.Specialized.OrderedDictionary', 'System.Object']
          : ['System.Collections.Hashtable', 'System.Object'],
      );
      const entries = value
        .entries()
        .map(([k, v]) => el('En', null, [this.writeOne(k, 'Key', depth), this.writeOne(v, 'Value', depth)]));
      return el('Obj', attrs, [tn, el('DCT', null, entries)]);
    }
    if (value instanceof PSObject) return this.writePSObject(value, name, depth, stream);
    return this.primitive('S', name, stream, encodeClixmlString(String(value)));
  }

  private writePSObject(o: PSObject, name: string | null, depth: number, stream: string | null): XNode {
    const bag = isPropertyBag(o);
    // A deserialized object keeps at least depth 1 (PreserveSerializationSettingOfOriginal).
    if (bag && depth <= 0 && o.typeNames[0]?.startsWith(DESERIALIZED)) depth = 1;
    // A property whose getter fails is left out (GetPropertyValueInThreadSafeManner).
    const props = readProperties(o).filter((p) => p.ok);
    if (depth <= 0) {
      // Beyond the depth an object is its ToString; note properties still travel with it.
      const text = encodeClixmlString(depthLimitedString(o));
      if (!bag || props.length === 0) return this.primitive('S', name, stream, text);
      const attrs = this.objStart(name, stream, this.newRef(o));
      const children: XNode[] = [];
      if (!hasDefaultBagTypeNames(o)) children.push(this.typeNamesNode(o.typeNames));
      children.push(el('S', null, text === '' ? [] : [textNode(text)]));
      children.push(el('MS', null, props.map((p) => this.writeOne(p.value, p.name, depth))));
      return el('Obj', attrs, children);
    }
    const attrs = this.objStart(name, stream, this.newRef(o));
    const children: XNode[] = [];
    if (o.typeNames.length) children.push(this.typeNamesNode(o.typeNames));
    if (bag) {
      // Property bags have no ToString of their own unless one came with deserialization.
      const text = o.toStringFn ? tryToString(o) : null;
      if (text !== null) children.push(el('ToString', null, [textNode(encodeClixmlString(text))]));
      if (props.length) children.push(el('MS', null, props.map((p) => this.writeOne(p.value, p.name, depth))));
    } else {
      const text = tryToString(o);
      if (text !== null) children.push(el('ToString', null, [textNode(encodeClixmlString(text))]));
      if (props.length) children.push(el('Props', null, props.map((p) => this.writeOne(p.value, p.name, depth - 1))));
    }
    return el('Obj', attrs, children);
  }
}

/** ToString, or null when it fails: the element is then left out, as SerializationUtilities.GetToString does. */
function tryToString(o: PSObject): string | null {
  try {
    return o.toString();
  } catch {
    return null;
  }
}

function buildXml(nodes: XNode[], indent: boolean): string {
  const builder = new XMLBuilder({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    format: indent,
    indentBy: '  ',
    suppressEmptyNode: true,
    processEntities: false, // text and attributes are escaped by el()/textNode()
    maxNestedTags: (MAX_DEPTH_BELOW_TOP_LEVEL + 2) * TAGS_PER_LEVEL,
  });
  // XmlWriter writes empty elements as `<Nil />`; `/>` cannot occur in escaped text.
  return (builder.build(nodes) as string).replace(/^\n/, '').replace(/\/>/g, ' />');
}

/** Export-Clixml: every value of `values` as one top-level object of one document. */
export function convertToClixml(values: Iterable<unknown>, options: ClixmlWriteOptions = {}): string {
  const w = new ClixmlWriter(options);
  for (const v of values) w.add(v);
  return w.toString();
}

/**
 * One object as a complete single-line `<Objs>` document with its own RefIds. pwsh's
 * `-OutputFormat XML` writes one document for the whole stream instead (ClixmlStreamWriter);
 * ClixmlStreamReader reads either form.
 */
export function serializeClixmlStreamObject(value: unknown, options: { stream?: string; depth?: number } = {}): string {
  const w = new ClixmlWriter({ depth: options.depth ?? 2, indent: false });
  w.add(value, options.stream);
  return w.toString();
}

const OBJS_START = `<Objs Version="${CLIXML_VERSION}" xmlns="${CLIXML_NAMESPACE}">`;

/**
 * The stream `pwsh -OutputFormat XML` writes (ConsoleHost WrappedSerializer): the line
 * `#< CLIXML`, then one `<Objs>` document without indentation whose objects are written as
 * they come, sharing RefIds, closed by `</Objs>` at the end. Nothing at all when no object
 * was written. Error, warning and other records carry their stream name in `S`.
 */
export class ClixmlStreamWriter {
  private readonly writer: ClixmlWriter;
  private started = false;

  constructor(options: { depth?: number } = {}) {
    this.writer = new ClixmlWriter({ depth: options.depth ?? 2, indent: false });
  }

  /** Text to emit for one object (the header and root start tag come with the first). */
  write(value: unknown, stream?: string): string {
    const head = this.started ? '' : `${CLIXML_STREAM_HEADER}\n${OBJS_START}`;
    this.started = true;
    return head + this.writer.fragment(value, stream);
  }

  /** Text that closes the stream. */
  end(): string {
    return this.started ? '</Objs>' : '';
  }
}

// ------------------------------------------------------------------------------------------
// Reading
// ------------------------------------------------------------------------------------------

export interface ClixmlReadOptions {
  /** Refuse documents larger than this many characters (default 256 MiB). */
  maxLength?: number;
  /** Refuse object nesting deeper than this (default 512; pwsh writes at most 50). */
  maxNesting?: number;
}

/** A top-level object read from CLIXML and the stream it was written to (`S`; Output when absent). */
export interface ClixmlItem {
  stream: string;
  value: unknown;
}

const parsers = new Map<number, XMLParser>();
const makeParser = (maxNesting: number): XMLParser => {
  let p = parsers.get(maxNesting);
  if (!p) {
    p = newParser(maxNesting);
    parsers.set(maxNesting, p);
  }
  return p;
};

const newParser = (maxNesting: number) =>
  new XMLParser({
    maxNestedTags: maxNesting * TAGS_PER_LEVEL + 8,
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    // Entities are decoded here (decodeEntities) so DTD-declared ones can never expand.
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: false,
  });

function lineCol(text: string, index: number): string {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return `line ${line}, column ${index - last}`;
}

const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos|[^;\s]*);?/g;

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m, body: string) => {
    if (!m.endsWith(';')) throw new ClixmlError(`Invalid CLIXML: unterminated entity reference '${m}'`);
    switch (body) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code > 0x10ffff) throw new ClixmlError(`Invalid CLIXML: character reference '${m}' is out of range`);
      return String.fromCodePoint(code);
    }
    throw new ClixmlError(`Invalid CLIXML: undefined entity '${m}' (only the XML predefined entities are accepted)`);
  });
}

function tagOf(node: XNode): string {
  for (const k of Object.keys(node)) if (k !== ':@') return k;
  return '';
}

function childrenOf(node: XNode): XNode[] {
  const c = node[tagOf(node)];
  return Array.isArray(c) ? c : [];
}

function attr(node: XNode, name: string): string | undefined {
  const a = node[':@'] as Record<string, string> | undefined;
  const v = a?.[name];
  return v === undefined ? undefined : decodeEntities(v);
}

/** Element children, skipping whitespace text and comments; other text is an error. */
function elementChildren(node: XNode): XNode[] {
  const out: XNode[] = [];
  for (const c of childrenOf(node)) {
    const t = tagOf(c);
    if (t === '#text') {
      if (String(c['#text']).trim() !== '') {
        throw new ClixmlError(`Invalid CLIXML: unexpected text '${String(c['#text']).trim().slice(0, 40)}' inside <${tagOf(node)}>`);
      }
      continue;
    }
    if (t === '#comment' || t === '?xml') continue;
    out.push(c);
  }
  return out;
}

/** Text content of a leaf element (entities decoded, not `_x` decoded). */
function textOf(node: XNode): string {
  let s = '';
  for (const c of childrenOf(node)) {
    const t = tagOf(c);
    if (t === '#text') s += String(c['#text']);
    else if (t === '#cdata') s += childrenOf(c).map((x) => String(x['#text'] ?? '')).join('');
    else if (t !== '#comment') throw new ClixmlError(`Invalid CLIXML: <${tagOf(node)}> must hold text, found <${t}>`);
  }
  return decodeEntities(s);
}

function intIn(tag: string, text: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ClixmlError(`Invalid CLIXML: <${tag}> holds '${t.slice(0, 40)}', not an integer`);
  const n = Number(t);
  if (n < min || n > max) throw new ClixmlError(`Invalid CLIXML: <${tag}> value ${t} is out of range`);
  return n;
}

function bigIntIn(tag: string, text: string, min: bigint, max: bigint): number | bigint {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new ClixmlError(`Invalid CLIXML: <${tag}> holds '${t.slice(0, 40)}', not an integer`);
  const b = BigInt(t);
  if (b < min || b > max) throw new ClixmlError(`Invalid CLIXML: <${tag}> value ${t} is out of range`);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

const LIST_TAGS = new Set(['LST', 'IE', 'STK', 'QUE']);
const PROGRESS_FIELDS: Record<string, string> = {
  AV: 'Activity',
  AI: 'ActivityId',
  PI: 'ParentActivityId',
  PC: 'PercentComplete',
  T: 'RecordType',
  SR: 'SecondsRemaining',
  SD: 'StatusDescription',
  CO: 'CurrentOperation',
};

/** Reads the objects of one `<Objs>` document; RefIds are local to it. */
class DocumentReader {
  private readonly objects = new Map<string, unknown>();
  private readonly typeNames = new Map<string, string[]>();
  private nesting = 0;

  constructor(private readonly maxNesting: number) {}

  readTop(node: XNode): ClixmlItem {
    return { stream: attr(node, 'S') ?? 'Output', value: this.read(node) };
  }

  private read(node: XNode): unknown {
    if (++this.nesting > this.maxNesting) {
      throw new ClixmlError(`Invalid CLIXML: objects nest deeper than ${this.maxNesting} levels`);
    }
    try {
      return this.readValue(node);
    } finally {
      this.nesting--;
    }
  }

  private readPrimitive(tag: string, node: XNode): { ok: true; value: unknown } | { ok: false } {
    const text = () => textOf(node);
    switch (tag) {
      case 'Nil':
        return { ok: true, value: null };
      case 'S':
      case 'URI':
      case 'XD':
      case 'SBK':
        return { ok: true, value: decodeClixmlString(text()) };
      case 'G': {
        const g = text().trim();
        if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(g)) {
          throw new ClixmlError(`Invalid CLIXML: <G> holds '${g.slice(0, 40)}', not a GUID`);
        }
        return { ok: true, value: g };
      }
      case 'C':
        return { ok: true, value: String.fromCharCode(intIn(tag, text(), 0, 0xffff)) };
      case 'B': {
        const t = text().trim();
        if (t === 'true' || t === '1') return { ok: true, value: true };
        if (t === 'false' || t === '0') return { ok: true, value: false };
        throw new ClixmlError(`Invalid CLIXML: <B> holds '${t.slice(0, 40)}', not a boolean`);
      }
      case 'DT': {
        const d = parseIsoDate(text().trim());
        if (!d) throw new ClixmlError(`Invalid CLIXML: <DT> holds '${text().trim().slice(0, 40)}', not a round-trip date`);
        return { ok: true, value: d };
      }
      case 'TS': {
        const ticks = parseDuration(text());
        if (ticks === null) throw new ClixmlError(`Invalid CLIXML: <TS> holds '${text().trim().slice(0, 40)}', not a duration`);
        return { ok: true, value: makeTimeSpan(ticks) };
      }
      case 'Version': {
        const v = PSVersion.tryParse(text());
        if (!v) throw new ClixmlError(`Invalid CLIXML: <Version> holds '${text().trim().slice(0, 40)}', not a version`);
        return { ok: true, value: v };
      }
      case 'By':
        return { ok: true, value: intIn(tag, text(), 0, 255) };
      case 'SB':
        return { ok: true, value: intIn(tag, text(), -128, 127) };
      case 'U16':
        return { ok: true, value: intIn(tag, text(), 0, 65535) };
      case 'I16':
        return { ok: true, value: intIn(tag, text(), -32768, 32767) };
      case 'I32':
        return { ok: true, value: intIn(tag, text(), -2147483648, 2147483647) };
      case 'U32':
        return { ok: true, value: intIn(tag, text(), 0, 4294967295) };
      case 'I64':
        return { ok: true, value: bigIntIn(tag, text(), -9223372036854775808n, 9223372036854775807n) };
      case 'U64':
        return { ok: true, value: bigIntIn(tag, text(), 0n, 18446744073709551615n) };
      case 'Db':
      case 'Sg':
      case 'D': {
        const n = parseDoubleXml(text());
        if (n === null) throw new ClixmlError(`Invalid CLIXML: <${tag}> holds '${text().trim().slice(0, 40)}', not a number`);
        return { ok: true, value: n };
      }
      case 'BA': {
        const b64 = text().replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
          throw new ClixmlError('Invalid CLIXML: <BA> does not hold base64 data');
        }
        return { ok: true, value: Array.from(Buffer.from(b64, 'base64')) };
      }
      case 'SS': {
        // The encrypted text is bound to the writer's user and machine; keep it opaque.
        const ss = new PSObject(['System.Security.SecureString', 'System.Object']);
        ss.toStringFn = () => 'System.Security.SecureString';
        return { ok: true, value: ss };
      }
      case 'PR': {
        const pr = new PSObject([DESERIALIZED + 'System.Management.Automation.ProgressRecord', DESERIALIZED + 'System.Object']);
        for (const c of elementChildren(node)) {
          const t = tagOf(c);
          if (t === 'AI' || t === 'PI' || t === 'PC' || t === 'SR') {
            pr.set(PROGRESS_FIELDS[t], intIn(t, textOf(c), -2147483648, 2147483647));
          } else if (PROGRESS_FIELDS[t]) pr.set(PROGRESS_FIELDS[t], decodeClixmlString(textOf(c)));
          else pr.set('CurrentOperation', this.read(c));
        }
        return { ok: true, value: pr };
      }
    }
    return { ok: false };
  }

  private readValue(node: XNode): unknown {
    const tag = tagOf(node);
    const prim = this.readPrimitive(tag, node);
    if (prim.ok) return prim.value;
    if (tag === 'Ref') {
      const id = attr(node, 'RefId');
      if (id === undefined) throw new ClixmlError('Invalid CLIXML: <Ref> without a RefId');
      if (!this.objects.has(id)) throw new ClixmlError(`Invalid CLIXML: <Ref RefId="${id}"> refers to no earlier object`);
      return this.objects.get(id);
    }
    if (tag === 'Obj') return this.readObj(node);
    throw new ClixmlError(`Invalid CLIXML: unknown element <${tag}>`);
  }

  private readTypeNames(node: XNode): string[] {
    const tag = tagOf(node);
    const id = attr(node, 'RefId');
    if (tag === 'TNRef') {
      const names = id === undefined ? undefined : this.typeNames.get(id);
      if (!names) throw new ClixmlError(`Invalid CLIXML: <TNRef RefId="${id ?? ''}"> refers to no earlier <TN>`);
      return names;
    }
    const names = elementChildren(node).map((t) => {
      if (tagOf(t) !== 'T') throw new ClixmlError(`Invalid CLIXML: <TN> may only hold <T>, found <${tagOf(t)}>`);
      return decodeClixmlString(textOf(t));
    });
    if (id !== undefined) this.typeNames.set(id, names);
    return names;
  }

  private readObj(node: XNode): unknown {
    const refId = attr(node, 'RefId');
    const parts = elementChildren(node);
    let typeNames: string[] | null = null;
    let toString: string | null = null;
    let containerNode: XNode | null = null;
    let baseNode: XNode | null = null;
    const propertyNodes: XNode[] = [];
    for (const p of parts) {
      const t = tagOf(p);
      if (t === 'TN' || t === 'TNRef') typeNames = this.readTypeNames(p);
      else if (t === 'ToString') toString = decodeClixmlString(textOf(p));
      else if (t === 'Props' || t === 'MS') propertyNodes.push(p);
      else if (LIST_TAGS.has(t) || t === 'DCT') containerNode = p;
      else if (baseNode === null) baseNode = p;
      else throw new ClixmlError(`Invalid CLIXML: <Obj> holds both <${tagOf(baseNode)}> and <${t}>`);
    }
    const register = (v: unknown) => {
      if (refId !== undefined) this.objects.set(refId, v);
      return v;
    };

    if (containerNode) {
      const ct = tagOf(containerNode);
      if (ct === 'DCT') {
        const ordered = typeNames?.[0] === 'System.Collections.Specialized.OrderedDictionary';
        const h = register(new Hashtable(ordered)) as Hashtable;
        for (const en of elementChildren(containerNode)) {
          if (tagOf(en) !== 'En') throw new ClixmlError(`Invalid CLIXML: <DCT> may only hold <En>, found <${tagOf(en)}>`);
          let key: unknown;
          let value: unknown = null;
          let haveKey = false;
          for (const kv of elementChildren(en)) {
            const n = attr(kv, 'N');
            if (n === 'Key') {
              key = this.read(kv);
              haveKey = true;
            } else if (n === 'Value') value = this.read(kv);
            else throw new ClixmlError(`Invalid CLIXML: <En> child must be named Key or Value, found N="${n ?? ''}"`);
          }
          if (!haveKey || key === null) throw new ClixmlError('Invalid CLIXML: dictionary entry without a key');
          h.set(key, value);
        }
        return h;
      }
      const arr = register([]) as unknown[];
      for (const item of elementChildren(containerNode)) arr.push(this.read(item));
      return arr;
    }

    if (baseNode) {
      // A primitive with notes or modified type names (enums, depth-limited objects): the
      // value model has no place for the extras, so the primitive stands for the object.
      return register(this.read(baseNode));
    }

    const o = new PSObject(
      typeNames ? typeNames.map((t) => (t.toLowerCase().startsWith(DESERIALIZED.toLowerCase()) ? t : DESERIALIZED + t)) : undefined,
    );
    register(o);
    if (toString !== null) {
      const s = toString;
      o.toStringFn = () => s;
    }
    for (const p of propertyNodes) {
      for (const m of elementChildren(p)) {
        const name = attr(m, 'N');
        // A named <MS> inside a member set is a nested member set (PSStandardMembers): not a property.
        if (tagOf(m) === 'MS') continue;
        if (name === undefined) throw new ClixmlError(`Invalid CLIXML: property <${tagOf(m)}> in <${tagOf(p)}> has no N attribute`);
        o.set(decodeClixmlString(name), this.read(m));
      }
    }
    return o;
  }
}

/** Checks that would otherwise cost memory or time inside the XML parser. */
function precheck(text: string, maxLength: number): void {
  if (text.length > maxLength) throw new ClixmlError(`Invalid CLIXML: document is larger than ${maxLength} characters`);
  const doctype = text.search(/<!DOCTYPE|<!ENTITY/i);
  if (doctype !== -1) {
    throw new ClixmlError(`Invalid CLIXML: DOCTYPE and entity declarations are not allowed (${lineCol(text, doctype)})`);
  }
}

function parseDocument(text: string, maxLength: number, maxNesting: number): XNode[] {
  precheck(text, maxLength);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new ClixmlError(`Invalid CLIXML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  try {
    return makeParser(maxNesting).parse(text) as XNode[];
  } catch (e) {
    const msg = (e as Error).message;
    if (/nested tags/i.test(msg)) throw new ClixmlError(`Invalid CLIXML: objects nest deeper than ${maxNesting} levels`);
    throw new ClixmlError(`Invalid CLIXML: ${msg}`);
  }
}

function checkObjsRoot(objs: XNode): void {
  if (tagOf(objs) !== 'Objs') throw new ClixmlError(`Invalid CLIXML: the root element is <${tagOf(objs)}>, not <Objs>`);
  const ns = attr(objs, 'xmlns');
  if (ns !== undefined && ns !== CLIXML_NAMESPACE) {
    throw new ClixmlError(`Invalid CLIXML: <Objs> has namespace '${ns}', expected '${CLIXML_NAMESPACE}'`);
  }
}

function readObjsElement(objs: XNode, maxNesting: number): ClixmlItem[] {
  checkObjsRoot(objs);
  const reader = new DocumentReader(maxNesting);
  return elementChildren(objs).map((n) => reader.readTop(n));
}

function rootElements(nodes: XNode[]): XNode[] {
  return nodes.filter((n) => {
    const t = tagOf(n);
    if (t === '#text') {
      if (String(n['#text']).trim() !== '') throw new ClixmlError('Invalid CLIXML: text outside the <Objs> element');
      return false;
    }
    return t !== '#comment' && t !== '?xml';
  });
}

/**
 * The text of CLIXML file bytes: UTF-8 (pwsh 7's Export-Clixml) or UTF-16 (Windows PowerShell
 * 5.1's), told apart by the byte order mark or, without one, by the zero byte beside `<`.
 */
export function decodeClixmlBytes(bytes: Uint8Array): string {
  let encoding = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ['utf-16le', 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ['utf-16be', 2];
  else if (bytes[0] === 0x3c && bytes[1] === 0x00) encoding = 'utf-16le';
  else if (bytes[0] === 0x00 && bytes[1] === 0x3c) encoding = 'utf-16be';
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new ClixmlError(`Invalid CLIXML: the file is not valid ${encoding.toUpperCase()} text`);
  }
}

/** Import-Clixml: the top-level objects of a document, with the stream each was written to. */
export function readClixmlItems(text: string, options: ClixmlReadOptions = {}): ClixmlItem[] {
  const maxLength = options.maxLength ?? 256 * 1024 * 1024;
  const maxNesting = options.maxNesting ?? 512;
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new ClixmlError('Invalid CLIXML: the document is empty');
  const roots = rootElements(parseDocument(body, maxLength, maxNesting));
  if (roots.length !== 1) throw new ClixmlError(`Invalid CLIXML: expected one <Objs> root element, found ${roots.length}`);
  return readObjsElement(roots[0], maxNesting);
}

/** Import-Clixml: the top-level objects of a document. */
export function convertFromClixml(text: string, options: ClixmlReadOptions = {}): unknown[] {
  return readClixmlItems(text, options).map((i) => i.value);
}

/** Where a resumable scan over the buffer stands: the next index to look at and the element depth. */
interface ScanState {
  index: number;
  depth: number;
}

/**
 * Finds the end of the element starting at `state.index` (depth 0). Returns the index just past
 * it, or -1 when more input is needed; `state` then records how far the scan got so the next
 * call continues there instead of rescanning.
 */
function scanElement(buf: string, state: ScanState): number {
  let i = state.index;
  for (;;) {
    const lt = buf.indexOf('<', i);
    if (lt === -1) {
      state.index = buf.length;
      return -1;
    }
    i = lt;
    state.index = i;
    if (buf.startsWith('<!--', i)) {
      const e = buf.indexOf('-->', i + 4);
      if (e === -1) return -1;
      i = e + 3;
      continue;
    }
    if (buf.startsWith('<![CDATA[', i)) {
      const e = buf.indexOf(']]>', i + 9);
      if (e === -1) return -1;
      i = e + 3;
      continue;
    }
    if (buf.startsWith('<!', i) || buf.startsWith('<?', i)) {
      if (buf.length - i < 9) return -1;
      throw new ClixmlError(`Invalid CLIXML stream: unexpected '${buf.slice(i, i + 9)}' inside a document`);
    }
    // A start or end tag: find its '>' outside quoted attribute values.
    let j = i + 1;
    let quote = '';
    for (; j < buf.length; j++) {
      const c = buf[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    if (j >= buf.length) return -1;
    if (buf[i + 1] === '/') state.depth--;
    else if (buf[j - 1] !== '/') state.depth++;
    i = j + 1;
    state.index = i;
    if (state.depth <= 0) return i;
  }
}

/**
 * Incremental reader for the `-OutputFormat XML` stream (`#< CLIXML`, then an `<Objs>` document
 * whose objects arrive one by one): push text as it arrives and take the objects completed so
 * far. Further `<Objs>` documents after the first are read too. One object larger than
 * maxLength is refused rather than buffered without bound.
 */
export class ClixmlStreamReader {
  private buffer = '';
  private state: 'header' | 'between' | 'inDoc' = 'header';
  private reader: DocumentReader | null = null;
  private scan: ScanState | null = null;
  private readonly maxLength: number;
  private readonly maxNesting: number;

  constructor(options: ClixmlReadOptions = {}) {
    this.maxLength = options.maxLength ?? 64 * 1024 * 1024;
    this.maxNesting = options.maxNesting ?? 512;
  }

  push(chunk: string): ClixmlItem[] {
    this.buffer += chunk;
    const out: ClixmlItem[] = [];
    while (this.step(out));
    if (this.buffer.length > this.maxLength) {
      throw new ClixmlError(`Invalid CLIXML stream: an object is larger than ${this.maxLength} characters`);
    }
    return out;
  }

  /** Call at end of input: an unfinished object or document is an error. */
  end(): ClixmlItem[] {
    const out = this.push('');
    if (this.state === 'header' && this.buffer.trim() !== '') this.failHeader();
    if (this.state === 'inDoc') throw new ClixmlError('Invalid CLIXML stream: input ended before </Objs>');
    if (this.buffer.trim() !== '') throw new ClixmlError('Invalid CLIXML stream: input ended inside an element');
    return out;
  }

  /** Consumes what it can; false when more input is needed. */
  private step(out: ClixmlItem[]): boolean {
    if (this.state === 'header') {
      const nl = this.buffer.indexOf('\n');
      const first = (nl === -1 ? this.buffer : this.buffer.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '');
      if (nl === -1) {
        if (!CLIXML_STREAM_HEADER.toLowerCase().startsWith(first.toLowerCase())) this.failHeader();
        return false;
      }
      if (first.toLowerCase() !== CLIXML_STREAM_HEADER.toLowerCase()) this.failHeader();
      this.buffer = this.buffer.slice(nl + 1);
      this.state = 'between';
      return true;
    }
    const ws = /^\s*/.exec(this.buffer)![0].length;
    if (ws) this.buffer = this.buffer.slice(ws);
    if (this.buffer === '') return false;
    if (this.buffer[0] !== '<') {
      throw new ClixmlError(`Invalid CLIXML stream: unexpected text '${this.buffer.slice(0, 20)}'`);
    }
    if (this.state === 'between') {
      if (this.buffer.startsWith('<?')) {
        const e = this.buffer.indexOf('?>');
        if (e === -1) return false;
        this.buffer = this.buffer.slice(e + 2);
        return true;
      }
      const gt = this.buffer.indexOf('>');
      if (gt === -1) {
        if (this.buffer.length >= 5 && !this.buffer.startsWith('<Objs')) this.failRoot();
        return false;
      }
      const tag = this.buffer.slice(0, gt + 1);
      if (!/^<Objs[\s/>]/.test(tag)) this.failRoot();
      precheck(tag, this.maxLength);
      const roots = rootElements(parseDocument(tag.endsWith('/>') ? tag : tag + '</Objs>', this.maxLength, this.maxNesting));
      checkObjsRoot(roots[0]);
      this.buffer = this.buffer.slice(gt + 1);
      if (!tag.endsWith('/>')) {
        this.state = 'inDoc';
        this.reader = new DocumentReader(this.maxNesting);
      }
      return true;
    }
    // Inside a document: the closing tag, or one complete top-level object.
    if (this.buffer.startsWith('</')) {
      const gt = this.buffer.indexOf('>');
      if (gt === -1) return false;
      if (!/^<\/Objs\s*>$/.test(this.buffer.slice(0, gt + 1))) {
        throw new ClixmlError(`Invalid CLIXML stream: unexpected '${this.buffer.slice(0, gt + 1)}'`);
      }
      this.buffer = this.buffer.slice(gt + 1);
      this.state = 'between';
      this.reader = null;
      return true;
    }
    this.scan ??= { index: 0, depth: 0 };
    const end = scanElement(this.buffer, this.scan);
    if (end === -1) return false;
    this.scan = null;
    const element = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    const roots = rootElements(parseDocument(`<Objs>${element}</Objs>`, this.maxLength, this.maxNesting));
    for (const node of elementChildren(roots[0])) out.push(this.reader!.readTop(node));
    return true;
  }

  private failHeader(): never {
    throw new ClixmlError(
      `Invalid CLIXML stream: expected the '${CLIXML_STREAM_HEADER}' header, found '${this.buffer.slice(0, 20)}'`,
    );
  }

  private failRoot(): never {
    throw new ClixmlError(`Invalid CLIXML stream: expected '<Objs', found '${this.buffer.slice(0, 20)}'`);
  }
}

/** The objects of a complete `-OutputFormat XML` stream held in one string. */
export function convertFromClixmlStream(text: string, options: ClixmlReadOptions = {}): ClixmlItem[] {
  const reader = new ClixmlStreamReader(options);
  return [...reader.push(text), ...reader.end()];
}

/** Yields the objects of an `-OutputFormat XML` stream as their documents arrive. */
export async function* readClixmlStream(
  source: AsyncIterable<string | Uint8Array>,
  options: ClixmlReadOptions = {},
): AsyncGenerator<ClixmlItem> {
  const reader = new ClixmlStreamReader(options);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* reader.push(text);
  }
  yield* reader.push(decoder.decode());
  yield* reader.end();
}

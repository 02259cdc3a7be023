// ConvertTo-Json / ConvertFrom-Json as PowerShell 7 does them (JsonObject.cs over Newtonsoft.Json):
// 2-space indentation, `"name": value`, depth cut-off to ToString with a truncation flag, ISO
// dates both ways, and Newtonsoft's lenient reader with its error texts and positions.
import { Hashtable, PSObject, PSVersion, typeNameOf } from '../engine/values';
import { depthLimitedString, formatDoubleR, formatRoundTripDate, parseIsoDate, readProperties, versionProperties } from './dotnet';

/** Newtonsoft StringEscapeHandling, as ConvertTo-Json -EscapeHandling. */
export type JsonEscapeHandling = 'Default' | 'EscapeNonAscii' | 'EscapeHtml';

export interface ConvertToJsonOptions {
  /** -Depth (0..100, default 2): containers deeper than this become their string form. */
  depth?: number;
  /** -Compress: no whitespace at all. */
  compress?: boolean;
  /** -AsArray: wrap the value in an array even when it is a single object. */
  asArray?: boolean;
  escapeHandling?: JsonEscapeHandling;
}

export interface ConvertToJsonResult {
  text: string;
  /** Some value lay deeper than the depth; the caller warns with jsonDepthWarning(depth). */
  truncated: boolean;
}

/** The warning ConvertTo-Json writes when it cut the object graph off (WebCmdletStrings.JsonMaxDepthReached). */
export function jsonDepthWarning(depth: number): string {
  return `Resulting JSON is truncated as serialization has exceeded the set depth of ${depth}.`;
}

export class JsonSerializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSerializationError';
  }
}

const hex4 = (c: number) => '\\u' + c.toString(16).padStart(4, '0');

function jsonString(s: string, mode: JsonEscapeHandling): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    switch (ch) {
      case '\t':
        out += '\\t';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '"':
        out += mode === 'EscapeHtml' ? hex4(c) : '\\"';
        continue;
    }
    if (c < 0x20 || c === 0x85 || c === 0x2028 || c === 0x2029) out += hex4(c);
    else if (mode === 'EscapeNonAscii' && c > 0x7e) out += hex4(c);
    else if (mode === 'EscapeHtml' && (ch === '<' || ch === '>' || ch === "'" || ch === '&')) out += hex4(c);
    else out += ch;
  }
  return out + '"';
}

/** Newtonsoft writes doubles as "R" text with a decimal point ensured, and non-finite ones as strings. */
function jsonDouble(n: number): string {
  if (!Number.isFinite(n)) return `"${formatDoubleR(n)}"`;
  const r = formatDoubleR(n);
  return /[.E]/.test(r) ? r : r + '.0';
}

function isContainerLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Date);
}

/**
 * ConvertTo-Json. `value` is the single input object or, for several pipeline inputs, the
 * array of them (the array is then depth 0 and its items depth 1, as in pwsh).
 */
export function convertToJson(value: unknown, options: ConvertToJsonOptions = {}): ConvertToJsonResult {
  const maxDepth = options.depth ?? 2;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 100) {
    throw new RangeError(`The -Depth value ${maxDepth} is outside the range 0 to 100.`);
  }
  const compress = options.compress ?? false;
  const mode = options.escapeHandling ?? 'Default';
  let truncated = false;
  const nl = compress ? '' : '\n';
  const colon = compress ? ':' : ': ';

  const block = (open: string, close: string, items: string[], indent: string): string => {
    if (items.length === 0) return open + close;
    if (compress) return open + items.join(',') + close;
    const inner = indent + '  ';
    return open + nl + items.map((i) => inner + i).join(',' + nl) + nl + indent + close;
  };

  const members = (entries: [string, unknown][], depth: number, indent: string): string =>
    block('{', '}', entries.map(([k, v]) => jsonString(k, mode) + colon + write(v, depth + 1, indent + '  ')), indent);

  const write = (v: unknown, depth: number, indent: string): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'string':
        return jsonString(v, mode);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return v.toString();
      case 'number':
        return typeNameOf(v) === 'System.Double' ? jsonDouble(v) : String(v);
    }
    if (v instanceof Date) return jsonString(formatRoundTripDate(v), mode);
    if (!isContainerLike(v)) return jsonString(String(v), mode);
    if (depth > maxDepth) {
      // Beyond the depth an object is converted to [string] (arrays join with spaces).
      truncated = true;
      return jsonString(depthLimitedString(v), mode);
    }
    if (Array.isArray(v) || v instanceof Uint8Array) {
      return block('[', ']', Array.from(v as ArrayLike<unknown>, (item) => write(item, depth + 1, indent + '  ')), indent);
    }
    if (v instanceof Hashtable) {
      const entries: [string, unknown][] = [];
      for (const [k, val] of v.entries()) {
        if (typeof k !== 'string') {
          throw new JsonSerializationError(
            `The type '${v.toString()}' is not supported for serialization or deserialization of a dictionary. Keys must be strings.`,
          );
        }
        entries.push([k, val]);
      }
      return members(entries, depth, indent);
    }
    if (v instanceof PSVersion) return members(versionProperties(v), depth, indent);
    // A property whose getter fails is written as null, as pwsh does.
    if (v instanceof PSObject) return members(readProperties(v).map((p) => [p.name, p.value]), depth, indent);
    return jsonString(String(v), mode);
  };

  const root = options.asArray ? [value] : value;
  return { text: write(root, 0, ''), truncated };
}

// ------------------------------------------------------------------------------------------
// ConvertFrom-Json
// ------------------------------------------------------------------------------------------

/** ConvertFrom-Json's terminating error; `message` is pwsh's text. */
export class JsonConversionError extends Error {
  constructor(
    message: string,
    /** Where the reader stopped, as Newtonsoft reports it (line 1-based, position 0-based column). */
    readonly line?: number,
    readonly position?: number,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'JsonConversionError';
  }
}

export interface ConvertFromJsonOptions {
  /** -AsHashtable: objects become ordered Hashtables (keys may then differ only in case). */
  asHashtable?: boolean;
  /** -Depth (default 1024): deeper nesting is an error. */
  depth?: number;
  /** -DateKind String: leave ISO date strings as strings. */
  noDateParsing?: boolean;
}

type PathPart = { kind: 'prop'; name: string | null } | { kind: 'index'; index: number };

class JsonReader {
  private i = 0;
  private readonly path: PathPart[] = [];
  private tokensRead = 0;

  constructor(
    private readonly s: string,
    private readonly opts: ConvertFromJsonOptions,
  ) {}

  private pathText(): string {
    let p = '';
    for (const part of this.path) {
      if (part.kind === 'index') {
        if (part.index >= 0) p += `[${part.index}]`;
      } else if (part.name !== null) {
        p += /^[A-Za-z_$][\w$]*$/.test(part.name) ? (p ? '.' : '') + part.name : `['${part.name.replace(/'/g, "\\'")}']`;
      }
    }
    return p;
  }

  private fail(detail: string, at = this.i): never {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < this.s.length; k++) {
      if (this.s[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    const position = at - lineStart;
    // Newtonsoft reports line 0 while nothing has been read yet.
    const shownLine = this.tokensRead === 0 && position === 0 && line === 1 ? 0 : line;
    const path = this.pathText();
    throw new JsonConversionError(
      `Conversion from JSON failed with error: ${detail} Path '${path}', line ${shownLine}, position ${position}.`,
      shownLine,
      position,
      path,
    );
  }

  private skipSpace(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF' || c === '\u00A0') this.i++;
      else if (c === '/' && s[this.i + 1] === '/') {
        const e = s.indexOf('\n', this.i);
        this.i = e === -1 ? s.length : e + 1;
      } else if (c === '/' && s[this.i + 1] === '*') {
        const e = s.indexOf('*/', this.i + 2);
        if (e === -1) this.fail('Unexpected end while parsing comment.', s.length);
        this.i = e + 2;
      } else return;
    }
  }

  readDocument(): unknown {
    this.skipSpace();
    if (this.i >= this.s.length) return null;
    const v = this.readValue(0);
    this.skipSpace();
    if (this.i < this.s.length) {
      this.fail(`Additional text encountered after finished reading JSON content: ${this.s[this.i]}.`);
    }
    return v;
  }

  /** `started` runs once the value's first token is read: an array's path index counts from there, as Newtonsoft's. */
  private readValue(nesting: number, started: () => void = () => {}): unknown {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
    if (c === '{') return this.readObject(nesting + 1, started);
    if (c === '[') return this.readArray(nesting + 1, started);
    if (c === '"' || c === "'") {
      this.tokensRead++;
      const str = this.readString();
      started();
      if (!this.opts.noDateParsing && str.length >= 19 && str.length <= 40 && /^\d{4}-/.test(str)) {
        const d = parseIsoDate(str);
        if (d) return d;
      }
      return str;
    }
    if (c === '-' || (c >= '0' && c <= '9') || c === '.') {
      const n = this.readNumber();
      started();
      return n;
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['undefined', null],
      ['NaN', NaN],
      ['Infinity', Infinity],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        const after = this.s[this.i + word.length];
        if (after !== undefined && /[\w$]/.test(after)) break;
        this.i += word.length;
        this.tokensRead++;
        started();
        return value;
      }
    }
    this.fail(`Unexpected character encountered while parsing value: ${c}.`);
  }

  private readNumber(): number | bigint {
    const start = this.i;
    if (this.s.startsWith('-Infinity', this.i)) {
      this.i += 9;
      return -Infinity;
    }
    const m = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    const text = m ? m[0] : '';
    const next = this.s[this.i + text.length];
    if (!m || text === '-' || (next !== undefined && /[\w.$]/.test(next))) {
      let end = this.i;
      while (end < this.s.length && !/[\s,\]}:]/.test(this.s[end])) end++;
      this.fail(`Input string '${this.s.slice(start, end)}' is not a valid number.`, start);
    }
    if (/^-?0\d/.test(text)) this.fail(`Input string '${text}' is not a valid number.`, start);
    this.i += text.length;
    this.tokensRead++;
    if (/[.eE]/.test(text)) return Number(text);
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
    return BigInt(text);
  }

  private readString(): string {
    const quote = this.s[this.i];
    this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail(`Unterminated string. Expected delimiter: ${quote}.`, this.s.length);
      if (c === quote) {
        out += this.s.slice(chunk, this.i);
        this.i++;
        return out;
      }
      if (c === '\\') {
        out += this.s.slice(chunk, this.i);
        const e = this.s[this.i + 1];
        const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === undefined) this.fail(`Unterminated string. Expected delimiter: ${quote}.`, this.s.length);
        if (e in simple) {
          out += simple[e];
          this.i += 2;
        } else if (e === 'u') {
          const h = this.s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(h)) this.fail(`Invalid Unicode escape sequence: \\u${h}.`, this.i);
          out += String.fromCharCode(parseInt(h, 16));
          this.i += 6;
        } else this.fail(`Bad JSON escape sequence: \\${e}.`, this.i);
        chunk = this.i;
        continue;
      }
      this.i++;
    }
  }

  private readPropertyName(): string {
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.readString();
    const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i, this.i + 1000));
    if (!m) {
      if (c === undefined) this.fail('Unexpected end while parsing unquoted property name.', this.s.length);
      this.fail(`Invalid property identifier character: ${c}.`);
    }
    this.i += m[0].length;
    return m[0];
  }

  private checkDepth(nesting: number): void {
    const max = this.opts.depth ?? 1024;
    if (nesting > max) this.fail(`The reader's MaxDepth of ${max} has been exceeded.`);
  }

  private readObject(nesting: number, started: () => void): PSObject | Hashtable {
    this.checkDepth(nesting);
    this.i++; // {
    this.tokensRead++;
    started();
    const entries: [string, unknown][] = [];
    const index = new Map<string, number>();
    const part: PathPart = { kind: 'prop', name: null };
    this.path.push(part);
    for (;;) {
      this.skipSpace();
      const c = this.s[this.i];
      if (c === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
      if (c === '}') {
        this.i++;
        break;
      }
      const name = this.readPropertyName();
      part.name = name;
      this.skipSpace();
      if (this.s[this.i] !== ':') {
        if (this.s[this.i] === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
        this.fail(`Invalid character after parsing property name. Expected ':' but got: ${this.s[this.i]}.`);
      }
      this.i++;
      const value = this.readValue(nesting);
      // A repeated name replaces the earlier value in place, as JObject does.
      const at = index.get(name);
      if (at !== undefined) entries[at][1] = value;
      else {
        index.set(name, entries.length);
        entries.push([name, value]);
      }
      this.skipSpace();
      const d = this.s[this.i];
      if (d === ',') {
        this.i++;
        continue;
      }
      if (d === '}') {
        this.i++;
        break;
      }
      if (d === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
      this.fail(`After parsing a value an unexpected character was encountered: ${d}.`);
    }
    this.path.pop();
    return this.opts.asHashtable ? toHashtable(entries) : toPSObject(entries);
  }

  private readArray(nesting: number, started: () => void): unknown[] {
    this.checkDepth(nesting);
    this.i++; // [
    this.tokensRead++;
    started();
    const out: unknown[] = [];
    const part: PathPart = { kind: 'index', index: -1 };
    this.path.push(part);
    for (;;) {
      this.skipSpace();
      const c = this.s[this.i];
      if (c === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
      if (c === ']') {
        this.i++;
        break;
      }
      const at = out.length;
      out.push(this.readValue(nesting, () => (part.index = at)));
      this.skipSpace();
      const d = this.s[this.i];
      if (d === ',') {
        this.i++;
        continue;
      }
      if (d === ']') {
        this.i++;
        break;
      }
      if (d === undefined) this.fail('Unexpected end when reading JSON.', this.s.length);
      this.fail(`After parsing a value an unexpected character was encountered: ${d}.`);
    }
    this.path.pop();
    return out;
  }
}

function toHashtable(entries: [string, unknown][]): Hashtable {
  // pwsh's -AsHashtable table is case-sensitive: keys that differ only in casing stay apart.
  const h = new Hashtable(true, true);
  for (const [k, v] of entries) h.set(k, v);
  return h;
}

function toPSObject(entries: [string, unknown][]): PSObject {
  const o = new PSObject();
  for (const [k, v] of entries) {
    if (k === '') {
      throw new JsonConversionError(
        'The provided JSON includes a property whose name is an empty string, this is only supported using the -AsHashTable switch.',
      );
    }
    if (o.has(k)) {
      const existing = o.propertyNames().find((n) => n.toLowerCase() === k.toLowerCase());
      throw new JsonConversionError(
        `Cannot convert the JSON string because it contains keys with different casing. Please use the -AsHashTable switch instead. The key that was attempted to be added to the existing key '${String(existing)}' was '${k}'.`,
      );
    }
    o.set(k, v);
  }
  return o;
}

/**
 * ConvertFrom-Json: objects become PSCustomObjects (ordered properties), arrays arrays, ISO date
 * strings Dates, integers numbers (bigint beyond 2^53), blank input null. Malformed text throws
 * JsonConversionError naming the line, position and path.
 */
export function convertFromJson(text: string, options: ConvertFromJsonOptions = {}): unknown {
  return new JsonReader(text, options).readDocument();
}

/**
 * ConvertFrom-Json over pipeline input: several strings are separate documents when the first
 * parses on its own, otherwise they are lines of one document (joined with newlines), as pwsh.
 * Returns one value per document; the cmdlet enumerates arrays unless -NoEnumerate.
 */
export function convertFromJsonInputs(inputs: string[], options: ConvertFromJsonOptions = {}): unknown[] {
  if (inputs.length === 0) return [];
  if (inputs.length === 1) return [convertFromJson(inputs[0], options)];
  let first: unknown;
  try {
    first = convertFromJson(inputs[0], options);
  } catch (e) {
    // Only a syntax error (it has a position) means "not a document on its own".
    if (!(e instanceof JsonConversionError) || e.line === undefined) throw e;
    return [convertFromJson(inputs.join('\n'), options)];
  }
  return [first, ...inputs.slice(1).map((s) => convertFromJson(s, options))];
}

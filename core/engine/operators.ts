// The language's operators with PowerShell semantics: the left operand's type decides the
// conversion of the right; string comparisons are case-insensitive unless the `c` variant is used;
// an array on the left filters (`1,2,3 -gt 1` is `2,3`).

import { convertTo, isOfType, toBool, toNumber, toArray } from './coerce';
import { ErrorRecord, RuntimeException } from './errors';
import { Hashtable, PSVersion, toDisplayString, formatNumber, formatDate, PSObject } from './values';

function isNumeric(v: unknown): v is number {
  return typeof v === 'number';
}

function runtimeError(message: string, errorId: string, category: ErrorRecord['category'] = 'InvalidOperation'): RuntimeException {
  return new RuntimeException(new ErrorRecord({ message, errorId, category, exceptionType: 'System.Management.Automation.RuntimeException' }));
}

/** Compares two scalars: negative, 0 or positive; the left operand's type drives conversion. */
export function compareValues(left: unknown, right: unknown, caseSensitive: boolean): number {
  if (left === null || left === undefined) return right === null || right === undefined ? 0 : -1;
  if (right === null || right === undefined) return 1;
  if (isNumeric(left)) {
    const r = typeof right === 'string' ? tryNumber(right) : isNumeric(right) ? right : typeof right === 'boolean' ? Number(right) : null;
    if (r === null) {
      // A string that is not a number compares as strings (PowerShell converts the left to string).
      return compareStrings(formatNumber(left), toDisplayString(right), caseSensitive);
    }
    return left < r ? -1 : left > r ? 1 : 0;
  }
  if (typeof left === 'string') return compareStrings(left, toDisplayString(right), caseSensitive);
  if (left instanceof PSVersion) {
    const r = right instanceof PSVersion ? right : (convertTo(right, 'version') as PSVersion);
    return Math.sign(left.compareTo(r));
  }
  if (left instanceof Date) {
    const r = right instanceof Date ? right : (convertTo(right, 'datetime') as Date);
    return Math.sign(left.getTime() - r.getTime());
  }
  if (typeof left === 'boolean') {
    const r = toBool(right);
    return left === r ? 0 : left ? 1 : -1;
  }
  return compareStrings(toDisplayString(left), toDisplayString(right), caseSensitive);
}

function tryNumber(s: string): number | null {
  try {
    return toNumber(s);
  } catch {
    return null;
  }
}

export function compareStrings(a: string, b: string, caseSensitive: boolean): number {
  if (!caseSensitive) {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Equality as -eq: same rules as compareValues, but objects compare by reference. */
export function valuesEqual(left: unknown, right: unknown, caseSensitive: boolean): boolean {
  if (left === right) return true;
  if (left === null || left === undefined || right === null || right === undefined) return false;
  if (typeof left === 'object' && !(left instanceof PSVersion) && !(left instanceof Date)) {
    if (left instanceof PSObject && left.toStringFn === null) return false;
    return left === right;
  }
  if (typeof left === 'boolean') return left === toBool(right);
  try {
    return compareValues(left, right, caseSensitive) === 0;
  } catch {
    return false;
  }
}

const wildcardCache = new Map<string, RegExp>();

/** PowerShell wildcard pattern (`*`, `?`, `[a-z]`, backtick escape) to an anchored RegExp. */
export function wildcardToRegExp(pattern: string, caseSensitive = false): RegExp {
  const key = (caseSensitive ? 'c:' : 'i:') + pattern;
  let re = wildcardCache.get(key);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '`' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]);
    else if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) src += '\\[';
      else {
        src += '[' + pattern.slice(i + 1, close).replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else src += escapeRegExp(ch);
  }
  re = new RegExp(src + '$', caseSensitive ? 's' : 'is');
  if (wildcardCache.size > 1000) wildcardCache.clear();
  wildcardCache.set(key, re);
  return re;
}

export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function wildcardMatch(value: string, pattern: string, caseSensitive = false): boolean {
  return wildcardToRegExp(pattern, caseSensitive).test(value);
}

const regexCache = new Map<string, RegExp>();

/** .NET regular expressions are close enough to JavaScript's for the patterns scripts use. */
export function toRegExp(pattern: string, caseSensitive: boolean, global = false): RegExp {
  const flags = (caseSensitive ? '' : 'i') + (global ? 'g' : '');
  const key = flags + ':' + pattern;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern.replace(/\(\?<(\w+)>/g, '(?<$1>'), flags);
    } catch (e) {
      throw runtimeError(
        `The regular expression pattern ${pattern} is not valid.`,
        'InvalidRegularExpression',
        'InvalidOperation',
      );
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Result of `-match` against a scalar: whether it matched, and the groups for $Matches. */
export function regexMatch(value: unknown, pattern: unknown, caseSensitive: boolean): Hashtable | null {
  const m = toRegExp(toDisplayString(pattern), caseSensitive).exec(toDisplayString(value));
  if (!m) return null;
  const h = new Hashtable();
  m.forEach((g, i) => {
    if (g !== undefined) h.set(i, g);
  });
  if (m.groups) for (const [k, g] of Object.entries(m.groups)) if (g !== undefined) h.set(k, g);
  return h;
}

export function add(left: unknown, right: unknown): unknown {
  if (left === null || left === undefined) {
    if (Array.isArray(right)) return [...right];
    return right;
  }
  if (Array.isArray(left)) return Array.isArray(right) ? [...left, ...right] : [...left, right];
  if (typeof left === 'string') return left + toDisplayString(right);
  if (isNumeric(left)) return left + toNumber(right === null || right === undefined ? 0 : right, 'System.Int32');
  if (left instanceof Hashtable) {
    if (!(right instanceof Hashtable)) throw runtimeError('A hash table can only be added to another hash table.', 'AddHashTableToNonHashTable');
    const h = new Hashtable(left.ordered);
    for (const [k, v] of left.entries()) h.set(k, v);
    for (const [k, v] of right.entries()) {
      if (h.has(k)) throw runtimeError(`Item has already been added. Key in dictionary: '${toDisplayString(k)}'  Key being added: '${toDisplayString(k)}'`, 'DuplicateKeyInHashLiteral');
      h.set(k, v);
    }
    return h;
  }
  if (left instanceof Date && isNumeric(right)) return new Date(left.getTime() + right / 10000);
  if (typeof left === 'boolean') return Number(left) + toNumber(right);
  throw opNotDefined('+', left);
}

function opNotDefined(op: string, left: unknown): RuntimeException {
  const t = left instanceof PSObject ? left.typeNames[0] : Array.isArray(left) ? 'System.Object[]' : String((left as object)?.constructor?.name ?? typeof left);
  return runtimeError(`Method invocation failed because [${t}] does not contain a method named 'op_${opName(op)}'.`, 'MethodNotFound');
}

function opName(op: string): string {
  return { '+': 'Addition', '-': 'Subtraction', '*': 'Multiply', '/': 'Division', '%': 'Modulus' }[op] ?? op;
}

export function arithmetic(op: '-' | '*' | '/' | '%', left: unknown, right: unknown): unknown {
  if (op === '*') {
    if (typeof left === 'string') return left.repeat(Math.max(0, toNumber(right)));
    if (Array.isArray(left)) {
      const n = Math.max(0, toNumber(right));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(...left);
      return out;
    }
  }
  if (op === '-' && left instanceof Date && right instanceof Date) {
    return left.getTime() - right.getTime();
  }
  if (Array.isArray(left) || (left !== null && typeof left === 'object')) throw opNotDefined(op, left);
  const l = toNumber(left);
  const r = toNumber(right);
  switch (op) {
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      if (r === 0) throw runtimeError('Attempted to divide by zero.', 'RuntimeException');
      return l / r;
    case '%':
      if (r === 0) throw runtimeError('Attempted to divide by zero.', 'RuntimeException');
      return l % r;
  }
}

/** Applies a comparison operator; arrays on the left filter element-wise. */
export function compareOp(op: string, left: unknown, right: unknown): unknown {
  const caseSensitive = op[1] === 'c';
  const base = op[1] === 'c' || op[1] === 'i' ? '-' + op.slice(2) : op;
  const test = scalarTest(base, right, caseSensitive);
  if (Array.isArray(left)) return left.filter((x) => test(x));
  return test(left);
}

function scalarTest(base: string, right: unknown, cs: boolean): (l: unknown) => boolean {
  switch (base) {
    case '-eq':
      return (l) => valuesEqual(l, right, cs);
    case '-ne':
      return (l) => !valuesEqual(l, right, cs);
    case '-gt':
      return (l) => compareValues(l, right, cs) > 0;
    case '-ge':
      return (l) => compareValues(l, right, cs) >= 0;
    case '-lt':
      return (l) => compareValues(l, right, cs) < 0;
    case '-le':
      return (l) => compareValues(l, right, cs) <= 0;
    case '-like': {
      const re = wildcardToRegExp(toDisplayString(right), cs);
      return (l) => re.test(toDisplayString(l));
    }
    case '-notlike': {
      const re = wildcardToRegExp(toDisplayString(right), cs);
      return (l) => !re.test(toDisplayString(l));
    }
    case '-match': {
      const re = toRegExp(toDisplayString(right), cs);
      return (l) => re.test(toDisplayString(l));
    }
    case '-notmatch': {
      const re = toRegExp(toDisplayString(right), cs);
      return (l) => !re.test(toDisplayString(l));
    }
  }
  throw runtimeError(`The operator '${base}' is not supported.`, 'OperatorNotSupported');
}

export function containsOp(op: string, collection: unknown, item: unknown): boolean {
  const cs = op[1] === 'c';
  return toArray(collection).some((x) => valuesEqual(x, item, cs));
}

export function splitOp(input: unknown, pattern: unknown, caseSensitive: boolean): string[] {
  const out: string[] = [];
  for (const s of toArray(input)) {
    const text = toDisplayString(s);
    if (pattern === undefined) out.push(...text.trim().split(/\s+/).filter((x) => x !== ''));
    else {
      const parts = Array.isArray(pattern) ? pattern : [pattern];
      const max = parts.length > 1 ? toNumber(parts[1]) : 0;
      const re = toRegExp(toDisplayString(parts[0]), caseSensitive, true);
      let pieces = text.split(re);
      // JS puts capture groups into the result as PowerShell does; undefined groups are dropped.
      pieces = pieces.filter((p) => p !== undefined);
      if (max > 0 && pieces.length > max) {
        let count = 0;
        let idx = 0;
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while (count < max - 1 && (m = re.exec(text))) {
          count++;
          idx = m.index + m[0].length;
          if (m[0].length === 0) re.lastIndex++;
        }
        pieces = text.slice(0, idx).split(re).filter((p) => p !== undefined).slice(0, max - 1);
        pieces.push(text.slice(idx));
      }
      out.push(...pieces);
    }
  }
  return out;
}

export function joinOp(input: unknown, separator: unknown): string {
  return toArray(input).map(toDisplayString).join(separator === undefined ? '' : toDisplayString(separator));
}

export function replaceOp(input: unknown, args: unknown, caseSensitive: boolean): unknown {
  const parts = Array.isArray(args) ? args : [args];
  const re = toRegExp(toDisplayString(parts[0]), caseSensitive, true);
  const replacement = parts.length > 1 ? toDisplayString(parts[1]) : '';
  // .NET uses ${name} and $1 like JavaScript; `$0` is the whole match in .NET, `$&` in JS.
  const jsReplacement = replacement.replace(/\$0/g, '$$&');
  const apply = (s: unknown) => toDisplayString(s).replace(re, jsReplacement);
  return Array.isArray(input) ? input.map(apply) : apply(input);
}

/** The -is / -isnot / -as operators. */
export function typeOp(op: '-is' | '-isnot' | '-as', left: unknown, typeName: string): unknown {
  if (op === '-is') return isOfType(left, typeName);
  if (op === '-isnot') return !isOfType(left, typeName);
  try {
    return convertTo(left, typeName);
  } catch {
    return null;
  }
}

/** The range operator: integers from left to right inclusive, either direction. */
export function rangeOp(left: unknown, right: unknown): number[] {
  const a = Math.round(toNumber(left));
  const b = Math.round(toNumber(right));
  const n = Math.abs(b - a) + 1;
  if (n > 50_000_000) throw runtimeError('The range is too large.', 'RangeTooLarge');
  const out = new Array<number>(n);
  const step = a <= b ? 1 : -1;
  for (let i = 0, v = a; i < n; i++, v += step) out[i] = v;
  return out;
}

/** The `-f` operator: .NET composite formatting for the specifiers scripts use. */
export function formatOp(format: unknown, args: unknown): string {
  const values = Array.isArray(args) ? args : [args];
  const fmt = toDisplayString(format);
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i++;
        continue;
      }
      const close = fmt.indexOf('}', i);
      if (close < 0) throw formatError();
      const spec = fmt.slice(i + 1, close);
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+))?\s*(?::(.*))?$/.exec(spec);
      if (!m) throw formatError();
      const index = Number(m[1]);
      if (index >= values.length) throw formatError('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');
      let text = formatWithSpecifier(values[index], m[3]);
      if (m[2]) {
        const w = Number(m[2]);
        text = w < 0 ? text.padEnd(-w) : text.padStart(w);
      }
      out += text;
      i = close;
    } else if (ch === '}') {
      if (fmt[i + 1] === '}') i++;
      out += '}';
    } else out += ch;
  }
  return out;
}

function formatError(detail = 'Input string was not in a correct format.'): RuntimeException {
  return runtimeError(`Error formatting a string: ${detail}.`.replace('..', '.'), 'FormatError');
}

function groupThousands(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** .NET standard numeric/date format specifiers: N, F, D, X, P, C-less subset, and custom 0.00. */
export function formatWithSpecifier(value: unknown, spec: string | undefined): string {
  if (!spec) return toDisplayString(value);
  if (value instanceof Date) return formatDateCustom(value, spec);
  if (typeof value !== 'number') return toDisplayString(value);
  const m = /^([NnFfDdXxPpEeGg])(\d*)$/.exec(spec);
  if (m) {
    const p = m[2] === '' ? null : Number(m[2]);
    switch (m[1]) {
      case 'N':
      case 'n': {
        const fixed = Math.abs(value).toFixed(p ?? 2);
        const [ip, fp] = fixed.split('.');
        return (value < 0 ? '-' : '') + groupThousands(ip) + (fp ? '.' + fp : '');
      }
      case 'F':
      case 'f':
        return value.toFixed(p ?? 2);
      case 'D':
      case 'd': {
        const s = String(Math.abs(Math.trunc(value))).padStart(p ?? 0, '0');
        return value < 0 ? '-' + s : s;
      }
      case 'X':
      case 'x': {
        const s = (value >>> 0).toString(16).padStart(p ?? 0, '0');
        return m[1] === 'X' ? s.toUpperCase() : s;
      }
      case 'P':
      case 'p':
        // .NET on ICU (Linux, macOS) writes en-US percentages without a space: 25.60%.
        return (value * 100).toFixed(p ?? 2) + '%';
      case 'E':
      case 'e':
        return value.toExponential(p ?? 6).replace(/e([+-])(\d)$/, 'e$10$2').replace(/e([+-])(\d\d)$/, 'e$10$2').replace('e', m[1] === 'E' ? 'E' : 'e');
      default:
        return formatNumber(value);
    }
  }
  // Custom numeric format such as 0.00 or #,##0.0
  const cm = /^([#,0]*)(?:\.(0*)(#*))?$/.exec(spec);
  if (cm) {
    const decimals = (cm[2] ?? '').length;
    const optional = (cm[3] ?? '').length;
    let text = Math.abs(value).toFixed(decimals + optional);
    if (optional) text = text.replace(/0{1,}$/, (z) => z.slice(0, Math.max(0, z.length - optional))).replace(/\.$/, '');
    let [ip, fp] = text.split('.');
    const minInt = (cm[1].match(/0/g) ?? []).length;
    ip = ip.padStart(minInt, '0');
    if (minInt === 0 && ip === '0' && (fp ?? '') !== '') ip = '';
    if (cm[1].includes(',')) ip = groupThousands(ip);
    return (value < 0 ? '-' : '') + ip + (fp ? '.' + fp : '');
  }
  return formatNumber(value);
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** .NET custom date format strings (yyyy, MM, dd, HH, mm, ss, fff, …) and the `o`, `s`, `d` standard ones. */
export function formatDateCustom(d: Date, spec: string): string {
  if (spec === 'o' || spec === 'O') return d.toISOString().replace('Z', '0000Z');
  if (spec === 's') return formatDateCustom(d, 'yyyy-MM-ddTHH:mm:ss');
  if (spec === 'd') return formatDateCustom(d, 'MM/dd/yyyy');
  if (spec === 'g') return formatDateCustom(d, 'MM/dd/yyyy HH:mm');
  if (spec === 'G') return formatDate(d);
  return spec.replace(/yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fff|ff|f|tt|'[^']*'/g, (t) => {
    switch (t) {
      case 'yyyy': return String(d.getFullYear()).padStart(4, '0');
      case 'yy': return String(d.getFullYear() % 100).padStart(2, '0');
      case 'MMMM': return monthNames[d.getMonth()];
      case 'MMM': return monthNames[d.getMonth()].slice(0, 3);
      case 'MM': return String(d.getMonth() + 1).padStart(2, '0');
      case 'M': return String(d.getMonth() + 1);
      case 'dddd': return dayNames[d.getDay()];
      case 'ddd': return dayNames[d.getDay()].slice(0, 3);
      case 'dd': return String(d.getDate()).padStart(2, '0');
      case 'd': return String(d.getDate());
      case 'HH': return String(d.getHours()).padStart(2, '0');
      case 'H': return String(d.getHours());
      case 'hh': return String(d.getHours() % 12 || 12).padStart(2, '0');
      case 'h': return String(d.getHours() % 12 || 12);
      case 'mm': return String(d.getMinutes()).padStart(2, '0');
      case 'm': return String(d.getMinutes());
      case 'ss': return String(d.getSeconds()).padStart(2, '0');
      case 's': return String(d.getSeconds());
      case 'fff': return String(d.getMilliseconds()).padStart(3, '0');
      case 'ff': return String(d.getMilliseconds()).padStart(3, '0').slice(0, 2);
      case 'f': return String(d.getMilliseconds()).padStart(3, '0').slice(0, 1);
      case 'tt': return d.getHours() < 12 ? 'AM' : 'PM';
      default: return t.slice(1, -1);
    }
  });
}

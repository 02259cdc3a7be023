// Type conversion with PowerShell's rules (LanguagePrimitives.ConvertTo): what the binder, casts,
// and the operators use. Errors carry PowerShell's English texts.

import { ErrorRecord, RuntimeException } from './errors';
import { Hashtable, PSObject, PSVersion, toDisplayString, typeNameOf } from './values';

/** PowerShell truthiness ($null, 0, '', empty array are false; one-element arrays by their element). */
export function toBool(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0 && !Number.isNaN(v);
    case 'string':
      return v.length > 0;
    case 'bigint':
      return v !== 0n;
  }
  if (Array.isArray(v)) return v.length === 0 ? false : v.length === 1 ? toBool(v[0]) : true;
  if (v instanceof SwitchParameter) return v.isPresent;
  return true;
}

/** [switch] values: `-Force` binds a present switch; reading it in a condition gives its state. */
export class SwitchParameter {
  constructor(readonly isPresent: boolean) {}
  toString(): string {
    return this.isPresent ? 'True' : 'False';
  }
}

/** .NET full names for the type literals the language accepts; keys are lower case. */
const typeAliases: Record<string, string> = {
  int: 'System.Int32', int32: 'System.Int32', 'system.int32': 'System.Int32',
  long: 'System.Int64', int64: 'System.Int64', 'system.int64': 'System.Int64',
  double: 'System.Double', 'system.double': 'System.Double', float: 'System.Single', single: 'System.Single',
  decimal: 'System.Decimal', byte: 'System.Byte',
  string: 'System.String', 'system.string': 'System.String',
  char: 'System.Char',
  bool: 'System.Boolean', boolean: 'System.Boolean', 'system.boolean': 'System.Boolean',
  switch: 'System.Management.Automation.SwitchParameter',
  version: 'System.Version', 'system.version': 'System.Version',
  datetime: 'System.DateTime', 'system.datetime': 'System.DateTime',
  array: 'System.Array', 'system.array': 'System.Array', 'object[]': 'System.Object[]',
  hashtable: 'System.Collections.Hashtable', 'system.collections.hashtable': 'System.Collections.Hashtable',
  ordered: 'System.Collections.Specialized.OrderedDictionary',
  pscustomobject: 'System.Management.Automation.PSObject', psobject: 'System.Management.Automation.PSObject',
  object: 'System.Object', 'system.object': 'System.Object',
  scriptblock: 'System.Management.Automation.ScriptBlock',
  void: 'System.Void',
  math: 'System.Math', 'system.math': 'System.Math',
  guid: 'System.Guid', regex: 'System.Text.RegularExpressions.Regex',
  timespan: 'System.TimeSpan',
};

/** Resolves a type literal's text to its .NET full name, or null when the type is unknown. */
export function resolveTypeName(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('[]')) {
    const el = resolveTypeName(name.slice(0, -2));
    return el ? `${el}[]` : null;
  }
  return typeAliases[lower] ?? null;
}

export function conversionError(value: unknown, targetType: string, detail?: string): RuntimeException {
  const shown = value === null || value === undefined ? '' : toDisplayString(value);
  const message =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? `Cannot convert value "${shown}" to type "${targetType}".${detail ? ` Error: "${detail}"` : ''}`
      : `Cannot convert the "${shown}" value of type "${typeNameOf(value)}" to type "${targetType}".`;
  return new RuntimeException(
    new ErrorRecord({
      message,
      errorId: 'InvalidCastFromStringToInteger',
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.PSInvalidCastException',
      targetObject: value,
    }),
  );
}

/** Parses a number as PowerShell does when converting a string (hex, exponent, spaces trimmed). */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) {
    const neg = t.startsWith('-');
    const n = parseInt(t.replace(/^[+-]?0x/i, ''), 16);
    return neg ? -n : n;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  return null;
}

function unwrapSingle(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

export function toNumber(value: unknown, targetType = 'System.Int32'): number {
  const v = value instanceof PSObject && value.typeNames[0] === 'System.Management.Automation.PSCustomObject' ? value : value;
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof SwitchParameter) return v.isPresent ? 1 : 0;
  if (typeof v === 'string') {
    const n = parseNumber(v);
    if (n === null) throw conversionError(v, targetType, `The input string '${v}' was not in a correct format.`);
    return n;
  }
  if (v instanceof Date) return v.getTime();
  throw conversionError(v, targetType);
}

function toInteger(value: unknown, targetType: string, min: number, max: number): number {
  const single = unwrapSingle(value);
  if (Array.isArray(single)) throw conversionError(single, targetType);
  const n = toNumber(single, targetType);
  // .NET rounds half to even when converting a double to an integer type.
  const r = Number.isInteger(n) ? n : roundHalfEven(n);
  if (!(r >= min && r <= max)) {
    throw conversionError(single, targetType, `Value was either too large or too small for ${targetType === 'System.Int32' ? 'an Int32' : 'an Int64'}.`);
  }
  return r;
}

export function roundHalfEven(n: number): number {
  const f = Math.floor(n);
  const diff = n - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function toVersion(value: unknown): PSVersion {
  const v = unwrapSingle(value);
  if (v instanceof PSVersion) return v;
  if (typeof v === 'number' && !Number.isInteger(v)) {
    const parsed = PSVersion.tryParse(String(v));
    if (parsed) return parsed;
  }
  if (typeof v === 'string' || typeof v === 'number') {
    const parsed = PSVersion.tryParse(String(v));
    if (parsed) return parsed;
    throw conversionError(String(v), 'System.Version', `Version string portion was too short or too long.`);
  }
  if (v instanceof PSObject && v.has('Major') && v.has('Minor')) {
    return new PSVersion(Number(v.get('Major')), Number(v.get('Minor')), Number(v.get('Build') ?? -1), Number(v.get('Revision') ?? -1));
  }
  throw conversionError(v, 'System.Version');
}

const monthDayYear = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?\s*$/i;

export function toDate(value: unknown): Date {
  const v = unwrapSingle(value);
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    // PowerShell casts use the invariant culture: MM/dd/yyyy, and ISO 8601.
    const m = monthDayYear.exec(v);
    if (m) {
      let hour = Number(m[4] ?? 0);
      if (m[7]) hour = (hour % 12) + (m[7].toUpperCase() === 'PM' ? 12 : 0);
      const d = new Date(2000, Number(m[1]) - 1, Number(m[2]), hour, Number(m[5] ?? 0), Number(m[6] ?? 0));
      // Date's constructor maps years below 100 to 19xx; .NET does not.
      d.setFullYear(Number(m[3]));
      return d;
    }
    if (/^\s*\d{4}-\d{2}-\d{2}/.test(v)) {
      const d = new Date(/T|\s\d/.test(v.trim()) || v.trim().length > 10 ? v.trim() : `${v.trim()}T00:00:00`);
      if (!Number.isNaN(d.getTime())) return d;
    }
    throw conversionError(v, 'System.DateTime', `String '${v}' was not recognized as a valid DateTime.`);
  }
  throw conversionError(v, 'System.DateTime');
}

export function toStringValue(value: unknown): string {
  return toDisplayString(value);
}

/** Turns any value into an array the way `[array]` / `@()` do: $null -> empty, scalar -> one element. */
export function toArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  return [value];
}

function toHashtable(value: unknown, ordered: boolean): Hashtable {
  const v = unwrapSingle(value);
  if (v instanceof Hashtable) {
    if (v.ordered === ordered || !ordered) return v;
    const h = new Hashtable(true);
    for (const [k, val] of v.entries()) h.set(k, val);
    return h;
  }
  if (v instanceof PSObject) {
    const h = new Hashtable(ordered);
    for (const p of v.properties()) h.set(p.name, p.value);
    return h;
  }
  throw conversionError(v, ordered ? 'System.Collections.Specialized.OrderedDictionary' : 'System.Collections.Hashtable');
}

/** `[pscustomobject]@{…}`: a hashtable becomes an object with its keys as properties, in order. */
export function toPSCustomObject(value: unknown): unknown {
  if (value instanceof Hashtable) {
    const o = new PSObject();
    for (const [k, v] of value.entries()) o.set(String(k), v);
    return o;
  }
  return value;
}

/**
 * Converts a value to the type a cast or parameter names. `typeName` is as written in
 * the script (`int`, `string[]`, `System.Version`).
 */
export function convertTo(value: unknown, typeName: string): unknown {
  const full = resolveTypeName(typeName);
  if (full === null) {
    throw new RuntimeException(
      new ErrorRecord({
        message: `Unable to find type [${typeName}].`,
        errorId: 'TypeNotFound',
        category: 'InvalidOperation',
        exceptionType: 'System.Management.Automation.RuntimeException',
        targetObject: typeName,
      }),
    );
  }
  if (full.endsWith('[]')) {
    const el = full.slice(0, -2);
    const elName = typeName.slice(0, -2);
    return toArray(value).map((x) => (el === 'System.Object' ? x : convertTo(x, elName)));
  }
  switch (full) {
    case 'System.Int32':
    case 'System.Byte':
      return toInteger(value, 'System.Int32', -2147483648, 2147483647);
    case 'System.Int64':
      return toInteger(value, 'System.Int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'System.Double':
    case 'System.Single':
    case 'System.Decimal': {
      const v = unwrapSingle(value);
      if (Array.isArray(v)) throw conversionError(v, full);
      return toNumber(v, full);
    }
    case 'System.String':
      return value === null || value === undefined ? '' : toDisplayString(value);
    case 'System.Char': {
      const s = toDisplayString(value);
      if (s.length !== 1) throw conversionError(value, full, 'String must be exactly one character long.');
      return s;
    }
    case 'System.Boolean':
      return toBool(value);
    case 'System.Management.Automation.SwitchParameter':
      return new SwitchParameter(toBool(value));
    case 'System.Version':
      return toVersion(value);
    case 'System.DateTime':
      return toDate(value);
    case 'System.Array':
    case 'System.Object[]':
      return toArray(value).slice();
    case 'System.Collections.Hashtable':
      return toHashtable(value, false);
    case 'System.Collections.Specialized.OrderedDictionary':
      return toHashtable(value, true);
    case 'System.Management.Automation.PSObject':
      return toPSCustomObject(value);
    case 'System.Void':
      return undefined;
    case 'System.Object':
      return value;
    default:
      return value;
  }
}

/** `-is`: whether a value is of the named type (type names and pstypenames both count). */
export function isOfType(value: unknown, typeName: string): boolean {
  const full = resolveTypeName(typeName) ?? typeName;
  if (value === null || value === undefined) return false;
  switch (full) {
    case 'System.Object':
      return true;
    case 'System.Int32':
      return typeNameOf(value) === 'System.Int32';
    case 'System.Int64':
      return typeNameOf(value) === 'System.Int64';
    case 'System.Double':
      return typeNameOf(value) === 'System.Double';
    case 'System.Array':
    case 'System.Object[]':
      return Array.isArray(value);
    case 'System.Management.Automation.PSObject':
      return value instanceof PSObject;
  }
  if (value instanceof PSObject) return value.typeNames.some((t) => t.toLowerCase() === full.toLowerCase() || t.toLowerCase() === typeName.toLowerCase());
  return typeNameOf(value) === full;
}

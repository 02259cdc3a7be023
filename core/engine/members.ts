// Member access and method calls on runtime values: PSObject properties, hashtable keys,
// the .NET members scripts use on strings, arrays, versions and dates, member enumeration over
// arrays (`$images.Name`), and the static members of [math], [string], [datetime], [int], [version].

import { convertTo, toArray, toNumber } from './coerce';
import { ErrorRecord, RuntimeException } from './errors';
import { formatDateCustom, formatWithSpecifier, regexMatch } from './operators';
import { Hashtable, PSObject, PSVersion, toDisplayString, typeNameOf } from './values';

function runtimeError(message: string, errorId: string): RuntimeException {
  return new RuntimeException(new ErrorRecord({ message, errorId, category: 'InvalidOperation', exceptionType: 'System.Management.Automation.RuntimeException' }));
}

/** A value that answers member reads itself (ScriptBlock, ErrorRecord adapters, type info). */
export interface MemberProvider {
  getMember(name: string): unknown;
  invokeMethod?(name: string, args: unknown[]): unknown;
}

function isMemberProvider(v: unknown): v is MemberProvider {
  return typeof v === 'object' && v !== null && typeof (v as MemberProvider).getMember === 'function';
}

/** `[type]` objects as `$x.GetType()` returns them. */
export function typeInfo(value: unknown): PSObject {
  const full = typeNameOf(value);
  const o = new PSObject(['System.RuntimeType', 'System.Type', 'System.Object']);
  o.set('Name', full.slice(full.lastIndexOf('.') + 1));
  o.set('FullName', full);
  o.toStringFn = () => full;
  return o;
}

const dateProps: Record<string, (d: Date) => unknown> = {
  year: (d) => d.getFullYear(),
  month: (d) => d.getMonth() + 1,
  day: (d) => d.getDate(),
  hour: (d) => d.getHours(),
  minute: (d) => d.getMinutes(),
  second: (d) => d.getSeconds(),
  millisecond: (d) => d.getMilliseconds(),
  dayofweek: (d) => ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getDay()],
  dayofyear: (d) => Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86400000) + 1,
  date: (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()),
  ticks: (d) => d.getTime() * 10000 + 621355968000000000,
};

/** Reads `$value.name`; returns undefined ($null) when there is no such member, as PowerShell does. */
export function getMember(value: unknown, name: string): unknown {
  if (value === null || value === undefined) {
    // `$null.Count` is 0, as in PowerShell 3 and later.
    return name.toLowerCase() === 'count' ? 0 : undefined;
  }
  const lower = name.toLowerCase();
  if (value instanceof PSObject) {
    if (value.has(name)) return value.get(name);
    if (lower === 'pstypenames') return value.typeNames;
    // Any single object has a Count (and Length) of 1, as in PowerShell 3 and later.
    if (lower === 'count' || lower === 'length') return 1;
    return undefined;
  }
  if (value instanceof Hashtable) {
    if (value.has(name)) return value.get(name);
    switch (lower) {
      case 'count':
        return value.size;
      case 'keys':
        return value.keys();
      case 'values':
        return value.values();
    }
    return undefined;
  }
  if (typeof value === 'string') {
    if (lower === 'length') return value.length;
    if (lower === 'count') return 1;
    return undefined;
  }
  if (Array.isArray(value)) {
    if (lower === 'count' || lower === 'length') return value.length;
    // Member enumeration: the member of each element, flattened one level.
    const out: unknown[] = [];
    for (const el of value) {
      const v = getMember(el, name);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  }
  if (value instanceof PSVersion) {
    switch (lower) {
      case 'major': return value.major;
      case 'minor': return value.minor;
      case 'build': return value.build;
      case 'revision': return value.revision;
    }
    return undefined;
  }
  if (value instanceof Date) return dateProps[lower]?.(value);
  if (isMemberProvider(value)) return value.getMember(name);
  // `.Count` and `.Length` work on any scalar in PowerShell (an object counts as 1).
  if (lower === 'count' || lower === 'length') return 1;
  return undefined;
}

export function setMember(target: unknown, name: string, value: unknown): void {
  if (target instanceof PSObject) {
    if (!target.has(name)) {
      throw runtimeError(`The property '${name}' cannot be found on this object. Verify that the property exists and can be set.`, 'PropertyAssignmentException');
    }
    target.set(name, value);
    return;
  }
  if (target instanceof Hashtable) {
    target.set(name, value);
    return;
  }
  if (target === null || target === undefined) {
    throw runtimeError(`The property '${name}' cannot be found on this object. Verify that the property exists and can be set.`, 'PropertyNotFound');
  }
  throw runtimeError(`'${name}' is a ReadOnly property.`, 'PropertyAssignmentException');
}

function noMethod(value: unknown, name: string): RuntimeException {
  const t = value instanceof PSObject ? value.typeNames[0] : typeNameOf(value);
  return runtimeError(`Method invocation failed because [${t}] does not contain a method named '${name}'.`, 'MethodNotFound');
}

function str(v: unknown): string {
  return toDisplayString(v);
}

function stringMethod(s: string, name: string, args: unknown[]): unknown {
  switch (name) {
    case 'toupper':
    case 'toupperinvariant':
      return s.toUpperCase();
    case 'tolower':
    case 'tolowerinvariant':
      return s.toLowerCase();
    case 'trim':
      return args.length ? trimChars(s, str(args[0]), true, true) : s.trim();
    case 'trimstart':
      return args.length ? trimChars(s, str(args[0]), true, false) : s.trimStart();
    case 'trimend':
      return args.length ? trimChars(s, str(args[0]), false, true) : s.trimEnd();
    case 'split': {
      const seps = args.flatMap((a) => toArray(a).map(str));
      if (seps.length === 0) return s.split(/\s/);
      // String.Split(char[]) splits on any of the characters given.
      const chars = seps.length === 1 ? seps[0].split('') : seps;
      const out: string[] = [];
      let cur = '';
      for (const ch of s) {
        if (chars.includes(ch)) {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    }
    case 'replace':
      return s.split(str(args[0])).join(str(args[1] ?? ''));
    case 'substring': {
      const start = toNumber(args[0]);
      if (start > s.length || start < 0) throw argOutOfRange('startIndex');
      if (args.length > 1) {
        const len = toNumber(args[1]);
        if (start + len > s.length || len < 0) throw argOutOfRange('length');
        return s.substr(start, len);
      }
      return s.substring(start);
    }
    case 'startswith':
      return args[1] !== undefined && /ignorecase/i.test(str(args[1]))
        ? s.toLowerCase().startsWith(str(args[0]).toLowerCase())
        : s.startsWith(str(args[0]));
    case 'endswith':
      return args[1] !== undefined && /ignorecase/i.test(str(args[1]))
        ? s.toLowerCase().endsWith(str(args[0]).toLowerCase())
        : s.endsWith(str(args[0]));
    case 'contains':
      return s.includes(str(args[0]));
    case 'indexof':
      return s.indexOf(str(args[0]), args[1] === undefined ? 0 : toNumber(args[1]));
    case 'lastindexof':
      return s.lastIndexOf(str(args[0]));
    case 'padleft':
      return s.padStart(toNumber(args[0]), args[1] === undefined ? ' ' : str(args[1]));
    case 'padright':
      return s.padEnd(toNumber(args[0]), args[1] === undefined ? ' ' : str(args[1]));
    case 'insert':
      return s.slice(0, toNumber(args[0])) + str(args[1]) + s.slice(toNumber(args[0]));
    case 'remove':
      return args.length > 1 ? s.slice(0, toNumber(args[0])) + s.slice(toNumber(args[0]) + toNumber(args[1])) : s.slice(0, toNumber(args[0]));
    case 'equals':
      return s === str(args[0]);
    case 'compareto':
      return s < str(args[0]) ? -1 : s > str(args[0]) ? 1 : 0;
    case 'tochararray':
      return s.split('');
    case 'tostring':
      return s;
    case 'gethashcode': {
      let h = 0;
      for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
      return h;
    }
  }
  return undefined;
}

function argOutOfRange(param: string): RuntimeException {
  return runtimeError(
    `Exception calling "Substring" with the given arguments: "Index and length must refer to a location within the string. (Parameter '${param}')"`,
    'ArgumentOutOfRangeException',
  );
}

function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let a = 0;
  let b = s.length;
  if (start) while (a < b && chars.includes(s[a])) a++;
  if (end) while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Calls `$value.name(args)`. */
export function invokeMethod(value: unknown, name: string, args: unknown[]): unknown {
  const lower = name.toLowerCase();
  if (lower === 'gettype' && args.length === 0) return typeInfo(value);
  if (value === null || value === undefined) {
    throw runtimeError('You cannot call a method on a null-valued expression.', 'InvokeMethodOnNull');
  }
  if (typeof value === 'string') {
    const r = stringMethod(value, lower, args);
    if (r !== undefined) return r;
    throw noMethod(value, name);
  }
  if (lower === 'tostring') {
    if (args.length && (typeof value === 'number' || value instanceof Date)) return formatWithSpecifier(value, str(args[0]));
    return str(value);
  }
  if (lower === 'equals') return value === args[0];
  if (isMemberProvider(value) && value.invokeMethod) return value.invokeMethod(name, args);
  if (Array.isArray(value)) {
    switch (lower) {
      case 'contains':
        return value.includes(args[0]);
      case 'indexof':
        return value.indexOf(args[0]);
      case 'clone':
        return value.slice();
    }
    // Method enumeration: call on each element.
    return value.map((el) => invokeMethod(el, name, args));
  }
  if (value instanceof Hashtable) {
    switch (lower) {
      case 'containskey':
      case 'contains':
        return value.has(args[0]);
      case 'containsvalue':
        return value.values().includes(args[0]);
      case 'add':
        if (value.has(args[0])) {
          throw runtimeError(`Exception calling "Add" with "2" argument(s): "Item has already been added. Key in dictionary: '${str(args[0])}'  Key being added: '${str(args[0])}'"`, 'ArgumentException');
        }
        value.set(args[0], args[1]);
        return undefined;
      case 'remove':
        value.delete(args[0]);
        return undefined;
      case 'clone': {
        const h = new Hashtable(value.ordered);
        for (const [k, v] of value.entries()) h.set(k, v);
        return h;
      }
    }
  }
  if (value instanceof PSVersion) {
    if (lower === 'compareto') return Math.sign(value.compareTo(convertTo(args[0], 'version') as PSVersion));
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    switch (lower) {
      case 'adddays':
        return new Date(ms + toNumber(args[0]) * 86400000);
      case 'addhours':
        return new Date(ms + toNumber(args[0]) * 3600000);
      case 'addminutes':
        return new Date(ms + toNumber(args[0]) * 60000);
      case 'addseconds':
        return new Date(ms + toNumber(args[0]) * 1000);
      case 'addmilliseconds':
        return new Date(ms + toNumber(args[0]));
      case 'addmonths': {
        const d = new Date(ms);
        d.setMonth(d.getMonth() + toNumber(args[0]));
        return d;
      }
      case 'addyears': {
        const d = new Date(ms);
        d.setFullYear(d.getFullYear() + toNumber(args[0]));
        return d;
      }
      case 'touniversaltime':
        return new Date(ms);
      case 'tostring':
        return args.length ? formatDateCustom(value, str(args[0])) : str(value);
    }
  }
  if (value instanceof PSObject && lower === 'psobject') return value;
  throw noMethod(value, name);
}

const mathFns: Record<string, (...a: number[]) => number> = {
  max: Math.max, min: Math.min, abs: Math.abs, floor: Math.floor, ceiling: Math.ceil,
  sqrt: Math.sqrt, pow: Math.pow, log: Math.log, log10: Math.log10, exp: Math.exp, truncate: Math.trunc,
  sign: Math.sign,
};

/** `[type]::Member` and `[type]::Method(args)`. */
export function getStaticMember(typeName: string, name: string, args: unknown[] | null): unknown {
  const t = typeName.toLowerCase().replace(/^system\./, '');
  const n = name.toLowerCase();
  switch (t) {
    case 'math':
      if (n === 'pi' && args === null) return Math.PI;
      if (n === 'e' && args === null) return Math.E;
      if (n === 'round' && args) {
        const x = toNumber(args[0]);
        const digits = args.length > 1 ? toNumber(args[1]) : 0;
        const f = 10 ** digits;
        const scaled = x * f;
        const fl = Math.floor(scaled);
        const diff = scaled - fl;
        // Math.Round rounds half to even by default.
        const r = diff > 0.5 ? fl + 1 : diff < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
        return r / f;
      }
      if (args && mathFns[n]) return mathFns[n](...args.map((a) => toNumber(a)));
      break;
    case 'int':
    case 'int32':
      if (n === 'maxvalue') return 2147483647;
      if (n === 'minvalue') return -2147483648;
      if (n === 'parse' && args) return convertTo(args[0], 'int');
      break;
    case 'long':
    case 'int64':
      if (n === 'maxvalue') return Number.MAX_SAFE_INTEGER;
      if (n === 'minvalue') return Number.MIN_SAFE_INTEGER;
      if (n === 'parse' && args) return convertTo(args[0], 'long');
      break;
    case 'string':
      if (n === 'empty') return '';
      if (n === 'isnullorempty' && args) return args[0] === null || args[0] === undefined || str(args[0]) === '';
      if (n === 'isnullorwhitespace' && args) return args[0] === null || args[0] === undefined || str(args[0]).trim() === '';
      if (n === 'join' && args) return (args.length === 2 ? toArray(args[1]) : args.slice(1)).map(str).join(str(args[0]));
      if (n === 'concat' && args) return args.map(str).join('');
      break;
    case 'datetime':
      if (n === 'now') return new Date();
      if (n === 'utcnow') return new Date();
      if (n === 'today') {
        const d = new Date();
        return new Date(d.getFullYear(), d.getMonth(), d.getDate());
      }
      if (n === 'parse' && args) return convertTo(args[0], 'datetime');
      break;
    case 'version':
      if (n === 'parse' && args) return convertTo(args[0], 'version');
      break;
    case 'guid':
      if (n === 'newguid' && args) return (require('node:crypto') as typeof import('node:crypto')).randomUUID();
      break;
    case 'regex':
      if (n === 'escape' && args) return str(args[0]).replace(/[\\*+?|{}[\]()^$.#\s]/g, (c) => (c === ' ' ? '\\ ' : '\\' + c));
      if (n === 'ismatch' && args) return regexMatch(args[0], args[1], false) !== null;
      break;
    case 'io.path':
      if (n === 'combine' && args) return (require('node:path') as typeof import('node:path')).join(...args.map(str));
      if (n === 'getfilename' && args) return (require('node:path') as typeof import('node:path')).basename(str(args[0]));
      if (n === 'gettemppath' && args) return (require('node:os') as typeof import('node:os')).tmpdir();
      break;
  }
  throw runtimeError(
    args === null
      ? `The property '${name}' cannot be found on type [${typeName}].`
      : `Method invocation failed because [${typeName}] does not contain a method named '${name}'.`,
    'MethodNotFound',
  );
}

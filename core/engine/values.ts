// The runtime value model shared by every room. PowerShell values map onto JavaScript as:
//   $null -> null; bool -> boolean; int/long/double -> number (integral doubles that fit 32 bits
//   behave as Int32); string -> string; [datetime] -> Date; [version] -> PSVersion;
//   arrays -> JS arrays; hashtables -> Hashtable; objects -> PSObject; script blocks -> ScriptBlock
//   (core/engine/scriptblock.ts). Nothing here knows about the language or the store.

/** System.Version: 2 to 4 numeric parts, compared part by part (missing parts are -1, as .NET). */
export class PSVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
    readonly build: number = -1,
    readonly revision: number = -1,
  ) {}

  static tryParse(text: string): PSVersion | null {
    const m = /^\s*(\d+)\.(\d+)(?:\.(\d+)(?:\.(\d+))?)?\s*$/.exec(text);
    if (!m) return null;
    const parts = m.slice(1).map((p) => (p === undefined ? -1 : Number(p)));
    if (parts.some((p) => p > 2147483647)) return null;
    return new PSVersion(parts[0], parts[1], parts[2], parts[3]);
  }

  /** The four-part form used for image versions: `10.0` -> `10.0.0.0`. */
  normalized(): PSVersion {
    return new PSVersion(this.major, this.minor, Math.max(this.build, 0), Math.max(this.revision, 0));
  }

  compareTo(other: PSVersion): number {
    return (
      this.major - other.major ||
      this.minor - other.minor ||
      this.build - other.build ||
      this.revision - other.revision
    );
  }

  toString(): string {
    let s = `${this.major}.${this.minor}`;
    if (this.build >= 0) s += `.${this.build}`;
    if (this.build >= 0 && this.revision >= 0) s += `.${this.revision}`;
    return s;
  }
}

/** A property on a PSObject: a stored value or a computed one (ScriptProperty-like). */
export interface PSPropertyDef {
  name: string;
  value?: unknown;
  get?: () => unknown;
}

/**
 * PSObject / PSCustomObject: ordered, case-insensitive named properties plus a list of type
 * names (most derived first) that formatting views and Get-Member key on.
 */
export class PSObject {
  readonly typeNames: string[];
  private readonly props = new Map<string, PSPropertyDef>();
  /** Overrides ToString() (e.g. ContainerImage's `ContainerImage (Name = '…') […]`). */
  toStringFn: (() => string) | null = null;

  constructor(typeNames: string[] = ['System.Management.Automation.PSCustomObject', 'System.Object']) {
    this.typeNames = typeNames;
  }

  static fromEntries(entries: Iterable<[string, unknown]>, typeNames?: string[]): PSObject {
    const o = new PSObject(typeNames);
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** Adds or replaces a note property, keeping the original position and spelling when it exists. */
  set(name: string, value: unknown): void {
    const key = name.toLowerCase();
    const existing = this.props.get(key);
    if (existing) {
      existing.value = value;
      delete existing.get;
    } else this.props.set(key, { name, value });
  }

  /** Adds a computed property, evaluated on each read. */
  define(name: string, get: () => unknown): void {
    this.props.set(name.toLowerCase(), { name, get });
  }

  has(name: string): boolean {
    return this.props.has(name.toLowerCase());
  }

  get(name: string): unknown {
    const p = this.props.get(name.toLowerCase());
    if (!p) return undefined;
    return p.get ? p.get() : p.value;
  }

  remove(name: string): boolean {
    return this.props.delete(name.toLowerCase());
  }

  /** Property names in declaration order, with their original spelling. */
  propertyNames(): string[] {
    return Array.from(this.props.values(), (p) => p.name);
  }

  properties(): { name: string; value: unknown }[] {
    return Array.from(this.props.values(), (p) => ({ name: p.name, value: p.get ? p.get() : p.value }));
  }

  toString(): string {
    if (this.toStringFn) return this.toStringFn();
    // A PSCustomObject stringifies as `@{a=1; b=x}` in PowerShell.
    return '@{' + this.properties().map((p) => `${p.name}=${toDisplayString(p.value)}`).join('; ') + '}';
  }
}

/**
 * System.Collections.Hashtable / OrderedDictionary, insertion order kept. String keys compare
 * case-insensitively as in `@{}`; a few cmdlets make case-sensitive tables (ConvertFrom-Json
 * -AsHashtable, Group-Object -AsHashTable -CaseSensitive), as .NET's default comparer does.
 */
export class Hashtable {
  private readonly map = new Map<unknown, { key: unknown; value: unknown }>();
  constructor(
    readonly ordered = false,
    readonly caseSensitive = false,
  ) {}

  private norm(key: unknown): unknown {
    return typeof key === 'string' && !this.caseSensitive ? key.toLowerCase() : key;
  }

  set(key: unknown, value: unknown): void {
    const k = this.norm(key);
    const e = this.map.get(k);
    if (e) e.value = value;
    else this.map.set(k, { key, value });
  }

  get(key: unknown): unknown {
    return this.map.get(this.norm(key))?.value;
  }

  has(key: unknown): boolean {
    return this.map.has(this.norm(key));
  }

  delete(key: unknown): boolean {
    return this.map.delete(this.norm(key));
  }

  get size(): number {
    return this.map.size;
  }

  keys(): unknown[] {
    return Array.from(this.map.values(), (e) => e.key);
  }

  values(): unknown[] {
    return Array.from(this.map.values(), (e) => e.value);
  }

  entries(): [unknown, unknown][] {
    return Array.from(this.map.values(), (e) => [e.key, e.value]);
  }

  toString(): string {
    return this.ordered ? 'System.Collections.Specialized.OrderedDictionary' : 'System.Collections.Hashtable';
  }
}

/** The .NET type name of a value, as `$x.GetType().FullName` and views would name it. */
export function typeNameOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return 'System.String';
    case 'boolean':
      return 'System.Boolean';
    case 'number':
      return Number.isInteger(value) && Math.abs(value) <= 2147483647 && !Object.is(value, -0)
        ? 'System.Int32'
        : Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
          ? 'System.Int64'
          : 'System.Double';
    case 'bigint':
      return 'System.Int64';
  }
  if (value instanceof PSObject) return value.typeNames[0];
  if (Array.isArray(value)) return 'System.Object[]';
  if (value instanceof Hashtable) return value.toString();
  if (value instanceof PSVersion) return 'System.Version';
  if (value instanceof Date) return 'System.DateTime';
  const named = (value as { psTypeName?: string }).psTypeName;
  return typeof named === 'string' ? named : 'System.Object';
}

/** All type names of a value, most derived first (PSObject's pstypenames). */
export function typeNamesOf(value: unknown): string[] {
  if (value instanceof PSObject) return value.typeNames;
  const t = typeNameOf(value);
  return t === 'System.Object' ? [t] : [t, 'System.Object'];
}

/**
 * Formats a double the way .NET's Double.ToString() does for the values scripts meet:
 * up to 15 significant digits, exponent form for very large or small magnitudes.
 */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '-∞';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  let s = n.toPrecision(15);
  if (s.includes('e')) {
    const [mant, exp] = s.split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const e = Number(exp);
    return `${m}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Pads two-digit date parts. */
function p2(n: number): string {
  return String(n).padStart(2, '0');
}

/** DateTime.ToString() in the invariant-like en-US form pwsh prints: `11/23/2026 15:03:38`. */
export function formatDate(d: Date): string {
  return `${p2(d.getMonth() + 1)}/${p2(d.getDate())}/${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/**
 * The string a value becomes when PowerShell converts it to [string] (string expansion,
 * `-join`, table cells): arrays join with spaces, $null is empty, booleans are True/False.
 */
export function toDisplayString(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
  }
  if (Array.isArray(value)) return value.map(toDisplayString).join(' ');
  if (value instanceof Date) return formatDate(value);
  return String(value);
}

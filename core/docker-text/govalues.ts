// Values that print as Go prints them in a template but marshal as Go's encoding/json does: a nil
// slice or map (`[]` / `map[]` in a template, `null` in JSON) and a time.Time (Go's String() in a
// template, RFC 3339 with nanoseconds in JSON). `docker inspect` hands typed structs to its
// templates, so `{{.Config.Env}}` of an image without an environment prints `[]`, not `<no value>`.

/** A value with Go's %v text and its own JSON form. */
export abstract class GoValue {
  abstract goString(): string;
  abstract toJSON(): unknown;
  /** Go's template truth (`{{if …}}`): false for a nil slice or map, true for a struct. */
  abstract truthy(): boolean;
}

/** A nil slice or map. */
export class GoNil extends GoValue {
  constructor(readonly kind: 'slice' | 'map') {
    super();
  }
  goString(): string {
    return this.kind === 'slice' ? '[]' : 'map[]';
  }
  toJSON(): null {
    return null;
  }
  truthy(): boolean {
    return false;
  }
}

export const NIL_SLICE = new GoNil('slice');
export const NIL_MAP = new GoNil('map');

/** A time.Time at millisecond precision; null is Go's zero time (0001-01-01 00:00:00 UTC). */
export class GoTime extends GoValue {
  constructor(readonly ms: number | null) {
    super();
  }
  goString(): string {
    if (this.ms === null) return '0001-01-01 00:00:00 +0000 UTC';
    const iso = new Date(this.ms).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction(this.ms)} +0000 UTC`;
  }
  toJSON(): string {
    return this.ms === null ? '0001-01-01T00:00:00Z' : rfc3339Nano(this.ms);
  }
  truthy(): boolean {
    return true; // a struct
  }
}

/** `.123` for 123 ms, `.12` for 120, '' for a whole second (Go trims trailing zeros). */
function fraction(ms: number): string {
  const f = ((ms % 1000) + 1000) % 1000;
  return f === 0 ? '' : `.${String(f).padStart(3, '0').replace(/0+$/, '')}`;
}

/** Go's time.RFC3339Nano in UTC: `2026-11-23T17:29:27.36Z`, no fraction for a whole second. */
export function rfc3339Nano(t: number | string | Date): string {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction(ms)}Z`;
}

/**
 * Go's json.Marshal (indent '' → compact) or json.MarshalIndent(v, "", indent): JSON.stringify's
 * text with the characters Go escapes (`<`, `>`, `&` unless escapeHTML is false, U+2028, U+2029).
 */
export function goJson(v: unknown, indent = '', escapeHTML = true): string {
  const text = JSON.stringify(v === undefined ? null : v, null, indent || undefined);
  return text.replace(escapeHTML ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A number of JSON decoded with Go's UseNumber (docker inspect's fallback to the raw JSON): a
 * string kind holding the number's text — printed as the text, not comparable with numbers, and
 * a bad argument for %d.
 */
export class JsonNumber extends GoValue {
  constructor(readonly text: string) {
    super();
  }
  goString(): string {
    return this.text;
  }
  toJSON(): number {
    return Number(this.text);
  }
  truthy(): boolean {
    return this.text !== '';
  }
}

/** A nil interface{} (a JSON null decoded into interface{}): prints `<nil>`. */
export class GoNilInterface extends GoValue {
  goString(): string {
    return '<nil>';
  }
  toJSON(): null {
    return null;
  }
  truthy(): boolean {
    return false;
  }
}

export const NIL_INTERFACE = new GoNilInterface();

/** A value as Go's json decoder with UseNumber gives it to a template: maps, slices, strings, bools, json.Number, nil. */
export function rawJsonView(v: unknown): unknown {
  const convert = (x: unknown): unknown => {
    if (x === null) return NIL_INTERFACE;
    if (typeof x === 'number') return new JsonNumber(JSON.stringify(x));
    if (Array.isArray(x)) return markInterfaceSlice(x.map(convert));
    if (typeof x === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(x as Record<string, unknown>)) out[k] = convert(val);
      return out;
    }
    return x;
  };
  return convert(JSON.parse(goJson(v)));
}

const INTERFACE_SLICE = Symbol('[]interface {}');

/** Marks an array as Go's []interface{} (what json decodes a JSON array into), not a typed slice. */
export function markInterfaceSlice<T>(a: T[]): T[] {
  Object.defineProperty(a, INTERFACE_SLICE, { value: true, enumerable: false });
  return a;
}

export function isInterfaceSlice(v: unknown): boolean {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[INTERFACE_SLICE] === true;
}

const GO_MAP = Symbol('map');

/**
 * Marks an object as a Go map (not a struct) for the typed run of a template: a missing key is
 * `<no value>`, not an error, and `index` of a missing key is the element's zero value.
 */
export function markGoMap<T extends object>(m: T, zero: unknown = ''): T {
  Object.defineProperty(m, GO_MAP, { value: { zero }, enumerable: false });
  return m;
}

/** The zero value of a Go map's elements, or undefined when the value is no Go map. */
export function goMapZero(v: unknown): { zero: unknown } | undefined {
  if (v instanceof GoNil && v.kind === 'map') return { zero: '' };
  return v !== null && typeof v === 'object' ? ((v as Record<symbol, unknown>)[GO_MAP] as { zero: unknown } | undefined) : undefined;
}

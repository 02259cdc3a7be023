// Text forms .NET uses for primitive values on the wire (CLIXML, JSON): round-trip dates,
// "R" doubles, xs:duration TimeSpans, and the `_xHHHH_` escaping of PowerShell's serializer.
import { PSObject, PSVersion, toDisplayString, typeNameOf } from '../engine/values';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * DateTime in round-trip form as pwsh writes a local DateTime (`o` without trailing fraction zeros):
 * `2026-11-23T15:03:38.123+01:00`. JS dates carry milliseconds, so at most 3 fraction digits.
 */
export function formatRoundTripDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('Invalid Date cannot be serialized');
  let s = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const ms = d.getMilliseconds();
  if (ms) s += '.' + pad(ms, 3).replace(/0+$/, '');
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${s}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/;

/**
 * Parses the ISO 8601 forms .NET's round-trip parsers accept. Without a zone the time is
 * local (DateTimeKind.Unspecified behaves as local). Sub-millisecond digits are truncated.
 * Returns null when the text is not such a date or names an impossible one.
 */
export function parseIsoDate(text: string): Date | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  let offset = 0;
  if (m[8] && m[8] !== 'Z') {
    const z = m[8].replace(':', '');
    const oh = Number(z.slice(1, 3));
    const om = z.length > 3 ? Number(z.slice(3, 5)) : 0;
    if (oh > 14 || om > 59) return null;
    offset = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // setFullYear rather than the constructor: the constructor maps years 0-99 to 1900+.
  const date = new Date(2000, 0, 1);
  if (m[8]) {
    date.setUTCFullYear(y, mo - 1, d);
    date.setUTCHours(h, mi, s, ms);
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
    return new Date(date.getTime() - offset * 60000);
  }
  date.setFullYear(y, mo - 1, d);
  date.setHours(h, mi, s, ms);
  if (date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

/**
 * Double.ToString("R") of .NET Core 3.0+: shortest round-trip digits, exponent form
 * (`1E+15`, `1E-05`) when the decimal exponent is >= 15 or < -5.
 */
export function formatDoubleR(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let body: string;
  if (exp >= 15 || exp < -5) {
    body = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '');
    body += `E${exp < 0 ? '-' : '+'}${pad(Math.abs(exp))}`;
  } else if (exp < 0) {
    body = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    body = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    body = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return (neg ? '-' : '') + body;
}

/** XmlConvert.ToString(double): "R" digits with INF/-INF. */
export function formatDoubleXml(n: number): string {
  if (n === Infinity) return 'INF';
  if (n === -Infinity) return '-INF';
  return formatDoubleR(n);
}

/** XmlConvert.ToDouble: accepts INF/-INF/NaN and ordinary decimal/exponent forms. */
export function parseDoubleXml(text: string): number | null {
  const t = text.trim();
  if (t === 'INF' || t === 'Infinity') return Infinity;
  if (t === '-INF' || t === '-Infinity') return -Infinity;
  if (t === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

// ---- `_xHHHH_` escaping (serialization.cs EncodeString / XmlConvert.DecodeName) ----

function needsEncoding(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (
    c <= 0x1f ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0xd800 && c <= 0xdfff) ||
    (c === 0x5f && i + 1 < s.length && (s[i + 1] === 'x' || s[i + 1] === 'X'))
  );
}

/** Escapes control characters, lone or paired surrogates and `_` before `x`/`X` as `_xHHHH_`. */
export function encodeClixmlString(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    if (!needsEncoding(s, i)) continue;
    out += s.slice(last, i) + '_x' + s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0') + '_';
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Reverses encodeClixmlString; also accepts the 8-digit `_xHHHHHHHH_` form DecodeName knows. */
export function decodeClixmlString(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})_/g, (_m, hex: string) => {
    const code = parseInt(hex, 16);
    return code > 0x10ffff ? _m : String.fromCodePoint(code);
  });
}

// ---- TimeSpan (no native JS type: a PSObject shaped like System.TimeSpan) ----

const TICKS_PER_MS = 10_000;
const TICKS_PER_SECOND = 10_000_000;
const TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY = 24 * TICKS_PER_HOUR;

export const TIMESPAN_TYPE_NAMES = ['System.TimeSpan', 'System.ValueType', 'System.Object'];

/** A System.TimeSpan value: its properties as .NET lists them, ToString as `[-][d.]hh:mm:ss[.fffffff]`. */
export function makeTimeSpan(ticks: number): PSObject {
  const o = new PSObject([...TIMESPAN_TYPE_NAMES]);
  const sign = ticks < 0 ? -1 : 1;
  const a = Math.abs(ticks);
  const days = Math.floor(a / TICKS_PER_DAY);
  const hours = Math.floor((a % TICKS_PER_DAY) / TICKS_PER_HOUR);
  const minutes = Math.floor((a % TICKS_PER_HOUR) / TICKS_PER_MINUTE);
  const seconds = Math.floor((a % TICKS_PER_MINUTE) / TICKS_PER_SECOND);
  const frac = a % TICKS_PER_SECOND;
  const z = (n: number) => (n === 0 ? 0 : sign * n); // avoid -0
  o.set('Ticks', ticks);
  o.set('Days', z(days));
  o.set('Hours', z(hours));
  o.set('Milliseconds', z(Math.floor(frac / TICKS_PER_MS)));
  o.set('Minutes', z(minutes));
  o.set('Seconds', z(seconds));
  o.set('TotalDays', ticks / TICKS_PER_DAY);
  o.set('TotalHours', ticks / TICKS_PER_HOUR);
  o.set('TotalMilliseconds', ticks / TICKS_PER_MS);
  o.set('TotalMinutes', ticks / TICKS_PER_MINUTE);
  o.set('TotalSeconds', ticks / TICKS_PER_SECOND);
  o.toStringFn = () =>
    `${sign < 0 ? '-' : ''}${days ? days + '.' : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${frac ? '.' + pad(frac, 7) : ''}`;
  return o;
}

export function isTimeSpan(v: unknown): v is PSObject {
  return v instanceof PSObject && v.typeNames[0] === 'System.TimeSpan' && typeof v.get('Ticks') === 'number';
}

/** XmlConvert.ToString(TimeSpan): xs:duration such as `PT1H2M3.5S`, `P1D`, `PT0S`. */
export function formatDuration(ticks: number): string {
  const neg = ticks < 0;
  let a = Math.abs(ticks);
  const days = Math.floor(a / TICKS_PER_DAY);
  a %= TICKS_PER_DAY;
  const h = Math.floor(a / TICKS_PER_HOUR);
  a %= TICKS_PER_HOUR;
  const m = Math.floor(a / TICKS_PER_MINUTE);
  a %= TICKS_PER_MINUTE;
  const s = Math.floor(a / TICKS_PER_SECOND);
  const frac = a % TICKS_PER_SECOND;
  let out = (neg ? '-' : '') + 'P' + (days ? `${days}D` : '');
  if (h || m || s || frac) {
    out += 'T' + (h ? `${h}H` : '') + (m ? `${m}M` : '');
    if (s || frac) out += String(s) + (frac ? '.' + pad(frac, 7).replace(/0+$/, '') : '') + 'S';
  } else if (!days) out += 'T0S';
  return out;
}

/** Parses xs:duration (years and months are not representable as ticks and are rejected). */
export function parseDuration(text: string): number | null {
  const m = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,7})\d*)?S)?)?$/.exec(text.trim());
  if (!m || text.trim().endsWith('T') || text.trim() === 'P' || text.trim() === '-P') return null;
  const [, neg, d, h, mi, s, f] = m;
  const ticks =
    Number(d ?? 0) * TICKS_PER_DAY +
    Number(h ?? 0) * TICKS_PER_HOUR +
    Number(mi ?? 0) * TICKS_PER_MINUTE +
    Number(s ?? 0) * TICKS_PER_SECOND +
    (f ? Number(f.padEnd(7, '0')) : 0);
  return neg ? -ticks : ticks;
}

/**
 * toDisplayString for a value being cut off by a depth limit. A self-containing property bag
 * has no finite `@{…}` form, and a computed property may throw: the type name stands in then.
 */
export function depthLimitedString(value: unknown): string {
  try {
    return toDisplayString(value);
  } catch {
    return typeNameOf(value);
  }
}

/**
 * A PSObject's properties read one by one: a computed property that throws is reported with
 * ok=false (serializers then skip it or write null, as pwsh does) instead of aborting.
 */
export function readProperties(o: PSObject): { name: string; value: unknown; ok: boolean }[] {
  return o.propertyNames().map((name) => {
    try {
      return { name, value: o.get(name), ok: true };
    } catch {
      return { name, value: null, ok: false };
    }
  });
}

/** System.Version's public properties in reflection order; MajorRevision/MinorRevision are the Int16 halves of Revision. */
export function versionProperties(v: PSVersion): [string, number][] {
  const int16 = (n: number) => (n << 16) >> 16;
  return [
    ['Major', v.major],
    ['Minor', v.minor],
    ['Build', v.build],
    ['Revision', v.revision],
    ['MajorRevision', int16(v.revision >> 16)],
    ['MinorRevision', int16(v.revision & 0xffff)],
  ];
}

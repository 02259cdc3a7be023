// go-units as the docker CLI uses it: HumanDuration (CREATED "… ago"), HumanSizeWithPrecision
// (SIZE, base 1000, `%.3g` + unit, no space), and stringid's short ids.

/**
 * go-units HumanDuration of a duration in milliseconds: "Less than a second", "1 second",
 * "N seconds", "About a minute", "N minutes", "About an hour", "N hours" (< 48 h), "N days"
 * (< 2 weeks), "N weeks" (< 60 days), "N months" (< 2 years), "N years".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** The docker CLI's CREATED column: HumanDuration(now − created) + " ago". */
export function createdSince(created: Date | number, now: Date | number = Date.now()): string {
  const c = typeof created === 'number' ? created : created.getTime();
  const n = typeof now === 'number' ? now : now.getTime();
  return `${humanDuration(n - c)} ago`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/**
 * Go's `%.<precision>g` of a finite non-negative double: the exact decimal value rounded to
 * `precision` significant digits with ties to even (strconv's rule), trailing zeros removed,
 * exponent form when the exponent is < -4 or ≥ precision (`1e+03`).
 */
export function formatG(x: number, precision: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  if (precision <= 0) precision = 1;
  if (x === 0) return '0';
  const neg = x < 0;
  const a = Math.abs(x);
  // the exact decimal expansion: toFixed rounds the exact binary value, and a double in the
  // range of sizes has far fewer than 100 fraction digits; ≥ 1e21 is an integer (BigInt is exact)
  const [ip, fp] = a >= 1e21 ? [BigInt(a).toString(), ''] : a.toFixed(100).split('.');
  let digits = (ip === '0' ? '' : ip) + fp;
  let exp = ip === '0' ? -1 : ip.length - 1; // decimal exponent of the first significant digit
  if (ip === '0') {
    const lead = fp.search(/[1-9]/);
    if (lead < 0) return '0';
    digits = fp.slice(lead);
    exp = -lead - 1;
  }
  digits = digits.replace(/0+$/, '') || '0';
  // round to `precision` significant digits, ties to even on the exact value
  let d = digits.slice(0, precision).split('').map(Number);
  while (d.length < precision) d.push(0);
  const rest = digits.slice(precision);
  let up = false;
  if (rest.length > 0) {
    if (rest[0] > '5') up = true;
    else if (rest[0] === '5') up = /[1-9]/.test(rest.slice(1)) || d[d.length - 1] % 2 === 1;
  }
  if (up) {
    let i = d.length - 1;
    while (i >= 0) {
      if (d[i] === 9) {
        d[i] = 0;
        i--;
      } else {
        d[i]++;
        break;
      }
    }
    if (i < 0) {
      d = [1, ...d.slice(0, precision - 1)];
      exp++;
    }
  }
  let s = d.join('');
  if (exp < -4 || exp >= precision) {
    const mant = s.length > 1 ? `${s[0]}.${s.slice(1)}`.replace(/\.?0+$/, '') : s;
    const e = Math.abs(exp);
    return `${neg ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp >= 0) {
    const intPart = s.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = s.slice(exp + 1).replace(/0+$/, '');
    s = frac ? `${intPart}.${frac}` : intPart;
  } else {
    s = `0.${'0'.repeat(-exp - 1)}${s}`.replace(/0+$/, '');
  }
  return `${neg ? '-' : ''}${s}`;
}

/** go-units HumanSizeWithPrecision(size, precision): base 1000, `%.<p>g` + unit, no space. */
export function humanSizeWithPrecision(size: number, precision: number): string {
  let i = 0;
  let s = size;
  while (s >= 1000 && i < DECIMAL_UNITS.length - 1) {
    s /= 1000;
    i++;
  }
  return `${formatG(s, precision)}${DECIMAL_UNITS[i]}`;
}

/** The SIZE column of `docker images` / `docker history`: 3 significant digits (`126B`, `10.2kB`, `44.9MB`). */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 3);
}

/** go-units HumanSize: 4 significant digits. */
export function humanSize4(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** stringid.TruncateID: drops an `algo:` prefix and keeps 12 characters. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/**
 * docker/cli formatter.Ellipsis: cuts `s` to `max` display cells, the last being "…"
 * (east-asian wide characters count two cells).
 */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const runes = [...s];
  const width = (r: string) => (isWide(r.codePointAt(0)!) ? 2 : 1);
  const total = runes.reduce((n, r) => n + width(r), 0);
  if (total <= max) return s;
  if (max === 1) return runes[0];
  let w = 0;
  let out = '';
  for (const r of runes) {
    if (w + width(r) > max - 1) break;
    out += r;
    w += width(r);
  }
  return `${out}…`;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

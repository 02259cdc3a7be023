// Text measuring, truncation and wrapping in terminal cells, following the rules pwsh's
// formatter applies (TableWriter / StringManipulationHelper): East Asian wide characters take two
// cells, truncation keeps the head and appends the ellipsis, wrapping breaks at spaces and tabs.

/**
 * The truncation marker. Windows PowerShell 5.1 and pwsh 7.0/7.1 print three dots; pwsh 7.2+
 * prints U+2026. We follow the seeds (TP5 era: `ContainerImag...`), so three dots everywhere.
 */
export const ELLIPSIS = '...';

/** Code point ranges that a terminal renders two cells wide (East Asian Wide / Fullwidth). */
const WIDE_RANGES: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Cells one code point occupies. */
export function charCells(cp: number): number {
  if (cp < 0x1100) return 1;
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp < lo) return 1;
    if (cp <= hi) return 2;
  }
  return 1;
}

/** Cells a string occupies (ASCII fast path: its length). */
export function cellWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\u10ff]*$/.test(s)) return s.length;
  let n = 0;
  for (const ch of s) n += charCells(ch.codePointAt(0)!);
  return n;
}

/** The longest head of `s` that fits in `cells` cells. */
export function headFitting(s: string, cells: number): string {
  let used = 0;
  let out = '';
  for (const ch of s) {
    const w = charCells(ch.codePointAt(0)!);
    if (used + w > cells) break;
    used += w;
    out += ch;
  }
  return out;
}

/** The longest tail of `s` that fits in `cells` cells. */
export function tailFitting(s: string, cells: number): string {
  const chars = Array.from(s);
  let used = 0;
  let i = chars.length;
  while (i > 0) {
    const w = charCells(chars[i - 1].codePointAt(0)!);
    if (used + w > cells) break;
    used += w;
    i--;
  }
  return chars.slice(i).join('');
}

export function spaces(n: number): string {
  return n > 0 ? ' '.repeat(n) : '';
}

/** A cell value shows only its first line, marked with the ellipsis (pwsh TruncateAtNewLine). */
export function firstLineOnly(s: string): string {
  const i = s.search(/[\r\n]/);
  return i < 0 ? s : s.slice(0, i) + ELLIPSIS;
}

export type Alignment = 'Left' | 'Right' | 'Center';

/**
 * Fits one line into `width` cells as a table cell: pads short values by alignment (the last
 * column is not padded on the right) and truncates long ones with the ellipsis — keeping the head
 * for left/center alignment, the tail for right alignment — or cuts hard when even the ellipsis
 * does not fit.
 */
export function fitCell(s: string, width: number, align: Alignment, padRight: boolean): string {
  let text = s;
  let len = cellWidth(text);
  if (len > width) {
    const room = width - ELLIPSIS.length;
    if (room > 0) text = align === 'Right' ? ELLIPSIS + tailFitting(text, room) : headFitting(text, room) + ELLIPSIS;
    else text = align === 'Right' ? tailFitting(text, width) : headFitting(text, width);
    len = cellWidth(text);
  }
  const pad = width - len;
  if (pad <= 0) return text;
  switch (align) {
    case 'Right':
      return spaces(pad) + text;
    case 'Center': {
      const left = Math.floor(pad / 2);
      return spaces(left) + text + (padRight ? spaces(pad - left) : '');
    }
    default:
      return padRight ? text + spaces(pad) : text;
  }
}

/**
 * Word-wraps text into lines of at most `firstLen` cells for the first line and `restLen` after
 * (pwsh's English-culture GenerateLinesWithWordWrap): embedded newlines split first; a word keeps
 * its trailing blank; a word longer than a line is split by characters.
 */
export function wrapText(value: string, firstLen: number, restLen: number = firstLen): string[] {
  if (value === '') return [''];
  const out: string[] = [];
  for (const line of value.replace(/\r/g, '').split('\n')) {
    if (cellWidth(line) <= firstLen) {
      out.push(line);
      continue;
    }
    let lineWidth = firstLen;
    let left = firstLen;
    let first = true;
    let current = '';
    const words = line.split(/(?<=[ \t])/);
    const nextLine = (): void => {
      out.push(current);
      current = '';
      if (first) {
        first = false;
        lineWidth = restLen;
      }
      left = lineWidth;
    };
    for (const word of words) {
      const w = cellWidth(word);
      if (lineWidth <= 0) break;
      if (w > lineWidth) {
        for (const ch of word) {
          const cw = charCells(ch.codePointAt(0)!);
          const c = cw > lineWidth ? '?' : ch;
          const cc = cw > lineWidth ? 1 : cw;
          if (cc > left) nextLine();
          current += c;
          left -= cc;
        }
      } else {
        if (w > left) nextLine();
        current += word;
        left -= w;
      }
    }
    out.push(current);
  }
  return out;
}

/** PowerShell wildcard (`*`, `?`, `[a-z]`), case-insensitive, whole-string. */
export function wildcardToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '`' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i]);
    } else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp('^' + re + '$', 'is');
}

export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The calendar fields of a date, read in local time or (for -AsUTC and `u`/`r`/`U`) in UTC. */
interface Fields {
  year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number; dow: number;
  /** Minutes east of UTC. */
  offset: number;
  utc: boolean;
}

function fieldsOf(d: Date, utc: boolean): Fields {
  return utc
    ? { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), dow: d.getUTCDay(), offset: 0, utc }
    : { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds(), ms: d.getMilliseconds(), dow: d.getDay(), offset: -d.getTimezoneOffset(), utc };
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

function offsetText(minutes: number, form: 'z' | 'zz' | 'zzz'): string {
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  return form === 'z' ? `${sign}${h}` : form === 'zz' ? `${sign}${pad(h)}` : `${sign}${pad(h)}:${pad(m)}`;
}

/** The standard format strings, in the invariant culture (pwsh's DateTime.ToString(format)). */
const standardFormats: Record<string, string> = {
  d: 'MM/dd/yyyy', D: 'dddd, dd MMMM yyyy', f: 'dddd, dd MMMM yyyy HH:mm', F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm', G: 'MM/dd/yyyy HH:mm:ss', m: 'MMMM dd', M: 'MMMM dd', t: 'HH:mm', T: 'HH:mm:ss',
  y: 'yyyy MMMM', Y: 'yyyy MMMM', s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss", u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", U: 'dddd, dd MMMM yyyy HH:mm:ss',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
};

/** DateTime.ToString(format) with .NET's custom format specifiers (invariant culture). */
export function formatDotNetDate(d: Date, format: string, utc = false): string {
  let fmt = format;
  let asUtc = utc;
  if (format.length === 1) {
    const std = standardFormats[format];
    if (std === undefined) throw new FormatError();
    if (format === 'r' || format === 'R' || format === 'U') asUtc = true;
    fmt = std;
  }
  const f = fieldsOf(d, asUtc);
  let out = '';
  for (let i = 0; i < fmt.length; ) {
    const ch = fmt[i];
    if (ch === "'" || ch === '"') {
      const end = fmt.indexOf(ch, i + 1);
      if (end < 0) throw new FormatError();
      out += fmt.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= fmt.length) throw new FormatError();
      out += fmt[i + 1];
      i += 2;
      continue;
    }
    if (ch === '%' && i + 1 < fmt.length && fmt.length === 2) {
      i++;
      continue;
    }
    let n = 1;
    while (fmt[i + n] === ch) n++;
    switch (ch) {
      case 'y':
        out += n === 2 ? pad(f.year % 100) : n === 1 ? String(f.year % 100) : pad(f.year, n);
        break;
      case 'M':
        out += n >= 4 ? monthNames[f.month - 1] : n === 3 ? monthNames[f.month - 1].slice(0, 3) : n === 2 ? pad(f.month) : String(f.month);
        break;
      case 'd':
        out += n >= 4 ? dayNames[f.dow] : n === 3 ? dayNames[f.dow].slice(0, 3) : n === 2 ? pad(f.day) : String(f.day);
        break;
      case 'H':
        out += n >= 2 ? pad(f.hour) : String(f.hour);
        break;
      case 'h': {
        const h = f.hour % 12 || 12;
        out += n >= 2 ? pad(h) : String(h);
        break;
      }
      case 'm':
        out += n >= 2 ? pad(f.minute) : String(f.minute);
        break;
      case 's':
        out += n >= 2 ? pad(f.second) : String(f.second);
        break;
      case 'f':
      case 'F': {
        if (n > 7) throw new FormatError();
        // JS dates carry milliseconds; finer digits are zero.
        let digits = (pad(f.ms, 3) + '0000').slice(0, n);
        if (ch === 'F') digits = digits.replace(/0+$/, '');
        out += digits;
        break;
      }
      case 't':
        out += n >= 2 ? (f.hour < 12 ? 'AM' : 'PM') : f.hour < 12 ? 'A' : 'P';
        break;
      case 'z':
        out += offsetText(f.offset, n === 1 ? 'z' : n === 2 ? 'zz' : 'zzz');
        break;
      case 'K':
        out += f.utc ? 'Z' : offsetText(f.offset, 'zzz');
        n = 1;
        break;
      case 'g':
        out += 'A.D.';
        break;
      case ':':
      case '/':
        out += ch;
        n = 1;
        break;
      default:
        out += ch.repeat(n);
    }
    i += n;
  }
  return out;
}

class FormatError extends Error {
  constructor() {
    super('Input string was not in a correct format.');
  }
}

/** Midnight UTC of a calendar day; setUTCFullYear keeps years below 100 as they are. */
function utcDay(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d;
}

function dayOfYear(f: Fields): number {
  return Math.round((utcDay(f.year, f.month, f.day).getTime() - utcDay(f.year, 1, 1).getTime()) / 86400000) + 1;
}

/** ISO 8601 week number and week-based year. */
function isoWeek(f: Fields): { week: number; year: number } {
  const t = utcDay(f.year, f.month, f.day);
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const y = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - utcDay(y, 1, 1).getTime()) / 86400000 + 1) / 7);
  return { week, year: y };
}

/**
 * Get-Date -UFormat: pwsh 7's strftime-like specifiers (GetDateCommand.UFormatDateString);
 * an unknown specifier (%z, %P, %N, %q) is written as its letter, as pwsh does.
 */
export function formatUnixDate(d: Date, format: string, utc = false): string {
  const f = fieldsOf(d, utc);
  const fmt = (s: string) => formatDotNetDate(d, s, utc);
  let out = '';
  for (let i = format[0] === '+' ? 1 : 0; i < format.length; i++) {
    if (format[i] !== '%' || i + 1 >= format.length) {
      out += format[i];
      continue;
    }
    const c = format[++i];
    switch (c) {
      case 'A': out += fmt('dddd'); break;
      case 'a': out += fmt('ddd'); break;
      case 'B': out += fmt('MMMM'); break;
      case 'b': case 'h': out += fmt('MMM'); break;
      case 'C': out += String(Math.floor(f.year / 100)); break;
      case 'c': out += fmt('ddd dd MMM yyyy HH:mm:ss'); break;
      case 'D': case 'x': out += fmt('MM/dd/yy'); break;
      case 'd': out += fmt('dd'); break;
      case 'e': out += String(f.day).padStart(2, ' '); break;
      case 'F': out += fmt('yyyy-MM-dd'); break;
      case 'G': out += pad(isoWeek(f).year, 4); break;
      case 'g': out += pad(isoWeek(f).year % 100); break;
      case 'H': out += fmt('HH'); break;
      case 'I': out += fmt('hh'); break;
      case 'j': out += pad(dayOfYear(f), 3); break;
      case 'k': out += String(f.hour).padStart(2, ' '); break;
      case 'l': out += String(f.hour % 12 || 12).padStart(2, ' '); break;
      case 'M': out += fmt('mm'); break;
      case 'm': out += fmt('MM'); break;
      case 'n': out += '\n'; break;
      case 'p': out += fmt('tt'); break;
      case 'R': out += fmt('HH:mm'); break;
      case 'r': out += fmt('hh:mm:ss tt'); break;
      case 'S': out += fmt('ss'); break;
      case 's': out += String(Math.floor(d.getTime() / 1000)); break;
      case 'T': case 'X': out += fmt('HH:mm:ss'); break;
      case 't': out += '\t'; break;
      case 'u': out += String(f.dow === 0 ? 7 : f.dow); break;
      case 'U': out += String(Math.floor((dayOfYear(f) + 6 - f.dow) / 7)); break;
      case 'V': out += pad(isoWeek(f).week); break;
      case 'W': out += String(Math.floor((dayOfYear(f) + 6 - ((f.dow + 6) % 7)) / 7)); break;
      case 'w': out += String(f.dow); break;
      case 'Y': out += fmt('yyyy'); break;
      case 'y': out += fmt('yy'); break;
      case 'Z': out += offsetText(f.offset, 'zz'); break;
      default: out += c;
    }
  }
  return out;
}

/** DateTime.AddMonths: the day is clamped to the new month's length. */
function addMonths(d: Date, months: number): Date {
  const r = new Date(d.getTime());
  const day = r.getDate();
  r.setDate(1);
  r.setMonth(r.getMonth() + months);
  const last = new Date(r.getFullYear(), r.getMonth() + 1, 0).getDate();
  r.setDate(Math.min(day, last));
  return r;
}

const ranges: [string, number, number][] = [
  ['Year', 1, 9999], ['Month', 1, 12], ['Day', 1, 31], ['Hour', 0, 23], ['Minute', 0, 59], ['Second', 0, 59], ['Millisecond', 0, 999],
];

export default defineCmdlet({
  verb: 'Get',
  noun: 'Date',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Gets the current date and time.',
  defaultParameterSet: 'DateAndFormat',
  outputType: ['System.DateTime', 'System.String'],
  parameters: [
    { name: 'Date', type: 'datetime', position: 0, aliases: ['LastWriteTime'], valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['DateAndFormat', 'DateAndUFormat'], description: 'The date to use instead of now.' },
    { name: 'UnixTimeSeconds', type: 'long', aliases: ['UnixTime'], mandatory: true, sets: ['UnixTimeSecondsAndFormat', 'UnixTimeSecondsAndUFormat'], description: 'The date as seconds since 1970-01-01 00:00:00 UTC.' },
    { name: 'Year', type: 'int', description: 'Replaces the year (1-9999).' },
    { name: 'Month', type: 'int', description: 'Replaces the month (1-12).' },
    { name: 'Day', type: 'int', description: 'Replaces the day of the month (1-31; past the end of the month rolls into the next).' },
    { name: 'Hour', type: 'int', description: 'Replaces the hour (0-23).' },
    { name: 'Minute', type: 'int', description: 'Replaces the minute (0-59).' },
    { name: 'Second', type: 'int', description: 'Replaces the second (0-59).' },
    { name: 'Millisecond', type: 'int', description: 'Replaces the millisecond (0-999).' },
    { name: 'Format', type: 'string', sets: ['DateAndFormat', 'UnixTimeSecondsAndFormat'], description: 'A .NET format string (`o`, `yyyy-MM-dd`, FileDate, FileDateTime, ...); the result is a string.' },
    { name: 'UFormat', type: 'string', mandatory: true, sets: ['DateAndUFormat', 'UnixTimeSecondsAndUFormat'], description: 'A Unix strftime-style format (`%Y-%m-%d`); the result is a string.' },
    { name: 'AsUTC', type: 'switch', description: 'Converts the date to UTC.' },
  ],
  process(ctx) {
    const p = ctx.params;
    for (const [name, min, max] of ranges) {
      const v = p[name] as number | undefined;
      if (v === undefined) continue;
      if (v < min || v > max) {
        ctx.throwTerminating(
          new ErrorRecord({
            message:
              v > max
                ? `Cannot validate argument on parameter '${name}'. The ${v} argument is greater than the maximum allowed range of ${max}. Supply an argument that is less than or equal to ${max} and then try the command again.`
                : `Cannot validate argument on parameter '${name}'. The ${v} argument is less than the minimum allowed range of ${min}. Supply an argument that is greater than or equal to ${min} and then try the command again.`,
            errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
          }),
        );
      }
    }
    let d: Date;
    if (p.UnixTimeSeconds !== undefined) d = new Date(Number(p.UnixTimeSeconds) * 1000);
    else if (p.Date instanceof Date) d = new Date(p.Date.getTime());
    else d = new Date();
    if (p.Year !== undefined) {
      const r = new Date(d.getTime());
      const day = r.getDate();
      r.setDate(1);
      r.setFullYear(p.Year as number);
      r.setDate(Math.min(day, new Date(r.getFullYear(), r.getMonth() + 1, 0).getDate()));
      d = r;
    }
    if (p.Month !== undefined) d = addMonths(d, (p.Month as number) - (d.getMonth() + 1));
    if (p.Day !== undefined) d = new Date(d.getTime() + ((p.Day as number) - d.getDate()) * 86400000);
    if (p.Hour !== undefined) d = new Date(d.getTime() + ((p.Hour as number) - d.getHours()) * 3600000);
    if (p.Minute !== undefined) d = new Date(d.getTime() + ((p.Minute as number) - d.getMinutes()) * 60000);
    if (p.Second !== undefined) d = new Date(d.getTime() + ((p.Second as number) - d.getSeconds()) * 1000);
    if (p.Millisecond !== undefined) d = new Date(d.getTime() + ((p.Millisecond as number) - d.getMilliseconds()));
    const utc = Boolean(p.AsUTC);
    if (p.UFormat !== undefined) return ctx.write(formatUnixDate(d, String(p.UFormat), utc));
    if (p.Format !== undefined && p.Format !== null) {
      let format = String(p.Format);
      let asUtc = utc;
      switch (format.toLowerCase()) {
        case 'filedate': format = 'yyyyMMdd'; break;
        case 'filedateuniversal': format = "yyyyMMdd'Z'"; asUtc = true; break;
        case 'filedatetime': format = 'yyyyMMddTHHmmssffff'; break;
        case 'filedatetimeuniversal': format = "yyyyMMddTHHmmssffff'Z'"; asUtc = true; break;
      }
      let text: string;
      try {
        text = formatDotNetDate(d, format, asUtc);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        return ctx.throwTerminating(
          new ErrorRecord({
            message: e.message,
            errorId: 'System.FormatException,Microsoft.PowerShell.Commands.GetDateCommand',
            category: 'NotSpecified',
            exceptionType: 'System.FormatException',
          }),
        );
      }
      return ctx.write(text);
    }
    // A UTC DateTime shows its UTC clock time: a JS Date displays local fields, so shift it.
    return ctx.write(utc ? new Date(d.getTime() + d.getTimezoneOffset() * 60000) : d);
  },
});

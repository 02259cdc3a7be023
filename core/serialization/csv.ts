// ConvertTo-Csv / ConvertFrom-Csv (and the text side of Export-Csv / Import-Csv) as PowerShell 7
// does them (CsvCommands.cs): quoted header and values, no #TYPE line unless asked, `""` for a
// quote, and the lenient Excel-like record parser of Import-Csv.
import { Hashtable, PSObject, PSVersion, toDisplayString, typeNamesOf } from '../engine/values';
import { versionProperties } from './dotnet';

export type CsvQuoteKind = 'Always' | 'AsNeeded' | 'Never';

export interface ConvertToCsvOptions {
  delimiter?: string;
  /** -IncludeTypeInformation: a first line `#TYPE <type name>` (pwsh 7 omits it by default). */
  includeTypeInformation?: boolean;
  /** -UseQuotes (default Always). */
  useQuotes?: CsvQuoteKind;
  /** -QuoteFields: quote only these columns (case-insensitive); overrides useQuotes. */
  quoteFields?: string[];
  /** -NoHeader: leave the column-name line out. */
  noHeader?: boolean;
}

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

function checkDelimiter(d: string): string {
  if (d.length !== 1) throw new CsvError(`The delimiter must be a single character, not '${d}'.`);
  return d;
}

/** The columns an object contributes: its properties, or a dictionary's keys. */
export function csvPropertyNames(value: unknown): string[] {
  if (value instanceof PSObject) return value.propertyNames();
  if (value instanceof Hashtable) return value.keys().map((k) => toDisplayString(k));
  if (typeof value === 'string') return ['Length'];
  if (value instanceof PSVersion) return versionProperties(value).map(([n]) => n);
  return [];
}

function propertyValue(value: unknown, name: string): { found: boolean; value: unknown } {
  if (value instanceof Hashtable) return { found: value.has(name), value: value.get(name) };
  if (value instanceof PSObject) {
    if (!value.has(name)) return { found: false, value: undefined };
    try {
      return { found: true, value: value.get(name) };
    } catch {
      // A value that cannot be read is treated as null (GetToStringValueForProperty).
      return { found: true, value: null };
    }
  }
  if (typeof value === 'string' && name.toLowerCase() === 'length') return { found: true, value: value.length };
  if (value instanceof PSVersion) {
    const p = versionProperties(value).find(([n]) => n.toLowerCase() === name.toLowerCase());
    return p ? { found: true, value: p[1] } : { found: false, value: undefined };
  }
  return { found: false, value: undefined };
}

/** The cell text: .NET ToString() of the value (arrays name their type), null for $null. */
function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return 'System.Object[]';
  return toDisplayString(v);
}

function quoted(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

/**
 * ConvertTo-Csv: the lines for `values`. Columns come from the first object; later objects
 * fill those columns (missing ones stay empty). A null value is an empty, unquoted cell.
 */
export function convertToCsv(values: Iterable<unknown>, options: ConvertToCsvOptions = {}): string[] {
  const delimiter = checkDelimiter(options.delimiter ?? ',');
  const kind = options.useQuotes ?? 'Always';
  const quoteSet = options.quoteFields ? new Set(options.quoteFields.map((f) => f.toLowerCase())) : null;
  const format = (column: string, text: string): string => {
    if (quoteSet) return quoteSet.has(column.toLowerCase()) ? quoted(text) : text;
    if (kind === 'Always') return quoted(text);
    if (kind === 'AsNeeded') return text.includes(delimiter) || text.includes('\n') || text.includes('"') ? quoted(text) : text;
    return text;
  };
  const lines: string[] = [];
  let columns: string[] | null = null;
  for (const v of values) {
    if (columns === null) {
      columns = csvPropertyNames(v);
      if (options.includeTypeInformation) {
        const t = typeNamesOf(v)[0];
        lines.push(t ? `#TYPE ${t.replace(/^CSV:/i, '')}` : '#TYPE');
      }
      if (!options.noHeader) lines.push(columns.map((c) => format(c, c)).join(delimiter));
    }
    lines.push(
      columns
        .map((c) => {
          const p = propertyValue(v, c);
          const text = p.found ? cellText(p.value) : null;
          return text === null ? '' : format(c, text);
        })
        .join(delimiter),
    );
  }
  return lines;
}

export interface ConvertFromCsvOptions {
  delimiter?: string;
  /** -Header: column names; the first line is then data. */
  header?: string[];
}

export interface ConvertFromCsvResult {
  objects: PSObject[];
  /** Some columns had no name and were called H1, H2, …; the cmdlet warns with CSV_UNSPECIFIED_HEADER_WARNING. */
  usedDefaultNames: boolean;
}

export const CSV_UNSPECIFIED_HEADER_WARNING =
  'One or more headers were not specified. Default names starting with "H" have been used in place of any missing headers.';

/** Reads records with Import-Csv's rules: quotes, `""`, newlines inside quotes, leniency after quotes. */
class CsvRecordReader {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly d: string,
  ) {}

  get eof(): boolean {
    return this.i >= this.s.length;
  }

  /** Consumes a line ending at the cursor (\r\n, \r or \n) and returns it, or ''. */
  private newline(ch: string): string {
    if (ch === '\r') {
      if (this.s[this.i] === '\n') {
        this.i++;
        return '\r\n';
      }
      return '\r';
    }
    return ch === '\n' ? '\n' : '';
  }

  readLine(): string {
    const m = /\r\n|\r|\n/g;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    const line = this.s.slice(this.i, r ? r.index : this.s.length);
    this.i = r ? r.index + r[0].length : this.s.length;
    return line;
  }

  peek(): string | undefined {
    return this.s[this.i];
  }

  /** Reads to the next delimiter or line end; returns whether the record ended. */
  private tillDelimiter(eatBlanks: boolean): { text: string; end: boolean } {
    let temp = '';
    let nonWhite = false;
    for (;;) {
      if (this.eof) return { text: eatBlanks && !nonWhite ? temp.trim() : temp, end: true };
      const ch = this.s[this.i++];
      if (ch === this.d) break;
      if (this.newline(ch)) return { text: eatBlanks && !nonWhite ? temp.trim() : temp, end: true };
      temp += ch;
      if (ch !== ' ' && ch !== '\t') nonWhite = true;
    }
    return { text: eatBlanks && !nonWhite ? temp.trim() : temp, end: false };
  }

  record(): string[] {
    const out: string[] = [];
    let cur = '';
    let inQuote = false;
    while (!this.eof) {
      const ch = this.s[this.i++];
      if (ch === this.d) {
        if (inQuote) cur += ch;
        else {
          out.push(cur);
          cur = '';
        }
      } else if (ch === '"') {
        if (inQuote) {
          if (this.s[this.i] === '"') {
            this.i++;
            cur += '"';
          } else {
            inQuote = false;
            const r = this.tillDelimiter(true);
            out.push(cur + r.text);
            cur = '';
            if (r.end) return out;
          }
        } else if (cur.length === 0) inQuote = true;
        else {
          const r = this.tillDelimiter(false);
          out.push(cur + ch + r.text);
          cur = '';
          if (r.end) return out;
        }
      } else if (ch === ' ' || ch === '\t') {
        if (inQuote) cur += ch;
        else if (cur.length > 0) {
          const r = this.tillDelimiter(true);
          out.push(cur + ch + r.text);
          cur = '';
          if (r.end) return out;
        }
      } else {
        const nl = this.newline(ch);
        if (nl) {
          if (inQuote) cur += nl;
          else {
            out.push(cur);
            return out;
          }
        } else cur += ch;
      }
    }
    if (cur.length) out.push(cur);
    return out;
  }
}

/**
 * ConvertFrom-Csv / Import-Csv: one PSCustomObject per record, string values, null for cells
 * a short record lacks. A leading `#TYPE X` line gives the objects the type names X and CSV:X.
 */
export function convertFromCsv(input: string | string[], options: ConvertFromCsvOptions = {}): ConvertFromCsvResult {
  const text = Array.isArray(input) ? input.join('\n') : input;
  const delimiter = checkDelimiter(options.delimiter ?? ',');
  const reader = new CsvRecordReader(text.replace(/^\uFEFF/, ''), delimiter);
  let typeName: string | null = null;
  if (reader.peek() === '#') {
    const first = reader.readLine();
    if (/^#type/i.test(first)) typeName = first.slice(5).trim() || null;
  }
  let header: string[] | null = options.header ? [...options.header] : null;
  while (header === null && !reader.eof) {
    const values = reader.record();
    while (values.length > 1 && values[values.length - 1] === '') values.pop();
    if (values.length && values[0].startsWith('#Fields: ')) {
      values[0] = values[0].slice(9);
      header = values;
    } else if (values.length && values[0].startsWith('#')) continue;
    else header = values;
  }
  if (header === null) return { objects: [], usedDefaultNames: false };
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') continue;
    if (seen.has(h.toLowerCase())) throw new CsvError(`The member "${h}" is already present.`);
    seen.add(h.toLowerCase());
  }
  const objects: PSObject[] = [];
  let usedDefaultNames = false;
  while (!reader.eof) {
    const values = reader.record();
    if (values.length === 0) break;
    if (values.length === 1 && values[0] === '') continue;
    const o = new PSObject(typeName ? [typeName, 'CSV:' + typeName] : undefined);
    let unnamed = 1;
    header.forEach((name, i) => {
      if (name === '') {
        name = 'H' + unnamed++;
        usedDefaultNames = true;
      }
      o.set(name, i < values.length ? values[i] : null);
    });
    objects.push(o);
  }
  return { objects, usedDefaultNames };
}

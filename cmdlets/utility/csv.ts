// Parameters and helpers shared by ConvertTo-Csv / Export-Csv and ConvertFrom-Csv / Import-Csv.
// Not a cmdlet (lower-case file name).

import type { CmdletContext, ParameterDecl } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { convertFromCsv, ConvertFromCsvResult, convertToCsv, CsvError, CSV_UNSPECIFIED_HEADER_WARNING, type CsvQuoteKind } from '../../core/serialization';

/** The list separator of the invariant culture pwsh runs with here (-UseCulture). */
export const CULTURE_LIST_SEPARATOR = ',';

export const csvWriteParameters: ParameterDecl[] = [
  { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, description: 'The objects to convert, one CSV line each.' },
  { name: 'Delimiter', type: 'string', position: 1, sets: ['Delimiter'], description: 'The character between values (default a comma).' },
  { name: 'UseCulture', type: 'switch', sets: ['UseCulture'], description: "Uses the culture's list separator as the delimiter." },
  { name: 'IncludeTypeInformation', type: 'switch', aliases: ['ITI'], description: 'Writes a first line `#TYPE <type name>`.' },
  { name: 'NoTypeInformation', type: 'switch', aliases: ['NTI'], description: 'Leaves the #TYPE line out (the default; kept for compatibility).' },
  { name: 'QuoteFields', type: 'string[]', aliases: ['QF'], description: 'Quotes only these columns.' },
  { name: 'UseQuotes', type: 'string', aliases: ['UQ'], validateSet: ['Never', 'Always', 'AsNeeded'], description: 'When values are quoted: Always (default), AsNeeded or Never.' },
  { name: 'NoHeader', type: 'switch', description: 'Leaves the column-name line out.' },
];

export function csvDelimiter(ctx: CmdletContext): string {
  if (ctx.params.UseCulture) return CULTURE_LIST_SEPARATOR;
  return ctx.params.Delimiter === undefined ? ',' : String(ctx.params.Delimiter);
}

/** Validates -Delimiter as the binder would for a [char] parameter. */
export function checkDelimiterArgument(ctx: CmdletContext): void {
  const d = ctx.params.Delimiter;
  if (d === undefined || String(d).length === 1) return;
  ctx.throwTerminating(
    new ErrorRecord({
      message: `Cannot bind parameter 'Delimiter'. Cannot convert value "${String(d)}" to type "System.Char". Error: "String must be exactly one character long."`,
      errorId: `CannotConvertArgumentNoMessage,${ctx.commandName}`,
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.ParameterBindingException',
    }),
  );
}

/**
 * Streams CSV lines: the header (and #TYPE line) come with the first object, whose properties
 * fix the columns; each later object gives one line for those columns.
 */
export class CsvLineWriter {
  private first: unknown = undefined;
  private started = false;
  constructor(private readonly ctx: CmdletContext, private readonly columnsFrom: unknown = undefined, private readonly skipHeader = false) {}

  lines(value: unknown): string[] {
    const p = this.ctx.params;
    const options = {
      delimiter: csvDelimiter(this.ctx),
      includeTypeInformation: Boolean(p.IncludeTypeInformation) && !p.NoTypeInformation,
      useQuotes: (p.UseQuotes as CsvQuoteKind | undefined) ?? 'Always',
      quoteFields: p.QuoteFields as string[] | undefined,
      noHeader: Boolean(p.NoHeader) || this.skipHeader,
    };
    if (!this.started) {
      this.started = true;
      if (this.columnsFrom !== undefined) {
        this.first = this.columnsFrom;
        return convertToCsv([this.columnsFrom, value], { ...options, includeTypeInformation: false, noHeader: true }).slice(1);
      }
      this.first = value;
      return convertToCsv([value], options);
    }
    return convertToCsv([this.first, value], { ...options, includeTypeInformation: false, noHeader: true }).slice(1);
  }
}

export const csvReadParameters: ParameterDecl[] = [
  { name: 'Delimiter', type: 'string', position: 1, sets: ['Delimiter', 'DelimiterPath', 'DelimiterLiteralPath'], description: 'The character between values (default a comma).' },
  { name: 'UseCulture', type: 'switch', sets: ['UseCulture', 'CulturePath', 'CultureLiteralPath'], description: "Uses the culture's list separator as the delimiter." },
  { name: 'Header', type: 'string[]', description: 'Column names to use; the first line is then data.' },
];

/** Runs the CSV reader, turning its errors into pwsh's. */
export function readCsv(ctx: CmdletContext, text: string | string[], className: string): ConvertFromCsvResult | null {
  try {
    const r = convertFromCsv(text, { delimiter: csvDelimiter(ctx), header: ctx.params.Header as string[] | undefined });
    if (r.usedDefaultNames) ctx.writeWarning(CSV_UNSPECIFIED_HEADER_WARNING);
    return r;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    return ctx.throwTerminating(
      new ErrorRecord({
        message: e.message,
        errorId: `AlreadyPresentPSMemberInfoInternalCollectionAdd,Microsoft.PowerShell.Commands.${className}`,
        category: 'NotSpecified',
        exceptionType: 'System.Management.Automation.ExtendedTypeSystemException',
      }),
    );
  }
}

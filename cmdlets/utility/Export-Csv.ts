import * as fs from 'node:fs';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { PSObject } from '../../core/engine/values';
import { convertFromCsv, csvPropertyNames } from '../../core/serialization';
import { checkDelimiterArgument, csvDelimiter, CsvLineWriter, csvWriteParameters } from './csv';
import { openOutputFile, writeOutputFile } from './outputfile';
import { decodeText, encodeText, ENCODING_NAMES } from './filesystem';

const CLASS = 'ExportCsvCommand';

/** The column names of an existing CSV file's header (-Append writes to those columns). */
function existingColumns(text: string, delimiter: string): string[] | null {
  const lines = text.split(/\r?\n/).filter((l) => l !== '' && !/^#type/i.test(l));
  if (lines.length === 0) return null;
  const header = lines[0];
  const r = convertFromCsv([header, header], { delimiter });
  return r.objects.length ? r.objects[0].propertyNames() : null;
}

export default defineCmdlet({
  verb: 'Export',
  noun: 'Csv',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Converts objects into a series of character-separated value (CSV) strings and saves the strings to a file.',
  defaultParameterSet: 'Delimiter',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  parameters: [
    ...csvWriteParameters,
    { name: 'Path', type: 'string', position: 0, description: 'The file to write.' },
    { name: 'LiteralPath', type: 'string', aliases: ['PSPath', 'LP'], description: 'The file to write, taken literally.' },
    { name: 'Force', type: 'switch', description: 'Overwrites a read-only file; with -Append, writes objects whose properties do not match the columns.' },
    { name: 'NoClobber', type: 'switch', aliases: ['NoOverwrite'], description: 'Refuses to overwrite an existing file.' },
    { name: 'Encoding', type: 'string', validateSet: ENCODING_NAMES, description: 'The file encoding (default utf8NoBOM).' },
    { name: 'Append', type: 'switch', description: 'Adds the lines to the end of the file (no header when it has one).' },
  ],
  async begin(ctx) {
    checkDelimiterArgument(ctx);
    const hasPath = ctx.params.Path !== undefined;
    const hasLiteral = ctx.params.LiteralPath !== undefined;
    if (hasPath === hasLiteral) {
      ctx.throwTerminating(
        new ErrorRecord({
          message: 'You must specify either the -Path or -LiteralPath parameters, but not both.',
          errorId: `CannotSpecifyPathAndLiteralPath,Microsoft.PowerShell.Commands.${CLASS}`,
          category: 'InvalidData',
          exceptionType: 'System.InvalidOperationException',
        }),
      );
    }
    const append = Boolean(ctx.params.Append);
    const target = await openOutputFile(ctx, CLASS, { append });
    ctx.state.target = target;
    ctx.state.lines = [];
    ctx.state.append = false;
    let columns: string[] | null = null;
    if (target && append && fs.existsSync(target)) {
      columns = existingColumns(decodeText(fs.readFileSync(target), ctx.params.Encoding as string | undefined), csvDelimiter(ctx));
      ctx.state.append = true;
    }
    ctx.state.columns = columns;
    ctx.state.writer = columns ? new CsvLineWriter(ctx, PSObject.fromEntries(columns.map((c) => [c, null])), true) : new CsvLineWriter(ctx);
  },
  process(ctx) {
    if (ctx.state.target === null) return;
    const value = ctx.params.InputObject;
    if (value === null || value === undefined) return;
    const columns: string[] | null = ctx.state.columns;
    // Only the first object is checked against the file's columns, as ExportCsvCommand does.
    if (columns && !ctx.params.Force && !ctx.state.checked) {
      ctx.state.checked = true;
      const have = new Set(csvPropertyNames(value).map((n) => n.toLowerCase()));
      const missing = columns.find((c) => !have.has(c.toLowerCase()));
      if (missing !== undefined) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: `Cannot append CSV content to the following file: ${String(ctx.params.Path ?? ctx.params.LiteralPath)}. The appended object does not have a property that corresponds to the following column: ${missing}. To continue with mismatched properties, add the -Force parameter, and then retry the command.`,
            errorId: `CannotAppendCsvWithMismatchedPropertyNames,Microsoft.PowerShell.Commands.${CLASS}`,
            category: 'InvalidData',
            exceptionType: 'System.InvalidOperationException',
            targetObject: missing,
          }),
        );
      }
    }
    ctx.state.lines.push(...(ctx.state.writer as CsvLineWriter).lines(value));
  },
  end(ctx) {
    if (ctx.state.target === null) return;
    const text = (ctx.state.lines as string[]).map((l) => l + '\n').join('');
    const append: boolean = ctx.state.append;
    const empty = !append || fs.statSync(ctx.state.target).size === 0;
    writeOutputFile(ctx, CLASS, ctx.state.target, encodeText(text, ctx.params.Encoding as string | undefined, empty), append, ctx.state.restoreMode);
  },
});

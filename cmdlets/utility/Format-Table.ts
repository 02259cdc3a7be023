import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import type { Scope } from '../../core/engine/session';
import { formatterItems, precomputeEvaluate, propertyArgs } from '../../core/format/cmdlet-support';
import { CalculatedPropertyError, formatTable, resolveProperties, type PropertyArg } from '../../core/format';

/** $FormatEnumerationLimit as the caller sees it (4 when unset or not a number). */
export function enumerationLimit(ctx: CmdletContext): number {
  const v = (ctx.scope as Scope).lookup('formatenumerationlimit')?.value;
  const n = typeof v === 'number' ? v : Number(v);
  return v === null || v === undefined || !Number.isInteger(n) ? 4 : n;
}

/** A calculated-property hashtable that core/format refused (unknown key, no Expression, bad Width). */
export function badPropertyArgument(ctx: CmdletContext, e: unknown, command: string): never {
  if (!(e instanceof CalculatedPropertyError)) throw e;
  ctx.throwTerminating(
    new ErrorRecord({
      message: e.message,
      errorId: `${e.errorId},Microsoft.PowerShell.Commands.${command}`,
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.ParameterBindingException',
    }),
  );
}

/**
 * -Property and -GroupBy hashtables are checked before any input arrives (pwsh's
 * ParameterProcessor runs in BeginProcessing): unknown keys, no Expression, a bad Width.
 */
export function checkPropertyArguments(ctx: CmdletContext, command: string): void {
  const args = [...((propertyArgs(ctx.params.Property as unknown[] | undefined) ?? []) as PropertyArg[])];
  if (ctx.params.GroupBy !== undefined) args.push(ctx.params.GroupBy as PropertyArg);
  try {
    resolveProperties(args, null, () => null);
  } catch (e) {
    badPropertyArgument(ctx, e, command);
  }
}

export default defineCmdlet({
  verb: 'Format',
  noun: 'Table',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Formats the output as a table.',
  outputType: ['Microsoft.PowerShell.Commands.Internal.Format.FormatStartData'],
  parameters: [
    { name: 'Property', type: 'object[]', position: 0, description: 'The properties to show as columns: names (wildcards allowed), script blocks, or calculated properties @{Label=…; Expression=…; Width=…; Alignment=…}.' },
    { name: 'AutoSize', type: 'switch', description: 'Sizes every column from the data, ignoring the widths of the view.' },
    { name: 'HideTableHeaders', type: 'switch', description: 'Omits the column headings.' },
    { name: 'Wrap', type: 'switch', description: 'Wraps text that exceeds the column width onto the next line instead of truncating it.' },
    { name: 'GroupBy', type: 'object', description: 'Starts a new table for each value of this property (or calculated property); the input should be sorted by it.' },
    { name: 'Force', type: 'switch', description: 'Formats strings and other simple values as rows of the -Property columns too, instead of printing them as they are.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to format.' },
  ],
  begin(ctx) {
    checkPropertyArguments(ctx, 'FormatTableCommand');
    ctx.state.items = [];
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v !== undefined && v !== null) ctx.state.items.push(v);
  },
  async end(ctx) {
    const items: unknown[] = ctx.state.items;
    if (items.length === 0) return;
    const p = ctx.params;
    const property = propertyArgs(p.Property as unknown[] | undefined);
    const groupBy = p.GroupBy as PropertyArg | undefined;
    const evaluate = await precomputeEvaluate([...(property ?? []), ...(groupBy !== undefined ? [groupBy] : [])], formatterItems(items), (sb, o) =>
      ctx.invoke(sb, { dollarUnder: o }),
    );
    const request = formatTable(items, {
      property,
      autoSize: Boolean(p.AutoSize),
      wrap: Boolean(p.Wrap),
      hideTableHeaders: Boolean(p.HideTableHeaders),
      groupBy,
      evaluate,
      force: Boolean(p.Force),
      enumerationLimit: enumerationLimit(ctx),
    });
    return ctx.write(request);
  },
});

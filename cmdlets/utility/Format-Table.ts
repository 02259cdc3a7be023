import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { formatterItems, precomputeEvaluate, propertyArgs } from '../../core/format/cmdlet-support';
import { formatTable, type PropertyArg } from '../../core/format';

/** A calculated-property hashtable that core/format refused (unknown key, no Expression, bad Width). */
export function badPropertyArgument(ctx: CmdletContext, e: unknown, command: string): never {
  ctx.throwTerminating(
    new ErrorRecord({
      message: e instanceof Error ? e.message : String(e),
      errorId: `${/key is not valid/.test(String((e as Error)?.message)) ? 'DictionaryKeyIllegal' : 'DictionaryKeyIllegalValue'},Microsoft.PowerShell.Commands.${command}`,
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.ParameterBindingException',
    }),
  );
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
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to format.' },
  ],
  begin(ctx) {
    ctx.state.items = [];
  },
  process(ctx) {
    if (ctx.params.InputObject !== undefined) ctx.state.items.push(ctx.params.InputObject);
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
    });
    try {
      // Render once here so that a bad calculated property fails in this command, as in pwsh.
      const { renderTable } = require('../../core/format') as typeof import('../../core/format');
      renderTable([], request.options as import('../../core/format').TableOptions);
      if (property) renderTable(items.slice(0, 1), { ...request.options, property } as import('../../core/format').TableOptions);
    } catch (e) {
      badPropertyArgument(ctx, e, 'FormatTableCommand');
    }
    return ctx.write(request);
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { formatterItems, precomputeEvaluate, propertyArgs } from '../../core/format/cmdlet-support';
import { formatList, type ListOptions, type PropertyArg } from '../../core/format';
import { checkPropertyArguments, enumerationLimit } from './Format-Table';

export default defineCmdlet({
  verb: 'Format',
  noun: 'List',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Formats the output as a list of properties in which each property appears on a new line.',
  outputType: ['Microsoft.PowerShell.Commands.Internal.Format.FormatStartData'],
  parameters: [
    { name: 'Property', type: 'object[]', position: 0, description: 'The properties to show: names (wildcards allowed; * shows all), script blocks, or calculated properties @{Label=…; Expression=…}.' },
    { name: 'GroupBy', type: 'object', description: 'Starts a new group for each value of this property (or calculated property); the input should be sorted by it.' },
    { name: 'Force', type: 'switch', description: 'Formats strings and other simple values as lists of the -Property entries too, instead of printing them as they are.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to format.' },
  ],
  begin(ctx) {
    checkPropertyArguments(ctx, 'FormatListCommand');
    ctx.state.items = [];
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v !== undefined && v !== null) ctx.state.items.push(v);
  },
  async end(ctx) {
    const items: unknown[] = ctx.state.items;
    if (items.length === 0) return;
    const property = propertyArgs(ctx.params.Property as unknown[] | undefined);
    const groupBy = ctx.params.GroupBy as PropertyArg | undefined;
    const evaluate = await precomputeEvaluate([...(property ?? []), ...(groupBy !== undefined ? [groupBy] : [])], formatterItems(items), (sb, o) =>
      ctx.invoke(sb, { dollarUnder: o }),
    );
    const options: ListOptions = { property, groupBy, evaluate, force: Boolean(ctx.params.Force), enumerationLimit: enumerationLimit(ctx) };
    return ctx.write(formatList(items, options));
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { formatterItems, precomputeEvaluate, propertyArgs } from '../../core/format/cmdlet-support';
import { formatList, renderList, type ListOptions, type PropertyArg } from '../../core/format';
import { badPropertyArgument } from './Format-Table';

export default defineCmdlet({
  verb: 'Format',
  noun: 'List',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Formats the output as a list of properties in which each property appears on a new line.',
  outputType: ['Microsoft.PowerShell.Commands.Internal.Format.FormatStartData'],
  parameters: [
    { name: 'Property', type: 'object[]', position: 0, description: 'The properties to show: names (wildcards allowed; * shows all), script blocks, or calculated properties @{Label=…; Expression=…}.' },
    { name: 'GroupBy', type: 'object', description: 'Starts a new group for each value of this property (or calculated property); the input should be sorted by it.' },
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
    const property = propertyArgs(ctx.params.Property as unknown[] | undefined);
    const groupBy = ctx.params.GroupBy as PropertyArg | undefined;
    const evaluate = await precomputeEvaluate([...(property ?? []), ...(groupBy !== undefined ? [groupBy] : [])], formatterItems(items), (sb, o) =>
      ctx.invoke(sb, { dollarUnder: o }),
    );
    const options: ListOptions = { property, groupBy, evaluate };
    try {
      renderList(items.slice(0, 1), options);
    } catch (e) {
      badPropertyArgument(ctx, e, 'FormatListCommand');
    }
    return ctx.write(formatList(items, options));
  },
});

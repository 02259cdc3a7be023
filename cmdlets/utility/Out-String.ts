import { defineCmdlet } from '../../core/engine/cmdlet';
import { formatToString } from '../../core/format';

export default defineCmdlet({
  verb: 'Out',
  noun: 'String',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Outputs input objects as a string.',
  defaultParameterSet: 'NoNewLineFormatting',
  outputType: ['System.String'],
  parameters: [
    { name: 'Stream', type: 'switch', sets: ['StreamFormatting'], description: 'Sends each line of the formatted text as a separate string.' },
    { name: 'NoNewline', type: 'switch', sets: ['NoNewLineFormatting'], description: 'Removes every newline character from the formatted text.' },
    { name: 'Width', type: 'int', description: 'The number of characters in each line of output; longer lines are truncated or wrapped as the format says. Without it, the width of the host.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to write as a string.' },
  ],
  begin(ctx) {
    ctx.state.items = [];
  },
  process(ctx) {
    if (ctx.params.InputObject !== undefined) ctx.state.items.push(ctx.params.InputObject);
  },
  end(ctx) {
    const items: unknown[] = ctx.state.items;
    const width = (ctx.params.Width as number | undefined) ?? ctx.hostWidth;
    if (ctx.params.Stream) return ctx.writeAll(formatToString(items, { width, stream: true }));
    if (items.length === 0) return;
    const text = formatToString(items, { width });
    return ctx.write(ctx.params.NoNewline ? text.replace(/\r?\n/g, '') : text);
  },
});

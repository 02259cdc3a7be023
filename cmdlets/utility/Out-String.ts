import { defineCmdlet } from '../../core/engine/cmdlet';
import { formatToString } from '../../core/format';
import { enumerationLimit } from './Format-Table';

export default defineCmdlet({
  verb: 'Out',
  noun: 'String',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Outputs input objects as a string.',
  defaultParameterSet: 'NoNewLineFormatting',
  outputType: ['System.String'],
  parameters: [
    { name: 'Stream', type: 'switch', sets: ['StreamFormatting'], description: 'Sends each line of the formatted text as a separate string.' },
    { name: 'NoNewline', type: 'switch', sets: ['NoNewLineFormatting'], description: 'Removes the newlines that end the lines of the formatted text (newlines inside strings are kept).' },
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
    const opts = { width: (ctx.params.Width as number | undefined) ?? ctx.hostWidth, enumerationLimit: enumerationLimit(ctx) };
    if (ctx.params.Stream) return ctx.writeAll(formatToString(items, { ...opts, stream: true }));
    if (items.length === 0) return;
    if (!ctx.params.NoNewline) return ctx.write(formatToString(items, opts));
    // -NoNewline: the lines are written back to back; a string is written as it is, so the
    // newlines inside it stay (pwsh: "a`n", "b" | Out-String -NoNewline is "a`nb").
    let text = '';
    let run: unknown[] = [];
    const flush = () => {
      if (run.length) text += formatToString(run, { ...opts, stream: true }).join('');
      run = [];
    };
    for (const item of items) {
      if (typeof item === 'string') {
        flush();
        text += item;
      } else run.push(item);
    }
    flush();
    return ctx.write(text);
  },
});

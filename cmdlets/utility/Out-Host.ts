import { defineCmdlet } from '../../core/engine/cmdlet';
import type { OutputFormatter } from '../../core/format';
import { enumerationLimit } from './Format-Table';

export default defineCmdlet({
  verb: 'Out',
  noun: 'Host',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Sends output to the command line.',
  parameters: [{ name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to write to the host.' }],
  begin(ctx) {
    const { OutputFormatter } = require('../../core/format') as typeof import('../../core/format');
    ctx.state.formatter = new OutputFormatter({ width: ctx.hostWidth, enumerationLimit: enumerationLimit(ctx) });
  },
  process(ctx) {
    if (ctx.params.InputObject === undefined) return;
    emit(ctx, (ctx.state.formatter as OutputFormatter).write(ctx.params.InputObject));
  },
  end(ctx) {
    emit(ctx, (ctx.state.formatter as OutputFormatter).flush());
  },
});

/** Formatted text goes to the host as Out-Default would print it; nothing goes down the pipeline. */
function emit(ctx: { writeHost(text: string, o?: { noNewline?: boolean }): void }, text: string): void {
  if (text) ctx.writeHost(text.endsWith('\n') ? text.slice(0, -1) : text);
}

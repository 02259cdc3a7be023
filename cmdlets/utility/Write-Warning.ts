import { defineCmdlet } from '../../core/engine/cmdlet';

export default defineCmdlet({
  verb: 'Write',
  noun: 'Warning',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes a warning message.',
  parameters: [
    { name: 'Message', type: 'string', mandatory: true, position: 0, valueFromPipeline: true, aliases: ['Msg'], description: 'The message text.' },
  ],
  process(ctx) {
    ctx.writeWarning(ctx.params.Message as string);
  },
});

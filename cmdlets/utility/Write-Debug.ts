import { defineCmdlet } from '../../core/engine/cmdlet';

export default defineCmdlet({
  verb: 'Write',
  noun: 'Debug',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes a debug message to the console.',
  parameters: [
    { name: 'Message', type: 'string', mandatory: true, position: 0, valueFromPipeline: true, aliases: ['Msg'], description: 'The message text.' },
  ],
  process(ctx) {
    ctx.writeDebug(ctx.params.Message as string);
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';

export default defineCmdlet({
  verb: 'Write',
  noun: 'Verbose',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes text to the verbose message stream.',
  parameters: [
    { name: 'Message', type: 'string', mandatory: true, position: 0, valueFromPipeline: true, aliases: ['Msg'], description: 'The message text.' },
  ],
  process(ctx) {
    ctx.writeVerbose(ctx.params.Message as string);
  },
});

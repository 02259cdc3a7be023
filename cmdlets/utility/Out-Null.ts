import { defineCmdlet } from '../../core/engine/cmdlet';

export default defineCmdlet({
  verb: 'Out',
  noun: 'Null',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Hides the output instead of sending it down the pipeline or displaying it.',
  parameters: [{ name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to discard.' }],
  process() {
    // Output is discarded: nothing is written to any stream.
  },
});

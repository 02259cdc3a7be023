import { defineCmdlet } from '../../core/engine/cmdlet';

export default defineCmdlet({
  verb: 'Write',
  noun: 'Output',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes the specified objects to the pipeline.',
  outputType: ['System.Object'],
  parameters: [
    {
      name: 'InputObject', type: 'object[]', mandatory: true, position: 0, valueFromPipeline: true,
      valueFromRemainingArguments: true, description: 'The objects to send down the pipeline.',
    },
    { name: 'NoEnumerate', type: 'switch', description: 'Writes a collection as one object instead of its elements.' },
  ],
  process(ctx) {
    const items = ctx.params.InputObject as unknown[];
    if (ctx.params.NoEnumerate) return ctx.write(items.length === 1 ? items[0] : items);
    return ctx.writeAll(items);
  },
});

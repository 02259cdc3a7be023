import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { convertFromJsonInputs, JsonConversionError } from '../../core/serialization';

const CLASS = 'Microsoft.PowerShell.Commands.ConvertFromJsonCommand';

export default defineCmdlet({
  verb: 'ConvertFrom',
  noun: 'Json',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Converts a JSON-formatted string to a custom object or a hash table.',
  outputType: ['System.Management.Automation.PSObject'],
  parameters: [
    { name: 'InputObject', type: 'object', position: 0, mandatory: true, valueFromPipeline: true, description: 'The JSON text. Several pipeline strings are separate documents, or the lines of one document.' },
    { name: 'AsHashtable', type: 'switch', description: 'Converts JSON objects to ordered hash tables instead of PSCustomObjects.' },
    { name: 'Depth', type: 'int', description: 'The deepest nesting allowed (default 1024).' },
    { name: 'NoEnumerate', type: 'switch', description: 'Writes a JSON array as one object instead of its elements.' },
  ],
  begin(ctx) {
    const depth = ctx.params.Depth;
    if (depth !== undefined && (depth as number) <= 0) {
      ctx.throwTerminating(
        new ErrorRecord({
          message: `Cannot validate argument on parameter 'Depth'. The argument "${String(depth)}" cannot be validated because its value is not greater than zero.`,
          errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
          category: 'InvalidData',
          exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
        }),
      );
    }
    ctx.state.inputs = [];
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    ctx.state.inputs.push(v === null || v === undefined ? '' : String(v));
  },
  async end(ctx) {
    let docs: unknown[];
    try {
      docs = convertFromJsonInputs(ctx.state.inputs, {
        asHashtable: Boolean(ctx.params.AsHashtable),
        depth: ctx.params.Depth as number | undefined,
      });
    } catch (e) {
      if (!(e instanceof JsonConversionError)) throw e;
      return ctx.throwTerminating(
        new ErrorRecord({
          message: e.message,
          errorId: `System.ArgumentException,${CLASS}`,
          category: 'ParserError',
          exceptionType: 'System.ArgumentException',
          cause: e,
        }),
      );
    }
    for (const d of docs) {
      if (d === null && ctx.state.inputs.every((s: string) => s.trim() === '')) continue;
      if (Array.isArray(d) && !ctx.params.NoEnumerate) await ctx.writeAll(d);
      else await ctx.write(d);
    }
  },
});

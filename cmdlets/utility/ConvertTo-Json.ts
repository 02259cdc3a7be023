import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { convertToJson, jsonDepthWarning, JsonSerializationError } from '../../core/serialization';

const CLASS = 'Microsoft.PowerShell.Commands.ConvertToJsonCommand';

export default defineCmdlet({
  verb: 'ConvertTo',
  noun: 'Json',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Converts an object to a JSON-formatted string.',
  outputType: ['System.String'],
  parameters: [
    { name: 'InputObject', type: 'object', position: 0, mandatory: true, valueFromPipeline: true, description: 'The objects to convert; several pipeline objects become one JSON array.' },
    { name: 'Depth', type: 'int', description: 'How many levels of contained objects are written (0 to 100, default 2); deeper ones become their string form and a warning is written.' },
    { name: 'Compress', type: 'switch', description: 'Omits white space and indentation.' },
    { name: 'EnumsAsStrings', type: 'switch', description: 'Writes enumeration values as their names (values here are already names or numbers).' },
    { name: 'AsArray', type: 'switch', description: 'Writes a JSON array even for a single object.' },
    { name: 'EscapeHandling', type: 'string', validateSet: ['Default', 'EscapeNonAscii', 'EscapeHtml'], description: 'Which characters are escaped: Default (control characters), EscapeNonAscii, or EscapeHtml.' },
  ],
  begin(ctx) {
    const depth = ctx.params.Depth;
    if (depth !== undefined && ((depth as number) < 0 || (depth as number) > 100)) {
      const d = depth as number;
      ctx.throwTerminating(
        new ErrorRecord({
          message:
            d > 100
              ? `Cannot validate argument on parameter 'Depth'. The ${d} argument is greater than the maximum allowed range of 100. Supply an argument that is less than or equal to 100 and then try the command again.`
              : `Cannot validate argument on parameter 'Depth'. The ${d} argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again.`,
          errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
          category: 'InvalidData',
          exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
        }),
      );
    }
    ctx.state.inputs = [];
  },
  process(ctx) {
    if (ctx.boundParameters.has('InputObject')) ctx.state.inputs.push(ctx.params.InputObject === undefined ? null : ctx.params.InputObject);
  },
  end(ctx) {
    const inputs: unknown[] = ctx.state.inputs;
    if (inputs.length === 0) return;
    const depth = (ctx.params.Depth as number | undefined) ?? 2;
    // One object is written as itself; several (or -AsArray) as an array of them, as pwsh does.
    const value = inputs.length > 1 || ctx.params.AsArray ? inputs : inputs[0];
    let result;
    try {
      result = convertToJson(value, {
        depth,
        compress: Boolean(ctx.params.Compress),
        escapeHandling: ctx.params.EscapeHandling as 'Default' | 'EscapeNonAscii' | 'EscapeHtml' | undefined,
      });
    } catch (e) {
      if (!(e instanceof JsonSerializationError)) throw e;
      return ctx.throwTerminating(
        new ErrorRecord({
          message: e.message,
          errorId: `System.NotSupportedException,${CLASS}`,
          category: 'NotSpecified',
          exceptionType: 'System.NotSupportedException',
        }),
      );
    }
    if (result.truncated) ctx.writeWarning(jsonDepthWarning(depth));
    return ctx.write(result.text);
  },
});

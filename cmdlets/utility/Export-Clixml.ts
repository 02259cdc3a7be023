import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { ClixmlWriter } from '../../core/serialization';
import { encodeText, ENCODING_NAMES } from './filesystem';
import { openOutputFile, writeOutputFile } from './outputfile';

const CLASS = 'ExportClixmlCommand';

export default defineCmdlet({
  verb: 'Export',
  noun: 'Clixml',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Creates an XML-based representation of an object or objects and stores it in a file.',
  defaultParameterSet: 'ByPath',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  parameters: [
    { name: 'Path', type: 'string', position: 0, mandatory: true, sets: ['ByPath'], description: 'The file to write (wildcards must name one existing file).' },
    { name: 'LiteralPath', type: 'string', aliases: ['PSPath', 'LP'], mandatory: true, sets: ['ByLiteralPath'], description: 'The file to write, taken literally.' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, description: 'The objects to serialize.' },
    { name: 'Depth', type: 'int', description: 'How many levels of contained objects are written (default 2); deeper ones become strings.' },
    { name: 'Force', type: 'switch', description: 'Overwrites a read-only file.' },
    { name: 'NoClobber', type: 'switch', aliases: ['NoOverwrite'], description: 'Refuses to overwrite an existing file.' },
    { name: 'Encoding', type: 'string', validateSet: ENCODING_NAMES, description: 'The file encoding (default utf8NoBOM).' },
  ],
  async begin(ctx) {
    const depth = ctx.params.Depth as number | undefined;
    if (depth !== undefined && depth < 1) {
      ctx.throwTerminating(
        new ErrorRecord({
          message: `Cannot validate argument on parameter 'Depth'. The ${depth} argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.`,
          errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
          category: 'InvalidData',
          exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
        }),
      );
    }
    ctx.state.target = await openOutputFile(ctx, CLASS);
    ctx.state.writer = new ClixmlWriter({ depth: depth ?? 2 });
  },
  process(ctx) {
    if (ctx.state.target === null) return;
    (ctx.state.writer as ClixmlWriter).add(ctx.params.InputObject === undefined ? null : ctx.params.InputObject);
  },
  end(ctx) {
    if (ctx.state.target === null) return;
    const text = (ctx.state.writer as ClixmlWriter).toString();
    writeOutputFile(ctx, CLASS, ctx.state.target, encodeText(text, ctx.params.Encoding as string | undefined, true), false, ctx.state.restoreMode);
  },
});

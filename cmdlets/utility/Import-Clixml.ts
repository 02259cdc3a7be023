import * as fs from 'node:fs';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { ClixmlError, convertFromClixml, decodeClixmlBytes } from '../../core/serialization';
import { ioError, isDirectory, pathArguments, resolveExisting } from './filesystem';

const CLASS = 'Microsoft.PowerShell.Commands.ImportClixmlCommand';

export default defineCmdlet({
  verb: 'Import',
  noun: 'Clixml',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Imports a CLIXML file and creates corresponding objects in PowerShell.',
  defaultParameterSet: 'ByPath',
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipelineByPropertyName: true, sets: ['ByPath'], description: 'The CLIXML files to read. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['ByLiteralPath'], description: 'The CLIXML files to read, taken literally.' },
    { name: 'First', type: 'long', description: 'Gets only this many objects (from each file).' },
    { name: 'Skip', type: 'long', description: 'Skips this many objects (in each file) first.' },
  ],
  async process(ctx) {
    const { paths, literal } = pathArguments(ctx);
    for (const full of resolveExisting(ctx, paths, literal, 'ImportClixmlCommand')) {
      let text: string;
      try {
        if (isDirectory(full)) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
        text = decodeClixmlBytes(fs.readFileSync(full));
      } catch (e) {
        ctx.writeError(ioError(e, `FileOpenFailure,${CLASS}`, 'OpenError', full));
        continue;
      }
      let values: unknown[];
      try {
        values = convertFromClixml(text);
      } catch (e) {
        if (!(e instanceof ClixmlError)) throw e;
        return ctx.throwTerminating(
          new ErrorRecord({
            message: e.message,
            errorId: `System.Xml.XmlException,${CLASS}`,
            category: 'NotSpecified',
            exceptionType: 'System.Xml.XmlException',
            targetObject: full,
            cause: e,
          }),
        );
      }
      const skip = ctx.params.Skip === undefined ? 0 : Number(ctx.params.Skip);
      const first = ctx.params.First === undefined ? Infinity : Number(ctx.params.First);
      for (const v of values.slice(skip, skip + first)) await ctx.write(v);
    }
  },
});

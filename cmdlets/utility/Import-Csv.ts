import * as fs from 'node:fs';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { checkDelimiterArgument, csvReadParameters, readCsv } from './csv';
import { decodeText, ENCODING_NAMES, ioError, isDirectory, pathArguments, resolveExisting } from './filesystem';

export default defineCmdlet({
  verb: 'Import',
  noun: 'Csv',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Creates table-like custom objects from the items in a character-separated value (CSV) file.',
  defaultParameterSet: 'DelimiterPath',
  outputType: ['System.Management.Automation.PSObject'],
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['DelimiterPath', 'CulturePath'], description: 'The CSV files to read. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['DelimiterLiteralPath', 'CultureLiteralPath'], description: 'The CSV files to read, taken literally.' },
    ...csvReadParameters.map((p) => ({ ...p, sets: p.sets?.filter((s) => s !== 'Delimiter' && s !== 'UseCulture') })),
    { name: 'Encoding', type: 'string', validateSet: ENCODING_NAMES, description: 'The file encoding when it has no byte-order mark (default utf8NoBOM).' },
  ],
  begin(ctx) {
    checkDelimiterArgument(ctx);
  },
  async process(ctx) {
    const { paths, literal } = pathArguments(ctx);
    for (const full of resolveExisting(ctx, paths, literal, 'ImportCsvCommand')) {
      let text: string;
      try {
        if (isDirectory(full)) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
        text = decodeText(fs.readFileSync(full), ctx.params.Encoding as string | undefined);
      } catch (e) {
        ctx.writeError(ioError(e, 'FileOpenFailure,Microsoft.PowerShell.Commands.ImportCsvCommand', 'OpenError', full));
        continue;
      }
      const r = readCsv(ctx, text, 'ImportCsvCommand');
      if (r) await ctx.writeAll(r.objects);
    }
  },
});

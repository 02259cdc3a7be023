import { defineCmdlet } from '../../core/engine/cmdlet';
import { checkDelimiterArgument, csvReadParameters, readCsv } from './csv';

export default defineCmdlet({
  verb: 'ConvertFrom',
  noun: 'Csv',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Converts character-separated value (CSV) strings into objects.',
  defaultParameterSet: 'Delimiter',
  outputType: ['System.Management.Automation.PSObject'],
  parameters: [
    { name: 'InputObject', type: 'string[]', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, description: 'The CSV lines: the header line first (unless -Header), then one line per object.' },
    ...csvReadParameters.map((p) => ({ ...p, sets: p.sets?.filter((s) => s === 'Delimiter' || s === 'UseCulture') })),
  ],
  begin(ctx) {
    checkDelimiterArgument(ctx);
    ctx.state.lines = [];
  },
  process(ctx) {
    for (const line of (ctx.params.InputObject as string[] | null) ?? []) ctx.state.lines.push(line);
  },
  end(ctx) {
    const r = readCsv(ctx, ctx.state.lines as string[], 'ConvertFromCsvCommand');
    if (r) return ctx.writeAll(r.objects);
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { checkDelimiterArgument, CsvLineWriter, csvWriteParameters } from './csv';

export default defineCmdlet({
  verb: 'ConvertTo',
  noun: 'Csv',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Converts objects into a series of character-separated value (CSV) strings.',
  defaultParameterSet: 'Delimiter',
  outputType: ['System.String'],
  parameters: csvWriteParameters.map((p) => (p.name === 'InputObject' ? { ...p, position: 0 } : p)),
  begin(ctx) {
    checkDelimiterArgument(ctx);
    ctx.state.writer = new CsvLineWriter(ctx);
  },
  process(ctx) {
    // $null input writes nothing, and neither does an empty header or row (ConvertToCsvCommand).
    const input = ctx.params.InputObject;
    if (input === null || input === undefined) return;
    return ctx.writeAll((ctx.state.writer as CsvLineWriter).lines(input).filter((l) => l !== ''));
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import type { Scope } from '../../core/engine/session';
import { enumerationLimit } from './Format-Table';
import { resolveUserPath, TextFileWriter } from './Out-File';

export default defineCmdlet({
  verb: 'Tee',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Saves command output in a file or variable and also sends it down the pipeline.',
  defaultParameterSet: 'File',
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to save and pass on.' },
    { name: 'FilePath', type: 'string', mandatory: true, position: 0, aliases: ['Path'], sets: ['File'], description: 'The file that receives the formatted output, relative to the current location.' },
    { name: 'LiteralPath', type: 'string', mandatory: true, aliases: ['PSPath', 'LP'], sets: ['LiteralFile'], description: 'The file that receives the formatted output, used exactly as written.' },
    { name: 'Append', type: 'switch', sets: ['File', 'LiteralFile'], description: 'Adds the output to the end of the file instead of replacing its content.' },
    { name: 'Variable', type: 'string', mandatory: true, sets: ['Variable'], description: 'The variable (name without $) that receives the objects.' },
  ],
  begin(ctx) {
    const p = ctx.params;
    ctx.state.items = [];
    if (ctx.parameterSetName === 'Variable') return;
    ctx.state.writer = new TextFileWriter(ctx, 'TeeObjectCommand', resolveUserPath(ctx, (p.FilePath ?? p.LiteralPath) as string), {
      append: Boolean(p.Append),
      encoding: 'utf8',
      width: ctx.hostWidth,
      enumerationLimit: enumerationLimit(ctx),
    });
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v === undefined) return;
    const writer = ctx.state.writer as TextFileWriter | undefined;
    if (writer) writer.write(v);
    else ctx.state.items.push(v);
    return ctx.write(v);
  },
  end(ctx) {
    const writer = ctx.state.writer as TextFileWriter | undefined;
    if (writer) {
      writer.close();
      return;
    }
    // As Set-Variable with pipeline input: one object is stored as itself, several as an array.
    const items: unknown[] = ctx.state.items;
    (ctx.scope as Scope).setLocal(ctx.params.Variable as string, items.length === 0 ? null : items.length === 1 ? items[0] : items);
  },
});

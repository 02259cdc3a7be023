import { defineCmdlet } from '../../core/engine/cmdlet';
import { resolveExisting } from './filesystem';

/** The FileSystem provider's MakePath on Unix: `\` is a separator too; one `/` between the parts. */
export function joinTwo(parent: string, child: string): string {
  const a = parent.replace(/\\/g, '/');
  const b = child.replace(/\\/g, '/');
  if (a === '') return b;
  if (b === '') return a.endsWith('/') ? a : a + '/';
  return a.replace(/\/+$/, '') + '/' + b.replace(/^\/+/, '');
}

export default defineCmdlet({
  verb: 'Join',
  noun: 'Path',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Combines a path and a child path into a single path.',
  outputType: ['System.String'],
  parameters: [
    { name: 'Path', type: 'string[]', aliases: ['PSPath'], position: 0, mandatory: true, valueFromPipelineByPropertyName: true, description: 'The main path (or paths) to which the child path is appended.' },
    { name: 'ChildPath', type: 'object', position: 1, mandatory: true, valueFromPipelineByPropertyName: true, description: 'The path to append to each -Path value (may be empty).' },
    { name: 'AdditionalChildPath', type: 'string[]', position: 2, valueFromRemainingArguments: true, description: 'Further path elements, appended in order.' },
    { name: 'Resolve', type: 'switch', description: 'Returns the existing items the joined path names (wildcards expanded); a missing one is an error.' },
  ],
  async process(ctx) {
    const child = ctx.params.ChildPath === null || ctx.params.ChildPath === undefined ? '' : String(ctx.params.ChildPath);
    const more = (ctx.params.AdditionalChildPath as string[] | undefined) ?? [];
    for (const parent of ctx.params.Path as string[]) {
      let joined = joinTwo(parent, child);
      for (const m of more) joined = joinTwo(joined, String(m));
      if (ctx.params.Resolve) await ctx.writeAll(resolveExisting(ctx, [joined], false, 'JoinPathCommand'));
      else await ctx.write(joined);
    }
  },
});

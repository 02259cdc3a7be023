import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { pathArguments, resolveExisting } from './filesystem';

/** Trailing separators do not count (`a/b/` is `a/b`), except for the root itself. */
function trimEnd(p: string): string {
  const s = p.replace(/\\/g, '/');
  const t = s.replace(/\/+$/, '');
  return t === '' && s.startsWith('/') ? '/' : t;
}

function parentOf(p: string): string {
  const s = trimEnd(p);
  if (s === '/' || s === '') return '';
  const i = s.lastIndexOf('/');
  if (i < 0) return '';
  if (i === 0) return '/';
  const parent = s.slice(0, i).replace(/\/+$/, '') || '/';
  // The parent of `C:\Temp` is the drive's root, `C:/`.
  return /^[A-Za-z]+:$/.test(parent) ? parent + '/' : parent;
}

function leafOf(p: string): string {
  const s = trimEnd(p);
  if (s === '/') return '';
  const i = s.lastIndexOf('/');
  return i < 0 ? s : s.slice(i + 1);
}

/** Path.GetExtension: from the last dot on (`.bashrc` is all extension); a trailing dot gives ''. */
function dotnetExtension(leaf: string): string {
  const dot = leaf.lastIndexOf('.');
  return dot < 0 || dot === leaf.length - 1 ? '' : leaf.slice(dot);
}

const sets = ['ParentSet', 'LeafSet', 'LeafBaseSet', 'ExtensionSet', 'QualifierSet', 'NoQualifierSet', 'IsAbsoluteSet'];
const literalSets = sets.map((s) => 'Literal' + s);

export default defineCmdlet({
  verb: 'Split',
  noun: 'Path',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Returns the specified part of a path.',
  defaultParameterSet: 'ParentSet',
  outputType: ['System.String', 'System.Boolean'],
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets, description: 'The paths to split.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: literalSets, description: 'The paths to split, taken literally.' },
    { name: 'Parent', type: 'switch', sets: ['ParentSet', 'LiteralParentSet'], description: 'Returns the parent container (the default).' },
    { name: 'Leaf', type: 'switch', sets: ['LeafSet', 'LiteralLeafSet'], description: 'Returns the last element of the path.' },
    { name: 'LeafBase', type: 'switch', sets: ['LeafBaseSet', 'LiteralLeafBaseSet'], description: 'Returns the last element without its extension.' },
    { name: 'Extension', type: 'switch', sets: ['ExtensionSet', 'LiteralExtensionSet'], description: 'Returns the extension of the last element (with the dot).' },
    { name: 'Qualifier', type: 'switch', sets: ['QualifierSet', 'LiteralQualifierSet'], description: 'Returns the drive qualifier (`C:`); a path without one is an error.' },
    { name: 'NoQualifier', type: 'switch', sets: ['NoQualifierSet', 'LiteralNoQualifierSet'], description: 'Returns the path without its drive qualifier.' },
    { name: 'IsAbsolute', type: 'switch', sets: ['IsAbsoluteSet', 'LiteralIsAbsoluteSet'], description: 'Returns $true when the path is absolute.' },
    { name: 'Resolve', type: 'switch', description: 'Resolves the paths (wildcards, relative paths) to existing items first.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    let { paths, literal } = pathArguments(ctx);
    if (p.Resolve) paths = resolveExisting(ctx, paths, literal, 'SplitPathCommand');
    for (const given of paths) {
      const qualifier = /^([A-Za-z]+):/.exec(given);
      let result: string | boolean;
      if (p.IsAbsolute) result = given.startsWith('/') || given.startsWith('\\') || /^[A-Za-z]+:[\\/]/.test(given);
      else if (p.Qualifier) {
        if (!qualifier) {
          ctx.writeError(
            new ErrorRecord({
              message: `Cannot parse path because path '${given}' does not have a qualifier specified.`,
              errorId: 'ParsePathFormatError,Microsoft.PowerShell.Commands.SplitPathCommand',
              category: 'InvalidArgument',
              exceptionType: 'System.Management.Automation.PSArgumentException',
              targetObject: given,
            }),
          );
          continue;
        }
        result = qualifier[0];
      } else if (p.NoQualifier) result = qualifier ? given.slice(qualifier[0].length) : given;
      else if (p.Leaf) result = leafOf(given);
      else if (p.LeafBase) {
        const leaf = leafOf(given);
        const dot = leaf.lastIndexOf('.');
        result = dot >= 0 ? leaf.slice(0, dot) : leaf;
      } else if (p.Extension) result = dotnetExtension(leafOf(given));
      else result = parentOf(given);
      await ctx.write(result);
    }
  },
});

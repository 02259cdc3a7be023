import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { wildcardMatch } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { promptChoice } from '../../core/engine/streams';
import { caseSensitivePaths, ioError, pathArguments, resolveExisting } from './filesystem';

const CLASS = 'Microsoft.PowerShell.Commands.RemoveItemCommand';

function matchesAny(name: string, patterns: unknown): boolean {
  return (patterns as string[]).some((pt) => wildcardMatch(name, String(pt), caseSensitivePaths));
}

export default defineCmdlet({
  verb: 'Remove',
  noun: 'Item',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Deletes the specified items.',
  defaultParameterSet: 'Path',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The items to remove. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The items to remove, taken literally.' },
    { name: 'Filter', type: 'string', description: 'Removes only the items whose name matches this wildcard.' },
    { name: 'Include', type: 'string[]', description: 'Removes only the items whose name matches one of these wildcards.' },
    { name: 'Exclude', type: 'string[]', description: 'Leaves out the items whose name matches one of these wildcards.' },
    { name: 'Recurse', type: 'switch', description: 'Removes a directory with everything in it, without asking.' },
    { name: 'Force', type: 'switch', description: 'Also removes read-only files, and lets wildcards match hidden names.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    const session = ctx.session as SessionState;
    const { paths, literal } = pathArguments(ctx);
    for (const full of resolveExisting(ctx, paths, literal, 'RemoveItemCommand', Boolean(p.Force))) {
      const name = path.basename(full);
      if (p.Filter !== undefined && !matchesAny(name, [p.Filter])) continue;
      if (p.Include && !matchesAny(name, p.Include)) continue;
      if (p.Exclude && matchesAny(name, p.Exclude)) continue;
      const st = fs.lstatSync(full);
      const isDir = st.isDirectory();
      if (isDir && !p.Recurse) {
        let children: string[] = [];
        try {
          children = fs.readdirSync(full);
        } catch {
          children = [];
        }
        if (children.length > 0) {
          if (ctx.state.noToAll) continue;
          if (!ctx.state.yesToAll) {
            const answer = await promptChoice(
              session,
              'Confirm',
              `The item at ${full} has children and the Recurse parameter was not specified. If you continue, all children will be removed with the item. Are you sure you want to continue?`,
              ['&Yes', 'Yes to &All', '&No', 'No to A&ll', '&Suspend'],
              0,
            );
            if (answer === 1) ctx.state.yesToAll = true;
            if (answer === 3) ctx.state.noToAll = true;
            if (answer !== 0 && answer !== 1) continue;
          }
        }
      }
      if (!(await ctx.shouldProcess(full, isDir ? 'Remove Directory' : 'Remove File'))) continue;
      // A read-only file needs -Force (FileSystemProvider.RemoveItem; Pester Remove-Item.Tests.ps1).
      if (!isDir && !st.isSymbolicLink() && (st.mode & 0o200) === 0 && !p.Force) {
        ctx.writeError(
          new ErrorRecord({
            message: `Cannot remove item ${full}: You do not have sufficient access rights to perform this operation or the item is hidden, system, or read only.`,
            errorId: `RemoveFileSystemItemUnAuthorizedAccess,${CLASS}`,
            category: 'PermissionDenied',
            exceptionType: 'System.UnauthorizedAccessException',
            targetObject: full,
          }),
        );
        continue;
      }
      try {
        if (isDir) fs.rmSync(full, { recursive: true });
        else fs.unlinkSync(full);
      } catch (e) {
        const id = isDir ? 'RemoveFileSystemItemIOError' : 'RemoveFileSystemItemUnAuthorizedAccess';
        ctx.writeError(ioError(e, `${id},${CLASS}`, 'WriteError', full));
      }
    }
  },
});

// Opening an output file the way pwsh's PathUtils.MasterStreamOpen does for Export-Clixml and
// Export-Csv: resolve the path (wildcards must name one file), honour -NoClobber, -Force
// (read-only files) and -WhatIf/-Confirm. Not a cmdlet (lower-case file name).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard } from '../../core/engine/operators';
import { fullPath, globPath, ioError, isDirectory, normalizeInput, unescapeWildcard } from './filesystem';

/** The target of an Export-* cmdlet, or null when -WhatIf (or a No to -Confirm) means no file is written. */
export async function openOutputFile(ctx: CmdletContext, className: string, opts: { append?: boolean } = {}): Promise<string | null> {
  const literal = ctx.params.LiteralPath !== undefined;
  const given = String(literal ? ctx.params.LiteralPath : ctx.params.Path);
  let target: string;
  if (!literal && hasWildcard(normalizeInput(given))) {
    const matches = globPath(ctx, given);
    if (matches.length > 1) {
      return ctx.throwTerminating(
        new ErrorRecord({
          message: 'Cannot perform operation because the path resolved to more than one file. This command cannot operate on multiple files.',
          errorId: `ReadWriteMultipleFilesNotSupported,Microsoft.PowerShell.Commands.${className}`,
          category: 'InvalidArgument',
          exceptionType: 'System.Management.Automation.PSInvalidOperationException',
          targetObject: given,
        }),
      );
    }
    if (matches.length === 0) {
      return ctx.throwTerminating(
        new ErrorRecord({
          message: `Cannot perform operation because the wildcard path ${given} did not resolve to a file.`,
          errorId: `FileOpenFailure,Microsoft.PowerShell.Commands.${className}`,
          category: 'OpenError',
          exceptionType: 'System.IO.FileNotFoundException',
          targetObject: given,
        }),
      );
    }
    target = matches[0];
  } else target = fullPath(ctx, literal ? given : unescapeWildcard(given));
  if (!(await ctx.shouldProcess(target))) return null;
  const exists = fs.existsSync(target);
  if (exists && ctx.params.NoClobber && !opts.append) {
    return ctx.throwTerminating(
      new ErrorRecord({
        message: `File ${given} already exists and NoClobber was specified.`,
        errorId: `NoClobber,Microsoft.PowerShell.Commands.${className}`,
        category: 'ResourceExists',
        exceptionType: 'System.IO.IOException',
        targetObject: target,
      }),
    );
  }
  const fail = (e: unknown): never =>
    ctx.throwTerminating(ioError(e, `FileOpenFailure,Microsoft.PowerShell.Commands.${className}`, 'OpenError', target));
  if (isDirectory(target)) fail(Object.assign(new Error('directory'), { code: 'EISDIR' }));
  if (!isDirectory(path.dirname(target))) fail(Object.assign(new Error('missing'), { code: 'ENOENT' }));
  if (exists) {
    const mode = fs.statSync(target).mode;
    if ((mode & 0o200) === 0) {
      if (!ctx.params.Force) fail(Object.assign(new Error('read-only'), { code: 'EACCES' }));
      // -Force writes a read-only file; the file is read-only again once written (CleanUp).
      fs.chmodSync(target, mode | 0o200);
      ctx.state.restoreMode = mode & 0o7777;
    }
  }
  return target;
}

/** Writes the finished file; an I/O failure is pwsh's FileOpenFailure. */
export function writeOutputFile(ctx: CmdletContext, className: string, target: string, data: Buffer, append: boolean, restoreMode?: number): void {
  try {
    if (append) fs.appendFileSync(target, data);
    else fs.writeFileSync(target, data);
  } catch (e) {
    ctx.throwTerminating(ioError(e, `FileOpenFailure,Microsoft.PowerShell.Commands.${className}`, 'OpenError', target));
  } finally {
    if (restoreMode !== undefined) fs.chmodSync(target, restoreMode);
  }
}

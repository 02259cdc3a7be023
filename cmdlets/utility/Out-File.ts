import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import type { SessionState } from '../../core/engine/session';
import type { OutputFormatter } from '../../core/format';
import { encodeText, ENCODING_NAMES, preamble } from '../../core/format/cmdlet-support';
import { enumerationLimit } from './Format-Table';

/** A path as the user wrote it, resolved against the session's current location (`~` is home). */
export function resolveUserPath(ctx: CmdletContext, p: string): string {
  const cwd = (ctx.session as SessionState).cwd;
  const expanded = p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
  return path.resolve(cwd, expanded);
}

/** pwsh's PathUtils.ReportFileOpenFailure: the .NET exception's text, id FileOpenFailure. */
function openFailure(ctx: CmdletContext, command: string, full: string, e: NodeJS.ErrnoException): never {
  const notFound = e.code === 'ENOENT' || e.code === 'ENOTDIR';
  ctx.throwTerminating(
    new ErrorRecord({
      message: notFound ? `Could not find a part of the path '${full}'.` : `Access to the path '${full}' is denied.`,
      errorId: `FileOpenFailure,Microsoft.PowerShell.Commands.${command}`,
      category: 'OpenError',
      exceptionType: notFound ? 'System.IO.DirectoryNotFoundException' : 'System.UnauthorizedAccessException',
      targetObject: full,
    }),
  );
}

/**
 * An open output file that takes formatted text as it is produced, as Out-File and Tee-Object write
 * it: created (or truncated, or opened for appending) before any input arrives.
 */
export class TextFileWriter {
  private fd: number;
  private readonly formatter: OutputFormatter;

  constructor(
    ctx: CmdletContext,
    command: string,
    readonly fullPath: string,
    private readonly opts: { append: boolean; encoding: string; width: number; enumerationLimit: number; noClobber?: boolean; force?: boolean; noNewline?: boolean },
  ) {
    let existing: fs.Stats | null = null;
    try {
      existing = fs.statSync(fullPath);
    } catch {
      existing = null;
    }
    if (existing && opts.noClobber && !opts.append) {
      ctx.throwTerminating(
        new ErrorRecord({
          message: `The file '${fullPath}' already exists.`,
          errorId: `NoClobber,Microsoft.PowerShell.Commands.${command}`,
          category: 'ResourceExists',
          exceptionType: 'System.IO.IOException',
          targetObject: fullPath,
        }),
      );
    }
    if (existing && existing.isFile() && opts.force && (existing.mode & 0o200) === 0) fs.chmodSync(fullPath, existing.mode | 0o200);
    try {
      this.fd = fs.openSync(fullPath, opts.append ? 'a' : 'w');
    } catch (e) {
      openFailure(ctx, command, fullPath, e as NodeJS.ErrnoException);
    }
    const size = fs.fstatSync(this.fd).size;
    if (size === 0) fs.writeSync(this.fd, preamble(opts.encoding));
    const { OutputFormatter } = require('../../core/format') as typeof import('../../core/format');
    this.formatter = new OutputFormatter({ width: opts.width, console: false, enumerationLimit: opts.enumerationLimit });
  }

  write(value: unknown): void {
    if (this.opts.noNewline) {
      // -NoNewline: each object's text, newlines removed, written back to back.
      if (typeof value === 'string') this.put(value);
      else {
        const { formatToString } = require('../../core/format') as typeof import('../../core/format');
        this.put(formatToString([value], { width: this.opts.width, enumerationLimit: this.opts.enumerationLimit, stream: true }).join(''));
      }
      return;
    }
    this.put(this.formatter.write(value));
  }

  close(): void {
    if (!this.opts.noNewline) this.put(this.formatter.flush());
    fs.closeSync(this.fd);
  }

  private put(text: string): void {
    if (text) fs.writeSync(this.fd, encodeText(text, this.opts.encoding));
  }
}

export default defineCmdlet({
  verb: 'Out',
  noun: 'File',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Sends output to a file.',
  defaultParameterSet: 'ByPath',
  supportsShouldProcess: true,
  parameters: [
    { name: 'FilePath', type: 'string', mandatory: true, position: 0, aliases: ['Path'], sets: ['ByPath'], description: 'The path of the output file, relative to the current location.' },
    { name: 'LiteralPath', type: 'string', mandatory: true, aliases: ['PSPath', 'LP'], sets: ['ByLiteralPath'], description: 'The path of the output file, used exactly as written.' },
    { name: 'Encoding', type: 'string', position: 1, validateSet: ENCODING_NAMES, description: 'The encoding of the file; the default is utf8 (without a byte-order mark).' },
    { name: 'Append', type: 'switch', description: 'Adds the output to the end of an existing file.' },
    { name: 'Force', type: 'switch', description: 'Overwrites a read-only file.' },
    { name: 'NoClobber', type: 'switch', aliases: ['NoOverwrite'], description: 'Refuses to overwrite an existing file.' },
    { name: 'Width', type: 'int', description: 'The number of characters in each line of output; without it, the width of the host.' },
    { name: 'NoNewline', type: 'switch', description: 'Writes the objects text back to back, without newlines.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to write to the file.' },
  ],
  async begin(ctx) {
    const p = ctx.params;
    const full = resolveUserPath(ctx, (p.FilePath ?? p.LiteralPath) as string);
    if (!(await ctx.shouldProcess(full, 'Output to File'))) return;
    ctx.state.writer = new TextFileWriter(ctx, 'OutFileCommand', full, {
      append: Boolean(p.Append),
      encoding: (p.Encoding as string | undefined) ?? 'utf8',
      width: (p.Width as number | undefined) ?? ctx.hostWidth,
      enumerationLimit: enumerationLimit(ctx),
      noClobber: Boolean(p.NoClobber),
      force: Boolean(p.Force),
      noNewline: Boolean(p.NoNewline),
    });
  },
  process(ctx) {
    const writer = ctx.state.writer as TextFileWriter | undefined;
    if (writer && ctx.params.InputObject !== undefined) writer.write(ctx.params.InputObject);
  },
  end(ctx) {
    (ctx.state.writer as TextFileWriter | undefined)?.close();
  },
});

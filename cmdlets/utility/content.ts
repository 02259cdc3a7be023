// Set-Content and Add-Content share this writer: resolve the target files (creating those that
// do not exist), honour -WhatIf/-Confirm, and write each value's [string] form on its own line.
// Not a cmdlet (lower-case file name).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CmdletContext, ParameterDecl } from '../../core/engine/cmdlet';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { caseSensitivePaths, contentText, encodeText, ENCODING_NAMES, fullPath, globPath, ioError, isDirectory, itemNotFound, normalizeInput, pathArguments, unescapeWildcard } from './filesystem';

export const contentWriterParameters: ParameterDecl[] = [
  { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The files to write. Wildcards are allowed; a file that does not exist is created.' },
  { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The files to write, taken literally (no wildcards).' },
  { name: 'Value', type: 'object[]', position: 1, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, description: 'The content: each value is written as its string form on its own line.' },
  { name: 'PassThru', type: 'switch', description: 'Returns the values written.' },
  { name: 'NoNewline', type: 'switch', description: 'Writes the values one after another with no newlines.' },
  { name: 'Encoding', type: 'string', validateSet: ENCODING_NAMES, description: 'The text encoding (default utf8NoBOM).' },
  { name: 'Force', type: 'switch', description: 'Writes even to a read-only file.' },
  { name: 'Filter', type: 'string', description: 'Writes only files whose name matches this wildcard.' },
  { name: 'Include', type: 'string[]', description: 'Writes only files whose name matches one of these wildcards.' },
  { name: 'Exclude', type: 'string[]', description: 'Skips files whose name matches one of these wildcards.' },
];

/** Writes this record's values; `append` is Add-Content (Set-Content replaces the file on its first write). */
export async function writeContent(ctx: CmdletContext, append: boolean, className: string): Promise<void> {
  const p = ctx.params;
  const { paths, literal } = pathArguments(ctx);
  const values = p.Value === null || p.Value === undefined ? [] : (p.Value as unknown[]);
  const written: Set<string> = (ctx.state.written ??= new Set<string>());
  const targets: string[] = [];
  for (const given of paths) {
    if (!literal && hasWildcard(normalizeInput(given))) {
      const matches = globPath(ctx, given, Boolean(p.Force));
      if (matches.length === 0) ctx.writeError(itemNotFound(className, fullPath(ctx, given)));
      targets.push(...matches);
    } else targets.push(fullPath(ctx, literal ? given : unescapeWildcard(given)));
  }
  const like = (name: string, patterns: unknown[]) => patterns.some((pt) => wildcardMatch(name, String(pt), caseSensitivePaths));
  const chosen = targets.filter((t) => {
    const name = path.basename(t);
    if (p.Filter !== undefined && !like(name, [p.Filter])) return false;
    if (p.Include && !like(name, p.Include as unknown[])) return false;
    return !(p.Exclude && like(name, p.Exclude as unknown[]));
  });
  const action = append ? 'Add Content' : 'Set Content';
  const writerError = (e: unknown, target: string) => {
    const code = (e as NodeJS.ErrnoException).code;
    const id =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'GetContentWriterDirectoryNotFoundError'
        : code === 'EACCES' || code === 'EPERM' || code === 'EISDIR'
          ? 'GetContentWriterUnauthorizedAccessError'
          : 'GetContentWriterIOError';
    ctx.writeError(ioError(e, `${id},Microsoft.PowerShell.Commands.${className}`, code === 'ENOENT' ? 'ObjectNotFound' : 'WriteError', target));
  };
  for (const target of chosen) {
    if (!(await ctx.shouldProcess(`Path: ${target}`, action))) continue;
    if (isDirectory(target)) {
      writerError(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), target);
      continue;
    }
    const text = p.NoNewline ? values.map(contentText).join('') : values.map((v) => contentText(v) + '\n').join('');
    const firstWrite = !written.has(target);
    written.add(target);
    // -Force writes a read-only file; its read-only state is restored afterwards, as the
    // FileSystem provider restores the attributes it cleared.
    let restoreMode: number | null = null;
    try {
      if (p.Force && fs.existsSync(target)) {
        const mode = fs.statSync(target).mode;
        if ((mode & 0o200) === 0) {
          fs.chmodSync(target, mode | 0o200);
          restoreMode = mode & 0o7777;
        }
      }
      if (!append && firstWrite) {
        fs.writeFileSync(target, encodeText(text, p.Encoding as string | undefined, true));
      } else {
        const empty = !fs.existsSync(target) || fs.statSync(target).size === 0;
        fs.appendFileSync(target, encodeText(text, p.Encoding as string | undefined, empty));
      }
    } catch (e) {
      writerError(e, target);
    } finally {
      if (restoreMode !== null) fs.chmodSync(target, restoreMode);
    }
  }
  if (p.PassThru && chosen.length) await ctx.writeAll(values);
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { wildcardMatch } from '../../core/engine/operators';
import { ErrorRecord } from '../../core/engine/errors';
import { caseSensitivePaths, decodeText, ENCODING_NAMES, ioError, isDirectory, pathArguments, resolveExisting } from './filesystem';

/** Splits text into lines as StreamReader.ReadLine does: \r\n, \n or \r end a line; no empty last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (/(\r\n|\n|\r)$/.test(text)) lines.pop();
  return lines;
}

/**
 * Splits on a delimiter as pwsh 7 does: the delimiter is not part of the chunks, and a text
 * that ends with it has no empty last chunk (Pester Get-Content.Tests.ps1: 'll' splits
 * "Hello,llllWorlld" into 'He', 'o,', '', 'Wor', 'd').
 */
function splitDelimited(text: string, delimiter: string): string[] {
  if (text === '') return [];
  if (delimiter === '') return [text];
  const out = text.split(delimiter);
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * -Wait: polls the file and writes each line added after `offset` as it is completed (a line
 * still being written waits for its end); a file that shrinks is read again from its start.
 * Ends when the pipeline stops (Ctrl+C, or a downstream `Select-Object -First` that has its objects).
 */
async function follow(ctx: CmdletContext, full: string, offset: number, encoding: string | undefined): Promise<void> {
  let partial = '';
  while (!ctx.stopping) {
    await new Promise((r) => setTimeout(r, 100));
    let size: number;
    try {
      size = fs.statSync(full).size;
    } catch {
      continue;
    }
    if (size < offset) {
      offset = 0;
      partial = '';
    }
    if (size === offset) continue;
    const fd = fs.openSync(full, 'r');
    const chunk = Buffer.alloc(size - offset);
    try {
      fs.readSync(fd, chunk, 0, chunk.length, offset);
    } finally {
      fs.closeSync(fd);
    }
    offset = size;
    const lines = (partial + decodeText(chunk, encoding)).split(/\r\n|\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) await ctx.write(line);
  }
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Content',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Gets the content of the item at the specified location.',
  defaultParameterSet: 'Path',
  outputType: ['System.String', 'System.Byte'],
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, mandatory: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The files to read. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The files to read, taken literally (no wildcards).' },
    { name: 'ReadCount', type: 'long', valueFromPipelineByPropertyName: true, description: 'How many lines go down the pipeline at a time (default 1; 0 sends all lines in one array).' },
    { name: 'TotalCount', type: 'long', aliases: ['First', 'Head'], valueFromPipelineByPropertyName: true, description: 'Reads only this many lines from the start.' },
    { name: 'Tail', type: 'int', aliases: ['Last'], valueFromPipelineByPropertyName: true, description: 'Reads only this many lines from the end.' },
    { name: 'Raw', type: 'switch', description: 'Returns the whole content as one string, newlines included.' },
    { name: 'Delimiter', type: 'string', description: 'The text that ends each chunk instead of a newline (chunks keep it).' },
    { name: 'Encoding', type: 'string', validateSet: ENCODING_NAMES, description: 'The file encoding when it has no byte-order mark (default utf8NoBOM).' },
    { name: 'AsByteStream', type: 'switch', description: 'Reads the content as bytes (numbers) instead of text.' },
    { name: 'Force', type: 'switch', description: 'Also matches hidden files with wildcards.' },
    { name: 'Wait', type: 'switch', description: 'Keeps the file open after its end and writes lines as they are added (until the pipeline stops, e.g. Ctrl+C).' },
    { name: 'Filter', type: 'string', description: 'Reads only files whose name matches this wildcard.' },
    { name: 'Include', type: 'string[]', description: 'Reads only files whose name matches one of these wildcards.' },
    { name: 'Exclude', type: 'string[]', description: 'Skips files whose name matches one of these wildcards.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    const { paths, literal } = pathArguments(ctx);
    if (p.TotalCount !== undefined && p.Tail !== undefined) {
      ctx.throwTerminating(
        new ErrorRecord({
          message: 'The parameters TotalCount and Tail cannot be used together. Please specify only one parameter.',
          errorId: 'TailAndHeadCannotCoexist,Microsoft.PowerShell.Commands.GetContentCommand',
          category: 'InvalidOperation',
          exceptionType: 'System.InvalidOperationException',
        }),
      );
    }
    for (const other of ['TotalCount', 'Tail', 'Wait']) {
      if (!p.Raw || p[other] === undefined || p[other] === false) continue;
      ctx.throwTerminating(
        new ErrorRecord({
          message: `The 'Raw' and '${other}' parameters cannot be specified in the same command.`,
          errorId: 'InvalidOperation,Microsoft.PowerShell.Commands.GetContentCommand',
          category: 'InvalidOperation',
          exceptionType: 'System.InvalidOperationException',
        }),
      );
    }
    const like = (name: string, patterns: unknown[]) => patterns.some((pt) => wildcardMatch(name, String(pt), caseSensitivePaths));
    for (const full of resolveExisting(ctx, paths, literal, 'GetContentCommand', Boolean(p.Force), true)) {
      const name = path.basename(full);
      if (p.Filter !== undefined && !like(name, [p.Filter])) continue;
      if (p.Include && !like(name, p.Include as unknown[])) continue;
      if (p.Exclude && like(name, p.Exclude as unknown[])) continue;
      if (isDirectory(full)) {
        ctx.writeError(
          new ErrorRecord({
            message: `Unable to get content because it is a directory: '${full}'. Please use 'Get-ChildItem' instead.`,
            errorId: 'GetContainerContentException,Microsoft.PowerShell.Commands.GetContentCommand',
            category: 'InvalidOperation',
            exceptionType: 'System.InvalidOperationException',
            targetObject: full,
          }),
        );
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(full);
      } catch (e) {
        ctx.writeError(ioError(e, 'GetContentReaderIOError,Microsoft.PowerShell.Commands.GetContentCommand', 'ReadError', full));
        continue;
      }
      let items: unknown[];
      if (p.AsByteStream) {
        items = Array.from(bytes);
        if (p.Raw) {
          await ctx.write(items);
          continue;
        }
      } else {
        const text = decodeText(bytes, p.Encoding as string | undefined);
        if (p.Raw) {
          if (text !== '') await ctx.write(text);
          continue;
        }
        items = p.Delimiter !== undefined ? splitDelimited(text, String(p.Delimiter)) : splitLines(text);
      }
      const total = p.TotalCount === undefined ? -1 : Number(p.TotalCount);
      if (total >= 0) items = items.slice(0, total);
      if (p.Tail !== undefined && Number(p.Tail) >= 0) items = Number(p.Tail) === 0 ? [] : items.slice(-Number(p.Tail));
      const readCount = p.ReadCount === undefined ? 1 : Number(p.ReadCount);
      if (readCount === 1 || readCount < 0) await ctx.writeAll(items);
      else if (readCount === 0) {
        if (items.length) await ctx.write(items);
      } else {
        for (let i = 0; i < items.length; i += readCount) await ctx.write(items.slice(i, i + readCount));
      }
      if (p.Wait && !p.AsByteStream) await follow(ctx, full, bytes.length, p.Encoding as string | undefined);
    }
  },
});

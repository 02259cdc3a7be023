import * as fs from 'node:fs';
import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import type { Scope, SessionState } from '../../core/engine/session';
import * as path from 'node:path';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { caseSensitivePaths, fullPath, globPath, normalizeInput, unescapeWildcard } from './filesystem';

/**
 * Test-Path on the session's own drives: `Alias:\gci`, `Env:PATH`, `Variable:\HOME`,
 * `Function:\prompt` (names may hold wildcards). The drive root exists and is a container;
 * an unknown drive makes the path neither valid nor present.
 */
function sessionDriveHas(ctx: CmdletContext, driveName: string, rest: string, isValid: boolean, literal: boolean, type: string): boolean {
  const session = ctx.session as SessionState;
  const drive = driveName.toLowerCase();
  let names: string[];
  switch (drive) {
    case 'alias':
      names = [...session.aliases.keys()];
      break;
    case 'env':
      names = Object.keys(process.env);
      break;
    case 'function':
      names = [...session.functions.keys()];
      break;
    case 'variable': {
      names = [];
      for (let sc: Scope | null = ctx.scope as Scope; sc; sc = sc.parent) names.push(...sc.vars.keys());
      break;
    }
    default:
      return false;
  }
  if (isValid) return true;
  const name = rest.replace(/^[\\/]+/, '').replace(/[\\/]+$/, '');
  if (name === '') return type !== 'leaf';
  if (type === 'container') return false;
  const caseSensitive = drive === 'env' && process.platform !== 'win32';
  if (!literal && hasWildcard(name)) return names.some((n) => wildcardMatch(n, name, caseSensitive));
  return names.some((n) => (caseSensitive ? n === name : n.toLowerCase() === name.toLowerCase()));
}

export default defineCmdlet({
  verb: 'Test',
  noun: 'Path',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Determines whether all elements of a path exist.',
  defaultParameterSet: 'Path',
  outputType: ['System.Boolean'],
  parameters: [
    { name: 'Path', type: 'object[]', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The paths to test. Wildcards are allowed; $null and empty strings are $false.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The paths to test, taken literally.' },
    { name: 'PathType', type: 'string', aliases: ['Type'], validateSet: ['Any', 'Container', 'Leaf'], description: 'Container (a directory), Leaf (anything else) or Any (the default).' },
    { name: 'Filter', type: 'string', description: 'Only items whose name matches this wildcard count.' },
    { name: 'Include', type: 'string[]', description: 'Only items whose name matches one of these wildcards count.' },
    { name: 'Exclude', type: 'string[]', description: 'Items whose name matches one of these wildcards do not count.' },
    { name: 'IsValid', type: 'switch', description: 'Tests whether the path syntax is valid, whether or not the item exists.' },
    { name: 'OlderThan', type: 'datetime', description: 'Only files last written before this time count.' },
    { name: 'NewerThan', type: 'datetime', description: 'Only files last written after this time count.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    const literal = p.LiteralPath !== undefined;
    const raw = literal ? (p.LiteralPath as unknown[]) : p.Path === null || p.Path === undefined ? [] : (p.Path as unknown[]);
    const type = String(p.PathType ?? 'Any').toLowerCase();
    // TestPathCommand: $null (which binds as an empty collection) and $null elements are a
    // non-terminating NullPathNotPermitted error; empty or blank strings are $false.
    const nullPath = () =>
      ctx.writeError(
        new ErrorRecord({
          message: "Value cannot be null. (Parameter 'The provided Path argument was null or an empty collection.')",
          errorId: 'NullPathNotPermitted,Microsoft.PowerShell.Commands.TestPathCommand',
          category: 'InvalidArgument',
          exceptionType: 'System.ArgumentNullException',
        }),
      );
    if (raw.length === 0) return nullPath();
    for (const item of raw) {
      if (item === null || item === undefined) {
        nullPath();
        continue;
      }
      const given = String(item);
      if (given.trim() === '') {
        await ctx.write(false);
        continue;
      }
      const drive = /^([^\\/:]*):(.*)$/s.exec(given);
      if (drive && drive[1].toLowerCase() !== 'filesystem' && !/^microsoft\.powershell\.core\\filesystem$/i.test(drive[1])) {
        // A drive-qualified path: the session drives (Alias:, Env:, Function:, Variable:), or
        // a drive that does not exist (never valid, never there).
        await ctx.write(sessionDriveHas(ctx, drive[1], drive[2], Boolean(p.IsValid), literal, type));
        continue;
      }
      if (p.IsValid) {
        // On Unix only NUL is invalid in a file-system path.
        await ctx.write(!given.includes('\0'));
        continue;
      }
      const candidates = !literal && hasWildcard(normalizeInput(given)) ? globPath(ctx, given) : [fullPath(ctx, literal ? given : unescapeWildcard(given))];
      const ok = candidates.some((c) => {
        let st: fs.Stats;
        try {
          st = fs.statSync(c);
        } catch {
          return false;
        }
        const name = path.basename(c);
        const like = (patterns: unknown[]) => patterns.some((pt) => wildcardMatch(name, String(pt), caseSensitivePaths));
        if (p.Filter !== undefined && !like([p.Filter])) return false;
        if (p.Include && !like(p.Include as unknown[])) return false;
        if (p.Exclude && like(p.Exclude as unknown[])) return false;
        if (type === 'container' && !st.isDirectory()) return false;
        if (type === 'leaf' && st.isDirectory()) return false;
        if (p.OlderThan instanceof Date && !(st.mtime < p.OlderThan)) return false;
        if (p.NewerThan instanceof Date && !(st.mtime > p.NewerThan)) return false;
        return true;
      });
      await ctx.write(ok);
    }
  },
});

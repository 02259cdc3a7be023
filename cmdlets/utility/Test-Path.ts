import * as fs from 'node:fs';
import { defineCmdlet } from '../../core/engine/cmdlet';
import * as path from 'node:path';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { caseSensitivePaths, fullPath, globPath, normalizeInput, unescapeWildcard } from './filesystem';

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
    let raw = literal ? (p.LiteralPath as unknown[]) : p.Path === null || p.Path === undefined ? [null] : (p.Path as unknown[]);
    // $null binds as an empty collection: it is one path that does not exist.
    if (raw.length === 0) raw = [null];
    const type = String(p.PathType ?? 'Any').toLowerCase();
    for (const item of raw) {
      const given = item === null || item === undefined ? '' : String(item);
      if (given.trim() === '') {
        await ctx.write(false);
        continue;
      }
      if (p.IsValid) {
        // On Unix only NUL is invalid in a path.
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

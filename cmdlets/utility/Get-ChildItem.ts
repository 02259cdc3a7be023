import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { wildcardMatch } from '../../core/engine/operators';
import { caseSensitivePaths, compareNames, ioError, isHiddenName, itemObject, pathArguments, resolveExisting } from './filesystem';

export default defineCmdlet({
  verb: 'Get',
  noun: 'ChildItem',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Gets the items and child items in one or more specified locations.',
  defaultParameterSet: 'Items',
  outputType: ['System.IO.FileInfo', 'System.IO.DirectoryInfo', 'System.String'],
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Items'], description: 'The folders (or files) to list; default the current location. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string[]', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralItems'], description: 'The folders (or files) to list, taken literally.' },
    { name: 'Filter', type: 'string', position: 1, description: 'Lists only the items whose name matches this wildcard.' },
    { name: 'Include', type: 'string[]', description: 'Lists only the items whose name matches one of these wildcards.' },
    { name: 'Exclude', type: 'string[]', description: 'Leaves out the items whose name matches one of these wildcards.' },
    { name: 'Recurse', type: 'switch', aliases: ['s', 'r'], description: 'Also lists the contents of every subfolder.' },
    { name: 'Depth', type: 'int', description: 'How many levels of subfolders -Recurse goes into (implies -Recurse).' },
    { name: 'Force', type: 'switch', description: 'Also lists hidden items (names starting with a dot).' },
    { name: 'Name', type: 'switch', description: 'Returns the names (paths relative to the listed folder) instead of objects.' },
    { name: 'Directory', type: 'switch', aliases: ['ad', 'd'], description: 'Lists only directories.' },
    { name: 'File', type: 'switch', aliases: ['af'], description: 'Lists only files.' },
    { name: 'Hidden', type: 'switch', aliases: ['ah', 'h'], description: 'Lists only hidden items.' },
    { name: 'ReadOnly', type: 'switch', aliases: ['ar'], description: 'Lists only read-only items (no write permission for the owner).' },
    { name: 'System', type: 'switch', aliases: ['as'], description: 'Lists only system items (Unix has none).' },
    { name: 'FollowSymlink', type: 'switch', description: 'Recurses into symbolic links to folders.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    let { paths, literal } = pathArguments(ctx);
    if (paths.length === 0) paths = ['.'];
    const recurse = Boolean(p.Recurse) || p.Depth !== undefined;
    const maxDepth = p.Depth !== undefined ? Number(p.Depth) : Infinity;
    const showHidden = Boolean(p.Force) || Boolean(p.Hidden);
    const match = (name: string, patterns: unknown) => (patterns as string[]).some((pt) => wildcardMatch(name, String(pt), caseSensitivePaths));
    const wanted = (name: string, isDir: boolean, full: string): boolean => {
      if (p.System) return false;
      if (p.Hidden && !isHiddenName(name)) return false;
      if (p.ReadOnly) {
        try {
          if ((fs.statSync(full).mode & 0o200) !== 0) return false;
        } catch {
          return false;
        }
      }
      if (p.Directory && !isDir) return false;
      if (p.File && isDir) return false;
      if (p.Filter !== undefined && !match(name, [p.Filter])) return false;
      if (p.Include && !match(name, p.Include)) return false;
      if (p.Exclude && match(name, p.Exclude)) return false;
      return true;
    };
    const emit = (full: string, relative: string) => (p.Name ? ctx.write(relative) : ctx.write(itemObject(full)));

    const list = async (dir: string, relative: string, depth: number, seen: Set<string>): Promise<void> => {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch (e) {
        ctx.writeError(ioError(e, 'DirUnauthorizedAccessError,Microsoft.PowerShell.Commands.GetChildItemCommand', 'PermissionDenied', dir));
        return;
      }
      names.sort(compareNames);
      // The FileSystem provider lists a folder's directories first, then its files.
      const entries: { name: string; full: string; isDir: boolean; link: boolean }[] = [];
      for (const n of names) {
        if (isHiddenName(n) && !showHidden) continue;
        const full = path.join(dir, n);
        let st: fs.Stats;
        try {
          st = fs.lstatSync(full);
        } catch {
          continue;
        }
        let isDir = st.isDirectory();
        if (st.isSymbolicLink()) {
          try {
            isDir = fs.statSync(full).isDirectory();
          } catch {
            isDir = false;
          }
        }
        entries.push({ name: n, full, isDir, link: st.isSymbolicLink() });
      }
      const ordered = [...entries.filter((e) => e.isDir), ...entries.filter((e) => !e.isDir)];
      const subdirs: [string, string][] = [];
      for (const e of ordered) {
        const rel = relative ? `${relative}/${e.name}` : e.name;
        if (wanted(e.name, e.isDir, e.full)) await emit(e.full, rel);
        if (recurse && e.isDir && depth < maxDepth && (!e.link || p.FollowSymlink)) subdirs.push([e.full, rel]);
      }
      for (const [full, rel] of subdirs) {
        const real = fs.realpathSync(full);
        if (seen.has(real)) continue;
        await list(full, rel, depth + 1, new Set([...seen, real]));
      }
    };

    for (const full of resolveExisting(ctx, paths, literal, 'GetChildItemCommand', Boolean(p.Force))) {
      let isDir = false;
      try {
        isDir = fs.statSync(full).isDirectory();
      } catch {
        isDir = false;
      }
      if (!isDir) {
        if (wanted(path.basename(full), false, full)) await emit(full, path.basename(full));
        continue;
      }
      await list(full, '', 0, new Set([fs.realpathSync(full)]));
    }
  },
});

// Save-ContainerImage: downloads an image's archive, verified, to <Path>/<Name>.wim without
// installing it — the connected half of the offline install (Install-ContainerOSImage -WimPath
// on the offline host).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { providerAvailability, PackageError } from '../../providers/provider';
import type { ImageRef } from '../../providers/containerimage';

// Two sets (by name, by input object); -Path and -LiteralPath are checked in code (exactly one),
// with PackageManagement's message. Name, RequiredVersion (alias Version) and Source also bind by
// property name, as the original module's did, so `Find-ContainerImage | Save-ContainerImage -Path x`
// binds in the default set.
const NAME_SETS = ['NameParameterSet'];
const INPUT_SETS = ['InputObjectParameterSet'];

/** Expands wildcards in a -Path, segment by segment, against the file system. */
function expandWildcards(p: string): string[] {
  const parts = p.split(path.sep);
  let bases = [parts[0] === '' ? path.sep : parts[0]];
  for (const seg of parts.slice(1)) {
    if (seg === '') continue;
    const next: string[] = [];
    for (const b of bases) {
      if (!hasWildcard(seg)) {
        next.push(path.join(b, seg));
        continue;
      }
      let names: string[] = [];
      try {
        names = fs.readdirSync(b);
      } catch {
        names = [];
      }
      for (const n of names.sort()) if (wildcardMatch(n, seg)) next.push(path.join(b, n));
    }
    bases = next;
  }
  return bases;
}

/** The folder to save into, per the original module: missing → PathNotFound unless -Force creates it. */
function destinationDir(ctx: CmdletContext): string {
  const { resolveHere, errorRecord } = require('../../providers/cmdlet-support') as typeof import('../../providers/cmdlet-support');
  if ((ctx.params.Path === undefined) === (ctx.params.LiteralPath === undefined)) {
    ctx.throwTerminating(errorRecord(ctx, 'Saving a package requires either a -Path or -LiteralPath parameter.', 'DestinationOrLiteralPathRequired', 'InvalidArgument', null, 'System.ArgumentException'));
  }
  const literal = ctx.params.LiteralPath !== undefined;
  const given = String(literal ? ctx.params.LiteralPath : ctx.params.Path);
  const full = resolveHere(ctx, given);
  let candidates = [full];
  if (!literal && hasWildcard(full)) {
    candidates = expandWildcards(full);
    if (candidates.length > 1) {
      ctx.throwTerminating(errorRecord(ctx, `Multiple matches found '${candidates.join(', ')}' for the specified folder '${given}'.`, 'MoreThanOneFolderMatched', 'InvalidArgument', given, 'System.ArgumentException'));
    }
  }
  const dir = candidates[0];
  const st = dir ? fs.statSync(dir, { throwIfNoEntry: false }) : undefined;
  if (st && st.isDirectory()) return dir;
  if (st && !st.isDirectory()) {
    ctx.throwTerminating(errorRecord(ctx, `The destination path '${dir}' is not a folder.`, 'DestinationPathInvalid', 'InvalidArgument', dir, 'System.ArgumentException'));
  }
  if (ctx.params.Force === true && dir && !hasWildcard(dir)) {
    ctx.writeVerbose(`Creating: ${dir} as it doesn't exist.`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
  ctx.throwTerminating(errorRecord(ctx, `Cannot find the path '${literal ? given : dir ?? given}' because it does not exist`, 'PathNotFound', 'InvalidArgument', given, 'System.ArgumentException'));
}

export default defineCmdlet({
  verb: 'Save',
  noun: 'ContainerImage',
  module: 'ContainerImage',
  synopsis: 'Saves a container OS image archive (verified) to a folder without installing it.',
  supportsShouldProcess: true,
  defaultParameterSet: 'NameParameterSet',
  availability(session) {
    return providerAvailability(session, 'ContainerImage');
  },
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, valueFromPipelineByPropertyName: true, sets: NAME_SETS, validateNotNullOrEmpty: true, description: 'The image name(s).' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, sets: INPUT_SETS, description: 'An image found by Find-ContainerImage.' },
    { name: 'MinimumVersion', type: 'version', sets: NAME_SETS, description: 'The lowest acceptable version.' },
    { name: 'MaximumVersion', type: 'version', sets: NAME_SETS, description: 'The highest acceptable version.' },
    { name: 'RequiredVersion', type: 'version', aliases: ['Version'], valueFromPipelineByPropertyName: true, sets: NAME_SETS, description: 'Exactly this version; the newest when no version is given.' },
    { name: 'Path', type: 'string', description: 'The folder to save <Name>.wim in; wildcards allowed. -Path or -LiteralPath is required.' },
    { name: 'LiteralPath', type: 'string', description: 'The folder, taken literally (no wildcards).' },
    { name: 'Source', type: 'string[]', valueFromPipelineByPropertyName: true, sets: NAME_SETS, description: 'Package source names or feed locations to search.' },
    { name: 'Force', type: 'switch', description: 'Create a missing folder and overwrite an existing file.' },
    { name: 'SkipHashCheck', type: 'switch', description: 'Accept a feed entry that carries no sha256 (the legacy JSON index).' },
  ],
  async process(ctx) {
    const support = await import('../../providers/cmdlet-support');
    const ci = await import('../../providers/containerimage');
    const { versionCriteria, checkVersionCombination, checkNameForRange, toVersion } = await import('../../providers/versions');
    const { identityFromObject, identityObject } = await import('../../providers/identity');
    const request = support.makeRequest(ctx, { SkipHashCheck: ctx.params.SkipHashCheck === true });
    const dir = destinationDir(ctx);
    const refs: ImageRef[] = [];
    try {
      if (INPUT_SETS.includes(ctx.parameterSetName)) {
        const pkg = identityFromObject(ctx.params.InputObject);
        if (!pkg || pkg.providerName.toLowerCase() !== 'containerimage') {
          ctx.writeError(support.errorRecord(ctx, 'The input object is not a container image found by Find-ContainerImage.', 'InvalidInputObject', 'InvalidArgument', ctx.params.InputObject));
          return;
        }
        refs.push(ci.refFromIdentity(pkg));
      } else {
        const names = support.namesParam(ctx.params.Name);
        const criteria = versionCriteria(ctx.params);
        const combo = checkVersionCombination(criteria) ?? checkNameForRange(names, criteria);
        if (combo) throw combo;
        const res = await ci.findImages({ names, ...criteria, sources: support.namesParam(ctx.params.Source) }, request);
        for (const f of res.failures) ctx.writeError(support.errorRecord(ctx, f.message, 'SourceUnavailable', 'ResourceUnavailable', null));
        for (const n of names) {
          const found = res.refs.filter((r) => ci.nameMatches(r.name, n));
          if (!found.length && res.failures.length === 0) ctx.writeError(support.noMatch(ctx, n));
          // One archive per name: the newest across sources (the first source wins a tie).
          for (const r of found) {
            const at = refs.findIndex((x) => x.name.toLowerCase() === r.name.toLowerCase());
            if (at < 0) refs.push(r);
            else if (toVersion(r.version)!.compareTo(toVersion(refs[at].version)!) > 0) refs[at] = r;
          }
        }
      }
    } catch (e) {
      if (e instanceof PackageError) {
        ctx.writeError(support.toErrorRecord(ctx, e));
        return;
      }
      throw e;
    }
    for (const ref of refs) {
      const target = path.join(dir, `${ref.name}.wim`);
      try {
        if (fs.existsSync(target) && ctx.params.Force !== true) {
          ctx.writeWarning(`${target} already exists. Skipping save. Use -Force to overwrite.`);
          continue;
        }
        if (!(await ctx.shouldProcess(`Package ${ref.name} version ${ref.version} from ${ref.source}`, 'Save Package'))) continue;
        const out = await ci.saveImage(ref, dir, request);
        await ctx.write(identityObject(ci.identityFromRef(ref, 'Downloaded', out.file)));
      } catch (e) {
        if (e instanceof PackageError) {
          ctx.writeError(support.toErrorRecord(ctx, e));
          continue;
        }
        throw e;
      }
    }
  },
});

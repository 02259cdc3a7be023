// Save-Package: has a package's provider download it into a folder without installing it.

import * as fs from 'node:fs';
import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { activeProviders, PackageError, type SoftwareIdentity } from '../../providers/provider';

const SEARCH = ['PackageBySearch'];
const INPUT = ['PackageByInputObject'];

async function saveOne(ctx: CmdletContext, pkg: SoftwareIdentity, dir: string): Promise<void> {
  const s = await import('../../providers/cmdlet-support');
  const { identityObject } = await import('../../providers/identity');
  const provider = activeProviders(s.sessionOf(ctx)).find((a) => a.provider.name.toLowerCase() === pkg.providerName.toLowerCase());
  if (!provider) {
    ctx.writeError(s.errorRecord(ctx, `Unable to find package provider '${pkg.providerName}'.`, 'UnknownProvider', 'ObjectNotFound', pkg.providerName));
    return;
  }
  if (!(await ctx.shouldProcess(`Package '${pkg.name}' version '${pkg.version}' from '${pkg.source}'.`, 'Save Package'))) return;
  const done = await provider.provider.downloadPackage(pkg, dir, s.makeRequest(ctx, { SkipHashCheck: ctx.params.SkipHashCheck === true }));
  await ctx.write(identityObject(done));
}

export default defineCmdlet({
  verb: 'Save',
  noun: 'Package',
  module: 'PackageManagement',
  synopsis: 'Saves packages to the local computer without installing them.',
  supportsShouldProcess: true,
  defaultParameterSet: 'PackageBySearch',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: SEARCH, description: 'Package names.' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, sets: INPUT, description: 'Packages from Find-Package.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], sets: SEARCH, description: 'The package providers to use.' },
    { name: 'Source', type: 'string[]', sets: SEARCH, description: 'Package source names or locations.' },
    { name: 'MinimumVersion', type: 'version', sets: SEARCH, description: 'The lowest acceptable version.' },
    { name: 'MaximumVersion', type: 'version', sets: SEARCH, description: 'The highest acceptable version.' },
    { name: 'RequiredVersion', type: 'version', sets: SEARCH, description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', sets: SEARCH, description: 'Accepted for compatibility.' },
    { name: 'Path', type: 'string', description: 'The folder to save into.' },
    { name: 'LiteralPath', type: 'string', description: 'The folder, taken literally.' },
    { name: 'Force', type: 'switch', description: 'Creates a missing folder.' },
    { name: 'SkipHashCheck', type: 'switch', description: 'ContainerImage: accept a feed entry without sha256.' },
  ],
  async process(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { identityFromObject } = await import('../../providers/identity');
    const given = ctx.params.LiteralPath ?? ctx.params.Path;
    if (given === undefined) ctx.throwTerminating(s.errorRecord(ctx, 'Saving a package requires either a -Path or -LiteralPath parameter.', 'DestinationOrLiteralPathRequired', 'InvalidArgument'));
    const dir = s.resolveHere(ctx, String(given));
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      if (ctx.params.Force === true) fs.mkdirSync(dir, { recursive: true });
      else ctx.throwTerminating(s.errorRecord(ctx, `Cannot find the path '${dir}' because it does not exist`, 'PathNotFound', 'InvalidArgument', dir, 'System.ArgumentException'));
    }
    try {
      if (ctx.parameterSetName === 'PackageByInputObject') {
        const pkg = identityFromObject(ctx.params.InputObject);
        if (!pkg) {
          ctx.writeError(s.errorRecord(ctx, 'The input object is not a package (SoftwareIdentity).', 'InvalidInputObject', 'InvalidArgument', ctx.params.InputObject));
          return;
        }
        await saveOne(ctx, pkg, dir);
        return;
      }
      const criteria = s.packageVersionCriteria(ctx);
      const providers = s.selectProviders(ctx, s.namesParam(ctx.params.ProviderName));
      for (const name of s.namesParam(ctx.params.Name)) {
        const { found, sourceMissing } = await s.findAcrossProviders(ctx, providers, { names: [name], ...criteria, allVersions: false, sources: s.namesParam(ctx.params.Source) }, s.makeRequest(ctx));
        if (sourceMissing) ctx.throwTerminating(s.toErrorRecord(ctx, sourceMissing));
        if (!found.length) {
          ctx.writeError(s.noMatch(ctx, name));
          continue;
        }
        const byName = new Map<string, SoftwareIdentity[]>();
        for (const p of found) {
          const k = `${p.providerName}/${p.name}`.toLowerCase();
          byName.set(k, [...(byName.get(k) ?? []), p]);
        }
        for (const group of byName.values()) await saveOne(ctx, s.newest(group), dir);
      }
    } catch (e) {
      if (e instanceof PackageError || (e as { errorId?: unknown })?.errorId) {
        ctx.writeError(s.toErrorRecord(ctx, e));
        return;
      }
      throw e;
    }
  },
});

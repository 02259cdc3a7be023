// Install-Package: finds a package (or takes one from the pipeline) and has its provider install
// it, asking first when its source is not trusted.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { activeProviders, PackageError, type SoftwareIdentity } from '../../providers/provider';

async function installOne(ctx: CmdletContext, pkg: SoftwareIdentity): Promise<void> {
  const s = await import('../../providers/cmdlet-support');
  const { identityObject } = await import('../../providers/identity');
  const provider = activeProviders(s.sessionOf(ctx)).find((a) => a.provider.name.toLowerCase() === pkg.providerName.toLowerCase());
  if (!provider) {
    ctx.writeError(s.errorRecord(ctx, `Unable to find package provider '${pkg.providerName}'.`, 'UnknownProvider', 'ObjectNotFound', pkg.providerName));
    return;
  }
  if (!(await ctx.shouldProcess(`Package '${pkg.name}' version '${pkg.version}' from '${pkg.source}'.`, 'Install Package'))) return;
  if (!pkg.fromTrustedSource && !(await s.confirmUntrustedSource(ctx, pkg.source))) {
    ctx.writeError(s.declined(ctx, pkg.name));
    return;
  }
  const request = s.makeRequest(ctx, { SkipHashCheck: ctx.params.SkipHashCheck === true });
  const done = await provider.provider.installPackage(pkg, request);
  await ctx.write(identityObject(done));
}

export default defineCmdlet({
  verb: 'Install',
  noun: 'Package',
  module: 'PackageManagement',
  synopsis: 'Installs one or more software packages.',
  supportsShouldProcess: true,
  defaultParameterSet: 'PackageBySearch',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: ['PackageBySearch'], description: 'Package names.' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, sets: ['PackageByInputObject'], description: 'Packages from Find-Package.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], sets: ['PackageBySearch'], description: 'The package providers to use.' },
    { name: 'Source', type: 'string[]', sets: ['PackageBySearch'], description: 'Package source names or locations.' },
    { name: 'MinimumVersion', type: 'version', sets: ['PackageBySearch'], description: 'The lowest acceptable version.' },
    { name: 'MaximumVersion', type: 'version', sets: ['PackageBySearch'], description: 'The highest acceptable version.' },
    { name: 'RequiredVersion', type: 'version', sets: ['PackageBySearch'], description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', sets: ['PackageBySearch'], description: 'Accepted for compatibility (the newest matching version is installed).' },
    { name: 'Force', type: 'switch', description: 'Skips the untrusted-source question and reinstalls an installed package.' },
    { name: 'SkipHashCheck', type: 'switch', description: 'ContainerImage: accept a feed entry without sha256.' },
  ],
  async process(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { identityFromObject } = await import('../../providers/identity');
    try {
      if (ctx.parameterSetName === 'PackageByInputObject') {
        const pkg = identityFromObject(ctx.params.InputObject);
        if (!pkg) {
          ctx.writeError(s.errorRecord(ctx, 'The input object is not a package (SoftwareIdentity).', 'InvalidInputObject', 'InvalidArgument', ctx.params.InputObject));
          return;
        }
        await installOne(ctx, pkg);
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
        const distinct = [...new Set(found.map((p) => `${p.providerName}/${p.name}`.toLowerCase()))];
        if (distinct.length > 1) {
          const list = found.map((p) => `'${name}' matched package '${p.name}/${p.version}' from provider: '${p.providerName}', source '${p.source}'.`).join(' ');
          ctx.writeError(s.errorRecord(ctx, `Unable to install, multiple packages matched '${name}'. ${list}`, 'DisambiguateForInstall', 'InvalidArgument', name));
          continue;
        }
        await installOne(ctx, s.newest(found));
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

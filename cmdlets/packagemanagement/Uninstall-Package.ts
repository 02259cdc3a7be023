// Uninstall-Package: has a package's provider remove an installed package.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { activeProviders, PackageError, type SoftwareIdentity } from '../../providers/provider';

async function uninstallOne(ctx: CmdletContext, pkg: SoftwareIdentity): Promise<void> {
  const s = await import('../../providers/cmdlet-support');
  const { identityObject } = await import('../../providers/identity');
  const provider = activeProviders(s.sessionOf(ctx)).find((a) => a.provider.name.toLowerCase() === pkg.providerName.toLowerCase());
  if (!provider) {
    ctx.writeError(s.errorRecord(ctx, `Unable to find package provider '${pkg.providerName}'.`, 'UnknownProvider', 'ObjectNotFound', pkg.providerName));
    return;
  }
  if (!(await ctx.shouldProcess(`Package '${pkg.name}' with version '${pkg.version}'.`, 'Uninstall Package.'))) return;
  const done = await provider.provider.uninstallPackage(pkg, s.makeRequest(ctx));
  await ctx.write(identityObject({ ...done, status: 'Installed' }));
}

export default defineCmdlet({
  verb: 'Uninstall',
  noun: 'Package',
  module: 'PackageManagement',
  synopsis: 'Uninstalls one or more software packages.',
  supportsShouldProcess: true,
  defaultParameterSet: 'PackageBySearch',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: ['PackageBySearch'], description: 'Package names; wildcards allowed.' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, sets: ['PackageByInputObject'], description: 'Packages from Get-Package.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], sets: ['PackageBySearch'], description: 'The package providers to use.' },
    { name: 'MinimumVersion', type: 'version', sets: ['PackageBySearch'], description: 'The lowest version.' },
    { name: 'MaximumVersion', type: 'version', sets: ['PackageBySearch'], description: 'The highest version.' },
    { name: 'RequiredVersion', type: 'version', sets: ['PackageBySearch'], description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', sets: ['PackageBySearch'], description: 'Every matching installed version.' },
    { name: 'Force', type: 'switch', description: 'Uninstalls without asking.' },
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
        await uninstallOne(ctx, pkg);
        return;
      }
      const criteria = s.packageVersionCriteria(ctx);
      const providers = s.selectProviders(ctx, s.namesParam(ctx.params.ProviderName));
      const request = s.makeRequest(ctx);
      for (const name of s.namesParam(ctx.params.Name)) {
        const found: SoftwareIdentity[] = [];
        for (const a of providers) found.push(...(await a.provider.getInstalledPackages({ names: [name], ...criteria }, request)));
        if (!found.length) {
          ctx.writeError(s.errorRecord(ctx, `No package found for '${name}'.`, 'NoMatchFound', 'ObjectNotFound', name, 'Microsoft.PowerShell.PackageManagement.Cmdlets.Exception'));
          continue;
        }
        if (found.length > 1 && !criteria.allVersions) {
          ctx.writeError(s.errorRecord(ctx, `Unable to uninstall, multiple packages matched '${name}'.`, 'DisambiguateForUninstall', 'InvalidArgument', name));
          continue;
        }
        for (const p of found) await uninstallOne(ctx, p);
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

// Get-Package: the packages the active providers have installed.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Get',
  noun: 'Package',
  module: 'PackageManagement',
  synopsis: 'Returns a list of all software packages that were installed with PackageManagement.',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, description: 'Package names; wildcards allowed.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], description: 'The package providers to ask.' },
    { name: 'MinimumVersion', type: 'version', description: 'The lowest version.' },
    { name: 'MaximumVersion', type: 'version', description: 'The highest version.' },
    { name: 'RequiredVersion', type: 'version', description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', description: 'Every installed version (the default for installed packages).' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { identityObject } = await import('../../providers/identity');
    const criteria = s.packageVersionCriteria(ctx);
    const names = s.namesParam(ctx.params.Name);
    const providers = s.selectProviders(ctx, s.namesParam(ctx.params.ProviderName));
    const request = s.makeRequest(ctx);
    const all = [];
    try {
      for (const a of providers) all.push(...(await a.provider.getInstalledPackages({ names, ...criteria }, request)));
    } catch (e) {
      if (e instanceof PackageError || (e as { errorId?: unknown })?.errorId) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
    for (const p of all) await ctx.write(identityObject(p));
    for (const n of names) {
      if (n.trim() === '' || n.trim() === '*' || /[*?[]/.test(n)) continue;
      if (!all.some((p) => s.nameMatch(p.name, n))) ctx.writeError(s.errorRecord(ctx, `No package found for '${n}'.`, 'NoMatchFound', 'ObjectNotFound', n, 'Microsoft.PowerShell.PackageManagement.Cmdlets.Exception'));
    }
  },
});

// Find-Package: searches the package sources of the active providers.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Find',
  noun: 'Package',
  module: 'PackageManagement',
  synopsis: 'Finds software packages in available package sources.',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, description: 'Package names; wildcards allowed.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], description: 'The package providers to search.' },
    { name: 'Source', type: 'string[]', description: 'Package source names or locations.' },
    { name: 'MinimumVersion', type: 'version', description: 'The lowest version to find.' },
    { name: 'MaximumVersion', type: 'version', description: 'The highest version to find.' },
    { name: 'RequiredVersion', type: 'version', description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', description: 'Every version, not only the newest.' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { identityObject } = await import('../../providers/identity');
    const criteria = s.packageVersionCriteria(ctx);
    const names = s.namesParam(ctx.params.Name);
    const providers = s.selectProviders(ctx, s.namesParam(ctx.params.ProviderName));
    try {
      const { found, sourceMissing } = await s.findAcrossProviders(ctx, providers, { names, ...criteria, sources: s.namesParam(ctx.params.Source) }, s.makeRequest(ctx));
      if (sourceMissing) ctx.throwTerminating(s.toErrorRecord(ctx, sourceMissing));
      for (const p of found) await ctx.write(identityObject(p));
      for (const n of names) {
        if (n.trim() === '' || n.trim() === '*') continue;
        if (!found.some((p) => s.nameMatch(p.name, n))) ctx.writeError(s.noMatch(ctx, n));
      }
      if (names.length === 0 && providers.length === 0) ctx.writeError(s.errorRecord(ctx, 'Unable to find package providers ().', 'UnknownProviders', 'InvalidArgument'));
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
  },
});

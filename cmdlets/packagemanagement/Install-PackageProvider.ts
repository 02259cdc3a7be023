// Install-PackageProvider: installs (enables) a bundled package provider in this store root, so
// its cmdlets become available; ContainerProvider (the TP4 name) selects ContainerImage.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { findBuiltin } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Install',
  noun: 'PackageProvider',
  module: 'PackageManagement',
  synopsis: 'Installs one or more package providers.',
  supportsShouldProcess: true,
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'Provider names (ContainerImage; ContainerProvider is accepted as its TP4 name).' },
    { name: 'RequiredVersion', type: 'version', description: 'Exactly this provider version.' },
    { name: 'MinimumVersion', type: 'version', description: 'The lowest acceptable provider version.' },
    { name: 'MaximumVersion', type: 'version', description: 'The highest acceptable provider version.' },
    { name: 'Scope', type: 'string', validateSet: ['CurrentUser', 'AllUsers'], description: 'Accepted for compatibility; providers are installed for the store root in use.' },
    { name: 'Source', type: 'string[]', description: 'Accepted for compatibility; the providers are bundled with posh-containers.' },
    { name: 'Force', type: 'switch', description: 'Installs without asking, and again when already installed.' },
  ],
  async end(ctx) {
    const support = await import('../../providers/cmdlet-support');
    const { toVersion } = await import('../../providers/versions');
    const { updateProviderState } = await import('../../providers/state');
    const { identityObject } = await import('../../providers/identity');
    const session = support.sessionOf(ctx);
    for (const requested of support.namesParam(ctx.params.Name)) {
      const b = findBuiltin(requested);
      const v = b ? toVersion(b.version)! : null;
      const req = toVersion(ctx.params.RequiredVersion);
      const min = toVersion(ctx.params.MinimumVersion);
      const max = toVersion(ctx.params.MaximumVersion);
      if (!b || !v || (req && v.compareTo(req) !== 0) || (min && v.compareTo(min) < 0) || (max && v.compareTo(max) > 0)) {
        ctx.writeError(support.errorRecord(ctx,
          `No match was found for the specified search criteria for the provider '${requested}'. The package provider requires 'PackageManagement' and 'Provider' tags. Please check if the specified package has the tags.`,
          'NoMatchFoundForProvider', 'InvalidArgument', requested));
        continue;
      }
      if (!(await ctx.shouldProcess(`Package '${b.name}' version '${b.version}' from 'posh-containers'.`, 'Install Package'))) continue;
      await updateProviderState(session.storeRoot, (st) => {
        if (!st.installedProviders.some((n) => n.toLowerCase() === b.name.toLowerCase())) st.installedProviders.push(b.name);
      });
      ctx.writeVerbose(`The provider ${b.name} is successfully loaded.`);
      await ctx.write(identityObject({
        name: b.name,
        version: b.version,
        status: 'Installed',
        source: 'posh-containers',
        summary: b.summary,
        providerName: 'Bundled',
        fastPackageReference: b.name,
        fromTrustedSource: true,
      }));
    }
  },
});

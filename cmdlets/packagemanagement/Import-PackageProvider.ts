// Import-PackageProvider: loads a package provider into the session — a bundled one that is
// installed, or a third-party one from a file path or an npm package name.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { findBuiltin, importedProviders, isProviderInstalled, loadProviderModule, PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Import',
  noun: 'PackageProvider',
  module: 'PackageManagement',
  synopsis: 'Adds Package Management package providers to the current session.',
  outputType: ['Microsoft.PackageManagement.Implementation.PackageProvider'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'A provider name, a path to a provider module (.js), or an npm package name.' },
    { name: 'Force', type: 'switch', description: 'Imports again a provider already imported.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { providerObject } = await import('../../providers/provider-object');
    const session = s.sessionOf(ctx);
    const imported = importedProviders(session);
    for (const spec of s.namesParam(ctx.params.Name)) {
      const b = findBuiltin(spec);
      if (b) {
        if (!isProviderInstalled(session.storeRoot, b.name)) {
          ctx.writeError(s.errorRecord(ctx, `No match was found for the specified search criteria and provider name '${spec}'. Try 'Get-PackageProvider -ListAvailable' to see if the provider exists on the system.`, 'NoMatchFoundForCriteria', 'InvalidData', spec));
          continue;
        }
        const p = b.load();
        await ctx.write(providerObject(p, 'Built-in'));
        continue;
      }
      try {
        const loaded = loadProviderModule(spec, session.cwd);
        const key = loaded.provider.name.toLowerCase();
        if (findBuiltin(loaded.provider.name)) {
          throw new PackageError(`The provider '${loaded.provider.name}' is ignored because the other provider with the same name has already been imported from path 'Built-in'.`, 'DuplicatedProviderName', 'ResourceExists', spec);
        }
        const prior = imported.get(key);
        if (prior && prior.from !== loaded.from && ctx.params.Force !== true) {
          throw new PackageError(`The provider '${loaded.provider.name}' is ignored because the other provider with the same name has already been imported from path '${prior.from}'.`, 'DuplicatedProviderName', 'ResourceExists', spec);
        }
        imported.set(key, loaded);
        ctx.writeVerbose(`The provider is loaded from path: '${loaded.from}'.`);
        await ctx.write(providerObject(loaded.provider, loaded.from));
      } catch (e) {
        if (e instanceof PackageError) {
          ctx.writeError(s.toErrorRecord(ctx, e));
          continue;
        }
        throw e;
      }
    }
  },
});

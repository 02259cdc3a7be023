// Get-PackageSource: the package sources registered with the active providers.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Get',
  noun: 'PackageSource',
  module: 'PackageManagement',
  synopsis: 'Gets a list of package sources that are registered for a package provider.',
  outputType: ['Microsoft.PackageManagement.Packaging.PackageSource'],
  parameters: [
    { name: 'Name', type: 'string', position: 0, description: 'Source names; wildcards allowed.' },
    { name: 'Location', type: 'string', description: 'Only the source with this location.' },
    { name: 'ProviderName', type: 'string[]', aliases: ['Provider'], description: 'The package providers to ask.' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { sourceObject } = await import('../../providers/identity');
    const providers = s.selectProviders(ctx, s.namesParam(ctx.params.ProviderName));
    const name = ctx.params.Name === undefined ? '' : String(ctx.params.Name);
    const location = ctx.params.Location === undefined ? null : String(ctx.params.Location);
    let count = 0;
    try {
      for (const a of providers) {
        for (const src of await a.provider.resolvePackageSources(name ? [name] : [], s.makeRequest(ctx))) {
          if (location !== null && src.location !== location) continue;
          count++;
          await ctx.write(sourceObject(src));
        }
      }
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
    if (count === 0) {
      if (name && !/[*?[]/.test(name)) ctx.writeError(s.errorRecord(ctx, `Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name));
      else if (location !== null) ctx.writeError(s.errorRecord(ctx, `Unable to find package source for location '${location}'.`, 'SourceNotFoundForLocation', 'ObjectNotFound', location));
    }
  },
});

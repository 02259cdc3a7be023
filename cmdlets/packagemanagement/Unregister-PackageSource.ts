// Unregister-PackageSource: removes a registered package source.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Unregister',
  noun: 'PackageSource',
  module: 'PackageManagement',
  synopsis: 'Removes a registered package source.',
  supportsShouldProcess: true,
  parameters: [
    { name: 'Source', type: 'string', aliases: ['Name'], position: 0, valueFromPipelineByPropertyName: true, description: 'The source to remove.' },
    { name: 'Location', type: 'string', description: 'The location of the source to remove.' },
    { name: 'ProviderName', type: 'string', aliases: ['Provider'], description: 'The provider the source belongs to.' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async process(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const name = ctx.params.Source === undefined ? '' : String(ctx.params.Source);
    const location = ctx.params.Location === undefined ? '' : String(ctx.params.Location);
    if (!name && !location) ctx.throwTerminating(s.errorRecord(ctx, 'Either -Name or -Location must be specified to select a package source.', 'NameOrLocationRequired', 'InvalidArgument'));
    const providers = s.selectProviders(ctx, ctx.params.ProviderName === undefined ? [] : [String(ctx.params.ProviderName)]);
    const request = s.makeRequest(ctx);
    try {
      for (const a of providers) {
        const found = (await a.provider.resolvePackageSources([], request)).find((x) => (name ? x.name.toLowerCase() === name.toLowerCase() : true) && (location ? x.location === location : true));
        if (!found) continue;
        if (!(await ctx.shouldProcess(`Package Source '${found.name}' (${found.location}) in provider '${a.provider.name}'.`, 'Unregister Package Source.'))) return;
        await a.provider.removePackageSource(found.name, request);
        return;
      }
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
    ctx.writeError(name
      ? s.errorRecord(ctx, `Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name)
      : s.errorRecord(ctx, `Unable to find package source for location '${location}'.`, 'SourceNotFoundForLocation', 'ObjectNotFound', location));
  },
});

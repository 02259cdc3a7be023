// Set-PackageSource: renames, relocates or changes the trust of a registered package source.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Set',
  noun: 'PackageSource',
  module: 'PackageManagement',
  synopsis: 'Replaces a package source for a specified package provider.',
  supportsShouldProcess: true,
  outputType: ['Microsoft.PackageManagement.Packaging.PackageSource'],
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'The source to change.' },
    { name: 'ProviderName', type: 'string', aliases: ['Provider'], description: 'The provider the source belongs to.' },
    { name: 'NewName', type: 'string', description: 'A new name.' },
    { name: 'NewLocation', type: 'string', description: 'A new location.' },
    { name: 'Trusted', type: 'switch', description: 'Mark trusted (-Trusted) or untrusted (-Trusted:$false).' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { sourceObject } = await import('../../providers/identity');
    const name = String(ctx.params.Name);
    const providers = s.selectProviders(ctx, ctx.params.ProviderName === undefined ? [] : [String(ctx.params.ProviderName)]);
    const request = s.makeRequest(ctx);
    try {
      for (const a of providers) {
        const found = (await a.provider.resolvePackageSources([name], request)).find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!found) continue;
        if (!a.provider.setPackageSource) {
          ctx.throwTerminating(s.errorRecord(ctx, `The package provider '${a.provider.name}' cannot change package sources.`, 'NotImplemented', 'NotImplemented', name));
        }
        const action = 'Replace Package Source.';
        if (!(await ctx.shouldProcess(`Package Source '${found.name}' (${found.location}) in provider '${a.provider.name}'.`, action))) return;
        const changed = await a.provider.setPackageSource!(name, {
          newName: ctx.params.NewName === undefined ? undefined : String(ctx.params.NewName),
          newLocation: ctx.params.NewLocation === undefined ? undefined : String(ctx.params.NewLocation),
          trusted: ctx.boundParameters.has('Trusted') ? ctx.params.Trusted === true : undefined,
        }, request);
        await ctx.write(sourceObject(changed));
        return;
      }
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
    ctx.writeError(s.errorRecord(ctx, `Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name));
  },
});

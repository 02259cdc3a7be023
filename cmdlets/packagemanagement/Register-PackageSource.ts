// Register-PackageSource: adds a package source (a feed) to a provider, trusted or not.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Register',
  noun: 'PackageSource',
  module: 'PackageManagement',
  synopsis: 'Adds a package source for a specified package provider.',
  supportsShouldProcess: true,
  outputType: ['Microsoft.PackageManagement.Packaging.PackageSource'],
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'The name of the source.' },
    { name: 'Location', type: 'string', mandatory: true, position: 1, validateNotNullOrEmpty: true, description: 'The feed: an http(s) or file URL, a path to feed.xml / a JSON index, or a folder.' },
    { name: 'ProviderName', type: 'string', aliases: ['Provider'], description: 'The provider the source belongs to (ContainerImage).' },
    { name: 'Trusted', type: 'switch', description: 'Install from it without asking.' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { sourceObject } = await import('../../providers/identity');
    const name = String(ctx.params.Name);
    const location = String(ctx.params.Location);
    const wanted = ctx.params.ProviderName === undefined ? [] : [String(ctx.params.ProviderName)];
    const providers = s.selectProviders(ctx, wanted);
    if (providers.length !== 1) {
      const names = providers.map((p) => p.provider.name).join(', ');
      ctx.throwTerminating(providers.length > 1
        ? s.errorRecord(ctx, `Specified ProviderName parameter matches multiple providers: ${names}.`, 'MatchesMultipleProviders', 'InvalidArgument')
        : s.errorRecord(ctx, `ProviderName must be specified. Available Providers: ${names}.`, 'ProviderNameNotSpecified', 'InvalidArgument'));
    }
    const p = providers[0].provider;
    if (!(await ctx.shouldProcess(`Package Source '${name}' (${location}) in provider '${p.name}'.`, 'Register Package Source.'))) return;
    try {
      const src = await p.addPackageSource(name, location, ctx.params.Trusted === true, s.makeRequest(ctx));
      await ctx.write(sourceObject(src));
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(s.toErrorRecord(ctx, e));
      throw e;
    }
  },
});

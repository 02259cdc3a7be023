// Find-ContainerImage: the images the ContainerImage provider's sources offer, as
// SoftwareIdentity objects (Name, Version, Source, Summary) — the newest version of each name
// unless -AllVersions. Available once `Install-PackageProvider ContainerImage` has run.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { providerAvailability, PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Find',
  noun: 'ContainerImage',
  module: 'ContainerImage',
  synopsis: 'Finds container OS images in the registered package sources (feeds) of the ContainerImage provider.',
  outputType: ['Microsoft.PackageManagement.Packaging.SoftwareIdentity'],
  availability(session) {
    return providerAvailability(session, 'ContainerImage');
  },
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, description: 'Image names; wildcards allowed. All images when omitted.' },
    { name: 'MinimumVersion', type: 'version', description: 'The lowest version to find.' },
    { name: 'MaximumVersion', type: 'version', description: 'The highest version to find.' },
    { name: 'RequiredVersion', type: 'version', aliases: ['Version'], description: 'Exactly this version.' },
    { name: 'AllVersions', type: 'switch', description: 'Every version of each image, not only the newest.' },
    { name: 'Source', type: 'string[]', description: 'Package source names (wildcards) or feed locations to search; all registered sources when omitted.' },
  ],
  async end(ctx) {
    const support = await import('../../providers/cmdlet-support');
    const { versionCriteria, checkVersionCombination, checkNameForRange } = await import('../../providers/versions');
    const { findImages, identityFromRef, nameMatches } = await import('../../providers/containerimage');
    const { identityObject } = await import('../../providers/identity');
    const criteria = (() => {
      try {
        return versionCriteria(ctx.params);
      } catch (e) {
        return ctx.throwTerminating(support.toErrorRecord(ctx, e));
      }
    })();
    const combo = checkVersionCombination(criteria);
    if (combo) {
      ctx.writeError(support.toErrorRecord(ctx, combo));
      return;
    }
    const names = support.namesParam(ctx.params.Name);
    const nameErr = checkNameForRange(names, criteria);
    if (nameErr) ctx.throwTerminating(support.toErrorRecord(ctx, nameErr));
    let result;
    try {
      result = await findImages({ names, ...criteria, sources: support.namesParam(ctx.params.Source) }, support.makeRequest(ctx));
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(support.toErrorRecord(ctx, e));
      throw e;
    }
    for (const f of result.failures) ctx.writeError(support.errorRecord(ctx, f.message, 'SourceUnavailable', 'ResourceUnavailable', null));
    for (const r of result.refs) await ctx.write(identityObject(identityFromRef(r)));
    if (result.failures.length === 0) {
      for (const n of names) {
        if (n.trim() === '' || n.trim() === '*') continue;
        if (!result.refs.some((r) => nameMatches(r.name, n))) ctx.writeError(support.noMatch(ctx, n));
      }
    }
  },
});

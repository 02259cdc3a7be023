// Install-ContainerImage: finds an image in the ContainerImage provider's sources (the newest
// version unless one is named), downloads and verifies its archive, imports it into the local
// image store and reports `Downloaded in H hours, M minutes, S seconds.`

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { providerAvailability, PackageError } from '../../providers/provider';
import type { ImageRef } from '../../providers/containerimage';

async function resolveByName(ctx: CmdletContext, name: string): Promise<ImageRef | null> {
  const support = await import('../../providers/cmdlet-support');
  const { versionCriteria, checkVersionCombination, checkNameForRange, toVersion } = await import('../../providers/versions');
  const { findImages } = await import('../../providers/containerimage');
  const criteria = versionCriteria(ctx.params);
  const combo = checkVersionCombination(criteria) ?? checkNameForRange([name], criteria);
  if (combo) throw combo;
  const res = await findImages({ names: [name], ...criteria, sources: support.namesParam(ctx.params.Source) }, support.makeRequest(ctx));
  for (const f of res.failures) ctx.writeError(support.errorRecord(ctx, f.message, 'SourceUnavailable', 'ResourceUnavailable', null));
  if (res.refs.length === 0) {
    if (res.failures.length === 0) ctx.writeError(support.noMatch(ctx, name));
    return null;
  }
  const distinct = [...new Set(res.refs.map((r) => r.name))];
  if (distinct.length > 1) {
    throw new PackageError(`Unable to install, multiple packages matched '${name}'. Specify one of: ${distinct.join(', ')}.`, 'DisambiguateForInstall', 'InvalidArgument', name);
  }
  // The newest across sources; the first source wins a tie.
  let best = res.refs[0];
  for (const r of res.refs.slice(1)) if (toVersion(r.version)!.compareTo(toVersion(best.version)!) > 0) best = r;
  return best;
}

export default defineCmdlet({
  verb: 'Install',
  noun: 'ContainerImage',
  module: 'ContainerImage',
  synopsis: 'Downloads a container OS image from a package source, verifies it and installs it into the local image store.',
  supportsShouldProcess: true,
  defaultParameterSet: 'NameParameterSet',
  availability(session) {
    return providerAvailability(session, 'ContainerImage');
  },
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, valueFromPipelineByPropertyName: true, sets: ['NameParameterSet'], validateNotNullOrEmpty: true, description: 'The image name.' },
    { name: 'InputObject', type: 'object', mandatory: true, valueFromPipeline: true, sets: ['InputObject'], description: 'An image found by Find-ContainerImage.' },
    { name: 'MinimumVersion', type: 'version', sets: ['NameParameterSet'], description: 'The lowest acceptable version (the newest at or above it is installed).' },
    { name: 'MaximumVersion', type: 'version', sets: ['NameParameterSet'], description: 'The highest acceptable version.' },
    { name: 'RequiredVersion', type: 'version', aliases: ['Version'], valueFromPipelineByPropertyName: true, sets: ['NameParameterSet'], description: 'Exactly this version; the newest when no version is given.' },
    { name: 'Source', type: 'string[]', valueFromPipelineByPropertyName: true, sets: ['NameParameterSet'], description: 'Package source names or feed locations to search.' },
    { name: 'Force', type: 'switch', description: 'Reinstall an installed image and skip the untrusted-source question.' },
    { name: 'SkipHashCheck', type: 'switch', description: 'Accept a feed entry that carries no sha256 (the legacy JSON index).' },
  ],
  async process(ctx) {
    const support = await import('../../providers/cmdlet-support');
    const ci = await import('../../providers/containerimage');
    const { identityFromObject } = await import('../../providers/identity');
    const request = support.makeRequest(ctx, { SkipHashCheck: ctx.params.SkipHashCheck === true });
    try {
      let ref: ImageRef | null;
      if (ctx.parameterSetName === 'InputObject') {
        const pkg = identityFromObject(ctx.params.InputObject);
        if (!pkg || pkg.providerName.toLowerCase() !== 'containerimage') {
          ctx.writeError(support.errorRecord(ctx, 'The input object is not a container image found by Find-ContainerImage.', 'InvalidInputObject', 'InvalidArgument', ctx.params.InputObject));
          return;
        }
        ref = ci.refFromIdentity(pkg);
      } else {
        ref = await resolveByName(ctx, String(ctx.params.Name));
      }
      if (!ref) return;
      if (!(await ctx.shouldProcess(`Package ${ref.name} version ${ref.version} from ${ref.source}`, 'Install Package'))) return;
      const force = ctx.params.Force === true;
      const existing = ci.installedImage(request.storeRoot, ref);
      if (existing && !force) {
        ctx.writeWarning(`The image '${existing.name}' version '${existing.version}' (${existing.publisher}_${existing.name}_${existing.version}) is already installed. Skipping install. Use -Force to reinstall.`);
        return;
      }
      if (!ref.trusted && !(await support.confirmUntrustedSource(ctx, ref.source))) {
        ctx.writeError(support.declined(ctx, ref.name));
        return;
      }
      const out = await ci.installImage(ref, request, force);
      if (out.status === 'exists') {
        ctx.writeWarning(`The image '${out.image.name}' version '${out.image.version}' was installed by another process meanwhile. Nothing was changed. Use -Force to reinstall.`);
        return;
      }
      await ctx.write(support.downloadedIn(out.downloadMs));
    } catch (e) {
      if (e instanceof PackageError || (e as { errorId?: unknown })?.errorId) {
        ctx.writeError(support.toErrorRecord(ctx, e));
        return;
      }
      throw e;
    }
  },
});

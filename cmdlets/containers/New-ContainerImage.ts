// New-ContainerImage: commits a container's changes against its image (added, changed and
// deleted files; deletions as whiteouts) as a new image whose parent is the container's image.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { readContainers, selectContainers } from './containers';
import { cmdletClass, imageFullName, imageObject, storeErrorRecord, toVersionString } from './images';

/** TP5 records a bare publisher as a certificate subject: `Demo` becomes `CN=Demo`. */
export function publisherOf(p: string): string {
  return p.includes('=') ? p : `CN=${p}`;
}

export default defineCmdlet({
  verb: 'New',
  noun: 'ContainerImage',
  module: 'Containers',
  synopsis: "Creates a container image from a container's changes to its image.",
  outputType: ['Microsoft.Containers.PowerShell.Objects.ContainerImage'],
  defaultParameterSet: 'ByObject',
  parameters: [
    { name: 'Container', type: 'object', mandatory: true, sets: ['ByObject'], valueFromPipeline: true, description: 'The container (from Get-Container or New-Container) whose changes become the image.' },
    { name: 'ContainerName', type: 'string', mandatory: true, sets: ['ByName'], validateNotNullOrEmpty: true, description: 'The name of the container whose changes become the image.' },
    { name: 'Name', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The name of the new image.' },
    { name: 'Publisher', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The publisher of the new image; a bare name X is recorded as CN=X.' },
    { name: 'Version', type: 'version', mandatory: true, description: 'The version of the new image (missing parts are 0: 1.0 is 1.0.0.0).' },
  ],
  async process(ctx: CmdletContext) {
    const { store, all } = readContainers(ctx);
    const picked = ctx.parameterSetName === 'ByName'
      ? selectContainers(ctx, all, [String(ctx.params.ContainerName)])
      : selectContainers(ctx, all, null);
    if (!picked.length) return;
    if (picked.length > 1) {
      ctx.throwTerminating(new ErrorRecord({
        message: `More than one container was given (${picked.map((c) => c.name).join(', ')}); an image is made from one container.`,
        errorId: `MoreThanOneContainer,${cmdletClass(ctx.commandName)}`,
        category: 'InvalidArgument',
        targetObject: picked.map((c) => c.name),
      }));
    }
    const container = picked[0];
    const version = toVersionString(ctx.params.Version);
    if (!version) {
      ctx.throwTerminating(new ErrorRecord({
        message: `The version '${String(ctx.params.Version)}' is not a valid version.`,
        errorId: `InvalidVersion,${cmdletClass(ctx.commandName)}`,
        category: 'InvalidArgument',
        targetObject: ctx.params.Version,
      }));
    }
    const name = String(ctx.params.Name);
    const publisher = publisherOf(String(ctx.params.Publisher));
    let result;
    try {
      const diff = await store.diffContainer(container.containerId);
      ctx.writeVerbose(`Container '${container.name}': ${diff.added} added, ${diff.changed} changed, ${diff.deleted} deleted.`);
      result = await store.importEntries({ name, publisher, version, parentImageId: diff.image.imageId, isOSImage: false }, diff.entries);
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'NewContainerImageFailed', container.name));
    }
    if (result.status === 'exists') {
      ctx.throwTerminating(new ErrorRecord({
        message: `The container image '${imageFullName(result.image)}' already exists.`,
        errorId: `ContainerImageExists,${cmdletClass(ctx.commandName)}`,
        category: 'ResourceExists',
        targetObject: imageFullName(result.image),
      }));
    }
    await ctx.write(imageObject(result.image, store.listImages(), store.root));
  },
});

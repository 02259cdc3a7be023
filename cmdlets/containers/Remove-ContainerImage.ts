// Remove-ContainerImage: removes images from the local store, by name or as objects from the
// pipeline; refused while a container or a child image depends on the image.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import type { ImageRecord } from '../../core/store';
import { cmdletClass, imageFullName, imageKeyOf, storeErrorRecord, storeOf } from './images';

async function removeOne(ctx: CmdletContext, image: ImageRecord): Promise<void> {
  const fullName = imageFullName(image);
  if (!(await ctx.shouldProcess(fullName, 'Remove container image'))) return;
  if (!ctx.params.Force && !(await ctx.shouldContinue(`Are you sure you want to remove the container image '${fullName}'?`, 'Remove container image'))) return;
  try {
    const r = await storeOf(ctx).removeImage(image);
    ctx.writeVerbose(`Removed the container image '${fullName}'; ${r.bytesFreed} bytes freed.`);
  } catch (e) {
    ctx.writeError(storeErrorRecord(e, ctx, 'RemoveFailed', fullName));
  }
}

export default defineCmdlet({
  verb: 'Remove',
  noun: 'ContainerImage',
  module: 'Containers',
  synopsis: 'Removes container images from the local image store.',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  defaultParameterSet: 'ByName',
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: ['ByName'], description: 'Names of the images to remove; wildcards are allowed.' },
    { name: 'ImageIdOrObject', type: 'object', mandatory: true, sets: ['ByObject'], valueFromPipeline: true, aliases: ['ImageId', 'ContainerImage'], description: 'An image from Get-ContainerImage, an ImageId or a FullName.' },
    { name: 'Force', type: 'switch', description: 'Removes without asking for confirmation (dependents still prevent removal).' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let images: ImageRecord[];
    try {
      images = store.listImages();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    if (ctx.parameterSetName === 'ByName') {
      for (const n of ctx.params.Name as string[]) {
        const hits = images.filter((i) => wildcardMatch(i.name, n));
        if (!hits.length && !hasWildcard(n)) {
          ctx.writeError(new ErrorRecord({
            message: `No container image with the name '${n}' was found.`,
            errorId: `ContainerImageNotFound,${cmdletClass(ctx.commandName)}`,
            category: 'ObjectNotFound',
            targetObject: n,
          }));
        }
        for (const i of hits) await removeOne(ctx, i);
      }
      return;
    }
    const given = ctx.params.ImageIdOrObject;
    for (const item of Array.isArray(given) ? given : [given]) {
      const key = imageKeyOf(item);
      const image = key ? store.findImage(key) : null;
      if (!image) {
        ctx.writeError(new ErrorRecord({
          message: key ? `No container image with the ImageId or FullName '${key}' was found.` : 'The input is not a container image, an ImageId or a FullName.',
          errorId: `${key ? 'ContainerImageNotFound' : 'InvalidContainerImage'},${cmdletClass(ctx.commandName)}`,
          category: key ? 'ObjectNotFound' : 'InvalidArgument',
          targetObject: item,
        }));
        continue;
      }
      await removeOne(ctx, image);
    }
  },
});

// New-Container: creates a container of an installed image (by name, or an image object from
// the pipeline): a record in the store and a writable root directory materialised from the
// image's layers (the container's Path).

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import type { ImageRecord } from '../../core/store';
import { containerObject } from './containers';
import { cmdletClass, imageFullName, imageKeyOf, storeErrorRecord, storeOf, toVersionString } from './images';

function notFound(ctx: CmdletContext, message: string, target: unknown): never {
  ctx.throwTerminating(new ErrorRecord({ message, errorId: `ContainerImageNotFound,${cmdletClass(ctx.commandName)}`, category: 'ObjectNotFound', targetObject: target }));
}

export default defineCmdlet({
  verb: 'New',
  noun: 'Container',
  module: 'Containers',
  synopsis: 'Creates a container from an installed container image.',
  outputType: ['Microsoft.Containers.PowerShell.Objects.Container'],
  defaultParameterSet: 'ByImageName',
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'The name of the new container (unique in the store).' },
    { name: 'ContainerImageName', type: 'string', mandatory: true, sets: ['ByImageName'], validateNotNullOrEmpty: true, description: 'The name of the image to create the container from.' },
    { name: 'ContainerImageVersion', type: 'version', sets: ['ByImageName'], description: 'The version of the image, when several are installed.' },
    { name: 'ContainerImagePublisher', type: 'string', sets: ['ByImageName'], description: 'The publisher of the image, when several are installed.' },
    { name: 'ContainerImage', type: 'object', mandatory: true, sets: ['ByImage'], valueFromPipeline: true, description: 'An image from Get-ContainerImage (or its ImageId or FullName).' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let images: ImageRecord[];
    try {
      images = store.listImages();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    let image: ImageRecord | null;
    if (ctx.parameterSetName === 'ByImage') {
      const given = ctx.params.ContainerImage;
      const key = imageKeyOf(given);
      image = key ? store.findImage(key) : null;
      if (!image) notFound(ctx, key ? `No container image with the ImageId or FullName '${key}' was found.` : 'The input is not a container image, an ImageId or a FullName.', given);
    } else {
      const name = String(ctx.params.ContainerImageName);
      const version = ctx.params.ContainerImageVersion !== undefined ? toVersionString(ctx.params.ContainerImageVersion) : null;
      const publisher = ctx.params.ContainerImagePublisher as string | undefined;
      const hits = images.filter(
        (i) => i.name.toLowerCase() === name.toLowerCase() && (version === null || i.version === version) && (publisher === undefined || i.publisher.toLowerCase() === publisher.toLowerCase()),
      );
      if (!hits.length) notFound(ctx, `No container image with the name '${name}'${version ? ` and version '${version}'` : ''}${publisher !== undefined ? ` from publisher '${publisher}'` : ''} was found.`, name);
      if (hits.length > 1) {
        ctx.throwTerminating(new ErrorRecord({
          message: `More than one container image has the name '${name}' (${hits.map(imageFullName).join(', ')}); use -ContainerImageVersion or -ContainerImagePublisher to choose one.`,
          errorId: `AmbiguousContainerImage,${cmdletClass(ctx.commandName)}`,
          category: 'InvalidArgument',
          targetObject: name,
        }));
      }
      image = hits[0];
    }
    const containerName = String(ctx.params.Name);
    let rec;
    try {
      rec = await store.createContainer({ name: containerName, imageId: image.imageId });
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'NewContainerFailed', containerName));
    }
    await ctx.write(containerObject(rec, store.listImages()));
  },
});

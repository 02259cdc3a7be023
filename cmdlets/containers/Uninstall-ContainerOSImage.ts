// Uninstall-ContainerOSImage: removes a base OS image from the local store, by FullName
// (`<Publisher>_<Name>_<Version>`) or as a ContainerImage object from the pipeline.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { cmdletClass, imageKeyOf, storeErrorRecord, storeOf, imageFullName } from './images';

export default defineCmdlet({
  verb: 'Uninstall',
  noun: 'ContainerOSImage',
  module: 'Containers',
  synopsis: 'Uninstalls a container OS image from the local image store.',
  defaultParameterSet: 'ByFullName',
  parameters: [
    { name: 'FullName', type: 'string', mandatory: true, position: 0, sets: ['ByFullName'], valueFromPipelineByPropertyName: true, description: 'The FullName of the image: <Publisher>_<Name>_<Version>.' },
    { name: 'ContainerImage', type: 'object', mandatory: true, sets: ['ByContainerImage'], valueFromPipeline: true, description: 'The image to uninstall (from Get-ContainerImage).' },
    { name: 'Force', type: 'switch', description: 'Uninstalls without asking for confirmation.' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    const given = ctx.parameterSetName === 'ByContainerImage' ? ctx.params.ContainerImage : ctx.params.FullName;
    const key = imageKeyOf(given);
    const shown = given && typeof given === 'object' && typeof (given as { get?: unknown }).get === 'function'
      ? String((given as { get(n: string): unknown }).get('FullName') ?? key)
      : String(key ?? given);
    const fail = (message: string, id: string, category: 'ObjectNotFound' | 'InvalidOperation' | 'InvalidArgument'): never =>
      ctx.throwTerminating(new ErrorRecord({
        message: `Failed to uninstall OS image '${shown}' with error: ${message}`,
        errorId: `${id},${cmdletClass(ctx.commandName)}`,
        category,
        targetObject: shown,
      }));
    if (!key) fail('The argument is not a container image or a FullName.', 'InvalidContainerImage', 'InvalidArgument');
    let image;
    try {
      image = store.findImage(key!);
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', shown, `Failed to uninstall OS image '${shown}' with error: `));
    }
    if (!image) return fail('The container OS image is not installed.', 'ImageNotFound', 'ObjectNotFound');
    if (!image.isOSImage) return fail('The image is not a container OS image; use Remove-ContainerImage to remove it.', 'NotAnOSImage', 'InvalidOperation');
    const fullName = imageFullName(image);
    if (!ctx.params.Force && !(await ctx.shouldContinue(`Are you sure you want to uninstall the container OS image '${fullName}'?`, 'Uninstall container OS image'))) return;
    try {
      const r = await store.removeImage(image);
      ctx.writeVerbose(`Uninstalled the container OS image '${fullName}'; ${r.bytesFreed} bytes freed.`);
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'UninstallFailed', fullName, `Failed to uninstall OS image '${fullName}' with error: `));
    }
  },
});

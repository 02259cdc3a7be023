// Install-ContainerOSImage: offline import of a base OS image from a WIM archive (image index 1;
// an index 2, a utility VM in Microsoft's archives, is ignored) into the local store.

import { stat } from 'node:fs/promises';
import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { cmdletClass, imageFullName, resolveHere, storeErrorRecord, storeOf } from './images';

export default defineCmdlet({
  verb: 'Install',
  noun: 'ContainerOSImage',
  module: 'Containers',
  synopsis: 'Installs a container OS image from a WIM archive into the local image store.',
  parameters: [
    { name: 'WimPath', type: 'string', mandatory: true, position: 0, validateNotNullOrEmpty: true, valueFromPipelineByPropertyName: true, description: 'The WIM archive to install.' },
    { name: 'Force', type: 'switch', description: 'Replaces an installed image of the same FullName.' },
  ],
  async process(ctx: CmdletContext) {
    const wimPath = resolveHere(ctx, String(ctx.params.WimPath));
    const st = await stat(wimPath).catch(() => null);
    if (!st || !st.isFile()) {
      ctx.throwTerminating(new ErrorRecord({
        message: st ? `The path '${wimPath}' is not a file.` : `Cannot find path '${wimPath}' because it does not exist.`,
        errorId: `${st ? 'WimPathNotAFile' : 'PathNotFound'},${cmdletClass(ctx.commandName)}`,
        category: st ? 'InvalidArgument' : 'ObjectNotFound',
        targetObject: wimPath,
      }));
    }
    const store = storeOf(ctx);
    const activity = 'Expanding...';
    ctx.writeProgress({ activity, activityId: 1, percentComplete: 0, status: wimPath });
    let result;
    try {
      result = await store.importWim(wimPath, {
        force: ctx.params.Force === true,
        onProgress: (p) => {
          const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 100;
          ctx.writeProgress({ activity, activityId: 1, percentComplete: Math.min(100, pct), status: `${p.filesDone} of ${p.filesTotal} files` });
        },
      });
    } catch (e) {
      ctx.writeProgress({ activity, activityId: 1, completed: true });
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'InstallFailed', wimPath, `Failed to install OS image from '${wimPath}' with error: `));
    }
    ctx.writeProgress({ activity, activityId: 1, percentComplete: 100 });
    ctx.writeProgress({ activity, activityId: 1, completed: true });
    const fullName = imageFullName(result.image);
    if (result.status === 'exists') {
      ctx.writeWarning(`The container OS image '${fullName}' is already installed. Use -Force to replace it.`);
      return;
    }
    ctx.writeVerbose(`${result.status === 'replaced' ? 'Replaced' : 'Installed'} the container OS image '${fullName}' (ImageId ${result.image.imageId}).`);
  },
});

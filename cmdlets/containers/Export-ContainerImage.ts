// Export-ContainerImage: writes an installed image (base, or derived and flattened) as a
// single-image WIM archive, straight from the store's blobs with their known SHA-1s.

import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { wildcardMatch } from '../../core/engine/operators';
import { PSObject, PSVersion } from '../../core/engine/values';
import { cmdletClass, imageFullName, resolveHere, storeErrorRecord, storeOf, toVersionString } from './images';

export default defineCmdlet({
  verb: 'Export',
  noun: 'ContainerImage',
  module: 'Containers',
  synopsis: 'Exports an installed container image as a WIM archive.',
  outputType: ['System.Management.Automation.PSCustomObject'],
  parameters: [
    { name: 'Name', type: 'string', mandatory: true, position: 0, valueFromPipelineByPropertyName: true, validateNotNullOrEmpty: true, description: 'The image name.' },
    { name: 'Version', type: 'version', valueFromPipelineByPropertyName: true, description: 'The image version; the newest when omitted.' },
    { name: 'Publisher', type: 'string', valueFromPipelineByPropertyName: true, description: 'The image publisher, when several publishers use the name.' },
    { name: 'WimPath', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The archive to write.' },
    { name: 'Compression', type: 'string', validateSet: ['None', 'Xpress'], description: 'None (default) or Xpress.' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    const name = String(ctx.params.Name);
    const version = ctx.params.Version !== undefined && ctx.params.Version !== null ? toVersionString(ctx.params.Version) : null;
    const publisher = ctx.params.Publisher as string | undefined;
    const wimPath = resolveHere(ctx, String(ctx.params.WimPath));
    let images;
    try {
      images = store.listImages();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    const hits = images
      .filter((i) => i.name.toLowerCase() === name.toLowerCase() && (version === null || i.version === version) && (publisher === undefined || wildcardMatch(i.publisher, publisher)))
      .sort((a, b) => (PSVersion.tryParse(b.version)?.compareTo(PSVersion.tryParse(a.version)!) ?? 0));
    if (!hits.length) {
      const what = version ? `'${name}' version ${version}` : `'${name}'`;
      ctx.throwTerminating(new ErrorRecord({
        message: `No container image with the name ${what} was found.`,
        errorId: `ContainerImageNotFound,${cmdletClass(ctx.commandName)}`,
        category: 'ObjectNotFound',
        targetObject: name,
      }));
    }
    const image = hits[0];
    const dir = dirname(wimPath);
    const parent = await stat(dir).catch(() => null);
    if (!parent || !parent.isDirectory()) {
      ctx.throwTerminating(new ErrorRecord({
        message: `Cannot find the path '${dir}' because it does not exist.`,
        errorId: `PathNotFound,${cmdletClass(ctx.commandName)}`,
        category: 'ObjectNotFound',
        targetObject: dir,
      }));
    }
    const compression = String(ctx.params.Compression ?? 'None').toLowerCase() === 'xpress' ? 'xpress' : 'none';
    ctx.writeVerbose(`Exporting '${imageFullName(image)}' to '${wimPath}'.`);
    let r;
    try {
      r = await store.exportWim(image, wimPath, { compression });
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'ExportFailed', wimPath, `Failed to export the image '${imageFullName(image)}' to '${wimPath}': `));
    }
    await ctx.write(PSObject.fromEntries([
      ['Name', image.name],
      ['Version', PSVersion.tryParse(image.version) ?? image.version],
      ['Publisher', image.publisher],
      ['WimPath', r.path],
      ['Size', r.size],
    ]));
  },
});

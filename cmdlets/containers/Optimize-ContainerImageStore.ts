// Optimize-ContainerImageStore: removes unreferenced blobs and layers and stale temporary files
// (what a crashed operation leaves behind) and reports the bytes freed.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { PSObject } from '../../core/engine/values';
import { storeErrorRecord, storeOf } from './images';

export default defineCmdlet({
  verb: 'Optimize',
  noun: 'ContainerImageStore',
  module: 'Containers',
  synopsis: 'Removes unreferenced blobs and stale temporary files from the local image store.',
  outputType: ['PoshContainers.ImageStoreOptimization'],
  supportsShouldProcess: true,
  parameters: [],
  async end(ctx: CmdletContext) {
    const store = storeOf(ctx);
    if (!(await ctx.shouldProcess(store.root, 'Optimize image store'))) return;
    let r;
    try {
      r = await store.optimize();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreOptimizeFailed', store.root));
    }
    await ctx.write(PSObject.fromEntries([
      ['BlobsRemoved', r.blobsRemoved],
      ['LayersRemoved', r.layersRemoved],
      ['TempFilesRemoved', r.tempFilesRemoved],
      ['BytesFreed', r.bytesFreed],
    ], ['PoshContainers.ImageStoreOptimization', 'System.Object']));
  },
});

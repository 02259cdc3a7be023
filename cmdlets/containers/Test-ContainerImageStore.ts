// Test-ContainerImageStore: checks every record and every blob of the local image store and
// writes one object per problem found (nothing when the store is healthy).

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { PSObject } from '../../core/engine/values';
import { storeErrorRecord, storeOf } from './images';

export default defineCmdlet({
  verb: 'Test',
  noun: 'ContainerImageStore',
  module: 'Containers',
  synopsis: 'Checks the local image store: every record and every blob hash.',
  outputType: ['PoshContainers.ImageStoreProblem'],
  parameters: [],
  async end(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let problems;
    try {
      problems = await store.check();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreCheckFailed', store.root));
    }
    ctx.writeVerbose(`Checked the image store '${store.root}': ${problems.length} problem(s).`);
    await ctx.writeAll(problems.map((p) => PSObject.fromEntries([
      ['Kind', p.kind],
      ['Id', p.id],
      ['Problem', p.problem],
    ], ['PoshContainers.ImageStoreProblem', 'System.Object'])));
  },
});

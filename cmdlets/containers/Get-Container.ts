// Get-Container: the containers of the local store, as Container objects.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { containerObject, selectContainers } from './containers';
import { storeErrorRecord, storeOf } from './images';

export default defineCmdlet({
  verb: 'Get',
  noun: 'Container',
  module: 'Containers',
  synopsis: 'Gets the containers of the local image store.',
  outputType: ['Microsoft.Containers.PowerShell.Objects.Container'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, description: 'Container names (wildcards are allowed) or ContainerIds.' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let catalog;
    try {
      catalog = store.readCatalog();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    const list = ctx.params.Name === undefined ? catalog.containers : selectContainers(ctx, catalog.containers);
    await ctx.writeAll(list.map((r) => containerObject(r, catalog.images)));
  },
});

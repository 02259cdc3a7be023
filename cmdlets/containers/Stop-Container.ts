// Stop-Container: Stops containers (their State becomes Off and Uptime zero).
// No process is run: a container here is its record and its writable root (SPEC §11).

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import type { ContainerRecord } from '../../core/store';
import { containerObject, selectContainers } from './containers';
import { storeErrorRecord, storeOf } from './images';

export default defineCmdlet({
  verb: 'Stop',
  noun: 'Container',
  module: 'Containers',
  synopsis: 'Stops containers (their State becomes Off and Uptime zero).',
  supportsShouldProcess: true,
  confirmImpact: 'Low',
  defaultParameterSet: 'ByName',
  outputType: ['Microsoft.Containers.PowerShell.Objects.Container'],
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: ['ByName'], description: 'Container names (wildcards are allowed) or ContainerIds.' },
    { name: 'Container', type: 'object', mandatory: true, sets: ['ByObject'], valueFromPipeline: true, description: 'Containers from Get-Container or New-Container (or their ContainerIds or names).' },
    { name: 'PassThru', type: 'switch', description: 'Writes the container, as it is afterwards, to the pipeline.' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let all: ContainerRecord[];
    try {
      all = store.listContainers();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    for (const r of selectContainers(ctx, all)) {
      if (!(await ctx.shouldProcess(r.name, 'Stop container'))) continue;
      let rec = r;
      if (r.state !== 'Off') {
        try {
          rec = await store.updateContainer(r.containerId, { state: 'Off', started: undefined });
        } catch (e) {
          ctx.writeError(storeErrorRecord(e, ctx, 'StopContainerFailed', r.name));
          continue;
        }
      }
      if (ctx.params.PassThru) await ctx.write(containerObject(rec, store.listImages()));
    }
  },
});

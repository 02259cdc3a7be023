// Remove-Container: removes containers (their records and writable roots). A running container
// is removed only with -Force.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { containerSelectionParameters, readContainers, selectContainers } from './containers';
import { cmdletClass, storeErrorRecord } from './images';

export default defineCmdlet({
  verb: 'Remove',
  noun: 'Container',
  module: 'Containers',
  synopsis: 'Removes containers and their writable root directories.',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  defaultParameterSet: 'ByName',
  parameters: [
    ...containerSelectionParameters,
    { name: 'Force', type: 'switch', description: 'Removes running containers too (they are stopped first).' },
  ],
  async process(ctx: CmdletContext) {
    const { store, all } = readContainers(ctx);
    for (const r of selectContainers(ctx, all)) {
      if (r.state === 'Running' && !ctx.params.Force) {
        ctx.writeError(new ErrorRecord({
          message: `The container '${r.name}' is running. Stop it with Stop-Container, or use -Force to remove it anyway.`,
          errorId: `ContainerRunning,${cmdletClass(ctx.commandName)}`,
          category: 'InvalidOperation',
          targetObject: r.name,
        }));
        continue;
      }
      if (!(await ctx.shouldProcess(r.name, 'Remove container'))) continue;
      try {
        await store.removeContainer(r.containerId);
      } catch (e) {
        ctx.writeError(storeErrorRecord(e, ctx, 'RemoveContainerFailed', r.name));
      }
    }
  },
});

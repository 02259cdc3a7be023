// Stop-Container: Stops containers (their State becomes Off and Uptime zero).
// No process is run: a container here is its record and its writable root (SPEC §11).

import { defineCmdlet } from '../../core/engine/cmdlet';
import { containerSelectionParameters, setContainerState } from './containers';

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
    ...containerSelectionParameters,
    { name: 'PassThru', type: 'switch', description: 'Writes the container, as it is afterwards, to the pipeline.' },
  ],
  process(ctx) {
    return setContainerState(ctx, 'Off', 'Stop container', 'StopContainerFailed');
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { contentWriterParameters, writeContent } from './content';

export default defineCmdlet({
  verb: 'Set',
  noun: 'Content',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Writes new content or replaces existing content in a file.',
  defaultParameterSet: 'Path',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  parameters: contentWriterParameters,
  process(ctx) {
    return writeContent(ctx, false, 'SetContentCommand');
  },
});

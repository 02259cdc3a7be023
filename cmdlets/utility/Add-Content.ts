import { defineCmdlet } from '../../core/engine/cmdlet';
import { contentWriterParameters, writeContent } from './content';

export default defineCmdlet({
  verb: 'Add',
  noun: 'Content',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Adds content to the specified items, such as adding words to a file.',
  defaultParameterSet: 'Path',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  parameters: contentWriterParameters,
  process(ctx) {
    return writeContent(ctx, true, 'AddContentCommand');
  },
});

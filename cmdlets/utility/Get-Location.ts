import { defineCmdlet } from '../../core/engine/cmdlet';
import { currentLocation, pathInfo } from './filesystem';

export default defineCmdlet({
  verb: 'Get',
  noun: 'Location',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Gets information about the current working location.',
  defaultParameterSet: 'Location',
  outputType: ['System.Management.Automation.PathInfo'],
  parameters: [
    { name: 'PSProvider', type: 'string[]', sets: ['Location'], validateSet: ['FileSystem'], description: 'Gets the current location in the drive of this provider (only FileSystem).' },
    { name: 'PSDrive', type: 'string[]', sets: ['Location'], validateSet: ['/'], description: 'Gets the current location in this drive (only /).' },
  ],
  end(ctx) {
    return ctx.write(pathInfo(currentLocation(ctx)));
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';

const MAX_SECONDS = 2147483;

export default defineCmdlet({
  verb: 'Start',
  noun: 'Sleep',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Suspends the activity in a script or session for the specified period of time.',
  defaultParameterSet: 'Seconds',
  parameters: [
    { name: 'Seconds', type: 'double', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Seconds'], description: 'How long to sleep, in seconds (fractions allowed).' },
    { name: 'Milliseconds', type: 'int', aliases: ['ms'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['Milliseconds'], description: 'How long to sleep, in milliseconds.' },
  ],
  async process(ctx) {
    const isSeconds = ctx.parameterSetName === 'Seconds';
    const name = isSeconds ? 'Seconds' : 'Milliseconds';
    const value = Number(ctx.params[name]);
    const max = isSeconds ? MAX_SECONDS : 2147483647;
    if (value < 0 || value > max) {
      ctx.throwTerminating(
        new ErrorRecord({
          message:
            value < 0
              ? `Cannot validate argument on parameter '${name}'. The ${value} argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again.`
              : `Cannot validate argument on parameter '${name}'. The ${value} argument is greater than the maximum allowed range of ${max}. Supply an argument that is less than or equal to ${max} and then try the command again.`,
          errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
          category: 'InvalidData',
          exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
        }),
      );
    }
    const ms = isSeconds ? value * 1000 : value;
    // Sleep in short slices so that a stopping pipeline (Ctrl+C) ends the wait promptly.
    const end = Date.now() + ms;
    while (!ctx.stopping) {
      const left = end - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(left, 100)));
    }
  },
});

import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';

/** A [ValidateRange] failure, worded as the parameter binder words it. */
function outOfRange(ctx: CmdletContext, name: string, value: number, min: number, max: number): never {
  const detail =
    value < min
      ? `The ${value} argument is less than the minimum allowed range of ${min}. Supply an argument that is greater than or equal to ${min} and then try the command again.`
      : `The ${value} argument is greater than the maximum allowed range of ${max}. Supply an argument that is less than or equal to ${max} and then try the command again.`;
  ctx.throwTerminating(
    new ErrorRecord({
      message: `Cannot validate argument on parameter '${name}'. ${detail}`,
      errorId: 'ParameterArgumentValidationError,Microsoft.PowerShell.Commands.WriteProgressCommand',
      category: 'InvalidData',
      exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
      targetObject: value,
    }),
  );
}

const INT_MAX = 2147483647;

export default defineCmdlet({
  verb: 'Write',
  noun: 'Progress',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Displays a progress bar within a PowerShell command window.',
  parameters: [
    { name: 'Activity', type: 'string', position: 0, description: 'The first line of text above the bar: the activity being reported.' },
    { name: 'Status', type: 'string', position: 1, validateNotNullOrEmpty: true, description: 'The second line: the current state of the activity. Default: Processing.' },
    { name: 'Id', type: 'int', position: 2, description: 'Distinguishes this progress bar from others (0 or more).' },
    { name: 'PercentComplete', type: 'int', description: 'How much of the activity is done, 0 to 100; -1 hides the bar.' },
    { name: 'SecondsRemaining', type: 'int', description: 'The estimated seconds left.' },
    { name: 'CurrentOperation', type: 'string', description: 'The line of text below the bar.' },
    { name: 'ParentId', type: 'int', description: 'The Id of the parent activity; -1 for none.' },
    { name: 'Completed', type: 'switch', description: 'Removes the progress bar of this Id.' },
    { name: 'SourceId', type: 'int', description: 'The source of the record.' },
  ],
  process(ctx) {
    const p = ctx.params;
    const id = (p.Id as number | undefined) ?? 0;
    const percent = (p.PercentComplete as number | undefined) ?? -1;
    const parent = (p.ParentId as number | undefined) ?? -1;
    if (id < 0) outOfRange(ctx, 'Id', id, 0, INT_MAX);
    if (percent < -1 || percent > 100) outOfRange(ctx, 'PercentComplete', percent, -1, 100);
    if (parent < -1) outOfRange(ctx, 'ParentId', parent, -1, INT_MAX);
    let activity = p.Activity as string | undefined;
    if (activity === undefined || activity === '') {
      if (!p.Completed) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: 'Missing value for mandatory parameter.',
            errorId: 'MissingActivity,Microsoft.PowerShell.Commands.WriteProgressCommand',
            category: 'InvalidArgument',
            exceptionType: 'System.ArgumentException',
          }),
        );
      }
      activity = 'Processing';
    }
    ctx.writeProgress({
      activity,
      status: (p.Status as string | undefined) ?? 'Processing',
      activityId: id,
      parentId: parent,
      percentComplete: percent,
      secondsRemaining: (p.SecondsRemaining as number | undefined) ?? -1,
      currentOperation: p.CurrentOperation as string | undefined,
      completed: Boolean(p.Completed),
    });
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { toDisplayString } from '../../core/engine/values';

export default defineCmdlet({
  verb: 'Write',
  noun: 'Information',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Specifies how PowerShell handles information stream data for a command.',
  parameters: [
    { name: 'MessageData', type: 'object', mandatory: true, position: 0, aliases: ['Msg', 'Message'], description: 'The message to write to the information stream (shown when $InformationPreference or -InformationAction is Continue).' },
    { name: 'Tags', type: 'string[]', position: 1, description: 'Tags for filtering and sorting the records; the PS prefix is reserved.' },
  ],
  process(ctx) {
    const tags = (ctx.params.Tags as string[] | undefined) ?? [];
    for (const t of tags) {
      if (t.toUpperCase().startsWith('PS')) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: `Cannot use tag '${t}'. The 'PS' prefix is reserved.`,
            errorId: 'PSPrefixReservedInInformationTag,Microsoft.PowerShell.Commands.WriteInformationCommand',
            category: 'InvalidArgument',
            exceptionType: 'System.InvalidOperationException',
            targetObject: t,
          }),
        );
      }
    }
    const data = ctx.params.MessageData;
    ctx.writeInformation(typeof data === 'string' ? data : toDisplayString(data), tags);
  },
});

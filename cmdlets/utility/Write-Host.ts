import { defineCmdlet } from '../../core/engine/cmdlet';
import { toDisplayString } from '../../core/engine/values';

const consoleColors = ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'];

/** Write-Host joins the items of arrays too, one level deep, with the separator. */
function flatten(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

export default defineCmdlet({
  verb: 'Write',
  noun: 'Host',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Writes customized output to the host.',
  parameters: [
    { name: 'Object', type: 'object', position: 0, valueFromPipeline: true, valueFromRemainingArguments: true, aliases: ['Msg', 'Message'], description: 'Objects to display in the host.' },
    { name: 'NoNewline', type: 'switch', description: 'Does not end the output with a newline.' },
    { name: 'Separator', type: 'object', description: 'Text put between the objects; a space by default.' },
    { name: 'ForegroundColor', type: 'string', validateSet: consoleColors, description: 'Text colour.' },
    { name: 'BackgroundColor', type: 'string', validateSet: consoleColors, description: 'Background colour.' },
  ],
  process(ctx) {
    const obj = ctx.params.Object;
    const sep = ctx.boundParameters.has('Separator') ? toDisplayString(ctx.params.Separator) : ' ';
    const text = obj === undefined ? '' : Array.isArray(obj) ? flatten(obj).map(toDisplayString).join(sep) : toDisplayString(obj);
    ctx.writeHost(text, { noNewline: Boolean(ctx.params.NoNewline), foreground: ctx.params.ForegroundColor as string | undefined });
  },
});

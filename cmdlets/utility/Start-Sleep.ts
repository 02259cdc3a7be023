import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { isTimeSpan } from '../../core/serialization';

const MAX_SECONDS = 2147483;
const TICKS_PER_MS = 10000;

/**
 * TimeSpan.Parse's invariant forms: `[-]d`, `[-][d.]hh:mm[:ss[.fffffff]]`. Returns ticks, or
 * null when the text is not a TimeSpan.
 */
export function parseTimeSpan(text: string): number | null {
  const t = text.trim();
  const days = /^(-)?(\d+)$/.exec(t);
  if (days) return (days[1] ? -1 : 1) * Number(days[2]) * 24 * 3600 * 1000 * TICKS_PER_MS;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(t);
  if (!m) return null;
  const [, neg, d, h, mi, s, f] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
  const ms = ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(mi)) * 60000 + Number(s ?? 0) * 1000;
  const ticks = ms * TICKS_PER_MS + (f ? Number(f.padEnd(7, '0')) : 0);
  return neg ? -ticks : ticks;
}

function rangeError(ctx: { commandName: string }, name: string, value: number, max: number): ErrorRecord {
  return new ErrorRecord({
    message:
      value < 0
        ? `Cannot validate argument on parameter '${name}'. The ${value} argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again.`
        : `Cannot validate argument on parameter '${name}'. The ${value} argument is greater than the maximum allowed range of ${max}. Supply an argument that is less than or equal to ${max} and then try the command again.`,
    errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
    category: 'InvalidData',
    exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
  });
}

export default defineCmdlet({
  verb: 'Start',
  noun: 'Sleep',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Suspends the activity in a script or session for the specified period of time.',
  defaultParameterSet: 'Seconds',
  parameters: [
    { name: 'Seconds', type: 'double', position: 0, mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Seconds'], description: 'How long to sleep, in seconds (fractions allowed).' },
    { name: 'Milliseconds', type: 'int', aliases: ['ms'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['Milliseconds'], description: 'How long to sleep, in milliseconds.' },
    { name: 'Duration', type: 'object', aliases: ['ts'], mandatory: true, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['FromTimeSpan'], description: 'How long to sleep, as a TimeSpan (or its text, `hh:mm:ss`).' },
  ],
  async process(ctx) {
    let ms: number;
    if (ctx.parameterSetName === 'FromTimeSpan') {
      const v = ctx.params.Duration;
      const ticks = isTimeSpan(v) ? (v.get('Ticks') as number) : typeof v === 'number' ? v : parseTimeSpan(String(v ?? ''));
      if (ticks === null) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: `Cannot process argument transformation on parameter 'Duration'. Cannot convert value "${String(v ?? '')}" to type "System.TimeSpan". Error: "String '${String(v ?? '')}' was not recognized as a valid TimeSpan."`,
            errorId: `ParameterArgumentTransformationError,${ctx.commandName}`,
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingArgumentTransformationException',
          }),
        );
      }
      ms = (ticks as number) / TICKS_PER_MS;
      if (ms < 0) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: `Cannot validate argument on parameter 'Duration'. The argument "${String(v)}" cannot be validated because its value is not greater than or equal to zero.`,
            errorId: `ParameterArgumentValidationError,${ctx.commandName}`,
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
          }),
        );
      }
    } else {
      const isSeconds = ctx.parameterSetName === 'Seconds';
      const name = isSeconds ? 'Seconds' : 'Milliseconds';
      const value = Number(ctx.params[name]);
      const max = isSeconds ? MAX_SECONDS : 2147483647;
      if (value < 0 || value > max) ctx.throwTerminating(rangeError(ctx, name, value, max));
      ms = isSeconds ? value * 1000 : value;
    }
    // Sleep in short slices so that a stopping pipeline (Ctrl+C) ends the wait promptly.
    const end = Date.now() + ms;
    while (!ctx.stopping) {
      const left = end - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(left, 100)));
    }
  },
});

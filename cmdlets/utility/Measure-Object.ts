import { defineCmdlet } from '../../core/engine/cmdlet';
import { toNumber } from '../../core/engine/coerce';
import { ErrorRecord } from '../../core/engine/errors';
import { getMember } from '../../core/engine/members';
import { compareValues } from '../../core/engine/operators';
import { PSObject, toDisplayString } from '../../core/engine/values';

/** Running statistics for one property (or the objects themselves). */
class Stat {
  count = 0;
  sum = 0;
  sumSquares = 0;
  min: unknown = undefined;
  max: unknown = undefined;
  numeric = true;

  add(v: unknown, wantsNumbers: boolean): void {
    this.count++;
    if (this.min === undefined || compareValues(v, this.min, false) < 0) this.min = v;
    if (this.max === undefined || compareValues(v, this.max, false) > 0) this.max = v;
    if (wantsNumbers) {
      const n = typeof v === 'number' ? v : toNumber(v, 'System.Double');
      this.sum += n;
      this.sumSquares += n * n;
    } else if (typeof v !== 'number') this.numeric = false;
  }
}

export default defineCmdlet({
  verb: 'Measure',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Calculates the numeric properties of objects: count, sum, average, minimum, maximum.',
  outputType: ['Microsoft.PowerShell.Commands.GenericMeasureInfo'],
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to measure.' },
    { name: 'Property', type: 'string[]', position: 0, description: 'The properties to measure.' },
    { name: 'Sum', type: 'switch', description: 'Adds the values.' },
    { name: 'Average', type: 'switch', description: 'Averages the values.' },
    { name: 'Maximum', type: 'switch', description: 'Gets the largest value.' },
    { name: 'Minimum', type: 'switch', description: 'Gets the smallest value.' },
    { name: 'StandardDeviation', type: 'switch', description: 'Gets the standard deviation of the values.' },
    { name: 'AllStats', type: 'switch', description: 'All of the statistics.' },
  ],
  begin(ctx) {
    ctx.state.stats = new Map<string, Stat>();
  },
  process(ctx) {
    const stats = ctx.state.stats as Map<string, Stat>;
    const v = ctx.params.InputObject;
    if (v === undefined) return;
    const all = Boolean(ctx.params.AllStats);
    const wantsNumbers = all || Boolean(ctx.params.Sum || ctx.params.Average || ctx.params.StandardDeviation);
    const props = ctx.params.Property as string[] | undefined;
    if (!props) {
      let s = stats.get('');
      if (!s) stats.set('', (s = new Stat()));
      if (v !== null) s.add(v, wantsNumbers);
      return;
    }
    for (const p of props) {
      const value = getMember(v, p);
      if (value === undefined) continue;
      let s = stats.get(p);
      if (!s) stats.set(p, (s = new Stat()));
      if (value !== null) s.add(value, wantsNumbers);
    }
  },
  end(ctx) {
    const stats = ctx.state.stats as Map<string, Stat>;
    const p = ctx.params;
    const all = Boolean(p.AllStats);
    const props = (p.Property as string[] | undefined) ?? [''];
    const out: PSObject[] = [];
    for (const name of props) {
      const s = stats.get(name);
      if (!s && name !== '') {
        ctx.writeError(new ErrorRecord({
          message: `The property "${name}" cannot be found in the input for any objects.`,
          errorId: 'GenericMeasurePropertyNotFound,Microsoft.PowerShell.Commands.MeasureObjectCommand',
          category: 'InvalidArgument', targetObject: name,
        }));
        continue;
      }
      const st = s ?? new Stat();
      const o = new PSObject(['Microsoft.PowerShell.Commands.GenericMeasureInfo', 'Microsoft.PowerShell.Commands.MeasureInfo', 'System.Object']);
      const avg = st.count ? st.sum / st.count : null;
      o.set('Count', st.count);
      o.set('Average', all || p.Average ? avg : null);
      o.set('Sum', all || p.Sum ? st.sum : null);
      o.set('Maximum', all || p.Maximum ? (st.max === undefined ? null : numeric(st.max)) : null);
      o.set('Minimum', all || p.Minimum ? (st.min === undefined ? null : numeric(st.min)) : null);
      o.set('StandardDeviation', all || p.StandardDeviation ? (st.count > 1 && avg !== null ? Math.sqrt((st.sumSquares - st.count * avg * avg) / (st.count - 1)) : 0) : null);
      o.set('Property', name === '' ? null : name);
      out.push(o);
    }
    return ctx.writeAll(out);
  },
});

/** Maximum/Minimum are doubles in GenericMeasureInfo: numeric text becomes a number. */
function numeric(v: unknown): unknown {
  if (typeof v === 'number') return v;
  try {
    return toNumber(v, 'System.Double');
  } catch {
    throw new Error(`Input object "${toDisplayString(v)}" is not numeric.`);
  }
}

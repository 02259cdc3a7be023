import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { getMember } from '../../core/engine/members';
import { hasWildcard, valuesEqual, wildcardMatch } from '../../core/engine/operators';
import { isPromise, MaybePromise } from '../../core/engine/pipeline';
import { calculatedPropertyArgs } from '../../core/engine/calculated';
import { Hashtable, PSObject, typeNamesOf } from '../../core/engine/values';

type Resolved = ReturnType<typeof import('../../core/format').resolveProperties>[number];

function propertyNotFound(name: string, input: unknown): ErrorRecord {
  return new ErrorRecord({
    message: `Property "${name}" cannot be found.`,
    errorId: 'ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand',
    category: 'InvalidArgument',
    exceptionType: 'System.Management.Automation.PSArgumentException',
    targetObject: input,
  });
}

/** The object `-Property` makes: a PSCustomObject named `Selected.<type>` with the chosen properties. */
async function selectProperties(ctx: CmdletContext, input: unknown, props: Resolved[], exclude: string[]): Promise<PSObject> {
  const names = typeNamesOf(input).filter((t) => !t.startsWith('Selected.'));
  const o = new PSObject([`Selected.${names[0]}`, 'System.Management.Automation.PSCustomObject', 'System.Object']);
  for (const p of props) {
    if (exclude.some((x) => wildcardMatch(p.label, x))) continue;
    let v = typeof p.value === 'function' ? p.value(input) : getMember(input, p.value);
    if (isPromise(v)) v = await v;
    o.set(p.label, v === undefined ? null : v);
  }
  return o;
}

/** Expands `*` and wildcards against this object's own property names. */
function resolveFor(input: unknown, args: unknown[], ctx: CmdletContext): Resolved[] {
  const { resolveProperties } = require('../../core/format') as typeof import('../../core/format');
  const calculated = calculatedPropertyArgs(args, ctx);
  if (!(input instanceof PSObject) && !(input instanceof Hashtable)) {
    // Properties of scalars (a string's Length, a version's Major) are read as members.
    return calculated.flatMap((a) => (typeof a === 'string' ? (hasWildcard(a) ? [] : [{ label: a, value: a, width: null }]) : resolveProperties([a], null)));
  }
  const source = input instanceof Hashtable ? PSObject.fromEntries(input.entries().map(([k, v]) => [String(k), v])) : input;
  return resolveProperties(calculated, source);
}

export default defineCmdlet({
  verb: 'Select',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Selects objects or object properties.',
  defaultParameterSet: 'DefaultParameter',
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to select from.' },
    { name: 'Property', type: 'object[]', position: 0, sets: ['DefaultParameter', 'SkipLastParameter'], description: 'Properties to select: names, wildcards, or @{Name=…; Expression={…}}.' },
    { name: 'ExcludeProperty', type: 'string[]', sets: ['DefaultParameter', 'SkipLastParameter'], description: 'Properties to leave out.' },
    { name: 'ExpandProperty', type: 'string', sets: ['DefaultParameter', 'SkipLastParameter'], description: 'A property whose value (each element, for a collection) is output instead.' },
    { name: 'Unique', type: 'switch', description: 'Outputs each distinct object once.' },
    { name: 'First', type: 'int', sets: ['DefaultParameter'], description: 'How many objects to take from the start.' },
    { name: 'Last', type: 'int', sets: ['DefaultParameter'], description: 'How many objects to take from the end.' },
    { name: 'Skip', type: 'int', sets: ['DefaultParameter'], description: 'How many objects to skip from the start.' },
    { name: 'SkipLast', type: 'int', sets: ['SkipLastParameter'], description: 'How many objects to skip from the end.' },
    { name: 'Index', type: 'int[]', sets: ['IndexParameter'], description: 'Positions (0-based) of the objects to select.' },
  ],
  begin(ctx) {
    ctx.state.seen = 0;
    ctx.state.emitted = 0;
    ctx.state.tail = [];
    ctx.state.unique = [];
  },
  process(ctx) {
    const input = ctx.params.InputObject;
    if (input === undefined) return;
    const p = ctx.params;
    const st = ctx.state;
    const index = st.seen++;
    if (p.Index) {
      if ((p.Index as number[]).includes(index)) return emit(ctx, input);
      return;
    }
    if (p.Skip !== undefined && index < (p.Skip as number)) return;
    if (p.Last !== undefined || p.SkipLast !== undefined) {
      st.tail.push(input);
      if (p.Last !== undefined && p.First === undefined && st.tail.length > (p.Last as number)) st.tail.shift();
      return;
    }
    if (p.First !== undefined) {
      if (st.emitted >= (p.First as number)) ctx.stopUpstream();
      st.emitted++;
      const r = emit(ctx, input);
      // Once the last wanted object has gone downstream, nothing upstream needs to run.
      const stop = () => {
        if (st.emitted >= (p.First as number)) ctx.stopUpstream();
      };
      return isPromise(r) ? r.then(stop) : stop();
    }
    return emit(ctx, input);
  },
  end(ctx) {
    const p = ctx.params;
    let tail: unknown[] = ctx.state.tail;
    if (p.SkipLast !== undefined) tail = tail.slice(0, Math.max(0, tail.length - (p.SkipLast as number)));
    else if (p.First !== undefined && p.Last !== undefined) {
      const first = tail.slice(0, p.First as number);
      const last = tail.slice(Math.max(p.First as number, tail.length - (p.Last as number)));
      tail = [...first, ...last];
    }
    return sequence(tail.map((x) => () => emit(ctx, x)));
  },
});

function sequence(steps: (() => MaybePromise)[]): MaybePromise {
  for (let i = 0; i < steps.length; i++) {
    const r = steps[i]();
    if (isPromise(r)) return r.then(() => sequence(steps.slice(i + 1)));
  }
}

/** Applies -Property/-ExpandProperty/-Unique to one selected object and writes the result. */
function emit(ctx: CmdletContext, input: unknown): MaybePromise {
  const p = ctx.params;
  const unique = (v: unknown): boolean => {
    if (!p.Unique) return true;
    const seen: unknown[] = ctx.state.unique;
    const same = (a: unknown, b: unknown) =>
      a instanceof PSObject && b instanceof PSObject
        ? a.propertyNames().length === b.propertyNames().length && a.properties().every((x) => valuesEqual(x.value, b.get(x.name), true))
        : valuesEqual(a, b, true);
    if (seen.some((s) => same(s, v))) return false;
    seen.push(v);
    return true;
  };
  if (p.ExpandProperty !== undefined) {
    const name = p.ExpandProperty as string;
    const value = getMember(input, name);
    if (value === undefined) {
      ctx.writeError(propertyNotFound(name, input));
      return;
    }
    const values = (Array.isArray(value) ? value : [value]).filter(unique);
    return ctx.writeAll(values);
  }
  if (p.Property === undefined && !p.ExcludeProperty) return unique(input) ? ctx.write(input) : undefined;
  const args = (p.Property as unknown[] | undefined) ?? ['*'];
  const props = resolveFor(input, args, ctx);
  return selectProperties(ctx, input, props, (p.ExcludeProperty as string[] | undefined) ?? []).then((o) => (unique(o) ? ctx.write(o) : undefined));
}

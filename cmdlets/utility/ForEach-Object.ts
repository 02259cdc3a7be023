import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { getMember, invokeMethod } from '../../core/engine/members';
import { isPromise, MaybePromise } from '../../core/engine/pipeline';

export default defineCmdlet({
  verb: 'ForEach',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Performs an operation against each item in a collection of input objects.',
  defaultParameterSet: 'ScriptBlockSet',
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to process.' },
    { name: 'Process', type: 'scriptblock[]', mandatory: true, position: 0, valueFromRemainingArguments: true, sets: ['ScriptBlockSet'], description: 'Script blocks run for each object, with $_ as the object.' },
    { name: 'Begin', type: 'scriptblock', sets: ['ScriptBlockSet'], description: 'A script block run before the first object.' },
    { name: 'End', type: 'scriptblock', sets: ['ScriptBlockSet'], description: 'A script block run after the last object.' },
    { name: 'MemberName', type: 'string', mandatory: true, position: 0, sets: ['PropertyAndMethodSet'], description: 'A property to get or a method to call on each object.' },
    { name: 'ArgumentList', type: 'object[]', aliases: ['Args'], sets: ['PropertyAndMethodSet'], description: 'Arguments for the method call.' },
  ],
  begin(ctx) {
    if (ctx.parameterSetName !== 'ScriptBlockSet') return;
    const blocks = blocksOf(ctx.params);
    if (blocks.begin) return emit(ctx, ctx.invoke(blocks.begin, {}));
  },
  process(ctx) {
    const input = ctx.params.InputObject;
    if (ctx.parameterSetName === 'PropertyAndMethodSet') {
      const name = ctx.params.MemberName as string;
      if (ctx.boundParameters.has('ArgumentList')) return ctx.write(invokeMethod(input, name, ctx.params.ArgumentList as unknown[]));
      const v = getMember(input, name);
      if (v === undefined && input !== null && input !== undefined) {
        // Not a property: a method called without arguments (`ForEach-Object ToUpper`).
        try {
          return ctx.write(invokeMethod(input, name, []));
        } catch {
          // fall through to pwsh's error below
        }
      }
      if (v === undefined) {
        ctx.writeError(new ErrorRecord({
          message: `The input name "${name}" cannot be resolved to a member.`,
          errorId: 'PropertyOrMethodNotFound,Microsoft.PowerShell.Commands.ForEachObjectCommand',
          category: 'InvalidArgument', targetObject: input,
        }));
        return;
      }
      return Array.isArray(v) ? ctx.writeAll(v) : ctx.write(v);
    }
    const blocks = blocksOf(ctx.params);
    return emit(ctx, ctx.invoke(blocks.process, { dollarUnder: input === undefined ? null : input }));
  },
  end(ctx) {
    if (ctx.parameterSetName !== 'ScriptBlockSet') return;
    const blocks = blocksOf(ctx.params);
    if (blocks.end) return emit(ctx, ctx.invoke(blocks.end, {}));
  },
});

/** `ForEach-Object {b} {p} {e}`: with several blocks the first begins and the third ends, as in PowerShell. */
function blocksOf(p: Record<string, unknown>): { begin?: unknown; process: unknown; end?: unknown } {
  const list = p.Process as unknown[];
  if (list.length === 1) return { begin: p.Begin, process: list[0], end: p.End };
  return { begin: p.Begin ?? list[0], process: list[1], end: p.End ?? list[2] };
}

function emit(ctx: { writeAll(v: Iterable<unknown>): MaybePromise }, out: unknown[] | Promise<unknown[]>): MaybePromise {
  if (isPromise(out)) return out.then((o) => ctx.writeAll(o));
  return ctx.writeAll(out);
}

import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { toBool } from '../../core/engine/coerce';
import { ErrorRecord } from '../../core/engine/errors';
import { getMember } from '../../core/engine/members';
import { compareValues, hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { isPromise } from '../../core/engine/pipeline';
import { Hashtable, PSObject, PSVersion, toDisplayString } from '../../core/engine/values';
import { unwrapOutput } from '../../core/format/cmdlet-support';

/** One sort (or group) key: how to read it from an object, and its own direction when it has one. */
export interface OrderKey {
  read(ctx: CmdletContext, obj: unknown): unknown | Promise<unknown>;
  /** From `@{Expression=…; Descending=$true}` / `Ascending=…`; undefined follows -Descending. */
  descending?: boolean;
}

function isScriptBlock(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { isScriptBlock?: boolean }).isScriptBlock === true;
}

function keyError(ctx: CmdletContext, command: string, message: string, errorId: string): never {
  ctx.throwTerminating(
    new ErrorRecord({
      message,
      errorId: `${errorId},Microsoft.PowerShell.Commands.${command}`,
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.ParameterBindingException',
    }),
  );
}

function expressionKey(expr: unknown): OrderKey['read'] {
  if (isScriptBlock(expr)) {
    return (ctx, obj) => {
      const out = ctx.invoke(expr, { dollarUnder: obj });
      return isPromise(out) ? out.then(unwrapOutput) : unwrapOutput(out);
    };
  }
  const name = toDisplayString(expr);
  return (_ctx, obj) => {
    const v = getMember(obj, name);
    return v === undefined ? MISSING : v;
  };
}

/** A key whose property the object does not have: it sorts after every existing value, in either direction. */
export const MISSING: unique symbol = Symbol('missing property');

/**
 * -Property of Sort-Object / Group-Object: names (wildcards expand against the first object's
 * properties), script blocks, and `@{Expression=…; Ascending|Descending=…}` (keys by unique prefix).
 */
export function orderKeys(ctx: CmdletContext, command: string, args: unknown[] | undefined, first: unknown, allowDirection: boolean): OrderKey[] | null {
  if (args === undefined) return null;
  const keys: OrderKey[] = [];
  for (const arg of args) {
    if (arg instanceof Hashtable) {
      let expression: unknown;
      let ascending: boolean | undefined;
      let descending: boolean | undefined;
      const allowed = allowDirection ? ['expression', 'ascending', 'descending'] : ['expression'];
      for (const [k, v] of arg.entries()) {
        const key = String(k).toLowerCase();
        const matches = allowed.filter((a) => key.length > 0 && a.startsWith(key));
        if (matches.length !== 1) keyError(ctx, command, `The ${String(k)} key is not valid.`, 'DictionaryKeyIllegal');
        if (matches[0] === 'expression') expression = v;
        else if (matches[0] === 'ascending') ascending = toBool(v);
        else descending = toBool(v);
      }
      if (expression === undefined) keyError(ctx, command, 'A mandatory entry for expression is missing.', 'DictionaryKeyMandatoryEntry');
      // Both keys given: Ascending decides, as pwsh's OrderByProperty does.
      keys.push({ read: expressionKey(expression), descending: ascending !== undefined ? !ascending : descending });
    } else if (isScriptBlock(arg)) keys.push({ read: expressionKey(arg) });
    else {
      const name = toDisplayString(arg);
      if (hasWildcard(name)) {
        const names = first instanceof PSObject ? first.propertyNames().filter((n) => wildcardMatch(n, name)) : [];
        for (const n of names) keys.push({ read: expressionKey(n) });
      } else keys.push({ read: expressionKey(name) });
    }
  }
  return keys;
}

/** Reads every key of every object (script blocks may be asynchronous). */
export async function keyValues(ctx: CmdletContext, keys: OrderKey[] | null, items: unknown[]): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const obj of items) {
    if (keys === null) {
      out.push([obj]);
      continue;
    }
    const row: unknown[] = [];
    for (const k of keys) {
      let v = k.read(ctx, obj);
      if (isPromise(v)) v = await v;
      row.push(v === undefined || v === null ? (v === undefined ? MISSING : null) : v);
    }
    out.push(row);
  }
  return out;
}

const insensitive = new Intl.Collator('en-US', { sensitivity: 'accent' });
const sensitive = new Intl.Collator('en-US', { sensitivity: 'variant', caseFirst: 'lower' });

/**
 * pwsh's ObjectCommandComparer: $null before everything, strings by the current culture
 * (case-insensitive unless -CaseSensitive, lower case first when sensitive), other values as
 * PowerShell compares them (numbers numerically, versions part by part, dates by time), and
 * values that cannot be compared by their text.
 */
export function compareKeyValues(a: unknown, b: unknown, caseSensitive: boolean): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  // $null compares with a number as 0 (so -2 sorts before $null), and before everything else.
  if (aNull && bNull) return 0;
  if (aNull) return typeof b === 'number' ? Math.sign(0 - b) : -1;
  if (bNull) return typeof a === 'number' ? Math.sign(a) : 1;
  const collator = caseSensitive ? sensitive : insensitive;
  if (typeof a === 'string' && typeof b === 'string') return Math.sign(collator.compare(a, b));
  if (typeof a === 'object' && !(a instanceof Date) && !(a instanceof PSVersion)) {
    return Math.sign(collator.compare(stringOf(a), stringOf(b)));
  }
  try {
    return compareValues(a, b, caseSensitive);
  } catch {
    return Math.sign(collator.compare(stringOf(a), stringOf(b)));
  }
}

function stringOf(v: unknown): string {
  return v instanceof PSObject ? v.toString() : toDisplayString(v);
}

export function compareRows(a: unknown[], b: unknown[], directions: boolean[], caseSensitive: boolean): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === MISSING || b[i] === MISSING) {
      if (a[i] === b[i]) continue;
      return a[i] === MISSING ? 1 : -1;
    }
    const c = compareKeyValues(a[i], b[i], caseSensitive);
    if (c !== 0) return directions[i] ? -c : c;
  }
  return 0;
}

export default defineCmdlet({
  verb: 'Sort',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Sorts objects by property values.',
  defaultParameterSet: 'Default',
  parameters: [
    { name: 'Property', type: 'object[]', position: 0, description: 'The properties to sort by, most significant first: names (wildcards allowed), script blocks, or @{Expression=…; Descending=$true}.' },
    { name: 'Descending', type: 'switch', description: 'Sorts in descending order (keys that set their own direction keep it).' },
    { name: 'Unique', type: 'switch', description: 'Outputs only the first of the objects whose sort keys are equal.' },
    { name: 'CaseSensitive', type: 'switch', description: 'Sorts upper and lower case apart (lower case first); with -Unique, keeps values that differ only in case.' },
    { name: 'Stable', type: 'switch', sets: ['Default'], description: 'Keeps objects with equal keys in their input order (the sort is always stable).' },
    { name: 'Top', type: 'int', mandatory: true, sets: ['Top'], description: 'Outputs only this many objects from the start of the sorted order.' },
    { name: 'Bottom', type: 'int', mandatory: true, sets: ['Bottom'], description: 'Outputs only this many objects from the end of the sorted order.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to sort.' },
  ],
  begin(ctx) {
    ctx.state.items = [];
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v !== undefined) ctx.state.items.push(v);
  },
  async end(ctx) {
    const items: unknown[] = ctx.state.items;
    if (items.length === 0) return;
    const p = ctx.params;
    for (const n of ['Top', 'Bottom']) {
      if (p[n] !== undefined && (p[n] as number) < 1) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: `Cannot validate argument on parameter '${n}'. The ${p[n]} argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.`,
            errorId: 'ParameterArgumentValidationError,Microsoft.PowerShell.Commands.SortObjectCommand',
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
          }),
        );
      }
    }
    const caseSensitive = Boolean(p.CaseSensitive);
    const keys = orderKeys(ctx, 'SortObjectCommand', p.Property as unknown[] | undefined, items[0], true);
    const rows = await keyValues(ctx, keys, items);
    const globalDesc = Boolean(p.Descending);
    const directions = keys === null ? [globalDesc] : keys.map((k) => k.descending ?? globalDesc);
    let order = items.map((_, i) => i);
    // Array.prototype.sort is stable: equal keys keep their input order.
    order.sort((x, y) => compareRows(rows[x], rows[y], directions, caseSensitive));
    if (p.Unique) order = order.filter((idx, k) => k === 0 || compareRows(rows[order[k - 1]], rows[idx], directions, caseSensitive) !== 0);
    if (p.Top !== undefined) order = order.slice(0, p.Top as number);
    if (p.Bottom !== undefined) order = order.slice(Math.max(0, order.length - (p.Bottom as number)));
    return ctx.writeAll(order.map((i) => items[i]));
  },
});

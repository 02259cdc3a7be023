import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { Hashtable, PSObject, toDisplayString, typeNameOf } from '../../core/engine/values';
import { compareRows, keyValues, MISSING, orderKeys } from './Sort-Object';

/** GroupInfo's Name: the key values' text joined by `, `; collections as `{a, b}`; $null left out. */
function groupName(values: unknown[]): string {
  const parts: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined || v === MISSING) continue;
    if (Array.isArray(v)) parts.push(`{${v.map((x) => (x instanceof PSObject ? x.toString() : toDisplayString(x))).join(', ')}}`);
    else parts.push(v instanceof PSObject ? v.toString() : toDisplayString(v));
  }
  return parts.join(', ');
}

interface Group {
  values: unknown[];
  members: unknown[];
  count: number;
}

function groupInfo(g: Group, noElement: boolean): PSObject {
  const o = new PSObject(
    noElement
      ? ['Microsoft.PowerShell.Commands.GroupInfoNoElement', 'Microsoft.PowerShell.Commands.GroupInfo', 'System.Object']
      : ['Microsoft.PowerShell.Commands.GroupInfo', 'System.Object'],
  );
  o.set('Values', g.values.map((v) => (v === MISSING ? null : v)));
  o.set('Count', g.count);
  o.set('Group', g.members);
  o.set('Name', groupName(g.values));
  return o;
}

function argumentError(message: string, target: unknown): ErrorRecord {
  return new ErrorRecord({
    message,
    errorId: 'ArgumentException,Microsoft.PowerShell.Commands.GroupObjectCommand',
    category: 'InvalidArgument',
    exceptionType: 'System.ArgumentException',
    targetObject: target,
  });
}

export default defineCmdlet({
  verb: 'Group',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Groups objects that contain the same value for specified properties.',
  defaultParameterSet: 'Default',
  outputType: ['Microsoft.PowerShell.Commands.GroupInfo', 'System.Collections.Hashtable'],
  parameters: [
    { name: 'Property', type: 'object[]', position: 0, description: 'The properties to group by: names, script blocks, or @{Expression=…}.' },
    { name: 'NoElement', type: 'switch', description: 'Leaves the members out of the results (only Count and Name).' },
    { name: 'AsHashTable', type: 'switch', aliases: ['AHT'], sets: ['HashTable'], description: 'Returns a hashtable whose keys are the property values and whose values are the members.' },
    { name: 'AsString', type: 'switch', sets: ['HashTable'], description: 'With -AsHashTable, makes the keys strings.' },
    { name: 'CaseSensitive', type: 'switch', description: 'Makes grouping case-sensitive.' },
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to group.' },
  ],
  begin(ctx) {
    ctx.state.items = [];
  },
  process(ctx) {
    const v = ctx.params.InputObject;
    if (v === undefined || v === null) return;
    const p = ctx.params;
    if (ctx.state.items.length === 0) {
      if (p.AsString && !p.AsHashTable) {
        ctx.throwTerminating(argumentError('The command cannot be run because the AsString parameter requires that you specify the AsHashtable parameter.', true));
      }
      if (p.AsHashTable && !p.AsString && p.Property !== undefined && (p.Property as unknown[]).length > 1) {
        ctx.throwTerminating(argumentError('The command cannot be run because using the AsHashTable parameter with more than one property requires adding the AsString parameter.', p.Property));
      }
    }
    ctx.state.items.push(v);
  },
  async end(ctx) {
    const items: unknown[] = ctx.state.items;
    if (items.length === 0) return;
    const p = ctx.params;
    const caseSensitive = Boolean(p.CaseSensitive);
    const keys = orderKeys(ctx, 'GroupObjectCommand', p.Property as unknown[] | undefined, items[0], false);
    const rows = await keyValues(ctx, keys, items);
    const width = rows[0].length;
    const up = new Array<boolean>(width).fill(false);
    // Values of one type per key (nulls aside): groups come out sorted (a stable OrderBy), as pwsh.
    // Mixed types: groups in the order their first member arrived.
    const types: (string | null)[] = new Array(width).fill(null);
    let mixed = false;
    for (const row of rows) {
      row.forEach((v, i) => {
        if (v === null || v === MISSING) return;
        const t = typeNameOf(v);
        if (types[i] === null) types[i] = t;
        else if (types[i] !== t) mixed = true;
      });
    }
    let order = items.map((_, i) => i);
    if (!mixed) order = order.sort((x, y) => compareRows(rows[x], rows[y], up, caseSensitive));
    const groups: Group[] = [];
    for (const i of order) {
      const candidates = mixed ? groups : groups.slice(-1);
      const g = candidates.find((c) => compareRows(c.values, rows[i], up, caseSensitive) === 0);
      if (g) {
        g.count++;
        if (!p.NoElement) g.members.push(items[i]);
      } else groups.push({ values: rows[i], members: p.NoElement ? [] : [items[i]], count: 1 });
    }
    if (p.AsHashTable) {
      const table = new Hashtable(false, caseSensitive);
      for (const g of groups) {
        const key = p.AsString ? groupName(g.values) : g.values[0] === MISSING ? null : g.values[0];
        if (table.has(key)) {
          ctx.writeError(
            new ErrorRecord({
              message: 'The objects grouped by this property cannot be expanded because there is a key duplication. Provide a valid value for the property, and then try again.',
              errorId: 'The objects grouped by this property cannot be expanded because there is a key duplication. Provide a valid value for the property, and then try again.',
              category: 'InvalidArgument',
            }),
          );
          return;
        }
        table.set(key, g.members);
      }
      return ctx.write(table);
    }
    return ctx.writeAll(groups.map((g) => groupInfo(g, Boolean(p.NoElement))));
  },
});

import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { PSObject } from '../../core/engine/values';

/** An AliasInfo as Get-Alias and Get-Command return it (the view shows `gcm -> Get-Command`). */
export function aliasInfo(name: string, definition: string): PSObject {
  const o = new PSObject(['System.Management.Automation.AliasInfo', 'System.Management.Automation.CommandInfo', 'System.Object']);
  o.set('CommandType', 'Alias');
  o.set('Name', name);
  o.set('DisplayName', `${name} -> ${definition}`);
  o.set('Definition', definition);
  o.set('ResolvedCommandName', definition);
  o.set('ReferencedCommand', definition);
  o.set('Version', null);
  o.set('Source', '');
  o.set('ModuleName', '');
  o.set('Options', 'ReadOnly, AllScope');
  o.toStringFn = () => name;
  return o;
}

function notFound(kind: 'name' | 'definition', value: string): ErrorRecord {
  return new ErrorRecord({
    message: `This command cannot find a matching alias because an alias with the ${kind} '${value}' does not exist.`,
    errorId: 'ItemNotFoundException,Microsoft.PowerShell.Commands.GetAliasCommand',
    category: 'ObjectNotFound',
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
    targetObject: value,
  });
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Alias',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Gets the aliases for the current session.',
  defaultParameterSet: 'Default',
  outputType: ['System.Management.Automation.AliasInfo'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Default'], description: 'The aliases to get; wildcards are permitted. By default, all aliases.' },
    { name: 'Definition', type: 'string[]', sets: ['Definition'], description: 'Gets the aliases of these commands; wildcards are permitted.' },
    { name: 'Exclude', type: 'string[]', description: 'Leaves out these aliases (matched against the name, or the command with -Definition); wildcards are permitted.' },
  ],
  process(ctx) {
    const session = ctx.session as SessionState;
    const p = ctx.params;
    const all = [...session.aliases.entries()]
      .map(([name, def]) => ({ name, def }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const byDefinition = ctx.parameterSetName === 'Definition';
    const patterns = ((byDefinition ? p.Definition : p.Name) as string[] | undefined) ?? ['*'];
    const exclude = (p.Exclude as string[] | undefined) ?? [];
    const out: PSObject[] = [];
    for (const pattern of patterns) {
      let matched = false;
      for (const a of all) {
        const subject = byDefinition ? a.def : a.name;
        if (!wildcardMatch(subject, pattern)) continue;
        matched = true;
        if (exclude.some((x) => wildcardMatch(subject, x))) continue;
        if (out.some((o) => String(o.get('Name')).toLowerCase() === a.name)) continue;
        out.push(aliasInfo(a.name, a.def));
      }
      if (!matched && !hasWildcard(pattern)) ctx.writeError(notFound(byDefinition ? 'definition' : 'name', pattern));
    }
    return ctx.writeAll(out);
  },
});

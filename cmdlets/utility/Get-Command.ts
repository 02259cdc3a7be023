import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { cmdletEntries, loadCmdlet, SessionState, engineVersion, packageVersion } from '../../core/engine/session';
import { PSObject, PSVersion } from '../../core/engine/values';

const commandTypes = ['Alias', 'Function', 'Cmdlet', 'ExternalScript', 'All'];
const typeOrder: Record<string, number> = { Alias: 0, Function: 1, Cmdlet: 2 };


function commandInfo(type: string, name: string, source: string, version: PSVersion | null, extra: Record<string, unknown> = {}): PSObject {
  const typeName = type === 'Alias' ? 'System.Management.Automation.AliasInfo' : type === 'Function' ? 'System.Management.Automation.FunctionInfo' : 'System.Management.Automation.CmdletInfo';
  const o = new PSObject([typeName, 'System.Management.Automation.CommandInfo', 'System.Object']);
  o.set('CommandType', type);
  o.set('Name', name);
  o.set('Version', version);
  o.set('Source', source);
  o.set('ModuleName', source);
  const dash = name.indexOf('-');
  if (type !== 'Alias' && dash > 0) {
    o.set('Verb', name.slice(0, dash));
    o.set('Noun', name.slice(dash + 1));
  }
  for (const [k, v] of Object.entries(extra)) o.set(k, v);
  o.toStringFn = () => name;
  return o;
}

/** Case-insensitive ordinal order; a locale collator would cost start-up time for nothing here. */
function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Every command the session knows, as CommandInfo objects, in pwsh's order (type, then name). */
function allCommands(session: SessionState): PSObject[] {
  const out: PSObject[] = [];
  const pkg = PSVersion.tryParse(packageVersion());
  for (const e of cmdletEntries().values()) {
    if (e.gated && loadCmdlet(e).availability?.(session) != null) continue;
    const builtin = e.module.startsWith('Microsoft.PowerShell.');
    out.push(commandInfo('Cmdlet', e.name, e.module, builtin ? new PSVersion(engineVersion.major, 0, 0, 0) : pkg));
  }
  for (const f of session.functions.values()) out.push(commandInfo('Function', f.name, '', null, { Definition: f.scriptBlock.toString() }));
  const known = new Set(out.map((c) => String(c.get('Name')).toLowerCase()));
  for (const [alias, target] of session.aliases) {
    // An alias is listed only when its command exists here.
    if (!known.has(target.toLowerCase())) continue;
    out.push(commandInfo('Alias', alias, '', null, { DisplayName: `${alias} -> ${target}`, Definition: target, ResolvedCommandName: target }));
  }
  return out.sort(
    (a, b) =>
      typeOrder[String(a.get('CommandType'))] - typeOrder[String(b.get('CommandType'))] ||
      compareNames(String(a.get('Name')), String(b.get('Name'))),
  );
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Command',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Gets all commands: cmdlets, functions and aliases.',
  outputType: ['System.Management.Automation.CommandInfo'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, description: 'Command names; wildcards are permitted.' },
    { name: 'Verb', type: 'string[]', description: 'Gets commands whose names have this verb.' },
    { name: 'Noun', type: 'string[]', description: 'Gets commands whose names have this noun.' },
    { name: 'Module', type: 'string[]', aliases: ['PSSnapin'], description: 'Gets commands from these modules.' },
    { name: 'CommandType', type: 'string[]', aliases: ['Type'], validateSet: commandTypes, description: 'Gets only commands of these types.' },
    { name: 'TotalCount', type: 'int', description: 'Gets at most this many commands.' },
  ],
  process(ctx) {
    const session = ctx.session as SessionState;
    const p = ctx.params;
    const names = p.Name as string[] | undefined;
    const types = (p.CommandType as string[] | undefined)?.map((t) => t.toLowerCase());
    const matchAny = (value: string, patterns: string[] | undefined) => !patterns || patterns.some((x) => wildcardMatch(value, x));
    let commands = allCommands(session).filter((c) => {
      const type = String(c.get('CommandType'));
      if (types && !types.includes('all') && !types.includes(type.toLowerCase())) return false;
      // Without -Name, -Verb/-Noun/-Module select from cmdlets and functions only.
      if ((p.Verb || p.Noun) && type === 'Alias') return false;
      if (!matchAny(String(c.get('Verb') ?? ''), p.Verb as string[] | undefined) && p.Verb) return false;
      if (!matchAny(String(c.get('Noun') ?? ''), p.Noun as string[] | undefined) && p.Noun) return false;
      if (p.Module && !matchAny(String(c.get('Source')), p.Module as string[])) return false;
      return true;
    });
    if (names) {
      const found: PSObject[] = [];
      for (const n of names) {
        const hits = commands.filter((c) => wildcardMatch(String(c.get('Name')), n));
        if (hits.length === 0 && !hasWildcard(n)) {
          ctx.writeError(
            new ErrorRecord({
              message: `The term '${n}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
              errorId: 'CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand',
              category: 'ObjectNotFound',
              exceptionType: 'System.Management.Automation.CommandNotFoundException',
              targetObject: n,
            }),
          );
        }
        for (const h of hits) if (!found.includes(h)) found.push(h);
      }
      commands = found;
    }
    if (p.TotalCount !== undefined && (p.TotalCount as number) >= 0) commands = commands.slice(0, p.TotalCount as number);
    return ctx.writeAll(commands);
  },
});

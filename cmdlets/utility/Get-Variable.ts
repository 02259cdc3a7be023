import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import type { PSVariable, Scope, SessionState } from '../../core/engine/session';
import { PSObject } from '../../core/engine/values';

/** Variables visible from a scope: inner ones hide outer ones of the same name. */
export function visibleVariables(scope: Scope): PSVariable[] {
  const seen = new Map<string, PSVariable>();
  for (let s: Scope | null = scope; s; s = s.parent) for (const [k, v] of s.vars) if (!seen.has(k)) seen.set(k, v);
  return [...seen.values()];
}

export function variableObject(v: PSVariable): PSObject {
  const o = new PSObject(['System.Management.Automation.PSVariable', 'System.Object']);
  o.set('Name', v.name);
  o.set('Value', v.value);
  o.set('Description', v.description);
  o.set('Options', v.options);
  o.toStringFn = () => v.name;
  return o;
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Variable',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Gets the variables in the current console.',
  outputType: ['System.Management.Automation.PSVariable'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, description: 'Variable names; wildcards are permitted.' },
    { name: 'ValueOnly', type: 'switch', description: 'Gets only the value of the variable.' },
    { name: 'Exclude', type: 'string[]', description: 'Names to leave out; wildcards are permitted.' },
    { name: 'Scope', type: 'string', validateSet: ['Global', 'Local', 'Script'], description: 'Gets variables of this scope only.' },
  ],
  process(ctx) {
    const session = ctx.session as SessionState;
    const scope = ctx.params.Scope ? (String(ctx.params.Scope).toLowerCase() === 'local' ? (ctx.scope as Scope) : session.global) : (ctx.scope as Scope);
    const all = ctx.params.Scope ? [...scope.vars.values()] : visibleVariables(scope);
    const patterns = (ctx.params.Name as string[] | undefined) ?? ['*'];
    const exclude = (ctx.params.Exclude as string[] | undefined) ?? [];
    const out: PSVariable[] = [];
    for (const pattern of patterns) {
      const hits = all.filter((v) => wildcardMatch(v.name, pattern) && !exclude.some((x) => wildcardMatch(v.name, x)));
      if (hits.length === 0 && !hasWildcard(pattern)) {
        ctx.writeError(
          new ErrorRecord({
            message: `Cannot find a variable with the name '${pattern}'.`,
            errorId: 'VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand',
            category: 'ObjectNotFound',
            exceptionType: 'System.Management.Automation.ItemNotFoundException',
            targetObject: pattern,
          }),
        );
      }
      for (const h of hits.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }))) if (!out.includes(h)) out.push(h);
    }
    return ctx.writeAll(ctx.params.ValueOnly ? out.map((v) => v.value) : out.map(variableObject));
  },
});

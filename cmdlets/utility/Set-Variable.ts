import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { PSVariable, Scope, SessionState } from '../../core/engine/session';
import { variableObject } from './Get-Variable';

export default defineCmdlet({
  verb: 'Set',
  noun: 'Variable',
  module: 'Microsoft.PowerShell.Utility',
  synopsis: 'Sets the value of a variable, creating it if it does not exist.',
  supportsShouldProcess: true,
  parameters: [
    { name: 'Name', type: 'string[]', mandatory: true, position: 0, valueFromPipelineByPropertyName: true, description: 'The variable names.' },
    { name: 'Value', type: 'object', position: 1, valueFromPipeline: true, valueFromPipelineByPropertyName: true, description: 'The value to assign.' },
    { name: 'Scope', type: 'string', validateSet: ['Global', 'Local', 'Script'], description: 'The scope to set the variable in.' },
    { name: 'Option', type: 'string', validateSet: ['None', 'ReadOnly', 'Constant'], description: 'ReadOnly or Constant.' },
    { name: 'Description', type: 'string', description: 'A description of the variable.' },
    { name: 'PassThru', type: 'switch', description: 'Returns the variable object.' },
    { name: 'Force', type: 'switch', description: 'Overwrites a read-only variable.' },
  ],
  async process(ctx) {
    const session = ctx.session as SessionState;
    const scopeName = String(ctx.params.Scope ?? 'Local').toLowerCase();
    const scope = scopeName === 'local' ? (ctx.scope as Scope) : session.global;
    for (const name of ctx.params.Name as string[]) {
      if (!(await ctx.shouldProcess(`Name: ${name} Value: ${String(ctx.params.Value ?? '')}`, 'Set variable'))) continue;
      const lower = name.toLowerCase();
      const existing = scope.vars.get(lower);
      if (existing && (existing.options === 'Constant' || (existing.options === 'ReadOnly' && !ctx.params.Force))) {
        ctx.writeError(
          new ErrorRecord({
            message: `Cannot overwrite variable ${existing.name} because it is read-only or constant.`,
            errorId: 'VariableNotWritable,Microsoft.PowerShell.Commands.SetVariableCommand',
            category: 'WriteError',
            exceptionType: 'System.Management.Automation.SessionStateUnauthorizedAccessException',
            targetObject: name,
          }),
        );
        continue;
      }
      const v = new PSVariable(existing?.name ?? name, ctx.boundParameters.has('Value') ? ctx.params.Value : existing?.value ?? null,
        (ctx.params.Option as PSVariable['options'] | undefined) ?? existing?.options ?? 'None',
        (ctx.params.Description as string | undefined) ?? existing?.description ?? '');
      scope.vars.set(lower, v);
      if (ctx.params.PassThru) await ctx.write(variableObject(v));
    }
  },
});

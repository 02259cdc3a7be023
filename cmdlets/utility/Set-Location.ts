import * as os from 'node:os';
import { CmdletContext, defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { exists, fullPath, globPath, isDirectory, normalizeInput, pathInfo, unescapeWildcard } from './filesystem';

/**
 * `cd -` / `cd +` history per session, as pwsh 7's SessionState keeps it: every Set-Location
 * to a path records the location it starts from (20 at most) and forgets what `+` could redo.
 */
const history = new WeakMap<object, { back: string[]; forward: string[] }>();
const HISTORY_LIMIT = 20;

function notFound(message: string, target: string): ErrorRecord {
  return new ErrorRecord({
    message: `Cannot find path '${message}' because it does not exist.`,
    errorId: 'PathNotFound,Microsoft.PowerShell.Commands.SetLocationCommand',
    category: 'ObjectNotFound',
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
    targetObject: target,
  });
}

function noHistory(ctx: CmdletContext, direction: 'backwards' | 'forwards'): never {
  return ctx.throwTerminating(
    new ErrorRecord({
      message: `There is no location history left to navigate ${direction}.`,
      errorId: 'System.InvalidOperationException,Microsoft.PowerShell.Commands.SetLocationCommand',
      category: 'InvalidOperation',
      exceptionType: 'System.InvalidOperationException',
    }),
  );
}

export default defineCmdlet({
  verb: 'Set',
  noun: 'Location',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Sets the current working location to a specified location.',
  defaultParameterSet: 'Path',
  outputType: ['System.Management.Automation.PathInfo'],
  parameters: [
    { name: 'Path', type: 'string', position: 0, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The new location; `-` and `+` move back and forward in the location history. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The new location, taken literally (no wildcards, no history).' },
    { name: 'PassThru', type: 'switch', description: 'Returns a PathInfo object for the new location.' },
  ],
  process(ctx) {
    const session = ctx.session as SessionState;
    let h = history.get(session);
    if (!h) history.set(session, (h = { back: [], forward: [] }));
    const literal = ctx.params.LiteralPath !== undefined;
    const raw = literal ? ctx.params.LiteralPath : ctx.params.Path;
    const given = raw === undefined || raw === null || raw === '' ? '~' : String(raw);
    let target: string;
    if (!literal && given === '-') {
      if (h.back.length === 0) noHistory(ctx, 'backwards');
      target = h.back.pop()!;
      h.forward.push(session.cwd);
    } else if (!literal && given === '+') {
      if (h.forward.length === 0) noHistory(ctx, 'forwards');
      target = h.forward.pop()!;
      h.back.push(session.cwd);
    } else {
      // The starting point is recorded first, even when the new path turns out to be wrong.
      h.back.push(session.cwd);
      if (h.back.length > HISTORY_LIMIT) h.back.shift();
      h.forward.length = 0;
      const home = given === '~' ? os.homedir() : null;
      if (home !== null) target = home;
      else if (!literal && hasWildcard(normalizeInput(given))) {
        const matches = globPath(ctx, given);
        if (matches.length === 0) {
          ctx.writeError(notFound(fullPath(ctx, given), given));
          return;
        }
        const dirs = matches.filter(isDirectory);
        if (dirs.length > 1) {
          ctx.writeError(
            new ErrorRecord({
              message: `Cannot process argument because the value of argument "path" is not valid. Change the value of the "path" argument and run the operation again.`,
              errorId: 'Argument,Microsoft.PowerShell.Commands.SetLocationCommand',
              category: 'InvalidArgument',
              exceptionType: 'System.Management.Automation.PSArgumentException',
              targetObject: given,
            }),
          );
          return;
        }
        if (dirs.length === 0) {
          ctx.writeError(notFound(given, given));
          return;
        }
        target = dirs[0];
      } else {
        target = fullPath(ctx, literal ? given : unescapeWildcard(given));
        if (!exists(target)) {
          ctx.writeError(notFound(target, given));
          return;
        }
        // An existing item that is not a folder: pwsh names the path as it was given.
        if (!isDirectory(target)) {
          ctx.writeError(notFound(given, given));
          return;
        }
      }
    }
    if (!isDirectory(target)) {
      ctx.writeError(notFound(target, target));
      return;
    }
    session.cwd = target;
    if (ctx.params.PassThru) return ctx.write(pathInfo(session.cwd));
  },
});

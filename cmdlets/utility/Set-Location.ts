import * as os from 'node:os';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { hasWildcard } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { fullPath, globPath, isDirectory, normalizeInput, pathInfo, pathNotFound, unescapeWildcard } from './filesystem';

/** `cd -` / `cd +` history per session, as pwsh 7 keeps it (20 entries each way). */
const history = new WeakMap<object, { back: string[]; forward: string[] }>();
const HISTORY_LIMIT = 20;

export default defineCmdlet({
  verb: 'Set',
  noun: 'Location',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Sets the current working location to a specified location.',
  defaultParameterSet: 'Path',
  outputType: ['System.Management.Automation.PathInfo'],
  parameters: [
    { name: 'Path', type: 'string', position: 0, valueFromPipeline: true, valueFromPipelineByPropertyName: true, sets: ['Path'], description: 'The new location; `-` and `+` move back and forward in the location history. Wildcards are allowed.' },
    { name: 'LiteralPath', type: 'string', aliases: ['PSPath', 'LP'], mandatory: true, valueFromPipelineByPropertyName: true, sets: ['LiteralPath'], description: 'The new location, taken literally (no wildcards).' },
    { name: 'PassThru', type: 'switch', description: 'Returns a PathInfo object for the new location.' },
  ],
  process(ctx) {
    const session = ctx.session as SessionState;
    let h = history.get(session);
    if (!h) history.set(session, (h = { back: [], forward: [] }));
    const literal = ctx.params.LiteralPath !== undefined;
    const given = literal ? String(ctx.params.LiteralPath) : ctx.params.Path === undefined || ctx.params.Path === null ? null : String(ctx.params.Path);
    let target: string;
    if (given === null || given === '') target = os.homedir();
    else if (!literal && given === '-') {
      if (h.back.length === 0) return emit(); // nothing to go back to: stay, as pwsh does
      h.forward.push(session.cwd);
      session.cwd = h.back.pop()!;
      return emit();
    } else if (!literal && given === '+') {
      if (h.forward.length === 0) return emit();
      h.back.push(session.cwd);
      session.cwd = h.forward.pop()!;
      return emit();
    } else if (!literal && hasWildcard(normalizeInput(given))) {
      const matches = globPath(ctx, given).filter(isDirectory);
      if (matches.length === 0) {
        ctx.writeError(pathNotFound(ctx, 'SetLocationCommand', fullPath(ctx, given)));
        return;
      }
      target = matches[0];
    } else {
      target = fullPath(ctx, literal ? given : unescapeWildcard(given));
    }
    if (!isDirectory(target)) {
      ctx.writeError(pathNotFound(ctx, 'SetLocationCommand', target));
      return;
    }
    if (target !== session.cwd) {
      h.back.push(session.cwd);
      if (h.back.length > HISTORY_LIMIT) h.back.shift();
      h.forward.length = 0;
    }
    session.cwd = target;
    return emit();

    function emit() {
      if (ctx.params.PassThru) return ctx.write(pathInfo(session.cwd));
    }
  },
});

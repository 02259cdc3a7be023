// Tab completion: command names (cmdlets, functions, aliases) at the start of a command, and
// parameter names after a dash, read from the same declarations the binder uses.

import { resolveCommand, cmdletMeta } from '../engine/commands';
import { allParameters } from '../engine/binder';
import { cmdletEntries, loadCmdlet, SessionState } from '../engine/session';

export function completeInput(session: SessionState, line: string): [string[], string] {
  const m = /(^|[|;({]\s*|\s)([^\s|;({]*)$/.exec(line);
  const word = m ? m[2] : '';
  const before = line.slice(0, line.length - word.length);
  const atCommandStart = /(^|[|;({])\s*$/.test(before);
  if (atCommandStart) {
    const lower = word.toLowerCase();
    const names = new Set<string>();
    for (const e of cmdletEntries().values()) if (e.name.toLowerCase().startsWith(lower)) names.add(e.name);
    for (const f of session.functions.values()) if (f.name.toLowerCase().startsWith(lower)) names.add(f.name);
    for (const a of session.aliases.keys()) if (a.startsWith(lower)) names.add(a);
    return [[...names].sort(), word];
  }
  if (word.startsWith('-')) {
    const cmdMatch = /(?:^|[|;({])\s*([^\s|;({]+)[^|;({]*$/.exec(before);
    if (!cmdMatch) return [[], word];
    const cmd = resolveCommand(session, cmdMatch[1]);
    if (!cmd) return [[], word];
    const meta = cmd.kind === 'Cmdlet' ? cmdletMeta(loadCmdlet(cmd.entry)) : cmd.kind === 'Function' ? cmd.scriptBlock.meta(cmd.name) : null;
    if (!meta) return [[], word];
    const prefix = word.slice(1).toLowerCase();
    const hits = allParameters(meta).filter((p) => p.name.toLowerCase().startsWith(prefix)).map((p) => `-${p.name}`);
    return [hits, word];
  }
  return [[], word];
}

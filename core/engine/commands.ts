// Command discovery and invocation: alias -> function -> cmdlet -> script file, and the
// "not recognized" error when nothing matches.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandArgument, CommandMeta } from './binder';
import type { CmdletDecl } from './cmdlet';
import { cmdletName } from './cmdlet';
import { ErrorRecord, RuntimeException } from './errors';
import { CmdletProcessor, InvocationSite, Processor } from './pipeline';
import { FunctionProcessor, ScriptBlock } from './scriptblock';
import { cmdletEntries, CommandEntry, loadCmdlet, SessionState } from './session';
import type { Frame } from './compiler';
import { toDisplayString } from './values';

export type ResolvedCommand =
  | { kind: 'Cmdlet'; name: string; entry: CommandEntry }
  | { kind: 'Function'; name: string; scriptBlock: ScriptBlock }
  | { kind: 'ExternalScript'; name: string; path: string };

const metaCache = new WeakMap<CmdletDecl, CommandMeta>();

export function cmdletMeta(decl: CmdletDecl): CommandMeta {
  let m = metaCache.get(decl);
  if (!m) {
    m = {
      name: cmdletName(decl),
      parameters: decl.parameters,
      defaultParameterSet: decl.defaultParameterSet,
      advanced: true,
      supportsShouldProcess: decl.supportsShouldProcess ?? false,
      passThruArguments: decl.passThruArguments ?? false,
    };
    metaCache.set(decl, m);
  }
  return m;
}

/** Finds what a command name means in this session, following aliases. */
export function resolveCommand(session: SessionState, name: string): ResolvedCommand | null {
  let lower = name.toLowerCase();
  for (let hops = 0; hops < 10; hops++) {
    const alias = session.aliases.get(lower);
    if (!alias) break;
    lower = alias.toLowerCase();
  }
  const fn = session.functions.get(lower);
  if (fn) return { kind: 'Function', name: fn.name, scriptBlock: fn.scriptBlock };
  const entry = cmdletEntries().get(lower);
  if (entry) return { kind: 'Cmdlet', name: entry.name, entry };
  if (/[\\/]/.test(name) || lower.endsWith('.ps1')) {
    const full = path.resolve(session.cwd, name);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return { kind: 'ExternalScript', name: path.basename(full), path: full };
  }
  return null;
}

export function commandNotFound(name: string, site: InvocationSite, hint?: string): RuntimeException {
  return new RuntimeException(
    new ErrorRecord({
      message: `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.${hint ? `\n${hint}` : ''}`,
      errorId: 'CommandNotFoundException',
      category: 'ObjectNotFound',
      exceptionType: 'System.Management.Automation.CommandNotFoundException',
      targetObject: name,
      invocationInfo: { commandName: name, extent: site.extent, script: site.script },
    }),
  );
}

/** Parses a script file (used for `./x.ps1` and `posh -File`). */
export function loadScriptFile(file: string): ScriptBlock {
  const { parse } = require('../language/parser') as typeof import('../language/parser');
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  return new ScriptBlock(parse(text, file), { name: file, text });
}

/** Makes the pipeline step for a command name or a script block value (`& $sb`). */
export function createProcessor(target: unknown, args: CommandArgument[], f: Frame, site: InvocationSite): Processor {
  if (target instanceof ScriptBlock) return new FunctionProcessor(target, '', args, f.session, f.scope, site);
  const name = toDisplayString(target);
  const cmd = resolveCommand(f.session, name);
  if (!cmd) throw commandNotFound(name, site);
  switch (cmd.kind) {
    case 'Function':
      return new FunctionProcessor(cmd.scriptBlock, cmd.name, args, f.session, f.scope, site);
    case 'ExternalScript':
      return new FunctionProcessor(loadScriptFile(cmd.path), cmd.name, args, f.session, f.scope, site);
    case 'Cmdlet': {
      const decl = loadCmdlet(cmd.entry);
      const hint = decl.availability?.(f.session) ?? null;
      if (hint !== null) {
        throw commandNotFound(name, site, hint);
      }
      return new CmdletProcessor(decl, cmdletMeta(decl), args, f.session, f.scope, site);
    }
  }
}

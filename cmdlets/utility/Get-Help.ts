import * as fs from 'node:fs';
import * as path from 'node:path';
import { CmdletContext, CmdletDecl, cmdletName, defineCmdlet, ParameterDecl, ParameterType } from '../../core/engine/cmdlet';
import { dotnetTypeOf } from '../../core/engine/binder';
import { resolveCommand } from '../../core/engine/commands';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { cmdletEntries, loadCmdlet, packageRoot, SessionState } from '../../core/engine/session';
import { PSObject } from '../../core/engine/values';
import type { HelpContent, HelpExample, HelpParameter, HelpView } from '../../core/format';

// ---- docs/<Verb-Noun>.md -------------------------------------------------------------------

interface HelpPage {
  synopsis: string[];
  description: string[];
  parameters: Map<string, string[]>;
  examples: HelpExample[];
  notes: string[];
  links: { text: string; uri: string }[];
}

/** Paragraphs of a Markdown section: blank lines separate them; list items and code keep their lines. */
function toParagraphs(lines: string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let fence = false;
  const flush = () => {
    if (current.length) out.push(current.join(fence ? '\n' : ' '));
    current = [];
  };
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (/^```/.test(line)) {
      if (!fence) {
        flush();
        fence = true;
      } else {
        out.push(current.join('\n'));
        current = [];
        fence = false;
      }
      continue;
    }
    if (fence) {
      current.push(line);
      continue;
    }
    if (line === '') {
      flush();
      continue;
    }
    if (/^\s*[-*] /.test(line) && current.length) {
      // A list item starts its own line within the paragraph.
      out.push(current.join(' '));
      current = [];
    }
    current.push(line.trim());
  }
  flush();
  return out;
}

/** Reads a platyPS-style page: `## SYNOPSIS`, `## DESCRIPTION`, `## PARAMETERS` (`### -Name`), `## EXAMPLES` (`### Title`), `## NOTES`, `## RELATED LINKS`. */
export function parseHelpPage(text: string): HelpPage {
  const page: HelpPage = { synopsis: [], description: [], parameters: new Map(), examples: [], notes: [], links: [] };
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  let inFence = false;
  for (const line of text.replace(/\r/g, '').split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const h2 = !inFence && /^## (.+?)\s*$/.exec(line);
    if (h2) {
      current = [];
      sections.set(h2[1].toUpperCase(), current);
      continue;
    }
    if (!inFence && /^# /.test(line)) continue;
    current?.push(line);
  }
  const subsections = (lines: string[]): { title: string; body: string[] }[] => {
    const out: { title: string; body: string[] }[] = [];
    let fence = false;
    for (const line of lines) {
      if (/^```/.test(line)) fence = !fence;
      const h3 = !fence && /^### (.+?)\s*$/.exec(line);
      if (h3) out.push({ title: h3[1], body: [] });
      else out[out.length - 1]?.body.push(line);
    }
    return out;
  };
  page.synopsis = toParagraphs(sections.get('SYNOPSIS') ?? []);
  page.description = toParagraphs(sections.get('DESCRIPTION') ?? []);
  page.notes = toParagraphs(sections.get('NOTES') ?? []);
  for (const s of subsections(sections.get('PARAMETERS') ?? [])) page.parameters.set(s.title.replace(/^-/, '').toLowerCase(), toParagraphs(s.body));
  for (const s of subsections(sections.get('EXAMPLES') ?? [])) {
    const body = s.body;
    const start = body.findIndex((l) => /^```/.test(l));
    const end = start < 0 ? -1 : body.findIndex((l, i) => i > start && /^```/.test(l));
    const code = start < 0 || end < 0 ? '' : body.slice(start + 1, end).join('\n');
    const remarks = toParagraphs(end < 0 ? body : body.slice(end + 1));
    page.examples.push({ title: s.title, code, remarks: remarks.flatMap((r, i) => (i > 0 ? ['', r] : [r])) });
  }
  for (const line of sections.get('RELATED LINKS') ?? []) {
    const item = line.replace(/^\s*[-*]\s*/, '').trim();
    if (!item) continue;
    const m = /^\[([^\]]*)\]\(([^)]*)\)$/.exec(item);
    page.links.push(m ? { text: m[1], uri: m[2] } : { text: item, uri: '' });
  }
  return page;
}

/** The page of a command, or null when docs/ has none. */
function readPage(name: string): HelpPage | null {
  const file = path.join(packageRoot(), 'docs', `${name}.md`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseHelpPage(text);
}

// ---- Syntax from the declaration -------------------------------------------------------------

const TYPE_TEXT: Record<ParameterType, string | null> = {
  string: 'string', 'string[]': 'string[]', int: 'int', 'int[]': 'int[]', long: 'long', double: 'double', bool: 'bool', switch: null,
  version: 'version', datetime: 'datetime', scriptblock: 'scriptblock', 'scriptblock[]': 'scriptblock[]', hashtable: 'hashtable',
  object: 'Object', 'object[]': 'Object[]',
} as Record<ParameterType, string | null>;

function inSet(p: ParameterDecl, set: string): boolean {
  return !p.sets || p.sets.includes(set);
}

/** Parameter sets in pwsh's order: the default set first, then the others as declared. */
function parameterSets(decl: { parameters: ParameterDecl[]; defaultParameterSet?: string }): string[] {
  const sets: string[] = [];
  for (const p of decl.parameters) for (const s of p.sets ?? []) if (!sets.includes(s)) sets.push(s);
  if (sets.length === 0) return ['__AllParameterSets'];
  const d = decl.defaultParameterSet;
  return d && sets.includes(d) ? [d, ...sets.filter((s) => s !== d)] : sets;
}

/** One parameter as the syntax shows it: `[[-Name] <string[]>]`, `[-Force]`, `-Path <string>`, `[-Type {A | B}]`. */
function syntaxParameter(p: ParameterDecl, writtenType?: string): string {
  const type = writtenType ?? TYPE_TEXT[p.type];
  const value = p.validateSet ? ` {${p.validateSet.join(' | ')}}` : type ? ` <${type}>` : '';
  const positional = p.position !== undefined;
  if (!p.mandatory && positional) return `[[-${p.name}]${value}]`;
  if (!p.mandatory) return `[-${p.name}${value}]`;
  if (positional) return `[-${p.name}]${value}`;
  return `-${p.name}${value}`;
}

/** What the syntax is generated from: a cmdlet's declaration or a function's param() block. */
interface SyntaxSource {
  name: string;
  parameters: ParameterDecl[];
  defaultParameterSet?: string;
  supportsShouldProcess?: boolean;
  /** Advanced commands (cmdlets, [CmdletBinding()] functions) take the common parameters. */
  common: boolean;
  /** Parameter types the binder does not know by name (`[hashtable[]]`), as written. */
  typeNames?: Record<string, string>;
}

/** pwsh's display order within a set: positional parameters by position, then the rest as declared, mandatory first. */
export function syntaxLines(decl: CmdletDecl | SyntaxSource): string[] {
  const src: SyntaxSource = 'verb' in decl ? { name: cmdletName(decl), parameters: decl.parameters, defaultParameterSet: decl.defaultParameterSet, supportsShouldProcess: decl.supportsShouldProcess, common: true } : decl;
  return parameterSets(src).map((set) => {
    const ps = src.parameters.filter((p) => inSet(p, set));
    const positional = ps.filter((p) => p.position !== undefined).sort((a, b) => a.position! - b.position!);
    const named = ps.filter((p) => p.position === undefined);
    const ordered = [...positional, ...named.filter((p) => p.mandatory), ...named.filter((p) => !p.mandatory)];
    const parts = ordered.map((p) => syntaxParameter(p, src.typeNames?.[p.name]));
    if (src.supportsShouldProcess) parts.push('[-WhatIf]', '[-Confirm]');
    if (src.common) parts.push('[<CommonParameters>]');
    return parts.length ? `${src.name} ${parts.join(' ')}` : src.name;
  });
}

function pipelineInput(p: ParameterDecl): string {
  const kinds = [p.valueFromPipeline ? 'ByValue' : '', p.valueFromPipelineByPropertyName ? 'ByPropertyName' : ''].filter(Boolean);
  return kinds.length ? `True (${kinds.join(', ')})` : 'False';
}

function helpParameter(p: ParameterDecl, page: HelpPage | null): HelpParameter {
  const description = page?.parameters.get(p.name.toLowerCase()) ?? (p.description ? [p.description] : []);
  return {
    name: p.name,
    typeText: TYPE_TEXT[p.type],
    required: Boolean(p.mandatory),
    position: p.position !== undefined ? String(p.position) : 'named',
    pipelineInput: pipelineInput(p),
    aliases: p.aliases ?? [],
    globbing: /wildcards? (are|is) (permitted|allowed)|wildcards allowed/i.test(description.join(' ')),
    description,
  };
}

function aliasesOf(session: SessionState, name: string): string[] {
  return [...session.aliases.entries()].filter(([, target]) => target.toLowerCase() === name.toLowerCase()).map(([a]) => a).sort();
}

function helpContent(decl: CmdletDecl, session: SessionState): HelpContent {
  const name = cmdletName(decl);
  const page = readPage(name);
  const pipelineTypes = decl.parameters.filter((p) => p.valueFromPipeline).map((p) => dotnetTypeOf[p.type]);
  return {
    name,
    hasPage: page !== null,
    synopsis: page?.synopsis.length ? page.synopsis : [decl.synopsis],
    syntax: syntaxLines(decl),
    description: page?.description ?? [],
    parameters: decl.parameters.map((p) => helpParameter(p, page)),
    inputs: [...new Set(pipelineTypes)],
    outputs: decl.outputType ?? [],
    notes: page?.notes ?? [],
    examples: page?.examples ?? [],
    links: page?.links ?? [],
    aliases: aliasesOf(session, name),
  };
}

/** A function has no help page: pwsh shows its syntax, aliases and `REMARKS None`. */
function functionHelp(name: string, sb: import('../../core/engine/scriptblock').ScriptBlock, session: SessionState): HelpContent {
  const meta = sb.meta(name);
  return {
    name,
    hasPage: false,
    remarks: 'None',
    synopsis: [],
    syntax: syntaxLines({ name, parameters: meta.parameters, defaultParameterSet: meta.defaultParameterSet, supportsShouldProcess: meta.supportsShouldProcess, common: meta.advanced, typeNames: meta.typeNames }),
    description: [],
    parameters: [],
    inputs: [],
    outputs: [],
    notes: [],
    examples: [],
    links: [],
    aliases: aliasesOf(session, name),
  };
}

// ---- Help objects and their views -------------------------------------------------------------

const HELP_TYPE = 'MamlCommandHelpInfo';
const PARAMETER_TYPE = 'MamlCommandHelpInfo#parameter';
const rendered = new WeakMap<PSObject, (width: number) => string[]>();

function registerHelpViews(): void {
  const { registerView, findView } = require('../../core/format') as typeof import('../../core/format');
  const probe = new PSObject([HELP_TYPE]);
  if (findView(probe)) return;
  const render = (o: PSObject, width: number) => rendered.get(o)?.(width) ?? [];
  for (const t of [HELP_TYPE, PARAMETER_TYPE]) registerView(t, { kind: 'custom', render });
}

function helpObject(content: HelpContent, view: HelpView): PSObject {
  const { renderHelp } = require('../../core/format') as typeof import('../../core/format');
  const suffix = { default: [], detailed: ['#DetailedView'], full: ['#FullView'], examples: ['#ExamplesView'] }[view];
  const o = new PSObject([...suffix.map((s) => HELP_TYPE + s), HELP_TYPE, 'HelpInfo', 'System.Object']);
  o.set('Name', content.name);
  o.set('Category', content.remarks === 'None' ? 'Function' : 'Cmdlet');
  o.set('Synopsis', content.synopsis.join(' '));
  o.set('ModuleName', '');
  o.set('Syntax', content.syntax.join('\n'));
  rendered.set(o, (width) => renderHelp(content, view, width));
  o.toStringFn = () => content.name;
  return o;
}

function parameterObject(p: HelpParameter): PSObject {
  const { renderHelpParameters } = require('../../core/format') as typeof import('../../core/format');
  const o = new PSObject([PARAMETER_TYPE, 'System.Object']);
  o.set('name', p.name);
  o.set('required', p.required ? 'true' : 'false');
  o.set('position', p.position);
  o.set('pipelineInput', p.pipelineInput);
  o.set('globbing', p.globbing ? 'true' : 'false');
  o.set('description', p.description.join('\n'));
  rendered.set(o, (width) => renderHelpParameters([p], width));
  return o;
}

function helpNotFound(ctx: CmdletContext, name: string): never {
  ctx.throwTerminating(
    new ErrorRecord({
      message: `Get-Help could not find ${name} in a help file in this session. To download updated help topics type: "Update-Help". To get help online, search for the help topic in the TechNet library at https://go.microsoft.com/fwlink/?LinkID=107116.`,
      errorId: 'HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand',
      category: 'ResourceUnavailable',
      exceptionType: 'Microsoft.PowerShell.Commands.HelpNotFoundException',
      targetObject: name,
    }),
  );
}

/** HelpInfoShort: the row Get-Help lists when several commands match. */
function shortInfo(decl: CmdletDecl, session: SessionState): PSObject {
  const o = new PSObject(['HelpInfoShort', 'System.Object']);
  o.set('Name', cmdletName(decl));
  o.set('Category', 'Cmdlet');
  o.set('Module', decl.module);
  o.set('Synopsis', helpContent(decl, session).synopsis.join(' '));
  return o;
}

export default defineCmdlet({
  verb: 'Get',
  noun: 'Help',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Displays information about PowerShell commands.',
  defaultParameterSet: 'AllUsersView',
  parameters: [
    { name: 'Name', type: 'string', position: 0, valueFromPipelineByPropertyName: true, description: 'The command (or alias) to get help for; wildcards are permitted and list the matching commands.' },
    { name: 'Full', type: 'switch', sets: ['AllUsersView'], description: 'Displays the whole help page: parameters with their attributes, inputs, outputs, notes and examples.' },
    { name: 'Detailed', type: 'switch', mandatory: true, sets: ['DetailedView'], description: 'Adds parameter descriptions and examples to the basic help.' },
    { name: 'Examples', type: 'switch', mandatory: true, sets: ['Examples'], description: 'Displays only the name, synopsis and examples.' },
    { name: 'Parameter', type: 'string[]', mandatory: true, sets: ['Parameters'], description: 'Displays only the detailed descriptions of these parameters; wildcards are permitted.' },
  ],
  process(ctx) {
    registerHelpViews();
    const session = ctx.session as SessionState;
    const name = (ctx.params.Name as string | undefined) ?? '*';
    let decls: CmdletDecl[];
    if (hasWildcard(name)) {
      decls = [...cmdletEntries().values()].filter((e) => wildcardMatch(e.name, name)).map((e) => loadCmdlet(e));
      decls.sort((a, b) => cmdletName(a).localeCompare(cmdletName(b), 'en'));
      if (decls.length === 0) helpNotFound(ctx, name);
      if (decls.length > 1) return ctx.writeAll(decls.map((d) => shortInfo(d, session)));
    } else {
      const cmd = resolveCommand(session, name);
      if (!cmd || cmd.kind === 'ExternalScript') helpNotFound(ctx, name);
      if (cmd.kind === 'Function') return ctx.write(helpObject(functionHelp(cmd.name, cmd.scriptBlock, session), 'default'));
      decls = [loadCmdlet(cmd.entry)];
    }
    const content = helpContent(decls[0], session);
    if (ctx.parameterSetName === 'Parameters') {
      const out: PSObject[] = [];
      for (const pattern of ctx.params.Parameter as string[]) {
        const hits = content.parameters.filter((p) => wildcardMatch(p.name, pattern));
        if (hits.length === 0) {
          ctx.throwTerminating(
            new ErrorRecord({
              message: `No parameter matches criteria ${pattern}.`,
              errorId: 'NoParmsFound,Microsoft.PowerShell.Commands.GetHelpCommand',
              category: 'InvalidArgument',
              exceptionType: 'System.ArgumentException',
              targetObject: pattern,
            }),
          );
        }
        out.push(...hits.map(parameterObject));
      }
      return ctx.writeAll(out);
    }
    const view: HelpView = ctx.params.Full ? 'full' : ctx.params.Detailed ? 'detailed' : ctx.params.Examples ? 'examples' : 'default';
    return ctx.write(helpObject(content, view));
  },
});

// `--format` as the docker CLI does it: a Go text/template subset over a record's fields.
//   {{.Field}}  {{.}}  {{json .Field}}  {{upper .X}} {{lower .X}} {{title .X}}
//   {{truncate .X 5}}  {{pad .X 1 2}}  {{join .X ","}}  {{split .X ","}}  {{println .X}}
//   pipes {{.X | upper}}, string/number literals, {{if …}}…{{else if …}}…{{else}}…{{end}},
//   {{range .List}}…{{end}}, trim markers {{- and -}}.
// `table <fmt>` renders a header row (each field replaced by its header name) and the rows
// through the tabwriter; `\t` and `\n` typed in the format become tab and newline (docker/cli
// formatter.Context.preFormat).

import { tabwrite } from './tabwriter';
import { GoValue, goJson } from './govalues';

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Value = unknown;

interface Pos {
  offset: number;
}

type Arg = { kind: 'field'; path: string[]; pos: number } | { kind: 'dot'; pos: number } | { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'bool'; value: boolean };
type Cmd = { fn?: string; args: Arg[]; pos: number };
type Pipeline = Cmd[];

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

const FUNCS = new Set(['json', 'upper', 'lower', 'title', 'truncate', 'pad', 'join', 'split', 'println', 'print', 'len', 'not', 'eq', 'ne', 'and', 'or', 'index']);

function tokenizeAction(src: string, base: number): Array<{ t: string; pos: number }> {
  const out: Array<{ t: string; pos: number }> = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) throw new TemplateError(`template: :1: unterminated quoted string`);
      i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
      if (i < 0) throw new TemplateError(`template: :1: unterminated raw quoted string`);
      i++;
    } else if (c === '|' || c === '(' || c === ')') {
      i++;
    } else {
      while (i < src.length && !/[\s|()]/.test(src[i])) i++;
    }
    out.push({ t: src.slice(start, i), pos: base + start });
  }
  return out;
}

function parseArg(tok: { t: string; pos: number }): Arg {
  const t = tok.t;
  if (t === '.') return { kind: 'dot', pos: tok.pos };
  if (t.startsWith('.')) return { kind: 'field', path: t.slice(1).split('.'), pos: tok.pos };
  if (t.startsWith('"')) return { kind: 'string', value: JSON.parse(t) as string };
  if (t.startsWith('`')) return { kind: 'string', value: t.slice(1, -1) };
  if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'number', value: Number(t) };
  throw new TemplateError(`template: :1: function "${t}" not defined`);
}

function parsePipeline(src: string, base: number): Pipeline {
  const toks = tokenizeAction(src, base);
  const cmds: Cmd[] = [];
  let cur: Array<{ t: string; pos: number }> = [];
  const flush = () => {
    if (cur.length === 0) throw new TemplateError('template: :1: missing value for command');
    const [head, ...rest] = cur;
    if (FUNCS.has(head.t)) cmds.push({ fn: head.t, args: rest.map(parseArg), pos: head.pos });
    else {
      if (rest.length) throw new TemplateError(`template: :1: can't give argument to non-function ${head.t}`);
      cmds.push({ args: [parseArg(head)], pos: head.pos });
    }
    cur = [];
  };
  for (const tk of toks) {
    if (tk.t === '|') flush();
    else if (tk.t === '(' || tk.t === ')') throw new TemplateError('template: :1: parenthesized pipelines are not supported');
    else cur.push(tk);
  }
  flush();
  return cmds;
}

/** Parses a Go template into nodes. */
export function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  type Frame = { node: Extract<Node, { kind: 'if' } | { kind: 'range' }>; body: Node[]; inElse: boolean };
  const stack: Frame[] = [];
  let target = root;
  let i = 0;
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    trimNextText = false;
    if (open < 0) {
      if (text) target.push({ kind: 'text', text });
      break;
    }
    let inner = open + 2;
    if (src.startsWith('- ', inner) || src.startsWith('-\t', inner) || src.startsWith('-\n', inner)) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text) target.push({ kind: 'text', text });
    const close = src.indexOf('}}', inner);
    if (close < 0) throw new TemplateError(`template: :1: unclosed action`);
    let end = close;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 1;
      trimNextText = true;
    }
    const body = src.slice(inner, end);
    const trimmed = body.trim();
    const lead = inner + (body.length - body.trimStart().length);
    i = close + 2;
    const word = trimmed.split(/\s+/)[0];
    if (word === 'if' || word === 'range') {
      const pipe = parsePipeline(trimmed.slice(word.length), lead + word.length);
      const node: Frame['node'] = word === 'if' ? { kind: 'if', branches: [{ cond: pipe, body: [] }], otherwise: [] } : { kind: 'range', pipe, body: [], otherwise: [] };
      target.push(node);
      const frameBody = node.kind === 'if' ? node.branches[0].body : node.body;
      stack.push({ node, body: frameBody, inElse: false });
      target = frameBody;
    } else if (word === 'else') {
      const f = stack[stack.length - 1];
      if (!f || f.inElse) throw new TemplateError(`template: :1: unexpected {{else}}`);
      const rest = trimmed.slice(4).trim();
      if (rest.startsWith('if ') && f.node.kind === 'if') {
        const br = { cond: parsePipeline(rest.slice(3), lead + 7), body: [] as Node[] };
        f.node.branches.push(br);
        target = br.body;
      } else {
        f.inElse = true;
        target = f.node.otherwise;
      }
    } else if (word === 'end') {
      if (!stack.length) throw new TemplateError(`template: :1: unexpected {{end}}`);
      stack.pop();
      target = stack.length ? (stack[stack.length - 1].inElse ? stack[stack.length - 1].node.otherwise : lastBody(stack[stack.length - 1])) : root;
    } else if (trimmed.startsWith('/*')) {
      // comment
    } else {
      target.push({ kind: 'action', pipe: parsePipeline(body, inner) });
    }
  }
  if (stack.length) throw new TemplateError(`template: :1: unexpected EOF`);
  return root;

  function lastBody(f: Frame): Node[] {
    return f.node.kind === 'if' ? f.node.branches[f.node.branches.length - 1].body : f.node.body;
  }
}

function truthy(v: Value): boolean {
  if (v instanceof GoValue) return v.truthy();
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** How Go's fmt prints a value with %v (close enough for strings, numbers, lists, maps). */
export function goString(v: Value): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (v instanceof GoValue) return v.goString();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v as object).sort().map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}

export interface RenderContext {
  /** Type name shown in "can't evaluate field" errors, e.g. `*formatter.imageContext`. */
  typeName: string;
  /** Line/column base for error positions. */
  source: string;
  /** In header mode the functions pass their first argument through unchanged (docker's HeaderFunctions). */
  header?: boolean;
  /**
   * 'error': the value is a map (Go's option missingkey=error), so a missing field is `map has no
   * entry for key "X"` (docker inspect's fallback to the raw JSON); default: a struct's
   * `can't evaluate field X in type T`.
   */
  missingKey?: 'error';
}

function position(ctx: RenderContext, offset: number): string {
  const before = ctx.source.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1);
  return `${line}:${col}`;
}

function evalArg(a: Arg, dot: Value, ctx: RenderContext): Value {
  switch (a.kind) {
    case 'dot':
      return dot;
    case 'string':
    case 'number':
    case 'bool':
      return a.value;
    case 'field': {
      let v: Value = dot;
      for (const name of a.path) {
        if (v === null || typeof v !== 'object' || v instanceof GoValue || !(name in (v as object))) {
          if (ctx.header) return undefined; // a map in Go: a missing key is "<no value>"
          if (ctx.missingKey === 'error' && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoValue)) {
            throw new TemplateError(`template: :${position(ctx, a.pos)}: executing "" at <.${a.path.join('.')}>: map has no entry for key "${name}"`);
          }
          throw new TemplateError(
            `template: :${position(ctx, a.pos)}: executing "" at <.${a.path.join('.')}>: can't evaluate field ${name} in type ${v === dot ? ctx.typeName : typeof v === 'string' ? 'string' : 'interface {}'}`,
          );
        }
        v = (v as Record<string, unknown>)[name];
        if (typeof v === 'function') v = (v as () => unknown).call(dot);
      }
      return v;
    }
  }
}

function callFn(fn: string, args: Value[], ctx: RenderContext, pos: number): Value {
  const need = (n: number) => {
    if (args.length < n) throw new TemplateError(`template: :${position(ctx, pos)}: executing "" at <${fn}>: wrong number of args for ${fn}: want ${n} got ${args.length}`);
  };
  if (ctx.header && ['json', 'upper', 'lower', 'title', 'truncate', 'pad', 'join', 'split'].includes(fn)) {
    need(1);
    return args[0];
  }
  switch (fn) {
    case 'json':
      need(1);
      return goJson(args[0] ?? null, '', false); // docker's templates: an Encoder with SetEscapeHTML(false)
    case 'upper':
      need(1);
      return goString(args[0]).toUpperCase();
    case 'lower':
      need(1);
      return goString(args[0]).toLowerCase();
    case 'title':
      need(1);
      return goString(args[0]).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase());
    case 'truncate': {
      need(2);
      const s = [...goString(args[0])];
      const n = Number(args[1]);
      return s.length > n ? s.slice(0, n).join('') : s.join('');
    }
    case 'pad':
      need(3);
      return ' '.repeat(Number(args[1])) + goString(args[0]) + ' '.repeat(Number(args[2]));
    case 'join':
      need(2);
      return (Array.isArray(args[0]) ? args[0] : [args[0]]).map(goString).join(goString(args[1]));
    case 'split':
      need(2);
      return goString(args[0]).split(goString(args[1]));
    case 'println':
      return args.map(goString).join(' ') + '\n';
    case 'print':
      return args.map(goString).join('');
    case 'len':
      need(1);
      if (args[0] instanceof GoValue) return 0;
      return Array.isArray(args[0]) || typeof args[0] === 'string' ? (args[0] as string | unknown[]).length : Object.keys((args[0] ?? {}) as object).length;
    case 'not':
      need(1);
      return !truthy(args[0]);
    case 'eq':
      need(2);
      return args.slice(1).some((a) => a === args[0]);
    case 'ne':
      need(2);
      return args[0] !== args[1];
    case 'and':
      need(1);
      return args.find((a) => !truthy(a)) ?? args[args.length - 1];
    case 'or':
      need(1);
      return args.find((a) => truthy(a)) ?? args[args.length - 1];
    case 'index': {
      need(2);
      let v = args[0];
      for (const k of args.slice(1)) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[String(k)];
      return v;
    }
  }
  throw new TemplateError(`template: :1: function "${fn}" not defined`);
}

function evalPipe(p: Pipeline, dot: Value, ctx: RenderContext): Value {
  let prev: Value = undefined;
  p.forEach((cmd, i) => {
    const args = cmd.args.map((a) => evalArg(a, dot, ctx));
    if (i > 0) args.push(prev);
    if (cmd.fn) prev = callFn(cmd.fn, args, ctx, cmd.pos);
    else {
      if (i > 0) throw new TemplateError(`template: :1: non-function in a pipeline`);
      prev = args[0];
    }
  });
  return prev;
}

function exec(nodes: Node[], dot: Value, ctx: RenderContext): string {
  let out = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        out += n.text;
        break;
      case 'action':
        out += goString(evalPipe(n.pipe, dot, ctx));
        break;
      case 'if': {
        const br = n.branches.find((b) => truthy(evalPipe(b.cond, dot, ctx)));
        out += exec(br ? br.body : n.otherwise, dot, ctx);
        break;
      }
      case 'range': {
        const v = evalPipe(n.pipe, dot, ctx);
        const items = Array.isArray(v) ? v : v instanceof GoValue ? [] : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]) : [];
        if (items.length === 0) out += exec(n.otherwise, dot, ctx);
        for (const it of items) out += exec(n.body, it, ctx);
        break;
      }
    }
  }
  return out;
}

/** Executes a template against one value; missingKey 'error' treats it as a map (see RenderContext). */
export function executeTemplate(src: string, dot: Value, typeName = '*formatter.Context', opts: { missingKey?: 'error' } = {}): string {
  return exec(parseTemplate(src), dot, { typeName, source: src, missingKey: opts.missingKey });
}

export interface FormatSpec<T> {
  /** The user's --format (or the command's default). */
  format: string;
  /** Header name of each field in table mode, e.g. { ID: 'IMAGE ID', Repository: 'REPOSITORY' }. */
  headers: Record<string, string>;
  typeName: string;
  rows: T[];
}

/** True when the format is a table format (`table` or `table <fields>`). */
export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * Renders records as the docker CLI does: each record through the template followed by "\n";
 * in table mode the header first and everything through the tabwriter (minwidth 10, padding 3).
 */
export function renderFormat<T>(spec: FormatSpec<T>): string {
  let f = spec.format;
  const table = isTableFormat(f);
  if (table) f = f.slice('table'.length);
  f = f.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const nodes = parseTemplate(f);
  const ctx: RenderContext = { typeName: spec.typeName, source: f };
  let body = '';
  for (const r of spec.rows) body += exec(nodes, r, ctx) + '\n';
  if (!table) return body;
  const header = exec(nodes, spec.headers, { ...ctx, header: true, typeName: spec.typeName }) + '\n';
  return tabwrite(header + body);
}

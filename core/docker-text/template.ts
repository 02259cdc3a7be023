// `--format` as the docker CLI does it: a Go text/template subset over a record's fields.
//   {{.Field}}  {{.}}  {{json .Field}}  {{upper .X}} {{lower .X}} {{title .X}}
//   {{truncate .X 5}}  {{pad .X 1 2}}  {{join .X ","}}  {{split .X ","}}  {{println .X}}  {{printf "%s" .X}}
//   {{lt .A .B}} (le gt ge), (parenthesized pipelines).Field, $ and $x := …, {{range $i, $v := .L}}, {{with .X}},
//   pipes {{.X | upper}}, string/number literals, {{if …}}…{{else if …}}…{{else}}…{{end}},
//   {{range .List}}…{{end}}, trim markers {{- and -}}.
// `table <fmt>` renders a header row (each field replaced by its header name) and the rows
// through the tabwriter; `\t` and `\n` typed in the format become tab and newline (docker/cli
// formatter.Context.preFormat).

import { tabwrite } from './tabwriter';
import { GoValue, JsonNumber, goJson, goMapZero, isInterfaceSlice } from './govalues';

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

type Arg =
  | { kind: 'field'; path: string[]; pos: number }
  | { kind: 'dot'; pos: number }
  | { kind: 'var'; name: string; path: string[]; pos: number }
  | { kind: 'sub'; pipe: Pipeline; path: string[]; pos: number }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean };
/** `text`: the command as Go prints the node in errors (`gt .Size 5`). */
type Cmd = { fn?: string; args: Arg[]; pos: number; text: string };
type Pipeline = Cmd[];

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; decl?: string }
  | { kind: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { kind: 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipe: Pipeline; vars: string[]; body: Node[]; otherwise: Node[] };

/** Variables in scope: `$` (the data the template was given) and `$x := …` declarations. */
type Scope = Map<string, Value>;

const FUNCS = new Set(['json', 'upper', 'lower', 'title', 'truncate', 'pad', 'join', 'split', 'println', 'print', 'printf', 'len', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'index']);

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
  const v = /^(\$[A-Za-z0-9_]*)((?:\.[^.]+)*)$/.exec(t);
  if (v) return { kind: 'var', name: v[1], path: v[2] ? v[2].slice(1).split('.') : [], pos: tok.pos };
  if (t.startsWith('.')) return { kind: 'field', path: t.slice(1).split('.'), pos: tok.pos };
  if (t.startsWith('"')) return { kind: 'string', value: JSON.parse(t) as string };
  if (t.startsWith('`')) return { kind: 'string', value: t.slice(1, -1) };
  if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'number', value: Number(t) };
  throw new TemplateError(`template: :1: function "${t}" not defined`);
}

function parsePipeline(src: string, base: number): Pipeline {
  const toks = tokenizeAction(src, base);
  let i = 0;
  const cmds = parseCmds(false);
  return cmds;

  /** Commands separated by `|`, up to the end or (inside parentheses) the closing `)`. */
  function parseCmds(inParen: boolean): Cmd[] {
    const out: Cmd[] = [];
    let cur: Array<{ tok: { t: string; pos: number } } | { arg: Arg; pos: number; text: string }> = [];
    const flush = () => {
      if (cur.length === 0) throw new TemplateError('template: :1: missing value for command');
      const [head, ...rest] = cur;
      const argOf = (o: (typeof cur)[number]): Arg => ('arg' in o ? o.arg : parseArg(o.tok));
      const text = cur.map((o) => ('tok' in o ? o.tok.t : o.text)).join(' ');
      if ('tok' in head && FUNCS.has(head.tok.t)) out.push({ fn: head.tok.t, args: rest.map(argOf), pos: head.tok.pos, text });
      else {
        if (rest.length) throw new TemplateError(`template: :1: can't give argument to non-function ${'tok' in head ? head.tok.t : '(…)'}`);
        out.push({ args: [argOf(head)], pos: 'tok' in head ? head.tok.pos : head.pos, text });
      }
      cur = [];
    };
    while (i < toks.length) {
      const tk = toks[i++];
      if (tk.t === '|') flush();
      else if (tk.t === ')') {
        if (!inParen) throw new TemplateError('template: :1: unexpected ")" in operand');
        flush();
        return out;
      } else if (tk.t === '(') {
        const sub = parseCmds(true);
        const closeEnd = toks[i - 1].pos + 1;
        // `(index .X 0).Field`: a field chain right after the parenthesis applies to its value.
        let path: string[] = [];
        const next = toks[i];
        if (next && next.pos === closeEnd && next.t.startsWith('.') && next.t !== '.') {
          path = next.t.slice(1).split('.');
          i++;
        }
        cur.push({ arg: { kind: 'sub', pipe: sub, path, pos: tk.pos }, pos: tk.pos, text: `(${sub.map((c) => c.text).join(' | ')})${path.length ? `.${path.join('.')}` : ''}` });
      } else cur.push({ tok: tk });
    }
    if (inParen) throw new TemplateError('template: :1: unclosed left paren');
    flush();
    return out;
  }
}

/** `$x := pipeline` / `$i, $v := pipeline`: the declared names and the pipeline's text and offset. */
function splitDeclaration(src: string, base: number): { names: string[]; rest: string; base: number } {
  const m = /^(\s*)(\$[A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z0-9_]*)\s*)?:?=(?!=)/.exec(src);
  if (!m) return { names: [], rest: src, base };
  return { names: m[3] ? [m[2], m[3]] : [m[2]], rest: src.slice(m[0].length), base: base + m[0].length };
}

/** Parses a Go template into nodes. */
export function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  type Frame = { node: Extract<Node, { kind: 'if' } | { kind: 'range' } | { kind: 'with' }>; body: Node[]; inElse: boolean };
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
    if (word === 'if' || word === 'range' || word === 'with') {
      const decl = word === 'range' ? splitDeclaration(trimmed.slice(word.length), lead + word.length) : { names: [], rest: trimmed.slice(word.length), base: lead + word.length };
      const pipe = parsePipeline(decl.rest, decl.base);
      const node: Frame['node'] =
        word === 'if' ? { kind: 'if', branches: [{ cond: pipe, body: [] }], otherwise: [] } : word === 'with' ? { kind: 'with', pipe, body: [], otherwise: [] } : { kind: 'range', pipe, vars: decl.names, body: [], otherwise: [] };
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
      const decl = splitDeclaration(body, inner);
      if (decl.names.length > 1) throw new TemplateError('template: :1: too many declarations in command');
      target.push({ kind: 'action', pipe: parsePipeline(decl.rest, decl.base), decl: decl.names[0] });
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

/** Follows `.A.B` from a value; `shown` is the expression named in errors (`.A.B`, `$x.A`). */
function walk(start: Value, path: string[], shown: string, pos: number, dot: Value, ctx: RenderContext): Value {
  let v: Value = start;
  for (const name of path) {
    if (v === null || typeof v !== 'object' || v instanceof GoValue || !(name in (v as object))) {
      if (ctx.header) return undefined; // a map in Go: a missing key is "<no value>"
      if (ctx.missingKey !== 'error' && goMapZero(v)) return undefined; // a typed Go map: "<no value>"
      if (ctx.missingKey === 'error' && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoValue)) {
        throw new TemplateError(`template: :${position(ctx, pos)}: executing "" at <${shown}>: map has no entry for key "${name}"`);
      }
      throw new TemplateError(
        `template: :${position(ctx, pos)}: executing "" at <${shown}>: can't evaluate field ${name} in type ${v === dot ? ctx.typeName : typeof v === 'string' ? 'string' : 'interface {}'}`,
      );
    }
    v = (v as Record<string, unknown>)[name];
    if (typeof v === 'function') v = (v as () => unknown).call(dot);
  }
  return v;
}

function evalArg(a: Arg, dot: Value, ctx: RenderContext, scope: Scope): Value {
  switch (a.kind) {
    case 'dot':
      return dot;
    case 'string':
    case 'number':
    case 'bool':
      return a.value;
    case 'field':
      return walk(dot, a.path, `.${a.path.join('.')}`, a.pos, dot, ctx);
    case 'var': {
      if (!scope.has(a.name)) throw new TemplateError(`template: :1: undefined variable "${a.name}"`);
      return walk(scope.get(a.name), a.path, [a.name, ...a.path].join('.'), a.pos, dot, ctx);
    }
    case 'sub':
      return walk(evalPipe(a.pipe, dot, ctx, scope), a.path, `(…).${a.path.join('.')}`, a.pos, dot, ctx);
  }
}

function callFn(fn: string, args: Value[], ctx: RenderContext, pos: number, node: string): Value {
  const need = (n: number) => {
    if (args.length < n) throw new TemplateError(`template: :${position(ctx, pos)}: executing "" at <${node}>: wrong number of args for ${fn}: want ${n} got ${args.length}`);
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
    case 'printf':
      need(1);
      return sprintf(goString(args[0]), args.slice(1));
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      need(2);
      const x = comparable(args[0], args[1], fn, ctx, pos, node);
      const y = comparable(args[1], args[0], fn, ctx, pos, node);
      if (!((typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string'))) {
        throw new TemplateError(`template: :${position(ctx, pos)}: executing "" at <${node}>: error calling ${fn}: incompatible types for comparison`);
      }
      return fn === 'lt' ? x < y : fn === 'le' ? x <= y : fn === 'gt' ? x > y : x >= y;
    }
    case 'len':
      need(1);
      if (args[0] instanceof JsonNumber) return args[0].text.length;
      if (args[0] instanceof GoValue) return 0;
      return Array.isArray(args[0]) || typeof args[0] === 'string' ? (args[0] as string | unknown[]).length : Object.keys((args[0] ?? {}) as object).length;
    case 'not':
      need(1);
      return !truthy(args[0]);
    case 'eq':
      need(2);
      return args.slice(1).some((a) => comparable(args[0], a, fn, ctx, pos, node) === comparable(a, args[0], fn, ctx, pos, node));
    case 'ne':
      need(2);
      return comparable(args[0], args[1], fn, ctx, pos, node) !== comparable(args[1], args[0], fn, ctx, pos, node);
    case 'and':
      need(1);
      return args.find((a) => !truthy(a)) ?? args[args.length - 1];
    case 'or':
      need(1);
      return args.find((a) => truthy(a)) ?? args[args.length - 1];
    case 'index': {
      need(2);
      let v = args[0];
      for (const k of args.slice(1)) {
        const map = goMapZero(v);
        if (map && (v instanceof GoValue || !(String(k) in (v as object)))) v = map.zero; // Go: the element's zero value
        else v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[String(k)];
      }
      return v;
    }
  }
  throw new TemplateError(`template: :1: function "${fn}" not defined`);
}

/**
 * A value for Go's eq/ne/lt/…: a json.Number is a string kind (its text; with a number it is
 * `incompatible types for comparison`).
 */
function comparable(v: Value, other: Value, fn: string, ctx: RenderContext, pos: number, node: string): Value {
  if (v instanceof JsonNumber) {
    if (typeof other === 'number') throw new TemplateError(`template: :${position(ctx, pos)}: executing "" at <${node}>: error calling ${fn}: incompatible types for comparison`);
    return v.text;
  }
  return v;
}

/** Go's fmt.Sprintf for the common verbs: %s %v %d %q %x %X %f %t %%, with flags `-` `0`, width and precision. */
export function sprintf(format: string, args: Value[]): string {
  // Go's type names in the %!verb(type=value) notes, as near as JavaScript values tell them.
  const goType = (v: Value) => (v instanceof JsonNumber ? 'json.Number' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float64') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'string' : Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}');
  let k = 0;
  return format.replace(/%([-0+ ]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (all, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (k >= args.length) return `%!${verb}(MISSING)`;
    const v = args[k++];
    if (v instanceof JsonNumber && /^[dft]$/.test(verb)) {
      const w = width === undefined ? 0 : Number(width);
      return `%!${verb}(json.Number=${flags.includes('-') ? v.text.padEnd(w) : v.text.padStart(w)})`;
    }
    let text: string;
    switch (verb) {
      case 's':
      case 'v':
        text = goString(v);
        if (prec !== undefined && verb === 's') text = [...text].slice(0, Number(prec)).join('');
        break;
      case 'd':
        text = typeof v === 'number' && Number.isInteger(v) ? String(v) : `%!d(${goType(v)}=${goString(v)})`;
        break;
      case 'f':
        text = typeof v === 'number' ? v.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${goType(v)}=${goString(v)})`;
        break;
      case 'q':
        text = JSON.stringify(goString(v));
        break;
      case 'x':
      case 'X':
        text = typeof v === 'number' ? Math.trunc(v).toString(16) : Buffer.from(goString(v), 'utf8').toString('hex');
        if (verb === 'X') text = text.toUpperCase();
        break;
      case 't':
        text = typeof v === 'boolean' ? String(v) : `%!t(${goType(v)}=${goString(v)})`;
        break;
      default:
        return `%!${verb}(${goString(v)})`;
    }
    if (flags.includes('+') && verb === 'd' && typeof v === 'number' && v >= 0) text = `+${text}`;
    const w = width === undefined ? 0 : Number(width);
    if (text.length < w) {
      if (flags.includes('-')) text = text.padEnd(w);
      else if (flags.includes('0') && /^[dfxX]$/.test(verb)) text = text.startsWith('-') ? `-${text.slice(1).padStart(w - 1, '0')}` : text.padStart(w, '0');
      else text = text.padStart(w);
    }
    return text;
  }) + (k < args.length ? `%!(EXTRA ${args.slice(k).map((a) => `${goType(a)}=${goString(a)}`).join(', ')})` : '');
}

function evalPipe(p: Pipeline, dot: Value, ctx: RenderContext, scope: Scope): Value {
  let prev: Value = undefined;
  p.forEach((cmd, i) => {
    const args = cmd.args.map((a) => evalArg(a, dot, ctx, scope));
    // docker's join takes a []string: a JSON array decoded into []interface{} does not fit.
    if (cmd.fn === 'join' && isInterfaceSlice(args[0])) {
      const a = cmd.args[0];
      const shown = a.kind === 'field' ? `.${a.path.join('.')}` : a.kind === 'var' ? [a.name, ...a.path].join('.') : a.kind === 'dot' ? '.' : cmd.text;
      throw new TemplateError(`template: :${position(ctx, 'pos' in a ? a.pos : cmd.pos)}: executing "" at <${shown}>: wrong type for value; expected []string; got []interface {}`);
    }
    if (i > 0) args.push(prev);
    if (cmd.fn) prev = callFn(cmd.fn, args, ctx, cmd.pos, cmd.text);
    else {
      if (i > 0) throw new TemplateError(`template: :1: non-function in a pipeline`);
      prev = args[0];
    }
  });
  return prev;
}

/** Runs nodes; a block's declarations end with the block (Go's scoping). */
function exec(nodes: Node[], dot: Value, ctx: RenderContext, outer: Scope): string {
  const scope: Scope = new Map(outer);
  let out = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        out += n.text;
        break;
      case 'action': {
        const v = evalPipe(n.pipe, dot, ctx, scope);
        if (n.decl !== undefined) scope.set(n.decl, v);
        else out += goString(v);
        break;
      }
      case 'if': {
        const br = n.branches.find((b) => truthy(evalPipe(b.cond, dot, ctx, scope)));
        out += exec(br ? br.body : n.otherwise, dot, ctx, scope);
        break;
      }
      case 'with': {
        const v = evalPipe(n.pipe, dot, ctx, scope);
        out += truthy(v) ? exec(n.body, v, ctx, scope) : exec(n.otherwise, dot, ctx, scope);
        break;
      }
      case 'range': {
        const v = evalPipe(n.pipe, dot, ctx, scope);
        let entries: Array<[Value, Value]>;
        if (Array.isArray(v)) entries = v.map((it, k) => [k, it]);
        else if (v instanceof GoValue || !v || typeof v !== 'object') entries = [];
        else entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
        if (entries.length === 0) out += exec(n.otherwise, dot, ctx, scope);
        for (const [key, it] of entries) {
          const inner: Scope = new Map(scope);
          if (n.vars.length === 1) inner.set(n.vars[0], it);
          if (n.vars.length === 2) {
            inner.set(n.vars[0], key);
            inner.set(n.vars[1], it);
          }
          out += exec(n.body, it, ctx, inner);
        }
        break;
      }
    }
  }
  return out;
}

/** The scope a template starts with: `$` is the data it was given. */
function rootScope(dot: Value): Scope {
  return new Map([['$', dot]]);
}

/** Executes a template against one value; missingKey 'error' treats it as a map (see RenderContext). */
export function executeTemplate(src: string, dot: Value, typeName = '*formatter.Context', opts: { missingKey?: 'error' } = {}): string {
  return exec(parseTemplate(src), dot, { typeName, source: src, missingKey: opts.missingKey }, rootScope(dot));
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
  for (const r of spec.rows) body += exec(nodes, r, ctx, rootScope(r)) + '\n';
  if (!table) return body;
  const header = exec(nodes, spec.headers, { ...ctx, header: true, typeName: spec.typeName }, rootScope(spec.headers)) + '\n';
  return tabwrite(header + body);
}

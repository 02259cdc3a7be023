// Compiles the syntax tree into JavaScript closures. Each node becomes a Code: synchronous when
// nothing under it can wait (no command calls), asynchronous otherwise, so expression-only script
// blocks such as `{ $_ % 3 -eq 0 }` run as plain function calls with no Promise per object.
// Rule: a synchronous Code always runs with a frame whose `out` is synchronous (a buffer or a
// bridgeSink in front of a sink that may wait).

import type {
  AssignmentAst, CommandAst, RedirectionAst, ExpressionAst, ExpandableStringAst, ForEachAst, IfAst, IndexAst, PipelineAst,
  ScriptBlockAst, StatementAst, TryAst, WhileAst, Extent, BinaryAst, UnaryAst, MemberAst, InvokeMemberAst,
} from '../language/ast';
import { CommandArgument } from './binder';
import { convertTo, toArray, toBool, toNumber } from './coerce';
import { ErrorRecord, RuntimeException, ScriptSource, StopUpstreamException } from './errors';
import { getMember, getStaticMember, invokeMethod, setMember } from './members';
import {
  add, arithmetic, compareOp, containsOp, formatOp, joinOp, rangeOp, regexMatch, replaceOp, splitOp, typeOp,
} from './operators';
import { bridgeSink, ControlFlowSignal, ExpressionProcessor, InvocationSite, MaybePromise, Processor, runPipeline, Sink, writeEnumerated } from './pipeline';
import { createProcessor } from './commands';
import { buildRedirect, Redirect, RedirectSpec } from './redirect';
import { ScriptBlock } from './scriptblock';
import type { Scope, SessionState } from './session';
import { reportError } from './streams';
import { Hashtable, PSObject, toDisplayString } from './values';

export interface Frame {
  scope: Scope;
  session: SessionState;
  out: Sink;
  script: ScriptSource | null;
  /** Redirections of the command this code runs inside (inherited by the commands it calls). */
  redirect?: Redirect | null;
}

export function newFrame(scope: Scope, session: SessionState, out: Sink, script: ScriptSource | null = null): Frame {
  return { scope, session, out, script };
}

/** A compiled node: `run` returns its value (or a Promise of it when `async`). */
export interface Code {
  async: boolean;
  run: (f: Frame) => any;
}

export interface CompiledScriptBlock {
  begin: Code | null;
  process: Code | null;
  end: Code | null;
}

const sync = (run: (f: Frame) => unknown): Code => ({ async: false, run });
const asyncCode = (run: (f: Frame) => Promise<unknown>): Code => ({ async: true, run });

export class BreakSignal extends ControlFlowSignal {
  constructor(readonly label: string | null) {
    super('break');
  }
}
export class ContinueSignal extends ControlFlowSignal {
  constructor(readonly label: string | null) {
    super('continue');
  }
}
/** `exit N`: unwinds everything; the runspace ends the script with that exit code. */
export class ExitSignal extends ControlFlowSignal {
  constructor(readonly code: number) {
    super('exit');
  }
}
export class ReturnSignal extends ControlFlowSignal {
  constructor() {
    super('return');
  }
}

/** The value of `[int]` as an expression: the RHS of -is/-as, or `$x.GetType()`-like comparisons. */
export class TypeValue {
  readonly psTypeName = 'System.RuntimeType';
  constructor(readonly typeName: string) {}
  toString(): string {
    return this.typeName;
  }
}

function runtimeError(message: string, errorId: string, category: ErrorRecord['category'] = 'InvalidOperation', extent: Extent | null = null): RuntimeException {
  return new RuntimeException(
    new ErrorRecord({
      message,
      errorId,
      category,
      exceptionType: 'System.Management.Automation.RuntimeException',
      invocationInfo: extent ? { commandName: null, extent, script: null } : null,
    }),
  );
}

// ---- Script blocks and statement lists ------------------------------------------------------

const compiledBlocks = new WeakMap<ScriptBlockAst, CompiledScriptBlock>();

export function compileScriptBlock(ast: ScriptBlockAst): CompiledScriptBlock {
  let c = compiledBlocks.get(ast);
  if (!c) {
    c = {
      begin: ast.begin ? compileBlock(ast.begin) : null,
      process: ast.process ? compileBlock(ast.process) : null,
      end: compileBlock(ast.end),
    };
    compiledBlocks.set(ast, c);
  }
  return c;
}

/** Runs a named block; `return` ends it normally. */
export function runBlockWithReturn(code: Code, f: Frame): MaybePromise {
  if (!code.async) {
    try {
      code.run(f);
    } catch (e) {
      if (!(e instanceof ReturnSignal)) throw e;
    }
    return;
  }
  return (code.run(f) as Promise<void>).catch((e) => {
    if (!(e instanceof ReturnSignal)) throw e;
  });
}

/** Handles an error that ends one statement: reported and the script goes on, unless a try is active. */
function statementFailed(e: unknown, f: Frame): void {
  const s = f.session;
  if (e instanceof RuntimeException && !e.scriptTerminating && s.tryDepth === 0) {
    s.lastSucceeded = false;
    s.hadTerminatingError = true;
    reportError(s, f.scope, e.record);
    return;
  }
  throw e;
}

function compileBlock(stmts: StatementAst[]): Code {
  const codes = stmts.map(compileStatement);
  if (codes.every((c) => !c.async)) {
    const runs = codes.map((c) => c.run);
    if (runs.length === 1) {
      const only = runs[0];
      return sync((f) => {
        try {
          only(f);
        } catch (e) {
          statementFailed(e, f);
        }
      });
    }
    return sync((f) => {
      for (let i = 0; i < runs.length; i++) {
        try {
          runs[i](f);
        } catch (e) {
          statementFailed(e, f);
        }
      }
    });
  }
  return asyncCode(async (f) => {
    for (const c of codes) {
      try {
        if (c.async) await c.run(f);
        else await runSyncStatement(c, f);
      } catch (e) {
        statementFailed(e, f);
      }
    }
  });
}

/** A synchronous statement inside an asynchronous block: its output is bridged to the block's sink. */
async function runSyncStatement(c: Code, f: Frame): Promise<void> {
  const outer = f.out;
  const bridge = bridgeSink(outer);
  f.out = bridge.sink;
  let failure: unknown = null;
  try {
    c.run(f);
  } catch (e) {
    failure = e;
  } finally {
    f.out = outer;
  }
  await bridge.finish();
  if (failure) throw failure;
}

/** Runs statements (a `$( )`, `@( )` body, or a pipeline in parentheses) and collects their output. */
function collectingCode(inner: Code): Code {
  if (!inner.async) {
    return sync((f) => {
      const buf: unknown[] = [];
      const outer = f.out;
      f.out = (v) => void buf.push(v);
      try {
        inner.run(f);
      } finally {
        f.out = outer;
      }
      return buf;
    });
  }
  return asyncCode(async (f) => {
    const buf: unknown[] = [];
    const g: Frame = { ...f, out: (v) => void buf.push(v) };
    await inner.run(g);
    return buf;
  });
}

/** 0 results -> $null, 1 -> the object, more -> an array (what `$x = <pipeline>` stores). */
function unwrapCollected(items: unknown[]): unknown {
  return items.length === 0 ? null : items.length === 1 ? items[0] : items;
}

function mapCode(c: Code, fn: (v: any, f: Frame) => unknown): Code {
  if (!c.async) {
    const run = c.run;
    return sync((f) => fn(run(f), f));
  }
  return asyncCode(async (f) => fn(await c.run(f), f));
}

// ---- Statements -----------------------------------------------------------------------------

function compileStatement(s: StatementAst): Code {
  switch (s.kind) {
    case 'Pipeline':
      return compilePipelineStatement(s);
    case 'Assignment':
      return compileAssignment(s);
    case 'If':
      return compileIf(s);
    case 'ForEach':
      return compileForEach(s);
    case 'While':
      return compileWhile(s);
    case 'Try':
      return compileTry(s);
    case 'Throw': {
      const value = s.value ? compileValueOfStatement(s.value) : null;
      const extent = s.extent;
      const doThrow = (v: unknown, f: Frame): never => {
        throw thrownError(v, f, extent);
      };
      if (!value) return sync((f) => doThrow(undefined, f));
      return mapCode(value, doThrow);
    }
    case 'Return': {
      if (!s.value) return sync(() => {
        throw new ReturnSignal();
      });
      const inner = compilePipelineStatement(s.value);
      if (!inner.async)
        return sync((f) => {
          inner.run(f);
          throw new ReturnSignal();
        });
      return asyncCode(async (f) => {
        await inner.run(f);
        throw new ReturnSignal();
      });
    }
    case 'Exit': {
      if (!s.value) return sync(() => {
        throw new ExitSignal(0);
      });
      return mapCode(compileValueOfStatement(s.value), (v) => {
        throw new ExitSignal(Math.trunc(toNumber(v)));
      });
    }
    case 'Break': {
      const label = s.label;
      return sync(() => {
        throw new BreakSignal(label);
      });
    }
    case 'Continue': {
      const label = s.label;
      return sync(() => {
        throw new ContinueSignal(label);
      });
    }
    case 'FunctionDefinition': {
      const name = s.name;
      const body = s.body;
      return sync((f) => {
        f.session.functions.set(name.toLowerCase(), { name, scriptBlock: new ScriptBlock(body, f.script) });
      });
    }
  }
}

/** `throw "x"` / `throw $_` / `throw` (rethrow inside catch). */
function thrownError(v: unknown, f: Frame, extent: Extent): RuntimeException {
  if (v === undefined || v === null) {
    const current = f.scope.lookup('_')?.value;
    if (v === undefined && current instanceof ErrorRecord) return new RuntimeException(current, true);
    return new RuntimeException(
      new ErrorRecord({ message: 'ScriptHalted', errorId: 'ScriptHalted', category: 'OperationStopped', exceptionType: 'System.Management.Automation.RuntimeException', invocationInfo: { commandName: null, extent, script: f.script } }),
      true,
    );
  }
  if (v instanceof ErrorRecord) return new RuntimeException(v, true);
  const message = toDisplayString(v);
  return new RuntimeException(
    new ErrorRecord({
      message,
      errorId: message,
      category: 'OperationStopped',
      exceptionType: 'System.Management.Automation.RuntimeException',
      targetObject: v,
      invocationInfo: { commandName: null, extent, script: f.script },
      thrown: true,
    }),
    true,
  );
}

/** The expression of a one-element pipeline without redirections (`$x`, `1 + 2`), else null. */
function singleExpression(p: PipelineAst): ExpressionAst | null {
  const only = p.elements.length === 1 ? p.elements[0] : null;
  return only && only.kind === 'CommandExpression' && !only.redirections?.length ? only.expression : null;
}

/** A statement used as a value (assignment right side, conditions): expressions keep their value, commands are collected. */
function compileValueOfStatement(s: StatementAst): Code {
  if (s.kind === 'Pipeline') {
    const e = singleExpression(s);
    if (e) return compileExpr(e);
  }
  if (s.kind === 'Assignment') return compileAssignment(s, true);
  return mapCode(collectingCode(compileStatement(s)), unwrapCollected);
}

function compilePipelineStatement(p: PipelineAst): Code {
  const e = singleExpression(p);
  if (e) {
    // `$i++` as a statement writes nothing; `($i++)` does.
    const silent = e.kind === 'Unary' && (e.operator === '++post' || e.operator === '--post' || e.operator === '++pre' || e.operator === '--pre');
    const value = compileExpr(e);
    if (!value.async) {
      const run = value.run;
      return sync((f) => {
        const v = run(f);
        f.session.lastSucceeded = true;
        if (!silent) writeEnumerated(f.out, v);
      });
    }
    return asyncCode(async (f) => {
      const v = await value.run(f);
      f.session.lastSucceeded = true;
      if (!silent) {
        const r = writeEnumerated(f.out, v);
        if (r) await r;
      }
    });
  }
  const makers = p.elements.map((el) => (el.kind === 'Command' ? compileCommand(el) : compileExpressionElement(el.expression, el.redirections ?? [])));
  const startsWithCommand = p.elements[0]?.kind === 'Command';
  return asyncCode(async (f) => {
    const procs: Processor[] = [];
    for (const make of makers) procs.push(await make(f));
    // Objects given to the host (-InputFormat) flow into the first command pipeline that runs;
    // a pipeline that starts with an expression (`$input | …`) takes no input, as in pwsh.
    const input = f.session.hostInput;
    f.session.hostInput = null;
    try {
      await runPipeline(procs, startsWithCommand ? input : null, f.out);
    } finally {
      f.session.lastSucceeded = !procs.some((x) => x.failed);
    }
  });
}

function compileExpressionElement(e: ExpressionAst, redirections: RedirectionAst[]): (f: Frame) => Promise<Processor> {
  const code = compileExpr(e);
  const targets = compileRedirections(redirections);
  return async (f) => {
    const site: InvocationSite = { extent: e.extent, script: f.script };
    const proc = new ExpressionProcessor(() => code.run(f), site);
    site.redirect = buildRedirect(f.redirect ?? null, await targets(f), () => proc.output, f.session.cwd, f.session.host.width);
    return proc;
  };
}

/** `> file`, `2>&1`…: the targets' paths are evaluated when the command starts. */
function compileRedirections(redirections: RedirectionAst[]): (f: Frame) => Promise<RedirectSpec[]> {
  const compiled = redirections.map((r) => ({ spec: r, path: r.target && r.to === 'file' ? compileExpr(r.target) : null }));
  return async (f) => {
    const specs: RedirectSpec[] = [];
    for (const r of compiled) specs.push({ from: r.spec.from, to: r.spec.to, append: r.spec.append, path: r.path ? toDisplayString(await r.path.run(f)) : null });
    return specs;
  };
}

/** Compiles a command call into a function that evaluates its arguments and makes its processor. */
function compileCommand(c: CommandAst): (f: Frame) => Promise<Processor> {
  const nameCode = c.name.kind === 'StringConstant' ? null : compileExpr(c.name);
  const staticName = c.name.kind === 'StringConstant' ? c.name.value : null;
  type ArgMaker = { kind: 'named'; name: string; value: Code | null; extent: Extent; literal?: string } | { kind: 'positional'; value: Code; splat: boolean; extent: Extent; literal?: string };
  const literalOf = (e: ExpressionAst | null) => (e && e.kind === 'Constant' && typeof e.value === 'number' ? e.extent.text : undefined);
  const makers: ArgMaker[] = c.elements.map((el) =>
    el.kind === 'CommandParameter'
      ? { kind: 'named', name: el.name, value: el.argument ? compileExpr(el.argument) : null, extent: el.extent, literal: literalOf(el.argument) }
      : { kind: 'positional', value: compileExpr(el.value), splat: el.splatted, extent: el.extent, literal: literalOf(el.value) },
  );
  const extent = c.extent;
  const redirections = compileRedirections(c.redirections ?? []);
  return async (f) => {
    const target = staticName ?? (await nameCode!.run(f));
    const args: CommandArgument[] = [];
    for (const m of makers) {
      if (m.kind === 'named') {
        args.push({ kind: 'named', name: m.name, value: m.value ? await m.value.run(f) : undefined, hasValue: m.value !== null, extent: m.extent, literal: m.literal });
        continue;
      }
      const v = await m.value.run(f);
      if (m.splat) args.push(...splat(v, m.extent));
      else args.push({ kind: 'positional', value: v, extent: m.extent, literal: m.literal });
    }
    const specs = await redirections(f);
    const site: InvocationSite = { extent, script: f.script };
    const proc = createProcessor(target, args, f, site);
    site.redirect = buildRedirect(f.redirect ?? null, specs, () => proc.output, f.session.cwd, f.session.host.width);
    return proc;
  };
}

/** `@params`: a hashtable becomes named arguments, an array positional ones. */
function splat(v: unknown, extent: Extent): CommandArgument[] {
  if (v instanceof Hashtable) {
    return v.entries().map(([k, val]) => ({ kind: 'named', name: String(k), value: val, hasValue: true, extent }));
  }
  return toArray(v).map((x) => ({ kind: 'positional', value: x, extent }));
}

function compileCondition(p: PipelineAst): Code {
  return mapCode(compileValueOfStatement(p), (v) => toBool(v));
}

function compileIf(s: IfAst): Code {
  const clauses = s.clauses.map((c) => ({ cond: compileCondition(c.condition), body: compileBlock(c.body) }));
  const elseBody = s.elseBody ? compileBlock(s.elseBody) : null;
  const all = [...clauses.flatMap((c) => [c.cond, c.body]), ...(elseBody ? [elseBody] : [])];
  if (all.every((c) => !c.async)) {
    return sync((f) => {
      for (const c of clauses) {
        if (c.cond.run(f)) return c.body.run(f);
      }
      if (elseBody) elseBody.run(f);
    });
  }
  return asyncCode(async (f) => {
    for (const c of clauses) {
      if (await c.cond.run(f)) return c.body.run(f);
    }
    if (elseBody) await elseBody.run(f);
  });
}

/** Handles break/continue in a loop: returns 'break', 'continue' or rethrows a signal for an outer label. */
function loopSignal(e: unknown, label: string | null): 'break' | 'continue' {
  if (e instanceof BreakSignal && (e.label === null || e.label.toLowerCase() === label?.toLowerCase())) return 'break';
  if (e instanceof ContinueSignal && (e.label === null || e.label.toLowerCase() === label?.toLowerCase())) return 'continue';
  throw e;
}

function enumerate(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (v instanceof Hashtable) return [v];
  return [v];
}

function compileForEach(s: ForEachAst): Code {
  const coll = compileValueOfStatement(s.collection);
  const body = compileBlock(s.body);
  const varName = s.variable;
  const label = s.label;
  if (!coll.async && !body.async) {
    return sync((f) => {
      const items = enumerate(coll.run(f));
      const v = f.scope.setLocal(varName, null);
      for (const item of items) {
        v.value = item;
        try {
          body.run(f);
        } catch (e) {
          if (loopSignal(e, label) === 'break') break;
        }
      }
    });
  }
  return asyncCode(async (f) => {
    const items = enumerate(await coll.run(f));
    const v = f.scope.setLocal(varName, null);
    for (const item of items) {
      v.value = item;
      try {
        await body.run(f);
      } catch (e) {
        if (loopSignal(e, label) === 'break') break;
      }
    }
  });
}

function compileWhile(s: WhileAst): Code {
  const cond = compileCondition(s.condition);
  const body = compileBlock(s.body);
  const label = s.label;
  if (!cond.async && !body.async) {
    return sync((f) => {
      while (cond.run(f)) {
        try {
          body.run(f);
        } catch (e) {
          if (loopSignal(e, label) === 'break') break;
        }
      }
    });
  }
  return asyncCode(async (f) => {
    while (await cond.run(f)) {
      try {
        await body.run(f);
      } catch (e) {
        if (loopSignal(e, label) === 'break') break;
      }
    }
  });
}

/** Whether a catch clause's type list takes this error (no types: everything). */
function catchMatches(types: string[], record: ErrorRecord): boolean {
  if (types.length === 0) return true;
  const full = record.exceptionType.toLowerCase();
  const short = full.slice(full.lastIndexOf('.') + 1);
  return types.some((t) => {
    const l = t.toLowerCase();
    return l === full || l === short || l === 'exception' || l === 'system.exception' || (l.endsWith('runtimeexception') && full.includes('automation'));
  });
}

function asErrorRecord(e: unknown): ErrorRecord | null {
  if (e instanceof RuntimeException) return e.record;
  if (e instanceof ControlFlowSignal || e instanceof StopUpstreamException) return null;
  // Anything else is a bug surfacing as an error; scripts can still catch it.
  const message = e instanceof Error ? e.message : String(e);
  return new ErrorRecord({ message, errorId: 'System.Exception', category: 'NotSpecified', cause: e });
}

/** A catch block sees the error as `$_` (and in $Error); `$_` is put back when it ends. */
function enterCatch(f: Frame, record: ErrorRecord): () => void {
  f.session.recordError(record);
  const local = f.scope.vars.get('_');
  const previous = local?.value;
  f.scope.setLocal('_', record);
  return () => {
    if (local) local.value = previous;
    else f.scope.vars.delete('_');
  };
}

function compileTry(s: TryAst): Code {
  const body = compileBlock(s.body);
  const catches = s.catches.map((c) => ({ types: c.types, body: compileBlock(c.body) }));
  const fin = s.finallyBody ? compileBlock(s.finallyBody) : null;
  const all = [body, ...catches.map((c) => c.body), ...(fin ? [fin] : [])];
  const pick = (e: unknown) => {
    const record = asErrorRecord(e);
    if (!record) return null;
    const c = catches.find((x) => catchMatches(x.types, record));
    return c ? { c, record } : null;
  };
  if (all.every((c) => !c.async)) {
    return sync((f) => {
      try {
        f.session.tryDepth++;
        try {
          body.run(f);
        } finally {
          f.session.tryDepth--;
        }
      } catch (e) {
        const hit = pick(e);
        if (!hit) throw e;
        const leave = enterCatch(f, hit.record);
        try {
          hit.c.body.run(f);
        } finally {
          leave();
        }
      } finally {
        if (fin) fin.run(f);
      }
    });
  }
  return asyncCode(async (f) => {
    try {
      f.session.tryDepth++;
      try {
        await body.run(f);
      } finally {
        f.session.tryDepth--;
      }
    } catch (e) {
      const hit = pick(e);
      if (!hit) throw e;
      const leave = enterCatch(f, hit.record);
      try {
        await hit.c.body.run(f);
      } finally {
        leave();
      }
    } finally {
      if (fin) await fin.run(f);
    }
  });
}

// ---- Assignment ------------------------------------------------------------------------------

interface LValue {
  read: Code;
  /** Makes the code that evaluates the target's parts and stores `value`. */
  write: (value: Code) => Code;
}

function variableScope(f: Frame, name: string): { scope: Scope; bare: string } {
  const i = name.indexOf(':');
  if (i < 0) return { scope: f.scope, bare: name };
  const qualifier = name.slice(0, i).toLowerCase();
  const bare = name.slice(i + 1);
  if (qualifier === 'global' || qualifier === 'script') return { scope: f.session.global, bare };
  return { scope: f.scope, bare };
}

function assignVariable(f: Frame, name: string, value: unknown): void {
  if (name.toLowerCase().startsWith('env:')) {
    const key = name.slice(4);
    if (value === null || value === undefined || value === '') delete process.env[key];
    else process.env[key] = toDisplayString(value);
    return;
  }
  const { scope, bare } = variableScope(f, name);
  const lower = bare.toLowerCase();
  const existing = scope.lookup(lower);
  if (existing && existing.options !== 'None') {
    throw runtimeError(`Cannot overwrite variable ${existing.name} because it is read-only or constant.`, 'VariableNotWritable', 'WriteError');
  }
  if (lower === 'psitem') scope.setLocal('_', value);
  else scope.setLocal(bare, value);
}

function lvalue(target: ExpressionAst): LValue {
  switch (target.kind) {
    case 'Variable': {
      const name = target.name;
      return {
        read: compileExpr(target),
        write: (value) => mapCode(value, (v, f) => (assignVariable(f, name, v), v)),
      };
    }
    case 'Convert': {
      const inner = lvalue(target.operand);
      const typeName = target.typeName;
      return { read: inner.read, write: (value) => inner.write(mapCode(value, (v) => convertTo(v, typeName))) };
    }
    case 'Member': {
      const obj = compileExpr(target.target);
      const member = memberName(target.member);
      return {
        read: compileExpr(target),
        write: (value) =>
          combine([obj, member, value], ([o, m, v]) => {
            setMember(o, toDisplayString(m), v);
            return v;
          }),
      };
    }
    case 'Index': {
      const obj = compileExpr(target.target);
      const index = compileExpr(target.index);
      return {
        read: compileExpr(target),
        write: (value) =>
          combine([obj, index, value], ([o, i, v]) => {
            setIndex(o, i, v, target.extent);
            return v;
          }),
      };
    }
  }
  throw runtimeError(`The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.`, 'InvalidLeftHandSide', 'ParserError', target.extent);
}

function setIndex(o: unknown, i: unknown, v: unknown, extent: Extent): void {
  if (o instanceof Hashtable) {
    o.set(i, v);
    return;
  }
  if (Array.isArray(o)) {
    let n = toNumber(i);
    if (n < 0) n += o.length;
    if (n < 0 || n >= o.length) throw runtimeError('Index was outside the bounds of the array.', 'IndexOutOfRange', 'InvalidOperation', extent);
    o[n] = v;
    return;
  }
  if (o instanceof PSObject) {
    setMember(o, toDisplayString(i), v);
    return;
  }
  throw runtimeError('Cannot index into a null array.', 'NullArray', 'InvalidOperation', extent);
}

function compileAssignment(s: AssignmentAst, yieldValue = false): Code {
  const target = lvalue(s.target);
  const rhs = compileValueOfStatement(s.value);
  let value: Code;
  if (s.operator === '=') value = rhs;
  else {
    const op = s.operator[0] as '+' | '-' | '*' | '/' | '%';
    value = combine([target.read, rhs], ([cur, v]) => (op === '+' ? add(cur, v) : arithmetic(op, cur, v)));
  }
  const store = target.write(value);
  if (yieldValue) return store;
  return mapCode(store, (_v, f) => {
    f.session.lastSucceeded = true;
    return undefined;
  });
}

// ---- Expressions ----------------------------------------------------------------------------

function combine(children: Code[], fn: (vals: any[], f: Frame) => unknown): Code {
  if (children.every((c) => !c.async)) {
    const runs = children.map((c) => c.run);
    return sync((f) => fn(runs.map((r) => r(f)), f));
  }
  return asyncCode(async (f) => {
    const vals: unknown[] = [];
    for (const c of children) vals.push(await c.run(f));
    return fn(vals, f);
  });
}

function memberName(m: ExpressionAst): Code {
  if (m.kind === 'StringConstant') {
    const v = m.value;
    return sync(() => v);
  }
  return compileExpr(m);
}

const specialVariables: Record<string, (f: Frame) => unknown> = {
  true: () => true,
  false: () => false,
  null: () => null,
  '?': (f) => f.session.lastSucceeded,
  error: (f) => f.session.errors,
  pwd: (f) => pathInfo(f.session.cwd),
  host: (f) => hostObject(f.session),
};

/** `$PWD`: a PathInfo whose Path is the current location. */
function pathInfo(cwd: string): PSObject {
  const o = PSObject.fromEntries([['Drive', null], ['Provider', 'Microsoft.PowerShell.Core\\FileSystem'], ['ProviderPath', cwd], ['Path', cwd]], ['System.Management.Automation.PathInfo', 'System.Object']);
  o.toStringFn = () => cwd;
  return o;
}

function hostObject(session: SessionState): PSObject {
  const raw = PSObject.fromEntries([['BufferSize', PSObject.fromEntries([['Width', session.host.width], ['Height', 50]])]]);
  const ui = PSObject.fromEntries([['RawUI', raw]]);
  const h = PSObject.fromEntries([['Name', 'ConsoleHost'], ['Version', session.global.lookup('psversiontable') ? (session.global.lookup('psversiontable')!.value as PSObject).get('PSVersion') : null], ['UI', ui]], ['System.Management.Automation.Internal.Host.InternalHost', 'System.Object']);
  return h;
}

function compileVariable(name: string): Code {
  const lower = name.toLowerCase();
  const special = specialVariables[lower];
  if (special) return sync(special);
  if (lower.startsWith('env:')) {
    const key = name.slice(4);
    return sync(() => {
      if (process.env[key] !== undefined) return process.env[key];
      const found = Object.keys(process.env).find((k) => k.toLowerCase() === key.toLowerCase());
      return found ? process.env[found] : null;
    });
  }
  const colon = lower.indexOf(':');
  if (colon >= 0) {
    const qualifier = lower.slice(0, colon);
    const bare = lower.slice(colon + 1);
    if (qualifier === 'global' || qualifier === 'script') return sync((f) => f.session.global.lookup(bare)?.value ?? null);
    return sync((f) => f.scope.lookup(bare)?.value ?? null);
  }
  const key = lower === 'psitem' ? '_' : lower;
  return sync((f) => {
    const v = f.scope.lookup(key);
    return v === undefined ? null : v.value;
  });
}

export function compileExpr(e: ExpressionAst): Code {
  switch (e.kind) {
    case 'Constant': {
      const v = e.value;
      return sync(() => v);
    }
    case 'StringConstant': {
      const v = e.value;
      return sync(() => v);
    }
    case 'ExpandableString':
      return compileExpandable(e);
    case 'Variable':
      return compileVariable(e.name);
    case 'ArrayLiteral': {
      const els = e.elements.map(compileExpr);
      return combine(els, (vals) => vals);
    }
    case 'ArrayExpression': {
      // @( ): always an array, with the output of its statements.
      const body = collectingCode(compileBlock(e.statements));
      return body;
    }
    case 'SubExpression': {
      const body = collectingCode(compileBlock(e.statements));
      return mapCode(body, (items: unknown[]) => (items.length === 0 ? undefined : unwrapCollected(items)));
    }
    case 'ParenExpression':
      return compileValueOfStatement(e.pipeline);
    case 'Hashtable': {
      const keys = e.entries.map((x) => compileExpr(x.key));
      const values = e.entries.map((x) => compileValueOfStatement(x.value));
      const n = keys.length;
      return combine([...keys, ...values], (vals) => {
        const h = new Hashtable();
        for (let i = 0; i < n; i++) {
          if (h.has(vals[i])) {
            throw runtimeError(`Duplicate keys '${toDisplayString(vals[i])}' are not allowed in hash literals.`, 'DuplicateKeyInHashLiteral', 'ParserError');
          }
          h.set(vals[i], vals[n + i]);
        }
        return h;
      });
    }
    case 'ScriptBlockExpression': {
      const body = e.body;
      return sync((f) => new ScriptBlock(body, f.script));
    }
    case 'Binary':
      return compileBinary(e);
    case 'Unary':
      return compileUnary(e);
    case 'Convert': {
      const typeName = e.typeName;
      const lower = typeName.toLowerCase();
      if (lower === 'ordered' && e.operand.kind === 'Hashtable') {
        return mapCode(compileExpr(e.operand), (h: Hashtable) => convertTo(h, 'ordered'));
      }
      const operand = compileExpr(e.operand);
      const extent = e.extent;
      return mapCode(operand, (v) => {
        try {
          return convertTo(v, typeName);
        } catch (err) {
          if (err instanceof RuntimeException && !err.record.invocationInfo) err.record.invocationInfo = { commandName: null, extent, script: null };
          throw err;
        }
      });
    }
    case 'TypeLiteral': {
      const t = new TypeValue(e.typeName);
      return sync(() => t);
    }
    case 'Member':
      return compileMember(e);
    case 'InvokeMember':
      return compileInvoke(e);
    case 'Index':
      return compileIndex(e);
  }
}

function compileExpandable(e: ExpandableStringAst): Code {
  const parts = e.parts.map((p) => (typeof p === 'string' ? sync(() => p) : compileExpr(p)));
  return combine(parts, (vals, f) => {
    let s = '';
    for (const v of vals) {
      if (typeof v === 'string') s += v;
      else if (Array.isArray(v)) {
        const ofs = f.scope.lookup('ofs')?.value;
        s += v.map(toDisplayString).join(ofs === null || ofs === undefined ? ' ' : toDisplayString(ofs));
      } else s += toDisplayString(v);
    }
    return s;
  });
}

function compileBinary(e: BinaryAst): Code {
  const op = e.operator;
  const left = compileExpr(e.left);
  if (op === '-and' || op === '-or') {
    const right = compileExpr(e.right);
    const isAnd = op === '-and';
    if (!left.async && !right.async) {
      const l = left.run;
      const r = right.run;
      return isAnd ? sync((f) => toBool(l(f)) && toBool(r(f))) : sync((f) => toBool(l(f)) || toBool(r(f)));
    }
    return asyncCode(async (f) => {
      const lv = toBool(await left.run(f));
      if (isAnd ? !lv : lv) return lv;
      return toBool(await right.run(f));
    });
  }
  const right = e.right.kind === 'TypeLiteral' ? sync(() => (e.right as { typeName: string }).typeName) : compileExpr(e.right);
  const fn = binaryFunction(op);
  if (!left.async && !right.async) {
    const l = left.run;
    const r = right.run;
    return sync((f) => fn(l(f), r(f), f));
  }
  return asyncCode(async (f) => fn(await left.run(f), await right.run(f), f));
}

function binaryFunction(op: BinaryAst['operator']): (l: unknown, r: unknown, f: Frame) => unknown {
  switch (op) {
    case '+':
      return (l, r) => add(l, r);
    case '-':
    case '*':
    case '/':
    case '%':
      return (l, r) => arithmetic(op, l, r);
    case '..':
      return (l, r) => rangeOp(l, r);
    case '-xor':
      return (l, r) => toBool(l) !== toBool(r);
    case '-f':
      return (l, r) => formatOp(l, r);
    case '-join':
      return (l, r) => joinOp(l, r);
    case '-split':
    case '-isplit':
    case '-csplit':
      return (l, r) => splitOp(l, r, op === '-csplit');
    case '-replace':
    case '-ireplace':
    case '-creplace':
      return (l, r) => replaceOp(l, r, op === '-creplace');
    case '-contains':
    case '-icontains':
    case '-ccontains':
      return (l, r) => containsOp(op, l, r);
    case '-notcontains':
    case '-inotcontains':
    case '-cnotcontains':
      return (l, r) => !containsOp(op, l, r);
    case '-in':
    case '-iin':
    case '-cin':
      return (l, r) => containsOp(op, r, l);
    case '-notin':
    case '-inotin':
    case '-cnotin':
      return (l, r) => !containsOp(op, r, l);
    case '-is':
    case '-isnot':
    case '-as':
      return (l, r) => typeOp(op, l, r instanceof TypeValue ? r.typeName : toDisplayString(r));
    case '-match':
    case '-imatch':
    case '-cmatch':
      return (l, r, f) => {
        if (Array.isArray(l)) return compareOp(op, l, r);
        const m = regexMatch(l, r, op === '-cmatch');
        if (m) f.scope.setLocal('Matches', m);
        return m !== null;
      };
    default:
      return (l, r) => compareOp(op, l, r);
  }
}

function compileUnary(e: UnaryAst): Code {
  const op = e.operator;
  if (op === '++pre' || op === '--pre' || op === '++post' || op === '--post') {
    const target = lvalue(e.operand);
    const delta = op.startsWith('++') ? 1 : -1;
    const post = op.endsWith('post');
    const newValue = mapCode(target.read, (v) => toNumber(v) + delta);
    const store = target.write(newValue);
    return mapCode(store, (v: number) => (post ? v - delta : v));
  }
  const operand = compileExpr(e.operand);
  switch (op) {
    case '-not':
    case '!':
      return mapCode(operand, (v) => !toBool(v));
    case '-':
      return mapCode(operand, (v) => arithmetic('*', v, -1) as number);
    case '+':
      return mapCode(operand, (v) => toNumber(v));
    case ',':
      return mapCode(operand, (v) => [v]);
    case '-join':
      return mapCode(operand, (v) => joinOp(v, ''));
    case '-split':
      return mapCode(operand, (v) => splitOp(v, undefined, false));
    case '-bnot':
      return mapCode(operand, (v) => ~toNumber(v));
  }
  throw runtimeError(`Unexpected unary operator ${op}.`, 'UnexpectedOperator', 'ParserError', e.extent);
}

function compileMember(e: MemberAst): Code {
  if (e.static && e.target.kind === 'TypeLiteral') {
    const typeName = e.target.typeName;
    const name = memberName(e.member);
    return mapCode(name, (n) => getStaticMember(typeName, toDisplayString(n), null));
  }
  const target = compileExpr(e.target);
  const name = memberName(e.member);
  const nullConditional = e.nullConditional;
  return combine([target, name], ([t, n]) => {
    if (nullConditional && (t === null || t === undefined)) return null;
    const v = getMember(t, toDisplayString(n));
    return v === undefined ? null : v;
  });
}

function compileInvoke(e: InvokeMemberAst): Code {
  const args = e.arguments.map(compileExpr);
  const name = memberName(e.member);
  const extent = e.extent;
  const wrap = (fn: () => unknown) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RuntimeException && !err.record.invocationInfo) err.record.invocationInfo = { commandName: null, extent, script: null };
      throw err;
    }
  };
  if (e.static && e.target.kind === 'TypeLiteral') {
    const typeName = e.target.typeName;
    return combine([name, ...args], ([n, ...a]) => wrap(() => getStaticMember(typeName, toDisplayString(n), a)));
  }
  const target = compileExpr(e.target);
  // $sb.Invoke() may run commands and $PSCmdlet.ShouldProcess() may ask the user: both can wait.
  const mayWait = e.member.kind === 'StringConstant' && /^(invoke|invokereturnasis|shouldprocess|shouldcontinue)$/i.test(e.member.value);
  if (mayWait) {
    return asyncCode(async (f) => {
      const t = await target.run(f);
      const n = toDisplayString(await name.run(f));
      const a: unknown[] = [];
      for (const x of args) a.push(await x.run(f));
      if (t instanceof ScriptBlock && /^invoke/i.test(n)) return unwrapCollected(await invokeWithArguments(t, f, a));
      return await wrap(() => invokeMethod(t, n, a));
    });
  }
  return combine([target, name, ...args], ([t, n, ...a]) => {
    const r = wrap(() => invokeMethod(t, toDisplayString(n), a));
    return r;
  });
}

function indexValue(t: unknown, i: unknown, extent: Extent): unknown {
  if (t === null || t === undefined) throw runtimeError('Cannot index into a null array.', 'NullArray', 'InvalidOperation', extent);
  if (t instanceof Hashtable) {
    if (Array.isArray(i)) return i.map((k) => t.get(k) ?? null);
    const v = t.get(i);
    return v === undefined ? null : v;
  }
  const one = (k: unknown): unknown => {
    let n = Math.trunc(toNumber(k));
    if (typeof t === 'string') {
      if (n < 0) n += t.length;
      return n >= 0 && n < t.length ? t[n] : null;
    }
    if (Array.isArray(t)) {
      if (n < 0) n += t.length;
      return n >= 0 && n < t.length ? t[n] : null;
    }
    // A scalar indexes as a one-element array.
    return n === 0 || n === -1 ? t : null;
  };
  if (Array.isArray(i)) return i.map(one).filter((x) => x !== null);
  return one(i);
}

function compileIndex(e: IndexAst): Code {
  const extent = e.extent;
  return combine([compileExpr(e.target), compileExpr(e.index)], ([t, i]) => indexValue(t, i, extent));
}

/** `$sb.Invoke(a, b)`: arguments bind to the block's param() as positional arguments. */
async function invokeWithArguments(sb: ScriptBlock, f: Frame, args: unknown[]): Promise<unknown[]> {
  if (!sb.ast.paramBlock && !sb.ast.begin && !sb.ast.process) return invokeScriptBlock(sb, f, { args, newScope: true });
  const out: unknown[] = [];
  const proc = createProcessor(sb, args.map((value) => ({ kind: 'positional', value, extent: null })), f, { extent: sb.ast.extent, script: sb.script });
  await runPipeline([proc], null, (v) => void out.push(v));
  return out;
}

// ---- Entry points for the rest of the engine ------------------------------------------------

/** Attribute arguments and other compile-time constants. */
export function evaluateConstant(e: ExpressionAst): unknown {
  switch (e.kind) {
    case 'Constant':
    case 'StringConstant':
      return e.value;
    case 'Variable': {
      const l = e.name.toLowerCase();
      if (l === 'true') return true;
      if (l === 'false') return false;
      if (l === 'null') return null;
      break;
    }
    case 'ArrayLiteral':
      return e.elements.map(evaluateConstant);
    case 'Unary':
      if (e.operator === '-') return -Number(evaluateConstant(e.operand));
      break;
    case 'ParenExpression':
      if (e.pipeline.kind === 'Pipeline') {
        const inner = singleExpression(e.pipeline);
        if (inner) return evaluateConstant(inner);
      }
      break;
  }
  throw runtimeError(`Attribute argument must be a constant or a script block.`, 'ParameterAttributeArgumentNeedsToBeConstant', 'ParserError', e.extent);
}

export function evaluateInFrame(e: ExpressionAst, f: Frame): unknown {
  return compileExpr(e).run(f);
}

/**
 * Invokes a script block. With `newScope` it runs in a child scope (`& {}`, `.Invoke()`);
 * otherwise in the caller's scope, as ForEach-Object and Where-Object run theirs. `$_` is set
 * when given. Returns the output, synchronously when the block is synchronous.
 */
export function invokeScriptBlock(
  sb: ScriptBlock,
  f: Frame,
  opts: { dollarUnder?: unknown; args?: unknown[]; newScope?: boolean },
): unknown[] | Promise<unknown[]> {
  const code = sb.compiled.end!;
  const scope = opts.newScope ? new (f.scope.constructor as typeof import('./session').Scope)(f.scope) : f.scope;
  const out: unknown[] = [];
  const frame: Frame = { scope, session: f.session, out: (v) => void out.push(v), script: sb.script ?? f.script };
  // `$_` is set in place and put back afterwards; the variable itself stays, holding $null.
  const dollarUnder = opts.dollarUnder !== undefined ? (scope.vars.get('_') ?? scope.setLocal('_', null)) : null;
  const previous = dollarUnder ? dollarUnder.value : undefined;
  if (dollarUnder) dollarUnder.value = opts.dollarUnder;
  if (opts.args) scope.setLocal('args', opts.args);
  const restore = () => {
    if (dollarUnder && !opts.newScope) dollarUnder.value = previous;
  };
  if (!code.async) {
    try {
      code.run(frame);
    } catch (e) {
      if (!(e instanceof ReturnSignal)) throw e;
    } finally {
      restore();
    }
    return out;
  }
  return (async () => {
    try {
      await code.run(frame);
    } catch (e) {
      if (!(e instanceof ReturnSignal)) throw e;
    } finally {
      restore();
    }
    return out;
  })();
}

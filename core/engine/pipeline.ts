// The streaming pipeline. Each command is a Processor with begin/process/end; output is pushed
// downstream one object at a time by plain function calls, so a pipeline of synchronous commands
// costs no Promise per object — a step goes asynchronous only when a command awaits I/O.
// Select-Object -First stops upstream commands by throwing StopUpstreamException, which unwinds
// through the upstream write() calls to the runner (as PowerShell's StopUpstreamCommandsException).

import type { CmdletContext, CmdletDecl, ProgressRecord } from './cmdlet';
import { cmdletName } from './cmdlet';
import {
  bindArguments, bindPipelineInput, directPipelineParameter, CommandArgument, CommandMeta, missingMandatory, missingMandatoryError,
  resolveParameterSet, StaticBinding, takesPipelineInput,
} from './binder';
import { ErrorRecord, RuntimeException, ScriptSource, StopUpstreamException } from './errors';
import type { Extent } from '../language/ast';
import type { Scope, SessionState } from './session';
import { toBool } from './coerce';
import { reportError, promptChoice, renderError } from './streams';
import { Redirect, redirectOutput, redirectRecord } from './redirect';

export type Sink = (value: unknown) => void | Promise<void>;
export type MaybePromise = void | Promise<void>;

export function isPromise(x: unknown): x is Promise<unknown> {
  return x instanceof Promise;
}

/** Writes each element, awaiting only when the sink is asynchronous. */
export function writeEach(sink: Sink, values: Iterable<unknown>): MaybePromise {
  const it = values[Symbol.iterator]();
  for (;;) {
    const n = it.next();
    if (n.done) return;
    const r = sink(n.value);
    if (r) return r.then(() => writeRest(sink, it));
  }
}

async function writeRest(sink: Sink, it: Iterator<unknown>): Promise<void> {
  for (;;) {
    const n = it.next();
    if (n.done) return;
    const r = sink(n.value);
    if (r) await r;
  }
}

/** Writes a value as a statement's output: arrays are unrolled one level, AutomationNull (undefined) writes nothing. */
export function writeEnumerated(sink: Sink, value: unknown): MaybePromise {
  if (value === undefined) return;
  if (Array.isArray(value)) return writeEach(sink, value);
  return sink(value);
}

/**
 * Lets synchronous code write to a sink that may be asynchronous, without buffering when it is
 * not: objects go straight downstream (so `while ($true) { $i++; $i } | Select-Object -First 3`
 * streams and stops); once downstream returns a Promise, later objects queue behind it in order.
 * `finish()` waits for the queue. Errors thrown synchronously downstream (StopUpstream) reach the
 * writer at once, as they must.
 */
export function bridgeSink(downstream: Sink): { sink: (v: unknown) => void; finish: () => MaybePromise } {
  let pending: Promise<void> | null = null;
  const queue: unknown[] = [];
  const drain = async (): Promise<void> => {
    while (queue.length) {
      const r = downstream(queue.shift());
      if (r) await r;
    }
    pending = null;
  };
  return {
    sink: (v) => {
      if (pending) {
        queue.push(v);
        return;
      }
      const r = downstream(v);
      if (r) pending = r.then(drain);
    },
    finish: () => pending ?? undefined,
  };
}

export interface Processor {
  readonly commandName: string;
  /** Where the command was called, with its redirections (absent for expressions). */
  readonly site?: InvocationSite;
  /** Set by the runner before begin: whether objects will arrive from upstream. */
  expectsInput: boolean;
  output: Sink;
  /** True when the command reported an error (drives `$?`). */
  failed: boolean;
  begin(): MaybePromise;
  process(input: unknown): MaybePromise;
  /** Called once, instead of process, on the first command when there is no pipeline input. */
  processNoInput(): MaybePromise;
  end(): MaybePromise;
}

/**
 * Runs processors as one pipeline: begin all, feed input (or process once), end all in order.
 * `input`, when given, flows into the first command (the host's -InputFormat objects, `$input`).
 */
export async function runPipeline(procs: Processor[], input: Iterable<unknown> | null, sink: Sink): Promise<void> {
  for (let i = 0; i < procs.length; i++) {
    const next = procs[i + 1];
    procs[i].output = redirectOutput(procs[i].site?.redirect, next ? (v) => next.process(v) : sink);
    procs[i].expectsInput = i > 0 || input !== null;
  }
  try {
    await runProcessors(procs, input);
  } finally {
    for (const p of procs) for (const f of p.site?.redirect?.files ?? []) f.flush();
  }
}

async function runProcessors(procs: Processor[], input: Iterable<unknown> | null): Promise<void> {
  let stoppedAt = -1;
  try {
    for (const p of procs) {
      const r = p.begin();
      if (r) await r;
    }
    if (input !== null) {
      const first = procs[0];
      for (const v of input) {
        const r = first.process(v);
        if (r) await r;
      }
    } else {
      const r = procs[0].processNoInput();
      if (r) await r;
    }
  } catch (e) {
    stoppedAt = stopIndex(e, procs);
    if (stoppedAt < 0) throw e;
  }
  for (let i = Math.max(stoppedAt, 0); i < procs.length; i++) {
    try {
      const r = procs[i].end();
      if (r) await r;
    } catch (e) {
      const at = stopIndex(e, procs);
      if (at < 0) throw e;
      i = at - 1;
    }
  }
}

function stopIndex(e: unknown, procs: Processor[]): number {
  if (!(e instanceof StopUpstreamException)) return -1;
  return procs.indexOf(e.origin as Processor);
}

/** The first element of a pipeline when it is an expression: its value, enumerated. */
export class ExpressionProcessor implements Processor {
  readonly commandName = '';
  expectsInput = false;
  output: Sink = () => undefined;
  failed = false;
  constructor(
    private readonly evaluate: () => unknown,
    readonly site?: InvocationSite,
  ) {}
  begin(): MaybePromise {}
  process(): MaybePromise {}
  processNoInput(): MaybePromise {
    const v = this.evaluate();
    if (isPromise(v)) return v.then((x) => writeEnumerated(this.output, x));
    return writeEnumerated(this.output, v);
  }
  end(): MaybePromise {}
}

/** Where a command was invoked, for error records. */
export interface InvocationSite {
  extent: Extent | null;
  script: ScriptSource | null;
  /** Redirections in force for the command (its own and those of the command it runs inside). */
  redirect?: Redirect | null;
}

/** Action preferences a command runs with: common parameters override the preference variables. */
interface Preferences {
  errorAction: string;
  warningAction: string;
  verbose: boolean;
  debug: boolean;
  information: string;
  progress: string;
  whatIf: boolean;
  confirm: boolean | null;
}

function readPreferences(session: SessionState, scope: Scope, bound: Map<string, unknown>): Preferences {
  const pref = (n: string) => session.preference(scope, n);
  return {
    errorAction: (bound.get('ErrorAction') as string | undefined) ?? (pref('ErrorActionPreference') || 'Continue'),
    warningAction: (bound.get('WarningAction') as string | undefined) ?? (pref('WarningPreference') || 'Continue'),
    verbose: bound.has('Verbose') ? toBool(bound.get('Verbose')) : pref('VerbosePreference').toLowerCase() === 'continue',
    debug: bound.has('Debug') ? toBool(bound.get('Debug')) : pref('DebugPreference').toLowerCase() === 'continue',
    information: (bound.get('InformationAction') as string | undefined) ?? (pref('InformationPreference') || 'SilentlyContinue'),
    progress: (bound.get('ProgressAction') as string | undefined) ?? (pref('ProgressPreference') || 'Continue'),
    whatIf: bound.has('WhatIf') ? toBool(bound.get('WhatIf')) : toBool(scope.lookup('whatifpreference')?.value),
    confirm: bound.has('Confirm') ? toBool(bound.get('Confirm')) : null,
  };
}

const impactRank: Record<string, number> = { none: 0, low: 1, medium: 2, high: 3 };

/**
 * The stream plumbing shared by cmdlets and advanced functions: error/warning/verbose routing by
 * preference, ShouldProcess, -OutVariable/-ErrorVariable.
 */
export class CommandStreams {
  prefs!: Preferences;
  failed = false;
  private yesToAll = false;
  private noToAll = false;
  private readonly outVariable: unknown[] | null = null;
  private readonly errorVariable: ErrorRecord[] | null = null;

  constructor(
    readonly session: SessionState,
    readonly scope: Scope,
    readonly commandName: string,
    readonly site: InvocationSite,
    readonly confirmImpact: string,
    bound: Map<string, unknown>,
  ) {
    this.prefs = readPreferences(session, scope, bound);
    const ov = bound.get('OutVariable') as string | undefined;
    if (ov) {
      this.outVariable = [];
      scope.setLocal(ov.replace(/^\+/, ''), this.outVariable);
    }
    const ev = bound.get('ErrorVariable') as string | undefined;
    if (ev) {
      this.errorVariable = [];
      scope.setLocal(ev.replace(/^\+/, ''), this.errorVariable);
    }
  }

  wrapOutput(sink: Sink): Sink {
    const ov = this.outVariable;
    return ov ? (v) => (ov.push(v), sink(v)) : sink;
  }

  stamp(record: ErrorRecord): ErrorRecord {
    if (!record.invocationInfo) record.invocationInfo = { commandName: this.commandName, extent: this.site.extent, script: this.site.script };
    return record;
  }

  writeError(record: ErrorRecord): void {
    this.failed = true;
    this.stamp(record);
    this.errorVariable?.push(record);
    switch (this.prefs.errorAction.toLowerCase()) {
      case 'stop':
        throw new RuntimeException(record, true);
      case 'ignore':
        return;
      case 'silentlycontinue':
        this.session.recordError(record);
        return;
      default:
        if (redirectRecord(this.site.redirect, 'error', record, () => renderError(this.session, this.scope, record))) {
          this.session.recordError(record);
          return;
        }
        reportError(this.session, this.scope, record);
    }
  }

  writeWarning(message: string): void {
    switch (this.prefs.warningAction.toLowerCase()) {
      case 'silentlycontinue':
      case 'ignore':
        return;
      case 'stop':
        throw new RuntimeException(
          new ErrorRecord({
            message: `The running command stopped because the preference variable "WarningPreference" or common parameter is set to Stop: ${message}`,
            errorId: 'ActionPreferenceStop',
            category: 'OperationStopped',
            invocationInfo: { commandName: this.commandName, extent: this.site.extent, script: this.site.script },
          }),
          true,
        );
      default:
        if (!redirectRecord(this.site.redirect, 'warning', message, () => `WARNING: ${message}`)) this.session.host.writeWarning(message);
    }
  }

  writeVerbose(message: string): void {
    if (this.prefs.verbose && !redirectRecord(this.site.redirect, 'verbose', message, () => `VERBOSE: ${message}`)) this.session.host.writeVerbose(message);
  }

  writeDebug(message: string): void {
    if (this.prefs.debug && !redirectRecord(this.site.redirect, 'debug', message, () => `DEBUG: ${message}`)) this.session.host.writeDebug(message);
  }

  writeInformation(message: string): void {
    if (this.prefs.information.toLowerCase() === 'continue' && !redirectRecord(this.site.redirect, 'information', message, () => message)) this.session.host.writeInformation(message);
  }

  writeProgress(record: ProgressRecord): void {
    if (this.prefs.progress.toLowerCase() !== 'silentlycontinue') this.session.host.writeProgress(record);
  }

  async shouldProcess(target: string, action?: string): Promise<boolean> {
    const operation = action ?? this.commandName;
    if (this.prefs.whatIf) {
      this.session.host.writeHost(`What if: Performing the operation "${operation}" on target "${target}".`, true);
      return false;
    }
    const threshold = impactRank[this.session.preference(this.scope, 'ConfirmPreference').toLowerCase()] ?? 3;
    const ask = this.prefs.confirm === true || (this.prefs.confirm === null && (impactRank[this.confirmImpact.toLowerCase()] ?? 2) >= threshold && threshold > 0);
    if (!ask || this.yesToAll) return true;
    if (this.noToAll) return false;
    const answer = await promptChoice(
      this.session,
      'Confirm',
      `Are you sure you want to perform this action?\nPerforming the operation "${operation}" on target "${target}".`,
      ['&Yes', 'Yes to &All', '&No', 'No to A&ll', '&Suspend'],
      0,
    );
    if (answer === 1) this.yesToAll = true;
    if (answer === 3) this.noToAll = true;
    return answer === 0 || answer === 1;
  }
}

/** Runs a cmdlet declaration as a pipeline step. */
export class CmdletProcessor implements Processor {
  expectsInput = false;
  output: Sink = () => undefined;
  readonly commandName: string;
  private staticBinding!: StaticBinding;
  private streams!: CommandStreams;
  private ctx!: CmdletContextImpl;
  /** Set when each input object can be bound by plain assignment (see directPipelineParameter). */
  private directInput: string | null = null;

  constructor(
    private readonly decl: CmdletDecl,
    readonly meta: CommandMeta,
    private readonly args: CommandArgument[],
    private readonly session: SessionState,
    private readonly scope: Scope,
    readonly site: InvocationSite,
  ) {
    this.commandName = cmdletName(decl);
  }

  get failed(): boolean {
    return this.streams?.failed ?? false;
  }
  set failed(v: boolean) {
    if (this.streams) this.streams.failed = v;
  }

  private stampBinding<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof RuntimeException) {
        const info = e.record.invocationInfo;
        if (!info?.extent) e.record.invocationInfo = { commandName: this.commandName, extent: this.site.extent, script: this.site.script };
        else info.script ??= this.site.script;
      }
      throw e;
    }
  }

  begin(): MaybePromise {
    this.staticBinding = this.stampBinding(() => bindArguments(this.meta, this.args));
    this.streams = new CommandStreams(this.session, this.scope, this.commandName, this.site, this.decl.confirmImpact ?? 'Medium', this.staticBinding.bound);
    this.ctx = new CmdletContextImpl(this, this.session, this.scope, this.site, this.streams, this.streams.wrapOutput((v) => this.output(v)));
    const pipelineExpected = this.expectsInput && takesPipelineInput(this.meta, this.staticBinding.candidateSets);
    if (!pipelineExpected) {
      const ok = this.checkMandatory(this.staticBinding.bound, this.staticBinding.candidateSets, false);
      if (isPromise(ok)) return ok.then(() => this.runBlock(this.decl.begin));
    } else {
      const direct = directPipelineParameter(this.meta, this.staticBinding.candidateSets);
      const set = this.setFor(this.staticBinding.candidateSets, this.staticBinding.bound);
      const bindDirect = () => {
        if (direct && missingMandatory(this.meta, set, this.staticBinding.bound, false).length === 0) {
          this.directInput = direct.name;
          this.ctx.setBinding(new Map([...this.staticBinding.bound, [direct.name, undefined]]), set);
        } else this.ctx.setBinding(this.staticBinding.bound, set);
      };
      // Mandatory parameters that no pipeline input can fill are needed before the command begins
      // (`'x' | Out-File` without -FilePath), as PowerShell binds them before BeginProcessing —
      // unless some candidate parameter set can still be completed from the pipeline.
      const bound = this.staticBinding.bound;
      const completable = [...this.staticBinding.candidateSets].some((s) => missingMandatory(this.meta, s, bound, true).length === 0);
      const unfillable = completable ? [] : missingMandatory(this.meta, set, bound, true);
      if (unfillable.length) {
        if (!this.session.host.interactive) throw this.stampBinding(() => { throw missingMandatoryError(this.meta, unfillable); });
        return this.promptMandatory(this.staticBinding.bound, set, unfillable).then(() => {
          bindDirect();
          return this.runBlock(this.decl.begin);
        });
      }
      bindDirect();
    }
    return this.runBlock(this.decl.begin);
  }

  private setFor(sets: Set<string>, bound: Map<string, unknown>): string {
    return this.stampBinding(() => resolveParameterSet(this.meta, sets, bound));
  }

  /** Checks mandatory parameters; in an interactive host asks for them as PowerShell does. */
  private checkMandatory(bound: Map<string, unknown>, sets: Set<string>, _perRecord: boolean): MaybePromise {
    const set = this.setFor(sets, bound);
    const missing = missingMandatory(this.meta, set, bound, false);
    this.ctx.setBinding(bound, set);
    if (missing.length === 0) return;
    if (!this.session.host.interactive) throw this.stampBinding(() => { throw missingMandatoryError(this.meta, missing); });
    return this.promptMandatory(bound, set, missing);
  }

  private async promptMandatory(bound: Map<string, unknown>, set: string, missing: CmdletDecl['parameters']): Promise<void> {
    const { coerceArgument } = await import('./binder');
    this.session.host.writeHost(`\ncmdlet ${this.commandName} at command pipeline position 1\nSupply values for the following parameters:`, true);
    for (const p of missing) {
      const line = await this.session.host.readLine(`${p.name}: `);
      if (line === null || line === '') throw missingMandatoryError(this.meta, [p]);
      bound.set(p.name, coerceArgument(this.meta, p, p.type.endsWith('[]') ? [line] : line, null));
    }
    this.ctx.setBinding(bound, set);
  }

  private runBlock(block: ((ctx: CmdletContext) => void | Promise<void>) | undefined): MaybePromise {
    if (!block) return;
    try {
      const r = block.call(this.decl, this.ctx);
      if (isPromise(r)) return r.catch((e) => this.wrapFailure(e));
    } catch (e) {
      this.wrapFailure(e);
    }
  }

  /** Turns anything thrown by cmdlet code into a terminating ErrorRecord naming this command. */
  private wrapFailure(e: unknown): never {
    if (e instanceof StopUpstreamException) throw e;
    this.streams.failed = true;
    if (e instanceof RuntimeException) {
      this.streams.stamp(e.record);
      throw e;
    }
    if (e instanceof ControlFlowSignal) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new RuntimeException(
      this.streams.stamp(new ErrorRecord({ message, errorId: `System.Exception,${this.commandName}`, category: 'NotSpecified', cause: e })),
    );
  }

  processNoInput(): MaybePromise {
    return this.runBlock(this.decl.process);
  }

  process(input: unknown): MaybePromise {
    if (this.directInput !== null) {
      this.ctx.params[this.directInput] = input;
      return this.runBlock(this.decl.process);
    }
    if (!takesPipelineInput(this.meta, this.staticBinding.candidateSets)) {
      // A command that takes no pipeline input still runs once per object, as PowerShell does; the object is unbound.
      this.streams.writeError(
        new ErrorRecord({
          message: 'The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.',
          errorId: `InputObjectNotBound,${this.commandName}`,
          category: 'InvalidArgument',
          exceptionType: 'System.Management.Automation.ParameterBindingException',
          targetObject: input,
        }),
      );
      return;
    }
    let binding: ReturnType<typeof bindPipelineInput>;
    try {
      binding = bindPipelineInput(this.meta, this.staticBinding, input);
    } catch (e) {
      if (!(e instanceof RuntimeException)) throw e;
      // Binding failures for one record are non-terminating: the next record still runs.
      this.streams.writeError(e.record);
      return;
    }
    const set = this.setFor(binding.sets, binding.bound);
    const missing = missingMandatory(this.meta, set, binding.bound, false);
    if (missing.length) {
      this.streams.writeError(missingMandatoryError(this.meta, missing).record);
      return;
    }
    this.ctx.setBinding(binding.bound, set);
    return this.runBlock(this.decl.process);
  }

  end(): MaybePromise {
    return this.runBlock(this.decl.end);
  }
}

let compilerCache: typeof import('./compiler') | null = null;
/** The compiler requires this file, so it is loaded on first use rather than at import. */
function compilerModule(): typeof import('./compiler') {
  return (compilerCache ??= require('./compiler') as typeof import('./compiler'));
}

/** break/continue/return travel as exceptions; they are never errors. */
export class ControlFlowSignal extends Error {}

class CmdletContextImpl implements CmdletContext {
  params: Record<string, unknown> = {};
  boundParameters: ReadonlySet<string> = new Set();
  parameterSetName = '';
  readonly commandName: string;

  constructor(
    private readonly processor: CmdletProcessor,
    readonly session: SessionState,
    readonly scope: Scope,
    private readonly site: InvocationSite,
    private readonly streams: CommandStreams,
    private readonly sink: Sink,
  ) {
    this.commandName = processor.commandName;
  }

  get stopping(): boolean {
    return false;
  }

  setBinding(bound: Map<string, unknown>, set: string): void {
    this.params = Object.fromEntries(bound);
    this.boundParameters = new Set(bound.keys());
    this.parameterSetName = set;
  }

  write(value: unknown): MaybePromise {
    return this.sink(value);
  }
  writeAll(values: Iterable<unknown>): MaybePromise {
    return writeEach(this.sink, values);
  }
  writeError(record: ErrorRecord): void {
    this.streams.writeError(record);
  }
  writeWarning(message: string): void {
    this.streams.writeWarning(message);
  }
  writeVerbose(message: string): void {
    this.streams.writeVerbose(message);
  }
  writeDebug(message: string): void {
    this.streams.writeDebug(message);
  }
  writeInformation(message: unknown): void {
    this.streams.writeInformation(String(message));
  }
  writeHost(text: string, options?: { noNewline?: boolean; foreground?: string }): void {
    this.session.host.writeHost(text, !options?.noNewline, options?.foreground);
  }
  writeProgress(record: ProgressRecord): void {
    this.streams.writeProgress(record);
  }
  shouldProcess(target: string, action?: string): Promise<boolean> {
    return this.streams.shouldProcess(target, action);
  }
  async shouldContinue(query: string, caption: string): Promise<boolean> {
    const answer = await promptChoice(this.session, caption, query, ['&Yes', '&No', '&Suspend'], 0);
    return answer === 0;
  }
  get hostWidth(): number {
    return this.session.host.width;
  }
  private frame: import('./compiler').Frame | null = null;
  invoke(scriptBlock: unknown, options: { dollarUnder?: unknown; args?: unknown[] } = {}): unknown[] | Promise<unknown[]> {
    const { invokeScriptBlock, newFrame } = compilerModule();
    if (!(scriptBlock as { isScriptBlock?: boolean })?.isScriptBlock) throw new TypeError('invoke() needs a ScriptBlock');
    this.frame ??= newFrame(this.scope, this.session, () => undefined, this.site.script);
    return invokeScriptBlock(scriptBlock as import('./scriptblock').ScriptBlock, this.frame, options);
  }
  readonly state: Record<string, any> = {};
  stopUpstream(): never {
    throw new StopUpstreamException(this.processor);
  }
  throwTerminating(record: ErrorRecord): never {
    throw new RuntimeException(this.streams.stamp(record));
  }
}

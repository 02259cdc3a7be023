// Script blocks and functions at run time: a ScriptBlock pairs its syntax tree with the compiled
// code; FunctionProcessor runs one as a pipeline step (param binding, begin/process/end, $input).

import type { AttributeAst, ParamBlockAst, ScriptBlockAst } from '../language/ast';
import type { ParameterDecl, ParameterType } from './cmdlet';
import { bindArguments, bindPipelineInput, CommandArgument, CommandMeta, missingMandatory, missingMandatoryError, resolveParameterSet, StaticBinding, takesPipelineInput, commonParameterNames } from './binder';
import { SwitchParameter } from './coerce';
import { ErrorRecord, RuntimeException, ScriptSource } from './errors';
import { bridgeSink, CommandStreams, InvocationSite, isPromise, MaybePromise, Processor, Sink } from './pipeline';
import type { Scope, SessionState } from './session';
import { Hashtable } from './values';
import type { CompiledScriptBlock, Frame } from './compiler';

/** The compiler is loaded on first use so that cmdlets can import this file cheaply. */
function compiler(): typeof import('./compiler') {
  return require('./compiler');
}

export class ScriptBlock {
  readonly isScriptBlock = true;
  readonly psTypeName = 'System.Management.Automation.ScriptBlock';
  private compiledCache: CompiledScriptBlock | null = null;
  private metaCache: CommandMeta | null = null;

  constructor(
    readonly ast: ScriptBlockAst,
    readonly script: ScriptSource | null = null,
  ) {}

  get compiled(): CompiledScriptBlock {
    return (this.compiledCache ??= compiler().compileScriptBlock(this.ast));
  }

  /** The binder's view of the param() block, named after the function (or the script). */
  meta(name: string): CommandMeta {
    if (!this.metaCache || this.metaCache.name !== name) this.metaCache = metaFromParamBlock(name, this.ast.paramBlock);
    return this.metaCache;
  }

  toString(): string {
    const t = this.ast.extent.text;
    return t.startsWith('{') && t.endsWith('}') ? t.slice(1, -1) : t;
  }

  getMember(name: string): unknown {
    if (name.toLowerCase() === 'ast') return this.ast;
    return undefined;
  }
}

function attrArg(a: AttributeAst, name: string): { present: boolean; value: unknown } {
  const n = a.namedArguments.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!n) return { present: false, value: undefined };
  if (!n.value) return { present: true, value: true };
  return { present: true, value: compiler().evaluateConstant(n.value) };
}

const typeMap: Record<string, ParameterType> = {
  string: 'string', 'string[]': 'string[]', int: 'int', int32: 'int', 'int[]': 'int[]', long: 'long', int64: 'long',
  double: 'double', bool: 'bool', boolean: 'bool', switch: 'switch', version: 'version', datetime: 'datetime',
  scriptblock: 'scriptblock', hashtable: 'hashtable', object: 'object', 'object[]': 'object[]', psobject: 'object',
};

/** Builds binder metadata from `param()` and its attributes. */
export function metaFromParamBlock(name: string, block: ParamBlockAst | null): CommandMeta {
  const parameters: ParameterDecl[] = [];
  const typeNames: Record<string, string> = {};
  let advanced = false;
  let supportsShouldProcess = false;
  let defaultParameterSet: string | undefined;
  for (const a of block?.attributes ?? []) {
    if (a.typeName.toLowerCase() === 'cmdletbinding') {
      advanced = true;
      supportsShouldProcess = attrArg(a, 'SupportsShouldProcess').present && Boolean(attrArg(a, 'SupportsShouldProcess').value);
      const d = attrArg(a, 'DefaultParameterSetName');
      if (d.present) defaultParameterSet = String(d.value);
    }
  }
  for (const p of block?.parameters ?? []) {
    const decl: ParameterDecl = { name: p.name, type: 'object' };
    const t = p.typeName?.toLowerCase().replace(/^system\./, '');
    if (t) {
      const mapped = typeMap[t];
      if (mapped) decl.type = mapped;
      else typeNames[p.name] = p.typeName!;
    }
    const sets: string[] = [];
    for (const a of p.attributes) {
      const an = a.typeName.toLowerCase();
      if (an === 'parameter') {
        advanced = true;
        if (attrArg(a, 'Mandatory').present && attrArg(a, 'Mandatory').value) decl.mandatory = true;
        const pos = attrArg(a, 'Position');
        if (pos.present) decl.position = Number(pos.value);
        if (attrArg(a, 'ValueFromPipeline').present && attrArg(a, 'ValueFromPipeline').value) decl.valueFromPipeline = true;
        if (attrArg(a, 'ValueFromPipelineByPropertyName').present && attrArg(a, 'ValueFromPipelineByPropertyName').value) decl.valueFromPipelineByPropertyName = true;
        if (attrArg(a, 'ValueFromRemainingArguments').present && attrArg(a, 'ValueFromRemainingArguments').value) decl.valueFromRemainingArguments = true;
        const set = attrArg(a, 'ParameterSetName');
        if (set.present) sets.push(String(set.value));
      } else if (an === 'validateset') {
        decl.validateSet = a.positionalArguments.map((x) => String(compiler().evaluateConstant(x)));
      } else if (an === 'validatenotnullorempty') {
        decl.validateNotNullOrEmpty = true;
      } else if (an === 'alias') {
        decl.aliases = a.positionalArguments.map((x) => String(compiler().evaluateConstant(x)));
      }
    }
    if (sets.length) decl.sets = sets;
    parameters.push(decl);
  }
  // Without any Position given, parameters are positional in declaration order (switches excepted),
  // for advanced functions too (PositionalBinding defaults to $true).
  if (parameters.every((p) => p.position === undefined)) {
    let next = 0;
    for (const p of parameters) if (p.type !== 'switch') p.position = next++;
  }
  return { name, parameters, advanced, supportsShouldProcess, defaultParameterSet, typeNames };
}

/** Runs a script block (function, script file, `& {}`) as a pipeline step in a new scope. */
export class FunctionProcessor implements Processor {
  expectsInput = false;
  output: Sink = () => undefined;
  failed = false;
  private scope!: Scope;
  private staticBinding!: StaticBinding;
  private streams!: CommandStreams;
  private readonly collected: unknown[] = [];
  private meta: CommandMeta;

  constructor(
    private readonly sb: ScriptBlock,
    readonly commandName: string,
    private readonly args: CommandArgument[],
    private readonly session: SessionState,
    private readonly callerScope: Scope,
    readonly site: InvocationSite,
  ) {
    this.meta = sb.meta(commandName);
  }

  private frame(sink: Sink): Frame {
    const frame = compiler().newFrame(this.scope, this.session, sink, this.sb.script);
    // Commands inside the function inherit its redirections (`f 2>&1` takes their errors too).
    frame.redirect = this.site.redirect ?? null;
    return frame;
  }

  begin(): MaybePromise {
    try {
      this.staticBinding = bindArguments(this.meta, this.args);
    } catch (e) {
      if (e instanceof RuntimeException) withSite(e, this.site);
      throw e;
    }
    this.scope = new (this.callerScope.constructor as typeof Scope)(this.callerScope);
    this.streams = new CommandStreams(this.session, this.scope, this.commandName, this.site, 'Medium', this.staticBinding.bound);
    if (this.meta.advanced) {
      // Common parameters become the preference variables inside the function, as in PowerShell.
      const b = this.staticBinding.bound;
      if (b.has('ErrorAction')) this.scope.setLocal('ErrorActionPreference', b.get('ErrorAction'));
      if (b.has('WarningAction')) this.scope.setLocal('WarningPreference', b.get('WarningAction'));
      if (b.has('Verbose')) this.scope.setLocal('VerbosePreference', b.get('Verbose') ? 'Continue' : 'SilentlyContinue');
      if (b.has('Debug')) this.scope.setLocal('DebugPreference', b.get('Debug') ? 'Continue' : 'SilentlyContinue');
      if (b.has('WhatIf')) this.scope.setLocal('WhatIfPreference', b.get('WhatIf'));
    }
    const pipelineExpected = this.expectsInput && takesPipelineInput(this.meta, this.staticBinding.candidateSets);
    if (!pipelineExpected) {
      const set = resolveParameterSet(this.meta, this.staticBinding.candidateSets, this.staticBinding.bound);
      const missing = missingMandatory(this.meta, set, this.staticBinding.bound, false);
      if (missing.length) throw withSite(missingMandatoryError(this.meta, missing), this.site);
    }
    if (this.meta.advanced) this.scope.setLocal('PSCmdlet', new PSCmdletObject(this.streams, this.meta));
    const r = this.bindVariables(this.staticBinding.bound);
    const run = () => (this.sb.ast.begin ? this.runBlock('begin') : undefined);
    return isPromise(r) ? r.then(run) : run();
  }

  private bindVariables(bound: Map<string, unknown>): MaybePromise {
    const psBound = new Hashtable();
    for (const [k, v] of bound) if (!commonParameterNames.has(k) || !this.meta.advanced) psBound.set(k, v);
    this.scope.setLocal('PSBoundParameters', psBound);
    this.scope.setLocal('args', this.staticBinding.unbound);
    const pending: (() => unknown)[] = [];
    for (const p of this.meta.parameters) {
      if (bound.has(p.name)) {
        const v = bound.get(p.name);
        this.scope.setLocal(p.name, p.type === 'switch' ? new SwitchParameter(Boolean(v)) : v);
      } else if (!this.scope.vars.has(p.name.toLowerCase())) {
        const def = this.sb.ast.paramBlock?.parameters.find((x) => x.name === p.name)?.defaultValue;
        if (def) pending.push(() => compiler().evaluateInFrame(def, this.frame(() => undefined)));
        this.scope.setLocal(p.name, p.type === 'switch' ? new SwitchParameter(false) : null);
        if (def) {
          const name = p.name;
          const r = pending.pop()!();
          if (isPromise(r)) return r.then((v) => void this.scope.setLocal(name, v)).then(() => this.bindVariables(bound));
          this.scope.setLocal(name, r);
        }
      }
    }
  }

  private runBlock(which: 'begin' | 'process' | 'end'): MaybePromise {
    const code = this.sb.compiled[which];
    if (!code) return;
    const invoke = compiler().runBlockWithReturn;
    if (!code.async) {
      const bridge = bridgeSink(this.output);
      try {
        invoke(code, this.frame(bridge.sink));
      } catch (e) {
        const pending = bridge.finish();
        if (pending) return pending.then(() => Promise.reject(e));
        throw e;
      }
      return bridge.finish();
    }
    return invoke(code, this.frame(this.output)) as Promise<void>;
  }

  processNoInput(): MaybePromise {
    if (this.sb.ast.process) {
      this.scope.setLocal('_', null);
      return this.runBlock('process');
    }
  }

  process(input: unknown): MaybePromise {
    if (this.meta.advanced && takesPipelineInput(this.meta, this.staticBinding.candidateSets)) {
      let binding;
      try {
        binding = bindPipelineInput(this.meta, this.staticBinding, input);
      } catch (e) {
        if (!(e instanceof RuntimeException)) throw e;
        this.streams.writeError(e.record);
        return;
      }
      const set = resolveParameterSet(this.meta, binding.sets, binding.bound);
      const missing = missingMandatory(this.meta, set, binding.bound, false);
      if (missing.length) {
        this.streams.writeError(missingMandatoryError(this.meta, missing).record);
        return;
      }
      for (const name of binding.boundNow) this.scope.setLocal(name, binding.bound.get(name));
    }
    if (!this.sb.ast.process) {
      this.collected.push(input);
      return;
    }
    this.scope.setLocal('_', input);
    return this.runBlock('process');
  }

  end(): MaybePromise {
    this.scope.setLocal('input', this.collected);
    return this.runBlock('end');
  }
}

/** `$PSCmdlet` in an advanced function: ShouldProcess, WriteError, ThrowTerminatingError. */
class PSCmdletObject {
  readonly psTypeName = 'System.Management.Automation.PSScriptCmdlet';
  constructor(
    private readonly streams: CommandStreams,
    private readonly meta: CommandMeta,
  ) {}

  getMember(name: string): unknown {
    switch (name.toLowerCase()) {
      case 'parametersetname':
        return this.meta.defaultParameterSet ?? '__AllParameterSets';
      case 'commandname':
        return this.meta.name;
    }
    return undefined;
  }

  invokeMethod(name: string, args: unknown[]): unknown {
    const text = (i: number) => (args[i] === undefined || args[i] === null ? undefined : String(args[i]));
    switch (name.toLowerCase()) {
      case 'shouldprocess':
        return this.streams.shouldProcess(text(0) ?? '', text(1));
      case 'shouldcontinue':
        return promptChoiceYesNo(this.streams, text(0) ?? '', text(1) ?? '');
      case 'writeerror':
        if (args[0] instanceof ErrorRecord) this.streams.writeError(args[0]);
        return undefined;
      case 'throwterminatingerror':
        if (args[0] instanceof ErrorRecord) throw new RuntimeException(this.streams.stamp(args[0]));
        return undefined;
      case 'writeverbose':
        this.streams.writeVerbose(text(0) ?? '');
        return undefined;
      case 'writewarning':
        this.streams.writeWarning(text(0) ?? '');
        return undefined;
      case 'writedebug':
        this.streams.writeDebug(text(0) ?? '');
        return undefined;
    }
    throw new RuntimeException(new ErrorRecord({ message: `Method invocation failed because [System.Management.Automation.PSScriptCmdlet] does not contain a method named '${name}'.`, errorId: 'MethodNotFound', category: 'InvalidOperation' }));
  }
}

async function promptChoiceYesNo(streams: CommandStreams, query: string, caption: string): Promise<boolean> {
  const { promptChoice } = require('./streams') as typeof import('./streams');
  return (await promptChoice(streams.session, caption, query, ['&Yes', '&No', '&Suspend'], 0)) === 0;
}

function withSite(e: RuntimeException, site: InvocationSite): RuntimeException {
  const info = e.record.invocationInfo;
  if (info) {
    info.extent ??= site.extent;
    info.script ??= site.script;
  }
  return e;
}

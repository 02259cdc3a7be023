// A runspace: one session plus the top-level loop that parses a script, runs it and sends its
// output to Out-Default (the formatter) or to a caller-supplied sink (-OutputFormat Xml/Json).

import type { Extent } from '../language/ast';
import type { ParseError } from '../language/parse-error';
import { newFrame, runBlockWithReturn } from './compiler';
import { ErrorRecord, RuntimeException } from './errors';
import { bridgeSink, Processor, runPipeline, Sink } from './pipeline';
import { ScriptBlock } from './scriptblock';
import { HostUI, SessionState, Scope } from './session';
import { reportError } from './streams';
import { FunctionProcessor } from './scriptblock';

/** Renders a parse error as PowerShell prints a ParseException. */
export function formatParseError(e: ParseError, source: string): string {
  const lines: string[] = [];
  for (const err of e.errors.slice(0, 1)) {
    const ext: Extent = err.extent;
    const srcLine = source.split(/\r?\n/)[ext.start.line - 1] ?? '';
    const where = e.fileName ? `${e.fileName}:${ext.start.line}` : `line:${ext.start.line}`;
    lines.push(`At ${where} char:${ext.start.column}`);
    lines.push(`+ ${srcLine}`);
    const width = ext.start.line === ext.end.line ? Math.max(1, ext.end.column - ext.start.column) : 1;
    lines.push(`+ ${' '.repeat(ext.start.column - 1)}${'~'.repeat(width)}`);
    lines.push(err.message);
    lines.push(`    + CategoryInfo          : ParserError: (:) [], ParseException`);
    lines.push(`    + FullyQualifiedErrorId : ${err.errorId}`);
  }
  return lines.join('\n');
}

/** Out-Default: formats objects as they arrive and flushes before other streams write. */
class OutDefault {
  private formatter: import('../format').OutputFormatter | null = null;
  constructor(private readonly host: HostUI) {}

  enumerationLimit: () => number = () => 4;

  private get f(): import('../format').OutputFormatter {
    if (!this.formatter) {
      const { OutputFormatter } = require('../format') as typeof import('../format');
      this.formatter = new OutputFormatter({ width: this.host.width, enumerationLimit: this.enumerationLimit() });
    }
    return this.formatter;
  }

  write = (value: unknown): void => {
    // Strings are by far the most common output: print them without involving the formatter
    // unless it is holding objects that must come first.
    if (typeof value === 'string' && this.formatter === null) {
      this.host.writeOutput(value + '\n');
      return;
    }
    const text = this.f.write(value);
    if (text) this.host.writeOutput(text);
  };

  flush(): void {
    if (!this.formatter) return;
    const text = this.formatter.flush();
    this.formatter = null;
    if (text) this.host.writeOutput(text);
  }
}

/** Wraps the host so that pending table output is printed before any other stream writes. */
function orderedHost(host: HostUI, flush: () => void): HostUI {
  return {
    get interactive() {
      return host.interactive;
    },
    get width() {
      return host.width;
    },
    writeOutput: (t) => host.writeOutput(t),
    writeError: (t) => (flush(), host.writeError(t)),
    writeHost: (t, n, c) => (flush(), host.writeHost(t, n, c)),
    writeWarning: (m) => (flush(), host.writeWarning(m)),
    writeVerbose: (m) => (flush(), host.writeVerbose(m)),
    writeDebug: (m) => (flush(), host.writeDebug(m)),
    writeInformation: (m) => (flush(), host.writeInformation(m)),
    writeProgress: (r) => host.writeProgress(r),
    readLine: (p) => (flush(), host.readLine(p)),
  };
}

export interface RunOptions {
  fileName?: string;
  /** Objects that flow into the script's first pipeline (and `$input`). */
  input?: unknown[] | null;
  /** `-File x.ps1 a b`: the script's arguments, bound to its param() block or $args. */
  args?: unknown[];
  /** Receives output objects instead of Out-Default (used for -OutputFormat Xml/Json). */
  sink?: Sink;
}

export class Runspace {
  readonly session: SessionState;
  private readonly outDefault: OutDefault;

  constructor(host: HostUI, storeRoot: string) {
    this.outDefault = new OutDefault(host);
    this.session = new SessionState(orderedHost(host, () => this.outDefault.flush()), storeRoot);
    this.outDefault.enumerationLimit = () => {
      const v = Number(this.session.global.lookup('formatenumerationlimit')?.value);
      return Number.isFinite(v) ? v : 4;
    };
  }

  /** Parses a script; reports a parse error and returns null when it does not parse. */
  parse(text: string, fileName?: string): ScriptBlock | null {
    const { parse } = require('../language/parser') as typeof import('../language/parser');
    const { ParseError } = require('../language/parse-error') as typeof import('../language/parse-error');
    try {
      return new ScriptBlock(parse(text, fileName), { name: fileName ?? null, text });
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.session.host.writeError(formatParseError(e, text));
      this.session.recordError(
        new ErrorRecord({ message: e.message, errorId: e.errorId, category: 'ParserError', exceptionType: 'System.Management.Automation.ParseException' }),
      );
      this.session.lastSucceeded = false;
      this.session.hadTerminatingError = true;
      return null;
    }
  }

  /** Runs script text at top level. Returns true when it ended without a terminating error and `$?` is true. */
  async run(text: string, opts: RunOptions = {}): Promise<boolean> {
    const sb = this.parse(text, opts.fileName);
    if (!sb) return false;
    return this.runScriptBlock(sb, opts);
  }

  async runScriptBlock(sb: ScriptBlock, opts: RunOptions = {}): Promise<boolean> {
    const s = this.session;
    s.hadTerminatingError = false;
    const sink = opts.sink ?? this.outDefault.write;
    try {
      if (opts.fileName || opts.args || sb.ast.paramBlock || sb.ast.process || sb.ast.begin) {
        // A script file runs like a function: its param() block binds the arguments.
        const args = (opts.args ?? []).map((value) =>
          typeof value === 'string' && /^-[A-Za-z]/.test(value)
            ? { kind: 'named' as const, name: value.slice(1).replace(/:$/, ''), value: undefined, hasValue: false, extent: null }
            : { kind: 'positional' as const, value, extent: null },
        );
        const proc: Processor = new FunctionProcessor(sb, opts.fileName ?? '', args, s, s.global, { extent: null, script: sb.script });
        await runPipeline([proc], opts.input ?? null, sink);
        s.lastSucceeded = s.lastSucceeded && !proc.failed;
      } else {
        s.global.setLocal('input', opts.input ?? []);
        s.hostInput = opts.input ?? null;
        const code = sb.compiled.end!;
        const f = newFrame(s.global, s, sink, sb.script);
        if (code.async) await runBlockWithReturn(code, f);
        else {
          const bridge = bridgeSink(sink);
          try {
            runBlockWithReturn(code, newFrame(s.global, s, bridge.sink, sb.script));
          } finally {
            await bridge.finish();
          }
        }
      }
    } catch (e) {
      this.reportUncaught(e, s.global);
    } finally {
      if (!opts.sink) this.outDefault.flush();
    }
    return !s.hadTerminatingError && s.lastSucceeded;
  }

  private reportUncaught(e: unknown, scope: Scope): void {
    const s = this.session;
    s.lastSucceeded = false;
    s.hadTerminatingError = true;
    if (e instanceof RuntimeException) {
      reportError(s, scope, e.record);
      return;
    }
    const { BreakSignal, ContinueSignal, ReturnSignal, ExitSignal } = require('./compiler') as typeof import('./compiler');
    if (e instanceof ExitSignal) {
      s.exitCode = e.code;
      s.hadTerminatingError = e.code !== 0;
      s.lastSucceeded = e.code === 0;
      return;
    }
    if (e instanceof ReturnSignal) {
      s.hadTerminatingError = false;
      s.lastSucceeded = true;
      return;
    }
    if (e instanceof BreakSignal || e instanceof ContinueSignal) {
      // break/continue outside a loop end the script quietly, as in PowerShell.
      s.hadTerminatingError = false;
      return;
    }
    // A JavaScript error here is a bug in posh; say what happened without a stack trace.
    const message = e instanceof Error ? e.message : String(e);
    reportError(s, scope, new ErrorRecord({ message, errorId: 'InternalError', category: 'NotSpecified', cause: e }));
    if (process.env.POSH_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  }
}

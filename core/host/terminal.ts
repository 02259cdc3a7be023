// The console host: where each stream's text goes (output and host text on stdout, errors on
// stderr, as pwsh 7 does), colours on a terminal, the progress line, and reading answers.

import type { ProgressRecord } from '../engine/cmdlet';
import type { HostUI } from '../engine/session';

const colors: Record<string, string> = {
  black: '30', darkblue: '34', darkgreen: '32', darkcyan: '36', darkred: '31', darkmagenta: '35', darkyellow: '33',
  gray: '37', darkgray: '90', blue: '94', green: '92', cyan: '96', red: '91', magenta: '95', yellow: '93', white: '97',
};

export class TerminalHost implements HostUI {
  readonly interactive: boolean;
  private progressShown = false;
  private lineReader: LineReader | null = null;

  constructor(opts: { interactive: boolean }) {
    this.interactive = opts.interactive;
  }

  get width(): number {
    return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 120;
  }

  private paint(text: string, code: string | undefined, tty: boolean | undefined): string {
    return tty && code ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private clearProgress(): void {
    if (this.progressShown) {
      process.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }

  writeOutput(text: string): void {
    this.clearProgress();
    process.stdout.write(text);
  }

  writeError(text: string): void {
    this.clearProgress();
    process.stderr.write(this.paint(text, '91', process.stderr.isTTY) + '\n');
  }

  writeHost(text: string, newline: boolean, foreground?: string): void {
    this.clearProgress();
    process.stdout.write(this.paint(text, foreground ? colors[foreground.toLowerCase()] : undefined, process.stdout.isTTY) + (newline ? '\n' : ''));
  }

  writeWarning(message: string): void {
    this.clearProgress();
    process.stdout.write(this.paint(`WARNING: ${message}`, '93', process.stdout.isTTY) + '\n');
  }

  writeVerbose(message: string): void {
    this.clearProgress();
    process.stdout.write(this.paint(`VERBOSE: ${message}`, '93', process.stdout.isTTY) + '\n');
  }

  writeDebug(message: string): void {
    this.clearProgress();
    process.stdout.write(this.paint(`DEBUG: ${message}`, '93', process.stdout.isTTY) + '\n');
  }

  writeInformation(message: string): void {
    this.clearProgress();
    process.stdout.write(message + '\n');
  }

  /** A one-line bar on stderr when it is a terminal; nothing otherwise (as pwsh redirected). */
  writeProgress(record: ProgressRecord): void {
    if (!process.stderr.isTTY) return;
    if (record.completed) {
      this.clearProgress();
      return;
    }
    const { renderProgress } = require('../format') as typeof import('../format');
    process.stderr.write('\r\x1b[2K' + renderProgress(record, process.stderr.columns || 120));
    this.progressShown = true;
  }

  async readLine(prompt: string): Promise<string | null> {
    if (!this.interactive) return null;
    this.clearProgress();
    process.stdout.write(prompt);
    this.lineReader ??= new LineReader(process.stdin);
    return this.lineReader.next();
  }

  async drain(): Promise<void> {
    this.clearProgress();
    this.lineReader?.close();
  }
}

/** Reads stdin one line at a time, for prompts answered from a terminal or a pipe. */
export class LineReader {
  private buffered = '';
  private ended = false;
  private waiting: (() => void) | null = null;

  constructor(private readonly stream: NodeJS.ReadStream) {
    stream.setEncoding('utf8');
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
  }

  private onData = (chunk: string) => {
    this.buffered += chunk;
    this.wake();
  };

  private onEnd = () => {
    this.ended = true;
    this.wake();
  };

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl).replace(/\r$/, '');
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.ended) {
        if (this.buffered === '') return null;
        const last = this.buffered;
        this.buffered = '';
        return last;
      }
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  close(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.pause();
  }
}

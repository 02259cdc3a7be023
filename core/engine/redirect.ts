// Stream redirection (`> file`, `>> file`, `> $null`, `2>&1`, `2> $null`, `*> file`): where a
// command's output and other streams go instead of their usual place. A redirection belongs to
// the command that carries it and covers everything that runs inside it (a function's commands).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorRecord } from './errors';
import type { Sink } from './pipeline';

export type StreamName = 'error' | 'warning' | 'verbose' | 'debug' | 'information';

/** Where a redirected stream goes: nowhere, a file, or the owning command's output. */
export type RedirectTarget = { kind: 'null' } | { kind: 'file'; file: RedirectFile } | { kind: 'output'; sink: () => Sink };

export interface Redirect {
  /** Stream 1 of the command itself (not inherited by the commands inside it). */
  output?: RedirectTarget;
  streams: Partial<Record<StreamName, RedirectTarget>>;
  /** Files opened for this command, flushed when its pipeline ends. */
  files: RedirectFile[];
}

/** A file a redirection writes: created (or truncated) when the command starts, as pwsh does. */
export class RedirectFile {
  private formatter: import('../format').OutputFormatter | null = null;

  constructor(
    readonly fullPath: string,
    append: boolean,
    private readonly width: number,
  ) {
    fs.mkdirSync(path.dirname(fullPath), { recursive: true });
    if (!append) fs.writeFileSync(fullPath, '');
    else fs.appendFileSync(fullPath, '');
  }

  /** Output objects are formatted as Out-File formats them. */
  writeObject = (value: unknown): void => {
    if (!this.formatter) {
      const { OutputFormatter } = require('../format') as typeof import('../format');
      this.formatter = new OutputFormatter({ width: this.width, console: false });
    }
    const text = this.formatter.write(value);
    if (text) fs.appendFileSync(this.fullPath, text);
  };

  writeLine(text: string): void {
    this.flush();
    fs.appendFileSync(this.fullPath, text + '\n');
  }

  flush(): void {
    if (!this.formatter) return;
    const text = this.formatter.flush();
    this.formatter = null;
    if (text) fs.appendFileSync(this.fullPath, text);
  }
}

const streamNumbers: Record<string, StreamName[]> = {
  '2': ['error'], '3': ['warning'], '4': ['verbose'], '5': ['debug'], '6': ['information'],
  '*': ['error', 'warning', 'verbose', 'debug', 'information'],
};

/** One `N>target` as compiled: which stream, and where (the file path evaluated at run time). */
export interface RedirectSpec {
  from: '1' | '2' | '3' | '4' | '5' | '6' | '*';
  to: 'file' | '1' | 'null';
  append: boolean;
  path: string | null;
}

/**
 * The redirect in force for a command: what it inherits from the command it runs inside, with
 * its own redirections on top. `ownOutput` is the command's own output sink (for `2>&1`).
 */
export function buildRedirect(inherited: Redirect | null, specs: RedirectSpec[], ownOutput: () => Sink, cwd: string, width: number): Redirect | null {
  if (specs.length === 0) return inherited ? { streams: inherited.streams, files: [] } : null;
  const r: Redirect = { streams: { ...(inherited?.streams ?? {}) }, files: [] };
  const fileTarget = (spec: RedirectSpec): RedirectTarget => {
    const full = path.resolve(cwd, spec.path!);
    let file = r.files.find((f) => f.fullPath === full);
    if (!file) r.files.push((file = new RedirectFile(full, spec.append, width)));
    return { kind: 'file', file };
  };
  for (const spec of specs) {
    const target: RedirectTarget = spec.to === 'null' ? { kind: 'null' } : spec.to === 'file' ? fileTarget(spec) : { kind: 'output', sink: ownOutput };
    if (spec.from === '1' || spec.from === '*') {
      if (spec.to !== '1') r.output = target;
    }
    for (const s of streamNumbers[spec.from] ?? []) r.streams[s] = target;
  }
  return r;
}

/** Sends a stream record to its redirect target; returns false when the stream is not redirected. */
export function redirectRecord(redirect: Redirect | null | undefined, stream: StreamName, value: ErrorRecord | string, render: () => string): boolean {
  const target = redirect?.streams[stream];
  if (!target) return false;
  switch (target.kind) {
    case 'null':
      return true;
    case 'file':
      target.file.writeLine(render());
      return true;
    case 'output': {
      // Merged records join the output stream; they are written synchronously (their order
      // relative to output objects is kept by the sink).
      void target.sink()(value);
      return true;
    }
  }
}

/** The sink a command's output goes to once stream 1 is redirected. */
export function redirectOutput(redirect: Redirect | null | undefined, downstream: Sink): Sink {
  const target = redirect?.output;
  if (!target) return downstream;
  if (target.kind === 'null') return () => undefined;
  if (target.kind === 'file') return target.file.writeObject;
  return downstream;
}

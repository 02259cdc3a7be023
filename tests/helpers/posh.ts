// Test helpers: run the real `bin/posh` as a user would, or a script in-process with a host that
// captures every stream.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProgressRecord } from '../../core/engine/cmdlet';
import { Runspace } from '../../core/engine/runspace';
import type { HostUI } from '../../core/engine/session';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const poshBin = path.join(repoRoot, 'bin', 'posh');

export interface PoshResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** A fresh temporary directory, removed by the caller with removeTempDir. */
export function makeTempDir(prefix = 'posh-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs bin/posh with argv; stdin is written then closed. The store root defaults to a temp dir inside cwd. */
export function runPosh(argv: string[], opts: { stdin?: string; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<PoshResult> {
  const cwd = opts.cwd ?? repoRoot;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [poshBin, ...argv], {
      cwd,
      env: { ...process.env, POSH_CONTAINERS_HOME: path.join(cwd, '.posh-home'), COLUMNS: '120', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A host that records what each stream received, for in-process tests. */
export class CaptureHost implements HostUI {
  output = '';
  errors: string[] = [];
  hostText = '';
  warnings: string[] = [];
  verbose: string[] = [];
  debug: string[] = [];
  information: string[] = [];
  progress: ProgressRecord[] = [];
  answers: string[];
  readonly width = 120;

  constructor(readonly interactive = false, answers: string[] = []) {
    this.answers = answers.slice();
  }

  writeOutput(text: string): void {
    this.output += text;
  }
  writeError(text: string): void {
    this.errors.push(text);
  }
  writeHost(text: string, newline: boolean): void {
    this.hostText += text + (newline ? '\n' : '');
  }
  writeWarning(message: string): void {
    this.warnings.push(message);
  }
  writeVerbose(message: string): void {
    this.verbose.push(message);
  }
  writeDebug(message: string): void {
    this.debug.push(message);
  }
  writeInformation(message: string): void {
    this.information.push(message);
  }
  writeProgress(record: ProgressRecord): void {
    this.progress.push(record);
  }
  async readLine(prompt: string): Promise<string | null> {
    this.hostText += prompt;
    if (!this.interactive) return null;
    return this.answers.shift() ?? null;
  }
}

/** Runs a script in-process; returns the host (streams) and whether it succeeded. */
export async function runInProcess(script: string, opts: { interactive?: boolean; answers?: string[]; storeRoot?: string } = {}): Promise<{ host: CaptureHost; ok: boolean; runspace: Runspace }> {
  const host = new CaptureHost(opts.interactive ?? false, opts.answers ?? []);
  const runspace = new Runspace(host, opts.storeRoot ?? path.join(os.tmpdir(), 'posh-inprocess-store'));
  const ok = await runspace.run(script);
  return { host, ok, runspace };
}

/** Runs a script in-process and returns its output objects (not formatted). */
export async function evaluate(script: string): Promise<unknown[]> {
  const host = new CaptureHost();
  const runspace = new Runspace(host, path.join(os.tmpdir(), 'posh-inprocess-store'));
  const out: unknown[] = [];
  const ok = await runspace.run(script, { sink: (v) => void out.push(v) });
  if (!ok && host.errors.length) throw new Error(host.errors.join('\n'));
  return out;
}

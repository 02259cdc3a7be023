// Helpers for the store tests: WIMs made in the test (our writer, or wimlib-imagex as the
// independent peer), store copies, and posh runs against a given store root.

import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPosh, type PoshResult } from '../helpers/posh';
import { captureDirectory } from '../../core/wim';
import { prng as bytes } from '../wim/helpers';

// The wimlib-imagex peer (skipped loudly on a developer machine, required when CI=true) and the
// WIM suite's deterministic bytes, shared rather than copied.
export { havePeer as haveWimlib, wimlib } from '../wim/helpers';
export { bytes };

/** Writes a tree: path → content (a directory for a trailing '/'). */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  mkdirSync(root, { recursive: true });
  for (const [p, c] of Object.entries(files)) {
    const full = join(root, p);
    if (p.endsWith('/')) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, c);
    }
  }
}

/** A tree of `count` files of `size` pseudo-random bytes each (seeded), plus a few small ones. */
export function sampleTree(root: string, count: number, size: number, seed: number): void {
  const files: Record<string, string | Buffer> = { 'Windows/System32/config/': '', 'Windows/win.ini': '[fonts]\r\n', 'empty.txt': '' };
  for (let i = 0; i < count; i++) files[`Windows/System32/f${String(i).padStart(3, '0')}.dll`] = bytes(size, seed * 1000 + i + 1);
  writeTree(root, files);
}

/** Captures `src` as a WIM (uncompressed unless told: its install packs the blobs; an XPRESS one stores a file per blob). */
export async function makeWim(src: string, wim: string, name: string, version: string, publisher = 'CN=Microsoft', summary = '', compression: 'none' | 'xpress' = 'none'): Promise<void> {
  await captureDirectory(src, wim, { compression, metadata: { name, version, publisher, description: summary } });
}

/** Runs `posh -NonInteractive -c script` in `cwd` with the store at `home`. */
export function posh(script: string, cwd: string, home: string, env: Record<string, string> = {}, timeoutMs = 60000): Promise<PoshResult> {
  return runPosh(['-NonInteractive', '-c', script], { cwd, env: { POSH_CONTAINERS_HOME: home, ...env }, timeoutMs });
}

export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

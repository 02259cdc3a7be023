// Shared helpers of the OCI and registry tests: peers (skopeo, docker-registry, htpasswd), temp
// folders, random layers made with our own writer.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeLayerFile, fileBlob, MediaType, type BlobSource, type ImageConfig, type LayerEntry, type Digest } from '../../core/oci';

/** True when `cmd` runs; on a dev machine a missing peer skips loudly, in CI it fails. */
export function havePeer(cmd: string, args: string[], pkg: string): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${cmd} (Debian package ${pkg}) is required in CI but was not found`);
  // eslint-disable-next-line no-console
  console.warn(`\n*** ${cmd} NOT FOUND: its interop tests are SKIPPED. Install it: apt-get install -y ${pkg} ***\n`);
  return false;
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `posh-${label}-`));
}

export function rmrf(p: string | undefined): void {
  if (p) rmSync(p, { recursive: true, force: true });
}

export function run(cmd: string, args: string[], opts: { input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, input: opts.input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function skopeo(args: string[]): string {
  return run('skopeo', ['--insecure-policy', ...args]);
}

/** Entries of a random layer: a few directories and files (some larger than a chunk), a symlink, a whiteout. */
export function randomEntries(seed: string, files = 4, maxSize = 200_000): LayerEntry[] {
  const out: LayerEntry[] = [{ type: 'directory', path: 'Files' }, { type: 'directory', path: `Files/${seed}` }];
  for (let i = 0; i < files; i++) {
    const size = 1 + Math.floor(Math.random() * maxSize);
    out.push({ type: 'file', path: `Files/${seed}/f${i}.bin`, size, content: randomBytes(size) });
  }
  out.push({ type: 'symlink', path: `Files/${seed}/link`, target: 'f0.bin' });
  out.push({ type: 'whiteout', path: `Files/${seed}-deleted` });
  return out;
}

export interface TestImage {
  config: ImageConfig;
  layers: BlobSource[];
  diffIds: Digest[];
}

/** An image of `n` random layers written to files under `dir` (gzip or plain). */
export async function makeImage(dir: string, n: number, gzip: boolean, tag = 'x'): Promise<TestImage> {
  const layers: BlobSource[] = [];
  const diffIds: Digest[] = [];
  for (let i = 0; i < n; i++) {
    const file = join(dir, `${tag}-layer${i}.tar${gzip ? '.gz' : ''}`);
    const r = await writeLayerFile(randomEntries(`${tag}${i}`), file, { gzip });
    const blob = await fileBlob(file, gzip ? MediaType.OciLayerGzip : MediaType.OciLayer);
    expectEq(blob.digest, r.digest);
    layers.push(blob);
    diffIds.push(r.diffId);
  }
  const config: ImageConfig = {
    created: '2026-01-02T03:04:05Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'], Cmd: ['cmd.exe'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created: '2026-01-02T03:04:05Z', created_by: `posh layer ${i}` })),
  };
  return { config, layers, diffIds };
}

function expectEq<T>(a: T, b: T): void {
  if (a !== b) throw new Error(`expected ${String(b)}, got ${String(a)}`);
}

/** skopeo without blocking the event loop (for peers served by this very process). */
export function skopeoAsync(args: string[]): Promise<string> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve, reject) => {
    const p = spawn('skopeo', ['--insecure-policy', ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c));
    p.stderr.on('data', (c: Buffer) => (err += c));
    p.on('error', reject);
    p.on('close', (code: number) => (code === 0 ? resolve(out) : reject(new Error(`skopeo ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

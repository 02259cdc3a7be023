// Shared helpers for the WIM tests: the wimlib-imagex peer, temp dirs, test trees, tree compare.

import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether wimlib-imagex is installed. Missing on a developer machine: the interop tests are
 * skipped with a loud message. Missing in CI (CI=true): an error, so the suite fails.
 */
export function havePeer(): boolean {
  const r = spawnSync('wimlib-imagex', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI === 'true') throw new Error('wimlib-imagex (Debian package wimtools) is required in CI but was not found');
  // eslint-disable-next-line no-console
  console.warn('\n*** wimlib-imagex NOT FOUND: WIM interop tests are SKIPPED. Install it: apt-get install -y wimtools ***\n');
  return false;
}

export function wimlib(args: string[]): string {
  const r = spawnSync('wimlib-imagex', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`wimlib-imagex ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function diffTrees(a: string, b: string): string {
  const r = spawnSync('diff', ['-r', '--no-dereference', a, b], { encoding: 'utf8' });
  return r.status === 0 ? '' : (r.stdout + r.stderr || `diff exit ${r.status}`);
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `wimtest-${tag}-`));
}

export function rmrf(p: string): void {
  rmSync(p, { recursive: true, force: true });
}

/** Deterministic pseudo-random bytes (xorshift) so failures reproduce. */
export function prng(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Compressible text-like data with some x86 CALL (0xE8) bytes, to exercise LZX's E8 translation. */
export function compressible(n: number, seed: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'Windows', 'container', 'image', '\r\n', ' ', '\xe8', 'NanoServer'];
  const r = prng(n, seed);
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = words[r[i % n] % words.length] + (r[(i * 7) % n] % 5 === 0 ? String(r[(i * 3) % n]) : '');
    parts.push(w);
    len += w.length;
  }
  const b = Buffer.from(parts.join(''), 'latin1').subarray(0, n);
  // Sprinkle CALL-like sequences with small targets.
  for (let i = 100; i + 5 < n; i += 997) { b[i] = 0xe8; b.writeInt32LE((i * 31) % 5000 - 1000, i + 1); }
  return b;
}

/**
 * A small tree exercising the features the interop tests check: random and compressible data,
 * a file spanning many chunks, empty files, duplicates, hard links, symlinks, nested and empty
 * directories and a non-ASCII name.
 */
export function makeTree(root: string): void {
  mkdirSync(join(root, 'dir', 'nested', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  mkdirSync(join(root, 'Ünïcødé ✓'));
  writeFileSync(join(root, 'random.bin'), prng(1300 * 1024 + 17, 1));
  writeFileSync(join(root, 'text.txt'), compressible(700 * 1024 + 3, 2));
  writeFileSync(join(root, 'small.txt'), 'hello, world\n');
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'dir', 'empty2'), '');
  writeFileSync(join(root, 'dir', 'dup-of-text.txt'), compressible(700 * 1024 + 3, 2));
  writeFileSync(join(root, 'dir', 'nested', 'deeper', 'x.dat'), Buffer.concat([prng(40000, 3), compressible(90000, 4)]));
  writeFileSync(join(root, 'Ünïcødé ✓', 'données.txt'), compressible(5000, 5));
  writeFileSync(join(root, 'exact-chunk'), compressible(32768, 6));
  linkSync(join(root, 'random.bin'), join(root, 'dir', 'hardlink-to-random'));
  symlinkSync('../small.txt', join(root, 'dir', 'link-to-small'));
  symlinkSync('nested', join(root, 'dir', 'link-to-dir'));
}

export interface TreeFile {
  kind: 'directory' | 'file' | 'symlink';
  sha1?: string;
  size?: number;
  target?: string;
  ino?: number;
  /** Last write time as a FILETIME (100 ns since 1601). */
  mtime?: bigint;
}

/** Path → description of every entry under root ('' for the root itself excluded). */
export function describeTree(root: string): Map<string, TreeFile> {
  const out = new Map<string, TreeFile>();
  const walk = (dir: string, rel: string[]): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const key = [...rel, name].join('/');
      const st = lstatSync(p);
      const mtime = lstatSync(p, { bigint: true }).mtimeNs / 100n + 116444736000000000n;
      if (st.isDirectory()) {
        out.set(key, { kind: 'directory', mtime });
        walk(p, [...rel, name]);
      } else if (st.isSymbolicLink()) out.set(key, { kind: 'symlink', target: readlinkSync(p), mtime });
      else {
        const data = readFileSync(p);
        out.set(key, { kind: 'file', size: data.length, sha1: data.length ? createHash('sha1').update(data).digest('hex') : undefined, ino: st.nlink > 1 ? st.ino : undefined, mtime });
      }
    }
  };
  walk(root, []);
  return out;
}

export { randomBytes };

/** `wimlib-imagex info --xml` decoded (it prints the archive's UTF-16LE XML as is). */
export function wimlibXml(wim: string): string {
  const r = spawnSync('wimlib-imagex', ['info', wim, '--xml'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`wimlib-imagex info failed: ${r.stderr}`);
  return r.stdout.toString('utf16le').replace(/^\ufeff/, '');
}

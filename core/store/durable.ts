// Durable file operations for the store: every step that changes the disk goes through here, so
// the crash-test failpoint can stop the process at any one of them.
//
// Failpoint (for tests; documented in docs/architecture-store.md):
//   POSH_STORE_FAILPOINT=<n>   the n-th durable step of this process (1-based) kills the process
//                              with SIGKILL just before the step runs; steps are counted across
//                              the whole process (mkdir, temp-file create, blob data write,
//                              fsync, rename, unlink, lock-owner write).
//   POSH_STORE_TRACE=<file>    appends one line `<n> <step> <detail>` per durable step, so a test
//                              can count how many steps an operation has and pick points.

import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

let stepCount = 0;
const failAt = Number(process.env.POSH_STORE_FAILPOINT ?? '0') || 0;
const traceFile = process.env.POSH_STORE_TRACE || '';

/** Marks one durable step; the failpoint kills the process here. */
export function step(kind: string, detail = ''): void {
  stepCount++;
  if (traceFile) appendFileSync(traceFile, `${stepCount} ${kind} ${detail}\n`);
  if (failAt > 0 && stepCount === failAt) process.kill(process.pid, 'SIGKILL');
}

export async function ensureDir(dir: string): Promise<void> {
  step('mkdir', dir);
  await mkdir(dir, { recursive: true });
}

/** fsync of a directory, so a rename or unlink in it is durable. */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** fsync of several directories (a few at a time), so the renames and unlinks in them are durable. */
export async function syncDirs(dirs: Iterable<string>): Promise<void> {
  const list = [...new Set(dirs)];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(8, list.length) }, async () => {
    while (next < list.length) {
      const dir = list[next++];
      step('fsync', dir);
      const fh = await open(dir, 'r').catch(() => null);
      if (!fh) continue;
      // Some file systems refuse fsync on directories; the renames are still atomic.
      await fh.sync().catch(() => undefined);
      await fh.close();
    }
  }));
}

/**
 * A unique temporary name in the store's tmp folder: `<what>-<pid>-<random>-<n>.tmp`. The pid
 * after the first dash names the owner, so a sweep removes only files of processes that are gone
 * (store.ts staleTemp).
 */
let tempPrefix = '';
let tempCounter = 0;

/** Whether a tmp/ entry was named by this process's tempName. */
export function isOwnTemp(name: string): boolean {
  return tempPrefix !== '' && name.includes(`-${tempPrefix}-`);
}

export function tempName(tmpDir: string, what: string): string {
  if (!tempPrefix) tempPrefix = `${process.pid}-${randomBytes(6).toString('hex')}`;
  return `${tmpDir}/${what}-${tempPrefix}-${++tempCounter}.tmp`;
}

/** Writes `data` to `path` atomically: temp file in the store, fsync, rename, fsync the folder. */
export async function atomicWrite(tmpDir: string, path: string, data: string | Buffer): Promise<void> {
  const tmp = tempName(tmpDir, 'rec');
  await writeTemp(tmp, async (fh) => {
    step('write', tmp);
    await fh.writeFile(data);
  });
  try {
    step('rename', path);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

/** Creates the temp file `tmp`, lets `fill` write it, then fsyncs and closes it; on a failure it is closed and removed. */
export async function writeTemp(tmp: string, fill: (fh: FileHandle) => Promise<void>): Promise<void> {
  const fh = await createTemp(tmp);
  try {
    await fill(fh);
    step('fsync', tmp);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
}

export async function durableRename(from: string, to: string): Promise<void> {
  step('rename', to);
  await rename(from, to);
}

export async function durableUnlink(path: string): Promise<void> {
  step('unlink', path);
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

export async function createTemp(path: string): Promise<FileHandle> {
  step('create', path);
  return open(path, 'wx');
}

/** Copies `size` bytes of `src` from `from` into `dst` at `to` (fewer only if `src` ends first: an error). */
export async function copyRange(src: FileHandle, from: number, size: number, dst: FileHandle, to: number): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(size, 1 << 20));
  for (let done = 0; done < size; ) {
    const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, size - done), from + done);
    if (!bytesRead) throw new Error(`unexpected end of file: ${size - done} of ${size} bytes missing at offset ${from + done}`);
    for (let w = 0; w < bytesRead; ) w += (await dst.write(buf, w, bytesRead - w, to + done + w)).bytesWritten;
    done += bytesRead;
  }
}

// The store's inter-process lock: proper-lockfile (an atomic mkdir of `<root>/store.lock.lock`,
// its mtime refreshed while held, taken over when stale), plus fast recovery of a lock whose
// holder died: the holder writes `owner` (host and pid) inside the lock directory, and a waiter
// that finds the owner's process gone on this host removes the lock at once instead of waiting
// for it to go stale. That check-and-remove runs under a second, short-lived lock so two waiters
// cannot both remove (one of them a fresh) lock.

import { hostname } from 'node:os';
import { resolve } from 'node:path';
import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as lockfile from 'proper-lockfile';
import { step } from './durable';

/** Stale after this long without an mtime refresh (the holder refreshes every UPDATE_MS). */
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;
const ORPHAN_MS = 2_000;

export class StoreLockedError extends Error {
  constructor(
    readonly root: string,
    readonly owner: string,
  ) {
    super(`The image store '${root}' is locked by another process (${owner}); try again when it has finished.`);
  }
}

export interface HeldLock {
  /** Set when the lock was taken over by another process while we held it (e.g. a long stall). */
  readonly compromised: () => Error | null;
  release(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockDir: string): { host: string; pid: number } | null {
  try {
    const [host, pid] = readFileSync(`${lockDir}/owner`, 'utf8').split('\n');
    const n = Number(pid);
    return host && Number.isInteger(n) && n > 0 ? { host, pid: n } : null;
  } catch {
    return null;
  }
}

/** Removes the main lock if its recorded owner is a dead process on this host. */
async function recoverDeadOwner(target: string): Promise<boolean> {
  const lockDir = `${target}.lock`;
  const guard = `${target}.recover`;
  let releaseGuard: (() => Promise<void>) | null = null;
  try {
    releaseGuard = await lockfile.lock(guard, { realpath: false, stale: 10_000, retries: 0 });
  } catch {
    return false;
  }
  try {
    const owner = readOwner(lockDir);
    if (!owner) {
      // Killed between taking the lock and naming itself: the owner file is written within
      // milliseconds of the mkdir, so a nameless lock older than ORPHAN_MS is abandoned.
      let age = 0;
      try {
        age = Date.now() - statSync(lockDir).mtimeMs;
      } catch {
        return true; // gone meanwhile
      }
      if (age < ORPHAN_MS) return false;
    } else if (owner.host !== hostname() || owner.pid === process.pid || alive(owner.pid)) return false;
    step('unlock-dead', lockDir);
    discard(lockDir);
    return true;
  } finally {
    await releaseGuard().catch(() => undefined);
  }
}

/** Moves a lock directory out of the way atomically (a new lock may be created at once), then deletes it. */
function discard(lockDir: string): void {
  const trash = `${lockDir}-gone-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockDir, trash);
  } catch {
    return;
  }
  rmSync(trash, { recursive: true, force: true });
}

/**
 * The file-system functions proper-lockfile uses, with rmdir taught about the `owner` file. The
 * release itself moves the directory away first (see acquireStoreLock), so proper-lockfile's own
 * rmdir on release must not touch the path: a waiter may already hold a new lock there.
 */
function lockFs(releasing: Set<string>): typeof nodeFs {
  return {
    ...nodeFs,
    rmdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
      if (releasing.has(p)) return cb(null);
      try {
        unlinkSync(`${p}/owner`);
      } catch {
        // no owner file
      }
      nodeFs.rmdir(p, cb);
    }) as typeof nodeFs.rmdir,
    rmdirSync: ((p: string) => {
      if (releasing.has(p)) return;
      try {
        unlinkSync(`${p}/owner`);
      } catch {
        // no owner file
      }
      nodeFs.rmdirSync(p);
    }) as typeof nodeFs.rmdirSync,
  };
}

/** Takes the store's lock, waiting up to `timeoutMs` for other processes. */
export async function acquireStoreLock(root: string, timeoutMs = 10 * 60_000): Promise<HeldLock> {
  const target = resolve(root, 'store.lock');
  const lockDir = `${target}.lock`;
  let compromised: Error | null = null;
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    try {
      const releasing = new Set<string>();
      const release = await lockfile.lock(target, {
        fs: lockFs(releasing),
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        retries: 0,
        onCompromised: (err) => {
          compromised = err;
        },
      });
      step('lock-owner', lockDir);
      // Creating `owner` changes the directory's mtime, which proper-lockfile watches to detect a
      // takeover: put back the mtime it set.
      const { mtime } = statSync(lockDir);
      writeFileSync(`${lockDir}/owner`, `${hostname()}\n${process.pid}\n`);
      utimesSync(lockDir, mtime, mtime);
      return {
        compromised: () => compromised,
        release: async () => {
          // Atomically hand the path back (rename), then let proper-lockfile stop its timer.
          const trash = `${lockDir}-gone-${process.pid}-${randomBytes(4).toString('hex')}`;
          step('unlock', lockDir);
          renameSync(lockDir, trash);
          releasing.add(lockDir);
          await release().catch(() => undefined);
          rmSync(trash, { recursive: true, force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    }
    if (await recoverDeadOwner(target)) continue;
    if (Date.now() > deadline) {
      const o = readOwner(lockDir);
      throw new StoreLockedError(root, o ? `process ${o.pid} on ${o.host}` : 'unknown owner');
    }
    await sleep(delay);
    delay = Math.min(200, delay * 2);
  }
}

/** True when a lock directory exists (for Test-ContainerImageStore's report). */
export function lockHeld(root: string): boolean {
  try {
    statSync(`${root}/store.lock.lock`);
    return true;
  } catch {
    return false;
  }
}

// Copying uncompressed blobs out of an archive into pack files of the store, in worker threads.
//
// Installing a large uncompressed WIM is hashing (the archive's SHA-1 verified, the store's
// SHA-256 computed) and copying. Done piece by piece on the main thread (async reads and writes,
// both hashes in between) it took ~1.9x the CPU time of `wimlib-imagex apply`, all on one core
// (docs/benchmarks.md § Store). Here each worker does both hashes and the copy of whole blobs with
// synchronous positional reads and writes (no per-piece promise or buffer allocation), and several
// workers run side by side. The main thread only hands out batches and marks the durable steps
// (the crash-test failpoints count steps on the main thread). Each worker appends to one pack file
// instead of creating a file per blob: with a file per blob, creating, cutting and fsyncing 2,400
// files took ~1.3 s of a 3.1 s copy (ext4 inode allocation, the tmp/ folder lock). Workers write
// with O_DIRECT where the file system takes it (see the worker body), so the closing fsync has only
// metadata and the device cache left to flush.
//
// Workers read the archive through the descriptor of the caller's open WimReader (threads share
// the process's descriptors), so the archive cannot be swapped under us by a rename.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WimFormatError } from '../wim/errors';

export interface HashCopyJob {
  sha1: string;
  /** Where the blob's bytes lie in the archive. */
  offset: number;
  size: number;
}

export interface HashCopyHooks {
  /** A new pack file's path (must not exist) for worker `n`; the worker creates it at its first blob. */
  packPath(n: number): string;
  /** Called on the main thread just before a job is handed to a worker. */
  beforeCopy(job: HashCopyJob): void;
  /** Called when the blob's bytes are in pack `pack` at `at` (written, not yet fsynced) and its SHA-1 matched. */
  copied(job: HashCopyJob, sha256: string, pack: string, at: number): void;
}

/** Byte alignment of every blob in a pack (direct writes are whole, aligned blocks). */
export const PACK_ALIGN = 4096;

// The worker body. Each worker appends the blobs it is given to its own pack file, each blob
// starting on a PACK_ALIGN boundary. Messages in: a batch `[[index, sha1, offset, size], ...]`,
// or null (finish: cut the pack to its last blob's end, fsync, close). Message out, one per
// batch: `{ done: [index, sha256, at, index, sha256, at, ...] }` for the blobs copied, plus
// `error` on the first failure (the worker then starts no further job); `{ closed: true }` after
// the finish. One message per batch, not per blob: in a profile of a 2 GiB, 2,400-blob install a
// message per blob took ~0.25 s of each worker's time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { fd, pack } = workerData;
const ALIGN = ${PACK_ALIGN};
const CHUNK = 4 << 20;
const slab = Buffer.allocUnsafeSlow(CHUNK + ALIGN);
// Writes bypass the page cache (O_DIRECT) where the file system allows it: the blobs must be on
// disk before the catalog names them, and writing them straight there is several times faster
// than dirtying the page cache and waiting for fsync to write it back (docs/benchmarks.md § Store).
// O_DIRECT needs a memory address aligned to the block size, which JavaScript cannot see: the
// first direct write tries offsets into the slab until the kernel accepts one.
let direct = typeof fs.constants.O_DIRECT === 'number';
let buf = direct ? null : slab.subarray(0, CHUNK);
let out = -1;
let end = 0; // the pack's length: the last blob's end
let next = 0; // where the next blob starts
function openPack() {
  if (direct) {
    try {
      out = fs.openSync(pack, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_DIRECT, 0o644);
      if (!buf) buf = alignedView(out);
      if (buf) return;
      fs.closeSync(out);
      out = -1;
      fs.unlinkSync(pack);
    } catch (e) {
      if (e.code !== 'EINVAL') throw e;
      try { fs.unlinkSync(pack); } catch {}
    }
    direct = false; // this file system takes no direct writes: buffered
    buf = slab.subarray(0, CHUNK);
  }
  out = fs.openSync(pack, 'wx');
}
function alignedView(out) {
  for (let off = 0; off < ALIGN; off += 16) {
    try {
      fs.writeSync(out, slab, off, ALIGN, 0);
      return slab.subarray(off, off + CHUNK);
    } catch (e) {
      if (e.code !== 'EINVAL') throw e;
    }
  }
  return null;
}
function copy(sha1, offset, size, base) {
  const h1 = createHash('sha1');
  const h256 = createHash('sha256');
  for (let at = 0; at < size; ) {
    // Fill the chunk (a short read would leave the next direct write unaligned).
    const want = Math.min(CHUNK, size - at);
    let n = 0;
    for (let r = -1; n < want && r !== 0; n += r) r = fs.readSync(fd, buf, n, want - n, offset + at + n);
    if (n < want) { const e = new Error('blob ' + sha1 + ': unexpected end of file at offset ' + (offset + at)); e.wim = true; throw e; }
    const piece = n === buf.length ? buf : buf.subarray(0, n);
    h1.update(piece);
    h256.update(piece);
    // A direct write is whole blocks: the last one is padded (the next blob, or the final cut,
    // overwrites or drops the padding).
    const len = direct ? Math.ceil(n / ALIGN) * ALIGN : n;
    for (let w = 0; w < len; ) w += fs.writeSync(out, buf, w, len - w, base + at + w);
    at += n;
  }
  const got = h1.digest('hex');
  if (got !== sha1) { const e = new Error('content has SHA-1 ' + got + ', expected ' + sha1); e.wim = true; throw e; }
  return h256.digest('hex');
}
function report(e) {
  return { message: String(e && e.message), code: e && e.code, wim: !!(e && e.wim) };
}
let failed = false;
parentPort.on('message', (batch) => {
  if (!batch) {
    let error;
    if (out >= 0) {
      try {
        if (!failed) {
          fs.ftruncateSync(out, end);
          fs.fsyncSync(out);
        }
      } catch (e) {
        error = report(e);
      }
      try { fs.closeSync(out); } catch {}
    }
    parentPort.postMessage({ closed: true, done: [], error });
    parentPort.close();
    return;
  }
  if (failed) return; // batches queued behind a failure are dropped
  const done = [];
  for (const [i, sha1, offset, size] of batch) {
    try {
      if (out < 0) openPack();
      const base = next;
      done.push(i, copy(sha1, offset, size, base), base);
      end = base + size;
      next = Math.ceil(end / ALIGN) * ALIGN;
    } catch (e) {
      failed = true;
      parentPort.postMessage({ done, error: report(e) });
      return;
    }
  }
  parentPort.postMessage({ done });
});
`;

/** Bytes of blobs per batch handed to a worker (small enough to balance two workers well). */
const BATCH_BYTES = 8 << 20;
/** Batches queued per worker, so a worker never waits for its next batch. */
const QUEUED_PER_WORKER = 2;

/**
 * Copies `jobs` (in the given order, which should be archive order) from the archive open as
 * `fd` into pack files (one per worker, named by `hooks.packPath`), verifying each SHA-1 and
 * computing each SHA-256. Resolves with the packs made (cut to size and fsynced) when every job
 * is copied; rejects with the first failure (a WimFormatError for content that does not match the
 * archive, else the I/O error) after every worker has stopped. The caller owns the pack files
 * either way, and removes them on failure.
 */
export async function hashCopy(fd: number, jobs: HashCopyJob[], hooks: HashCopyHooks, workers = defaultWorkers(jobs)): Promise<string[]> {
  if (!jobs.length) return [];
  let next = 0;
  let failure: Error | null = null;
  const packs: string[] = [];
  const takeBatch = (): unknown[] | null => {
    if (failure || next >= jobs.length) return null;
    const batch: unknown[] = [];
    let bytes = 0;
    while (next < jobs.length && (batch.length === 0 || bytes + jobs[next].size <= BATCH_BYTES)) {
      const j = jobs[next];
      hooks.beforeCopy(j);
      batch.push([next, j.sha1, j.offset, j.size]);
      bytes += j.size;
      next++;
    }
    return batch;
  };
  const asError = (m: { message: string; code?: string; wim: boolean }): Error =>
    m.wim ? new WimFormatError(m.message) : Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
  const runOne = (n: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const pack = hooks.packPath(n);
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, pack } });
      let queued = 0;
      let stopped = false;
      let used = false;
      const feed = (): void => {
        while (!stopped && queued < QUEUED_PER_WORKER) {
          const b = takeBatch();
          if (!b) break;
          queued++;
          used = true;
          w.postMessage(b);
        }
        if (!stopped && queued === 0) {
          stopped = true;
          w.postMessage(null);
        }
      };
      w.on('message', (m: { done: (number | string)[]; closed?: boolean; error?: { message: string; code?: string; wim: boolean } }) => {
        for (let k = 0; k < m.done.length && !failure; k += 3) {
          try {
            hooks.copied(jobs[m.done[k] as number], m.done[k + 1] as string, pack, m.done[k + 2] as number);
          } catch (e) {
            failure = e as Error;
          }
        }
        if (m.error) failure ??= asError(m.error);
        if (m.closed) return;
        if (m.error) queued = 0;
        else queued--;
        feed();
      });
      w.on('error', (e) => {
        failure ??= e;
      });
      w.on('exit', () => {
        if (used) packs.push(pack);
        resolve();
      });
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, (_, n) => runOne(n)));
  if (failure) throw failure;
  return packs;
}

/**
 * Two workers per core, at most MAX_WORKERS: a direct write blocks its worker until the disk has
 * the data, so a second worker per core hashes meanwhile (2 GiB: 4.0-4.1 s against 4.7-4.8 s with
 * one per core). Four already hash faster than a disk takes the writes, and each worker is a V8
 * instance of ~10 MiB (peak RSS must stay bounded). One for small jobs (starting a worker costs
 * ~20 ms, hashing 64 MiB ~40 ms).
 */
function defaultWorkers(jobs: HashCopyJob[]): number {
  let bytes = 0;
  for (const j of jobs) bytes += j.size;
  return bytes < 64 << 20 ? 1 : Math.max(1, Math.min(MAX_WORKERS, 2 * availableParallelism()));
}

const MAX_WORKERS = 4;

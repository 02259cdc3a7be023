// Where a download's bytes go: the destination file and SHA-256, both fed as the bytes arrive,
// with no await per chunk. The receiver calls write(chunk) from undici's data callback; the chunk
// is queued and written in small fs.writev batches by libuv's thread pool, several in flight,
// from the chunk itself (no copy). When too many batches are in flight (or, with a worker, too
// many bytes wait to be hashed), write returns false and the receiver pauses the transfer until
// onDrain.
//
// SHA-256 is computed either inline (FileSink: in write(), while the chunk is in the CPU caches)
// or by a worker thread (WorkerSink, SPEC §15) that is handed each batch once it is written: the
// chunk's ArrayBuffer is transferred, not copied, when the chunk is a whole socket read (see
// WorkerSink). hashInWorker chooses: the worker only when a core is free. The previous worker
// copied every batch (Buffer.concat, 0.5 s per GiB in the profile, as much as hashing it) and a
// SharedArrayBuffer ring costs the same copy; transferring avoids both.

import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Worker } from 'node:worker_threads';

/** A local failure of the sink (the file could not be written): not a network error, not retried. */
export class SinkError extends Error {}

export interface ArchiveSink {
  /** Bytes accepted so far (the file offset the next chunk goes to). */
  readonly position: number;
  /**
   * Takes a chunk (hashed at once, written later from the same memory: the caller must not change
   * it). Returns false when the sink is full: the caller then feeds nothing more until onDrain.
   * Throws the sink's failure, if any.
   */
  write(chunk: Buffer): boolean;
  /** Called when a full sink has room again. */
  onDrain: (() => void) | null;
  /** Called once if a background write fails (the caller aborts its transfer). */
  onFailure: ((e: SinkError) => void) | null;
  /** Discards everything accepted: waits for writes in flight, truncates the file, restarts the hash. */
  reset(): Promise<void>;
  /** Waits until everything accepted is written; the lower-case hex SHA-256 of it. */
  finish(): Promise<string>;
  /** Closes the file after the writes in flight (it stays; the caller removes it on failure). */
  close(): Promise<void>;
}

/**
 * Write batch size and how many batches may be in flight before write() says full. Small on
 * purpose: a batch is copied into the page cache while the chunks are still in the CPU caches
 * from being received and hashed. With 4 MiB batches (16 MiB in flight) that copy read them
 * back from memory and cost 4× curl's for the same bytes (perf: 1.16 s against 0.28 s per
 * GiB), ~0.9 s more CPU per GiB than 512 KiB batches. 4 × 512 KiB also bounds what is held.
 * A batch is also cut at MAX_IOVECS chunks, so a server sending tiny pieces cannot make one
 * writev call with millions of buffers.
 */
const BATCH = 512 * 1024;
const MAX_BATCHES_IN_FLIGHT = 4;
const MAX_IOVECS = 1024;

/** `bufs` without its first `n` bytes (views, no copy). */
function dropBytes(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (n >= bufs[i].length) n -= bufs[i++].length;
  const rest = bufs.slice(i);
  if (n > 0) rest[0] = rest[0].subarray(n);
  return rest;
}

function ioError(what: string, e: unknown): SinkError {
  return new SinkError(`${what}: ${(e as Error).message}`);
}

class FileSink implements ArchiveSink {
  position = 0;
  onDrain: (() => void) | null = null;
  onFailure: ((e: SinkError) => void) | null = null;
  private hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writePos = 0;
  /** fs.writev calls not yet called back: the file is not closed (its fd could be reused) before they are. */
  private inflight = 0;
  private full = false;
  private failure: SinkError | null = null;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly fd: number) {}

  write(chunk: Buffer): boolean {
    if (this.failure) throw this.failure;
    this.hash.update(chunk);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.position += chunk.length;
    if (this.pendingBytes >= BATCH || this.pending.length >= MAX_IOVECS) this.flush();
    if (this.inflight >= MAX_BATCHES_IN_FLIGHT) this.full = true;
    return !this.full;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const bufs = this.pending;
    const bytes = this.pendingBytes;
    const at = this.writePos;
    this.pending = [];
    this.pendingBytes = 0;
    this.writePos += bytes;
    this.inflight++;
    this.writeAll(bufs, bytes, at);
  }

  /** One writev; a short one (a file size limit, a full disk) goes on with the rest, which then reports the error itself. */
  private writeAll(bufs: Buffer[], bytes: number, at: number): void {
    fs.writev(this.fd, bufs, at, (e, n) => {
      if (!e && n > 0 && n < bytes) return this.writeAll(dropBytes(bufs, n), bytes - n, at + n);
      this.inflight--;
      if (e) this.fail(ioError('could not write the download', e));
      else if (n !== bytes) this.fail(new SinkError(`could not write the download: nothing written at offset ${at}`));
      this.notify();
      // Room again: tell the receiver last, as it may write (and fill the sink) at once.
      if (this.full && this.inflight < MAX_BATCHES_IN_FLIGHT && !this.failure) {
        this.full = false;
        this.onDrain?.();
      }
    });
  }

  private fail(e: SinkError): void {
    if (this.failure) return;
    this.failure = e;
    this.onFailure?.(e);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when no write is in flight. */
  private async settled(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async reset(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    await this.settled();
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => fs.ftruncate(this.fd, 0, (e) => (e ? reject(ioError('could not truncate the download', e)) : resolve())));
    this.hash = createHash('sha256');
    this.position = 0;
    this.writePos = 0;
  }

  async finish(): Promise<string> {
    this.flush();
    await this.settled();
    if (this.failure) throw this.failure;
    return this.hash.digest('hex');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    await this.settled();
    await new Promise<void>((resolve) => fs.close(this.fd, () => resolve()));
  }
}

/** Downloads smaller than this always hash inline (starting a worker costs more than hashing a few MiB). */
export const WORKER_THRESHOLD = 32 * 1024 * 1024;
/** Bytes handed to the hashing worker and not yet hashed before the sink says full. */
const HASH_AHEAD = 64 * 1024 * 1024;

/**
 * Test hooks: `hashIn` forces where large downloads hash (instead of deciding by the load);
 * `workerStarted` sees each hashing worker as it starts (to check that its death is handled).
 */
export const sinkTestHooks: { hashIn: 'worker' | 'inline' | null; workerStarted: ((w: Worker) => void) | null } = { hashIn: null, workerStarted: null };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let h = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.t === 'h') {
    let n = 0;
    for (const p of m.parts) { h.update(p); n += p.byteLength; }
    parentPort.postMessage(n);
  } else if (m.t === 'r') h = createHash('sha256');
  else if (m.t === 'd') { parentPort.postMessage({ hex: h.digest('hex') }); h = createHash('sha256'); }
});
`;

interface Batch {
  bufs: Buffer[];
  written: boolean;
}

/**
 * Large downloads: written as FileSink does, and hashed by a worker thread beside the main one,
 * without copying. Once a batch is on disk its chunks are no longer needed here, so they are
 * handed to the worker in order: a chunk that is a whole socket read (its ArrayBuffer holds
 * nothing else: undici hands the body of a read as a slice, and for a plain Content-Length
 * body that slice is the whole read) has its ArrayBuffer transferred (moved, no copy); any
 * other chunk (the first one, sharing its read with the response head; chunked-encoding
 * pieces; the rest of a read undici put back when the transfer paused) is sent as a copy, which
 * the structured clone makes. The receiving thread is then left with undici's parsing.
 */
class WorkerSink implements ArchiveSink {
  position = 0;
  onDrain: (() => void) | null = null;
  onFailure: ((e: SinkError) => void) | null = null;
  private readonly worker: Worker;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writePos = 0;
  /** Batches in order: written or not; the head goes to the worker as soon as it is written. */
  private batches: Batch[] = [];
  private inflight = 0;
  /** Bytes posted to the worker and not yet reported hashed. */
  private hashing = 0;
  private full = false;
  private failure: SinkError | null = null;
  private closed = false;
  private waiters: (() => void)[] = [];
  private digestWaiter: { resolve: (hex: string) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly fd: number) {
    const { Worker: WorkerCtor } = require('node:worker_threads') as typeof import('node:worker_threads');
    this.worker = new WorkerCtor(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: number | { hex: string }) => {
      if (typeof m === 'number') {
        this.hashing -= m;
        this.notify();
        this.maybeDrained();
        return;
      }
      const d = this.digestWaiter;
      this.digestWaiter = null;
      d?.resolve(m.hex);
    });
    this.worker.on('error', (e) => this.fail(ioError('the hashing worker failed', e)));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new SinkError(`the hashing worker stopped unexpectedly (exit code ${code})`));
    });
    sinkTestHooks.workerStarted?.(this.worker);
  }

  write(chunk: Buffer): boolean {
    if (this.failure) throw this.failure;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.position += chunk.length;
    if (this.pendingBytes >= BATCH || this.pending.length >= MAX_IOVECS) this.flush();
    if (this.inflight >= MAX_BATCHES_IN_FLIGHT || this.hashing > HASH_AHEAD) this.full = true;
    return !this.full;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const batch: Batch = { bufs: this.pending, written: false };
    const bytes = this.pendingBytes;
    const at = this.writePos;
    this.pending = [];
    this.pendingBytes = 0;
    this.writePos += bytes;
    this.batches.push(batch);
    this.inflight++;
    this.writeAll(batch, batch.bufs, bytes, at);
  }

  private writeAll(batch: Batch, bufs: Buffer[], bytes: number, at: number): void {
    fs.writev(this.fd, bufs, at, (e, n) => {
      if (!e && n > 0 && n < bytes) return this.writeAll(batch, dropBytes(bufs, n), bytes - n, at + n);
      this.inflight--;
      if (e) this.fail(ioError('could not write the download', e));
      else if (n !== bytes) this.fail(new SinkError(`could not write the download: nothing written at offset ${at}`));
      batch.written = true;
      this.handOver();
      this.notify();
      this.maybeDrained();
    });
  }

  /** Posts written batches to the worker, in order (writes may complete out of order). */
  private handOver(): void {
    while (this.batches.length && this.batches[0].written && !this.failure) {
      const { bufs } = this.batches.shift() as Batch;
      const transfer: ArrayBuffer[] = [];
      let bytes = 0;
      for (const b of bufs) {
        bytes += b.length;
        if (b.byteOffset === 0 && b.length === b.buffer.byteLength && b.length >= 32 * 1024) transfer.push(b.buffer as ArrayBuffer);
      }
      this.hashing += bytes;
      try {
        this.worker.postMessage({ t: 'h', parts: bufs }, transfer);
      } catch (e) {
        this.fail(ioError('could not hand the download to the hashing worker', e));
      }
    }
  }

  private maybeDrained(): void {
    if (this.full && this.inflight < MAX_BATCHES_IN_FLIGHT && this.hashing <= HASH_AHEAD && !this.failure) {
      this.full = false;
      this.onDrain?.();
    }
  }

  private fail(e: SinkError): void {
    if (this.failure) return;
    this.failure = e;
    this.onFailure?.(e);
    this.notify();
    const d = this.digestWaiter;
    this.digestWaiter = null;
    d?.reject(e);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done() && !this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  async reset(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    await this.until(() => this.inflight === 0);
    await new Promise<void>((resolve, reject) => fs.ftruncate(this.fd, 0, (e) => (e ? reject(ioError('could not truncate the download', e)) : resolve())));
    // After every batch already posted: the worker hashes those, then starts over.
    this.worker.postMessage({ t: 'r' });
    this.position = 0;
    this.writePos = 0;
  }

  async finish(): Promise<string> {
    this.flush();
    await this.until(() => this.inflight === 0 && this.batches.length === 0);
    return new Promise<string>((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      this.worker.postMessage({ t: 'd' });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    // Writes in flight use the fd (and read the chunks): they finish before it is closed.
    while (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    void this.worker.terminate();
    await new Promise<void>((resolve) => fs.close(this.fd, () => resolve()));
  }
}

/**
 * Where to hash a large download. In a worker only when a core is free (1-minute load average at
 * least one below the CPU count): then hashing leaves the receiving thread's critical path.
 * On a busy machine the worker only adds work: it hashes after the write, when the chunks have
 * left the CPU caches, and each batch costs a message (measured per GiB on the shared 2-vCPU
 * machine at load 3–5: 2.5 s of CPU with the worker against 2.2 s inline, median wall time
 * 2.2 s against 2.0 s; the worker was faster only in the quietest moments).
 */
function hashInWorker(expectedSize: number | null): boolean {
  if (sinkTestHooks.hashIn) return sinkTestHooks.hashIn === 'worker';
  if (expectedSize !== null && expectedSize < WORKER_THRESHOLD) return false;
  const os = require('node:os') as typeof import('node:os');
  return os.loadavg()[0] + 1 <= os.cpus().length;
}

/** A sink writing `dest` (created or truncated), hashing inline or in a worker (hashInWorker). */
export function createArchiveSink(dest: string, expectedSize: number | null): ArchiveSink {
  let fd: number;
  try {
    fd = fs.openSync(dest, 'w');
  } catch (e) {
    throw ioError(`could not create '${dest}'`, e);
  }
  if (!hashInWorker(expectedSize)) return new FileSink(fd);
  try {
    return new WorkerSink(fd);
  } catch (e) {
    fs.closeSync(fd);
    throw ioError('could not start the hashing worker', e);
  }
}

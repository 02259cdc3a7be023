// SHA-256 of a download, computed as the bytes arrive. Large downloads hash in a worker thread
// beside the main thread that receives and writes (SPEC §15), so hashing overlaps the transfer;
// small ones hash inline, where starting a worker would cost more than it saves.

import { createHash, type Hash } from 'node:crypto';
import type { Worker } from 'node:worker_threads';

/** Downloads at least this large (or of unknown size) hash in a worker. */
export const WORKER_THRESHOLD = 32 * 1024 * 1024;
/** Bytes handed to the worker and not yet hashed before the receiver waits for it. */
const MAX_IN_FLIGHT = 64 * 1024 * 1024;

export interface StreamHasher {
  update(chunk: Buffer): void | Promise<void>;
  /** Starts over (a server answered a resumed request with the whole file). */
  reset(): void;
  digest(): Promise<string>;
  close(): void;
}

class InlineHasher implements StreamHasher {
  private h: Hash = createHash('sha256');
  update(chunk: Buffer): void {
    this.h.update(chunk);
  }
  reset(): void {
    this.h = createHash('sha256');
  }
  async digest(): Promise<string> {
    return this.h.digest('hex');
  }
  close(): void {}
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let h = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.type === 'data') { h.update(new Uint8Array(m.buf)); parentPort.postMessage({ type: 'done', n: m.buf.byteLength }); }
  else if (m.type === 'reset') { h = createHash('sha256'); }
  else if (m.type === 'digest') { parentPort.postMessage({ type: 'digest', hex: h.digest('hex') }); h = createHash('sha256'); }
});
`;

const BATCH = 4 * 1024 * 1024;

class WorkerHasher implements StreamHasher {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private digestWaiter: ((hex: string) => void) | null = null;
  private failure: Error | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private generation = 0;

  constructor() {
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: { type: string; n?: number; hex?: string }) => {
      if (m.type === 'done') {
        this.inFlight -= m.n ?? 0;
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
      } else if (m.type === 'digest' && this.digestWaiter) {
        const d = this.digestWaiter;
        this.digestWaiter = null;
        d(m.hex ?? '');
      }
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      for (const f of this.waiters) f();
    });
  }

  private send(): void {
    if (this.pendingBytes === 0) return;
    // One fresh buffer per batch (a batch is far above the pool size, so Buffer.concat gives it an
    // ArrayBuffer of its own), transferred to the worker without another copy.
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    const ab = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    this.inFlight += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.worker.postMessage({ type: 'data', buf: ab }, [ab as ArrayBuffer]);
  }

  update(chunk: Buffer): void | Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < BATCH) return;
    this.send();
    if (this.inFlight <= MAX_IN_FLIGHT) return;
    const gen = this.generation;
    return new Promise<void>((resolve) => {
      const check = () => {
        if (this.failure || this.inFlight <= MAX_IN_FLIGHT || gen !== this.generation) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }

  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.generation++;
    this.worker.postMessage({ type: 'reset' });
  }

  digest(): Promise<string> {
    this.send();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.digestWaiter = resolve;
      this.worker.postMessage({ type: 'digest' });
    });
  }

  close(): void {
    void this.worker.terminate();
  }
}

export function createStreamHasher(expectedSize: number | null): StreamHasher {
  return expectedSize === null || expectedSize >= WORKER_THRESHOLD ? new WorkerHasher() : new InlineHasher();
}

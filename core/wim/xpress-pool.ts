// XPRESS compression of chunk batches, in worker threads when the compiled codec is available
// (compression is the costly part of writing an XPRESS archive; the main thread meanwhile reads,
// hashes and writes), else on the calling thread.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { XpressCompressor } from './xpress';

/** A batch's stored form: each chunk compressed, or raw when that is not smaller. */
export interface StoredBatch {
  data: Buffer;
  /** Stored size per chunk; equal to the chunk's raw size when stored raw. */
  sizes: number[];
}

export interface ChunkCompressor {
  compressBatch(data: Buffer, chunkLens: number[]): Promise<StoredBatch>;
  close(): Promise<void>;
}

function compressAll(c: XpressCompressor, data: Buffer, chunkLens: number[]): StoredBatch {
  const parts: Buffer[] = [];
  const sizes: number[] = [];
  let o = 0;
  let total = 0;
  for (const len of chunkLens) {
    const ch = data.subarray(o, o + len);
    o += len;
    const z = c.compress(ch);
    const stored = z ?? ch;
    parts.push(z ? Buffer.from(z) : ch);
    sizes.push(stored.length);
    total += stored.length;
  }
  return { data: Buffer.concat(parts, total), sizes };
}

class InlineCompressor implements ChunkCompressor {
  private readonly c = new XpressCompressor();
  async compressBatch(data: Buffer, chunkLens: number[]): Promise<StoredBatch> {
    return compressAll(this.c, data, chunkLens);
  }
  async close(): Promise<void> {}
}

// The worker body: compresses batches with the compiled codec next to this file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { XpressCompressor } = require(workerData.codec);
const c = new XpressCompressor();
parentPort.on('message', ({ id, buf, lens }) => {
  try {
    const input = Buffer.from(buf);
    const outs = []; const sizes = []; let o = 0; let total = 0;
    for (const len of lens) {
      const ch = input.subarray(o, o + len); o += len;
      const z = c.compress(ch);
      const stored = z ? Buffer.from(z) : ch;
      outs.push(stored); sizes.push(stored.length); total += stored.length;
    }
    const out = Buffer.allocUnsafeSlow(total);
    let p = 0; for (const s of outs) { s.copy(out, p); p += s.length; }
    parentPort.postMessage({ id, buf: out.buffer, sizes }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.stack || e) });
  }
});
`;

class WorkerCompressor implements ChunkCompressor {
  private readonly workers: { w: Worker; busy: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (b: StoredBatch) => void; reject: (e: Error) => void; worker: { busy: number } }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(codec: string, n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { codec } });
      w.unref();
      const slot = { w, busy: 0 };
      w.on('message', (m: { id: number; buf?: ArrayBuffer; sizes?: number[]; error?: string }) => {
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        job.worker.busy--;
        if (m.error) job.reject(new Error(`XPRESS worker: ${m.error}`));
        else job.resolve({ data: Buffer.from(m.buf!), sizes: m.sizes! });
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`XPRESS worker exited with code ${code}`));
      });
      this.workers.push(slot);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const job of this.waiting.values()) job.reject(e);
    this.waiting.clear();
  }

  compressBatch(data: Buffer, chunkLens: number[]): Promise<StoredBatch> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    slot.busy++;
    const id = this.nextId++;
    // A private copy is transferred; the caller's buffer may be a view of a larger one.
    const copy = Buffer.allocUnsafeSlow(data.length);
    data.copy(copy);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker: slot });
      slot.w.postMessage({ id, buf: copy.buffer, lens: chunkLens }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}

/**
 * Worker threads when the compiled codec (xpress.js) sits next to this module and the machine
 * has more than one core; otherwise (e.g. running from TypeScript sources) the calling thread.
 */
export function createChunkCompressor(): ChunkCompressor {
  const codec = join(__dirname, 'xpress.js');
  const cores = availableParallelism();
  if (cores > 1 && existsSync(codec) && process.env.POSH_WIM_WORKERS !== '0') {
    return new WorkerCompressor(codec, Math.min(cores, 4));
  }
  return new InlineCompressor();
}

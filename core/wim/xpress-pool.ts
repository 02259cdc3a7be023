// XPRESS compression of chunk batches, in worker threads when the compiled codec is available
// (compression is the costly part of writing an XPRESS archive; the main thread meanwhile reads,
// hashes and writes), else on the calling thread.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WimFormatError } from './errors';
import { lzxDecompress } from './lzx';
import { XpressCompressor, xpressDecompress } from './xpress';

/** A batch's stored form: each chunk compressed, or raw when that is not smaller. */
export interface StoredBatch {
  data: Buffer;
  /** Stored size per chunk; equal to the chunk's raw size when stored raw. */
  sizes: number[];
}

export interface ChunkCompressor {
  compressBatch(data: Buffer, chunkLens: number[]): Promise<StoredBatch>;
  /**
   * Decompresses consecutive stored chunks: `storedLens[i]` bytes of `data` become `outLens[i]`
   * bytes (a chunk whose stored size equals its size is raw). Errors are WimFormatErrors.
   */
  decodeBatch(compression: 'xpress' | 'lzx', data: Buffer, storedLens: number[], outLens: number[]): Promise<Buffer>;
  close(): Promise<void>;
}

export function decodeAll(compression: 'xpress' | 'lzx', data: Buffer, storedLens: number[], outLens: number[]): Buffer {
  let total = 0;
  for (const l of outLens) total += l;
  const out = Buffer.allocUnsafe(total);
  let i = 0;
  let o = 0;
  for (let k = 0; k < storedLens.length; k++) {
    const src = data.subarray(i, i + storedLens[k]);
    const dst = out.subarray(o, o + outLens[k]);
    if (src.length === dst.length) src.copy(dst);
    else if (compression === 'xpress') xpressDecompress(src, dst, dst.length);
    else lzxDecompress(src, dst, dst.length);
    i += storedLens[k];
    o += outLens[k];
  }
  return out;
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
  async decodeBatch(compression: 'xpress' | 'lzx', data: Buffer, storedLens: number[], outLens: number[]): Promise<Buffer> {
    return decodeAll(compression, data, storedLens, outLens);
  }
  async close(): Promise<void> {}
}

// The worker body: compresses batches with the compiled codec next to this file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { XpressCompressor } = require(workerData.codec);
const { decodeAll } = require(workerData.pool);
const c = new XpressCompressor();
parentPort.on('message', ({ id, op, buf, lens, storedLens, outLens, compression }) => {
  if (op === 'decode') {
    try {
      const out = decodeAll(compression, Buffer.from(buf), storedLens, outLens);
      const copy = Buffer.allocUnsafeSlow(out.length); out.copy(copy);
      parentPort.postMessage({ id, buf: copy.buffer }, [copy.buffer]);
    } catch (e) {
      parentPort.postMessage({ id, error: String(e && e.message || e), format: !!(e && e.name && /^Wim/.test(e.name)) });
    }
    return;
  }
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
  private readonly waiting = new Map<number, { resolve: (m: { buf?: ArrayBuffer; sizes?: number[] }) => void; reject: (e: Error) => void; worker: { busy: number } }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(codec: string, pool: string, n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { codec, pool } });
      w.unref();
      const slot = { w, busy: 0 };
      w.on('message', (m: { id: number; buf?: ArrayBuffer; sizes?: number[]; error?: string; format?: boolean }) => {
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        // An idle worker must not keep the process alive; a busy one must (someone awaits it).
        if (--job.worker.busy === 0) slot.w.unref();
        if (m.error) job.reject(m.format ? new WimFormatError(m.error.replace(/^Invalid WIM archive: /, '')) : new Error(`WIM worker: ${m.error}`));
        else job.resolve(m);
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

  private send(msg: Record<string, unknown>, data: Buffer): Promise<{ buf?: ArrayBuffer; sizes?: number[] }> {
    if (this.failed) return Promise.reject(this.failed);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (slot.busy++ === 0) slot.w.ref();
    const id = this.nextId++;
    // A private copy is transferred; the caller's buffer may be a view of a larger one.
    const copy = Buffer.allocUnsafeSlow(data.length);
    data.copy(copy);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker: slot });
      slot.w.postMessage({ ...msg, id, buf: copy.buffer }, [copy.buffer]);
    });
  }

  async compressBatch(data: Buffer, chunkLens: number[]): Promise<StoredBatch> {
    const m = await this.send({ op: 'compress', lens: chunkLens }, data);
    return { data: Buffer.from(m.buf!), sizes: m.sizes! };
  }

  async decodeBatch(compression: 'xpress' | 'lzx', data: Buffer, storedLens: number[], outLens: number[]): Promise<Buffer> {
    const m = await this.send({ op: 'decode', compression, storedLens, outLens }, data);
    return Buffer.from(m.buf!);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}

/**
 * Up to `workers` worker threads (at most one per core, 4 in all) when the compiled codec
 * (xpress.js) sits next to this module and the machine has more than one core; otherwise (e.g.
 * running from TypeScript sources) the calling thread.
 */
export function createChunkCompressor(workers = availableParallelism()): ChunkCompressor {
  // The workers load the compiled modules: next to this one in dist/core/wim, or, when this code
  // runs inside the dist/posh.js bundle, from dist/core/wim beside the bundle.
  const dir = existsSync(join(__dirname, 'xpress.js')) ? __dirname : join(__dirname, 'core', 'wim');
  const codec = join(dir, 'xpress.js');
  const pool = join(dir, 'xpress-pool.js');
  const cores = availableParallelism();
  const n = Math.min(workers, cores, 4);
  if (cores > 1 && n >= 1 && existsSync(codec) && existsSync(pool) && process.env.POSH_WIM_WORKERS !== '0') {
    return new WorkerCompressor(codec, pool, n);
  }
  return new InlineCompressor();
}

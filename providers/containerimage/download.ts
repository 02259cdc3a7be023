// Downloading an archive to a file: streamed, hashed (SHA-256) as the bytes arrive, retried with
// back-off on network errors and 5xx, resumed with a Range request when the server allows it,
// bounded by the expected size, then verified (size and sha256) before the caller may use it.
// On any failure the partial file is removed.

import * as fs from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createStreamHasher } from './hasher';
import { backoffDelay, describeNetworkError, header, HttpError, httpOpen, type HttpSettings, sleep, statusError } from './http';

export interface DownloadOptions {
  url: URL;
  /** The file to write (created or truncated). */
  dest: string;
  /** From the feed; the download is refused beyond it and verified against it. */
  expectedSize: number | null;
  /** From the feed (lower-case hex); null only when hash checking was skipped. */
  expectedSha256: string | null;
  settings: HttpSettings;
  onProgress?: (received: number, total: number | null) => void;
  onRetry?: (attempt: number, cause: string, resumeAt: number) => void;
  isStopping?: () => boolean;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** HTTP attempts made (1 when nothing failed). */
  attempts: number;
  /** How many times a transfer continued with a Range request. */
  resumes: number;
}

/** A download or verification failure; `kind` tells tests and callers which. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'http' | 'size' | 'hash' | 'io' | 'stopped',
  ) {
    super(message);
  }
}

const WRITE_BATCH = 1 << 20;

/** Appends pieces to a file in ~1 MiB batches, one write in flight while the next batch fills. */
class BatchWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private inflight: Promise<unknown> = Promise.resolve();
  written = 0;
  constructor(
    private readonly fh: FileHandle,
    private position: number,
  ) {
    this.written = position;
  }
  async push(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= WRITE_BATCH) await this.flushBatch();
  }
  private async flushBatch(): Promise<void> {
    const batch = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.inflight;
    const at = this.position;
    this.position += bytes;
    this.inflight = this.fh.writev(batch, at).then((r) => {
      if (r.bytesWritten !== bytes) throw new Error(`short write (${r.bytesWritten} of ${bytes} bytes)`);
      this.written = at + bytes;
    });
  }
  async flush(): Promise<void> {
    if (this.pendingBytes) await this.flushBatch();
    await this.inflight;
  }
}

function verify(o: DownloadOptions, size: number, sha256: string): void {
  if (o.expectedSize !== null && size !== o.expectedSize) {
    throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, received ${size} bytes`, 'size');
  }
  if (o.expectedSha256 !== null && sha256 !== o.expectedSha256.toLowerCase()) {
    throw new DownloadError(`hash mismatch: expected sha256 ${o.expectedSha256.toLowerCase()}, actual sha256 ${sha256}`, 'hash');
  }
}

/** Downloads `url` to `dest` and verifies it; the file is removed when this throws. */
export async function downloadArchive(o: DownloadOptions): Promise<DownloadResult> {
  try {
    if (o.url.protocol === 'file:') return await copyLocal(o);
    if (o.url.protocol !== 'http:' && o.url.protocol !== 'https:') throw new DownloadError(`the scheme '${o.url.protocol.replace(/:$/, '')}' is not supported`, 'http');
    return await fetchHttp(o);
  } catch (e) {
    await rm(o.dest, { force: true }).catch(() => undefined);
    if (e instanceof DownloadError) throw e;
    throw new DownloadError((e as Error).message, 'io');
  }
}

async function copyLocal(o: DownloadOptions): Promise<DownloadResult> {
  const src = fileURLToPath(o.url);
  const st = await fs.promises.stat(src).catch(() => null);
  if (!st || !st.isFile()) throw new DownloadError(`the archive '${src}' does not exist`, 'io');
  if (o.expectedSize !== null && st.size !== o.expectedSize) {
    throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, the file has ${st.size} bytes`, 'size');
  }
  const hash = createStreamHasher(st.size);
  const fh = await open(o.dest, 'w');
  let size = 0;
  let sha256: string;
  try {
    const w = new BatchWriter(fh, 0);
    for await (const chunk of fs.createReadStream(src, { highWaterMark: 1 << 20 })) {
      if (o.isStopping?.()) throw new DownloadError('the operation was stopped', 'stopped');
      const b = chunk as Buffer;
      const pending = hash.update(b);
      if (pending) await pending;
      size += b.length;
      await w.push(b);
      o.onProgress?.(size, st.size);
    }
    await w.flush();
    // No fsync: the file is a temporary one, verified and consumed right away (a crash leaves only a temp to sweep).
    sha256 = await hash.digest();
  } finally {
    hash.close();
    await fh.close();
  }
  verify(o, size, sha256);
  return { size, sha256, attempts: 1, resumes: 0 };
}

async function fetchHttp(o: DownloadOptions): Promise<DownloadResult> {
  const s = o.settings;
  const fh = await open(o.dest, 'w');
  const hash = createStreamHasher(o.expectedSize);
  let sha256 = '';
  let received = 0;
  let attempts = 0;
  let resumes = 0;
  let canResume = false;
  let validator: string | null = null;
  let total: number | null = o.expectedSize;
  let lastCause = '';
  try {
    for (;;) {
      attempts++;
      if (o.isStopping?.()) throw new DownloadError('the operation was stopped', 'stopped');
      const headers: Record<string, string> = {};
      const resuming = received > 0 && canResume;
      if (resuming) {
        headers.range = `bytes=${received}-`;
        if (validator) headers['if-range'] = validator;
      }
      try {
        const res = await httpOpen(o.url, s, headers);
        if (res.statusCode !== 200 && res.statusCode !== 206) {
          await res.body.dump().catch(() => undefined);
          throw statusError(res.statusCode);
        }
        let start = 0;
        if (res.statusCode === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res.headers, 'content-range') ?? '');
          if (!resuming || !m || Number(m[1]) !== received) {
            await res.body.dump().catch(() => undefined);
            throw new HttpError('the server answered a range request with the wrong range', true);
          }
          start = received;
          resumes++;
        } else if (received > 0) {
          // A full answer to a resumed request (or no resume support): start over.
          hash.reset();
          received = 0;
          await fh.truncate(0);
        }
        const etag = header(res.headers, 'etag');
        const lastModified = header(res.headers, 'last-modified');
        if (res.statusCode === 200) {
          canResume = (header(res.headers, 'accept-ranges') ?? '').toLowerCase().includes('bytes');
          validator = etag && !etag.startsWith('W/') ? etag : lastModified ?? null;
          const len = header(res.headers, 'content-length');
          if (len !== undefined && o.expectedSize !== null && Number(len) !== o.expectedSize) {
            await res.body.dump().catch(() => undefined);
            throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, the server announced ${Number(len)} bytes`, 'size');
          }
          if (total === null && len !== undefined) total = Number(len);
        }
        const w = new BatchWriter(fh, start);
        try {
          for await (const chunk of res.body) {
            const b = chunk as Buffer;
            if (o.expectedSize !== null && received + b.length > o.expectedSize) {
              res.body.destroy();
              throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, the server sent more`, 'size');
            }
            const pending = hash.update(b);
            if (pending) await pending;
            received += b.length;
            await w.push(b);
            o.onProgress?.(received, total);
            if (o.isStopping?.()) {
              res.body.destroy();
              throw new DownloadError('the operation was stopped', 'stopped');
            }
          }
        } finally {
          await w.flush();
        }
        const announced = header(res.headers, 'content-length');
        if (announced !== undefined && received - start !== Number(announced)) {
          throw new HttpError('the connection was closed before the transfer completed', true);
        }
        break;
      } catch (e) {
        if (e instanceof DownloadError) throw e;
        const err = e instanceof HttpError ? e : describeNetworkError(e, s);
        lastCause = err.message;
        if (!err.retryable || attempts > s.retries) {
          const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
          throw new DownloadError(`${lastCause}${tries}`, err.statusCode !== null ? 'http' : 'network');
        }
        o.onRetry?.(attempts, lastCause, canResume ? received : 0);
        await sleep(backoffDelay(s, attempts));
        if (!canResume && received > 0) {
          hash.reset();
          received = 0;
          await fh.truncate(0);
        }
      }
    }
    // No fsync: the file is a temporary one, verified and consumed right away (a crash leaves only a temp to sweep).
    sha256 = await hash.digest();
  } finally {
    hash.close();
    await fh.close();
  }
  verify(o, received, sha256);
  return { size: received, sha256, attempts, resumes };
}

/** Free bytes for an unprivileged user on the file system holding `dir`. */
export function freeSpace(dir: string): number | null {
  try {
    const st = fs.statfsSync(dir);
    return Number(st.bavail) * Number(st.bsize);
  } catch {
    return null;
  }
}

/** `1.25 GB` style figures for messages (base 1024, two decimals, as the original's MB figures). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(2)} ${units[i]}`;
}

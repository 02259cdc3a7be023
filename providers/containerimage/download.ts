// Downloading an archive to a file: streamed, hashed (SHA-256) as the bytes arrive, retried with
// back-off on network errors and 5xx, resumed with a Range request when the server allows it,
// bounded by the expected size, then verified (size and sha256) before the caller may use it.
// On any failure the partial file is removed.

import * as fs from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { backoffDelay, describeNetworkError, header, HttpError, httpOpenRaw, type HttpSettings, type RawResponse, sleep, statusError } from './http';
import { type ArchiveSink, createArchiveSink } from './sink';

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

/** At most this many progress callbacks a second (plus the last one): a callback per 64 KiB socket read was work for nothing. */
const PROGRESS_INTERVAL_MS = 100;

function verify(o: DownloadOptions, size: number, sha256: string): void {
  if (o.expectedSize !== null && size !== o.expectedSize) {
    throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, received ${size} bytes`, 'size');
  }
  if (o.expectedSha256 !== null && sha256 !== o.expectedSha256.toLowerCase()) {
    throw new DownloadError(`hash mismatch: expected sha256 ${o.expectedSha256.toLowerCase()}, actual sha256 ${sha256}`, 'hash');
  }
}

/** A sink failure (disk full, hashing worker gone) is local: not retried, reported as 'io'. */
function localError(e: unknown): DownloadError {
  return e instanceof DownloadError ? e : new DownloadError((e as Error).message, 'io');
}

/**
 * Progress and stop requests, looked at no more than every PROGRESS_INTERVAL_MS: the per-chunk
 * cost is one clock read.
 */
class Ticker {
  private last = 0;
  constructor(private readonly o: DownloadOptions) {}
  /** Reports `received` if it is time to; throws when the caller asked to stop. */
  tick(received: number, total: number | null): void {
    const now = Date.now();
    if (now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    if (this.o.isStopping?.()) throw new DownloadError('the operation was stopped', 'stopped');
    this.o.onProgress?.(received, total);
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

function openSink(o: DownloadOptions, size: number | null): ArchiveSink {
  try {
    return createArchiveSink(o.dest, size);
  } catch (e) {
    throw localError(e);
  }
}

async function copyLocal(o: DownloadOptions): Promise<DownloadResult> {
  const src = fileURLToPath(o.url);
  const st = await fs.promises.stat(src).catch(() => null);
  if (!st || !st.isFile()) throw new DownloadError(`the archive '${src}' does not exist`, 'io');
  if (o.expectedSize !== null && st.size !== o.expectedSize) {
    throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, the file has ${st.size} bytes`, 'size');
  }
  const sink = openSink(o, st.size);
  const ticker = new Ticker(o);
  let sha256: string;
  try {
    if (o.isStopping?.()) throw new DownloadError('the operation was stopped', 'stopped');
    const input = fs.createReadStream(src, { highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      const fail = (e: unknown): void => {
        input.destroy();
        reject(e);
      };
      sink.onDrain = () => input.resume();
      sink.onFailure = (e) => fail(localError(e));
      input.on('data', (chunk) => {
        try {
          if (!sink.write(chunk as Buffer)) input.pause();
          ticker.tick(sink.position, st.size);
        } catch (e) {
          fail(localError(e));
        }
      });
      input.on('error', (e) => reject(new DownloadError(`could not read '${src}': ${e.message}`, 'io')));
      input.on('end', resolve);
    });
    // No fsync: the file is a temporary one, verified and consumed right away (a crash leaves only a temp to sweep).
    sha256 = await sink.finish().catch((e) => Promise.reject(localError(e)));
    o.onProgress?.(sink.position, st.size);
  } finally {
    await sink.close();
  }
  verify(o, sink.position, sha256);
  return { size: sink.position, sha256, attempts: 1, resumes: 0 };
}

async function fetchHttp(o: DownloadOptions): Promise<DownloadResult> {
  const s = o.settings;
  const sink = openSink(o, o.expectedSize);
  const ticker = new Ticker(o);
  let sha256 = '';
  let received = 0;
  let attempts = 0;
  let resumes = 0;
  let canResume = false;
  let validator: string | null = null;
  let total: number | null = o.expectedSize;
  let lastCause = '';
  /** Starts over at byte 0 (no resume possible): the file is truncated and the hash restarted. */
  const restart = async (): Promise<void> => {
    await sink.reset().catch((e) => Promise.reject(localError(e)));
    received = 0;
  };
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
      let res: RawResponse | null = null;
      try {
        res = await httpOpenRaw(o.url, s, headers);
        if (res.statusCode !== 200 && res.statusCode !== 206) {
          res.abort();
          throw statusError(res.statusCode);
        }
        let start = 0;
        if (res.statusCode === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header(res.headers, 'content-range') ?? '');
          if (!resuming || !m || Number(m[1]) !== received) {
            res.abort();
            throw new HttpError('the server answered a range request with the wrong range', true);
          }
          start = received;
          resumes++;
        } else if (received > 0) {
          // A full answer to a resumed request (or no resume support): start over.
          await restart();
        }
        const etag = header(res.headers, 'etag');
        const lastModified = header(res.headers, 'last-modified');
        if (res.statusCode === 200) {
          canResume = (header(res.headers, 'accept-ranges') ?? '').toLowerCase().includes('bytes');
          validator = etag && !etag.startsWith('W/') ? etag : lastModified ?? null;
          const len = header(res.headers, 'content-length');
          if (len !== undefined && o.expectedSize !== null && Number(len) !== o.expectedSize) {
            res.abort();
            throw new DownloadError(`wrong size: expected ${o.expectedSize} bytes, the server announced ${Number(len)} bytes`, 'size');
          }
          if (total === null && len !== undefined) total = Number(len);
        }
        // The sink pauses the socket when it is full and resumes it when it has room; a failure
        // in its background writes or hashing aborts the transfer with that failure.
        const body = res;
        sink.onDrain = () => body.resume();
        sink.onFailure = (e) => body.abort(localError(e));
        const limit = o.expectedSize;
        try {
          await res.consume((chunk) => {
            if (limit !== null && received + chunk.length > limit) {
              throw new DownloadError(`wrong size: expected ${limit} bytes, the server sent more`, 'size');
            }
            received += chunk.length;
            let more: boolean;
            try {
              more = sink.write(chunk);
            } catch (e) {
              throw localError(e);
            }
            ticker.tick(received, total);
            return more;
          });
        } finally {
          sink.onDrain = null;
          sink.onFailure = null;
        }
        const announced = header(res.headers, 'content-length');
        if (announced !== undefined && received - start !== Number(announced)) {
          throw new HttpError('the connection was closed before the transfer completed', true);
        }
        break;
      } catch (e) {
        // An answer left paused would hold its connection (and keep the process alive): drop it.
        // (A no-op when the body was read to the end.)
        res?.abort();
        if (e instanceof DownloadError) throw e;
        const err = e instanceof HttpError ? e : describeNetworkError(e, s);
        lastCause = err.message;
        if (!err.retryable || attempts > s.retries) {
          const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
          throw new DownloadError(`${lastCause}${tries}`, err.statusCode !== null ? 'http' : 'network');
        }
        o.onRetry?.(attempts, lastCause, canResume ? received : 0);
        await sleep(backoffDelay(s, attempts));
        if (!canResume && received > 0) await restart();
      }
    }
    // No fsync: the file is a temporary one, verified and consumed right away (a crash leaves only a temp to sweep).
    sha256 = await sink.finish().catch((e) => Promise.reject(localError(e)));
    o.onProgress?.(received, total);
  } finally {
    await sink.close();
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

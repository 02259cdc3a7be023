// Content digests (OCI image spec "Digests"): `sha256:<64 lower-case hex>`, computed while the
// bytes stream through, never over a whole buffered blob.

import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback, Readable } from 'node:stream';
import { OciError } from './errors';

export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** True when `s` is a well-formed sha256 digest (the only algorithm this project writes or accepts). */
export function isDigest(s: unknown): s is Digest {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

/** Returns `s` as a Digest or throws an OciError naming `what` (the value is untrusted input). */
export function parseDigest(s: unknown, what = 'digest'): Digest {
  if (!isDigest(s)) {
    const shown = typeof s === 'string' ? JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s) : String(s);
    throw new OciError('InvalidDigest', `${what} ${shown} is not a sha256 digest (sha256:<64 lower-case hex>)`);
  }
  return s;
}

/** The 64 hex characters of a digest. */
export function digestHex(d: Digest): string {
  return d.slice(7);
}

export function sha256(data: Buffer | Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Digest and byte count of everything a stream yields. */
export async function digestStream(source: AsyncIterable<Uint8Array | string>): Promise<{ digest: Digest; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    h.update(b);
    size += b.length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

/** A pass-through stream that hashes what goes through it; `digest`/`size` are final after 'end'/'finish'. */
export class DigestTransform extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  private result: Digest | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.result = `sha256:${this.hash.digest('hex')}`;
    cb();
  }

  /** The digest; only valid once the stream has flushed. */
  get digest(): Digest {
    if (!this.result) throw new OciError('DigestNotReady', 'digest requested before the stream ended');
    return this.result;
  }
}

export class DigestMismatchError extends OciError {
  constructor(readonly what: string, readonly expected: Digest, readonly actual: Digest, readonly expectedSize?: number, readonly actualSize?: number) {
    super(
      'DigestMismatch',
      expectedSize !== undefined && actualSize !== undefined && expectedSize !== actualSize
        ? `${what}: size mismatch: expected ${expectedSize} bytes (${expected}), got ${actualSize} bytes`
        : `${what}: digest mismatch: expected ${expected}, got ${actual}`,
    );
  }
}

/**
 * A pass-through stream that fails (instead of ending) when the bytes do not hash to `expected`
 * or, when `expectedSize` is given, exceed or fall short of it. Use it so that nothing downstream
 * ever treats unverified data as complete.
 */
export function verifyingStream(expected: Digest, what: string, expectedSize?: number): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (expectedSize !== undefined && size > expectedSize) {
        cb(new DigestMismatchError(what, expected, expected, expectedSize, size));
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      const actual: Digest = `sha256:${hash.digest('hex')}`;
      if (expectedSize !== undefined && size !== expectedSize) cb(new DigestMismatchError(what, expected, actual, expectedSize, size));
      else if (actual !== expected) cb(new DigestMismatchError(what, expected, actual));
      else cb();
    },
  });
}

/** Reads a small stream (JSON documents) to a buffer, refusing more than `limit` bytes. */
export async function readSmall(source: AsyncIterable<Uint8Array>, limit: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of source) {
    n += c.length;
    if (n > limit) {
      if (source instanceof Readable) source.destroy();
      throw new OciError('DocumentTooLarge', `${what} is larger than ${limit} bytes`);
    }
    parts.push(Buffer.from(c));
  }
  return Buffer.concat(parts);
}

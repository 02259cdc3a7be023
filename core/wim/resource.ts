// Reading resources (blobs, metadata) from an open archive: raw or chunked-compressed, streamed
// piece by piece so memory stays bounded whatever the resource size.

import type { FileHandle } from 'node:fs/promises';
import { WimFormatError } from './errors';
import { CHUNK_SIZE, Compression, RES_FLAG_COMPRESSED, ResourceHeader } from './format';
import { lzxDecompress } from './lzx';
import { xpressDecompress } from './xpress';

/** Uncompressed resources are read in pieces of this size. */
const RAW_PIECE = 1 << 20;
/** Compressed data is read in batches of about this many stored bytes. */
const COMPRESSED_BATCH = 1 << 20;

export async function readExact(fh: FileHandle, buf: Buffer, pos: number, what: string): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, pos + done);
    if (bytesRead === 0) throw new WimFormatError(`${what}: unexpected end of file at offset ${pos + done}`);
    done += bytesRead;
  }
}

/**
 * Chunk layout of a compressed resource: the chunk table holds, for chunks 1..n-1, the offset
 * of the chunk relative to the end of the table (4-byte entries, 8-byte for resources over
 * 4 GiB). Returns the start of every chunk (relative to the resource) plus the end.
 */
export async function readChunkTable(fh: FileHandle, res: ResourceHeader, what: string): Promise<Float64Array> {
  const n = Math.ceil(res.originalSize / CHUNK_SIZE);
  const entrySize = res.originalSize > 0xffffffff ? 8 : 4;
  const tableSize = (n - 1) * entrySize;
  if (tableSize + n > res.sizeInWim) throw new WimFormatError(`${what}: chunk table of ${n} chunks does not fit in ${res.sizeInWim} stored bytes (size bomb?)`);
  const table = Buffer.alloc(tableSize);
  await readExact(fh, table, res.offset, what);
  const starts = new Float64Array(n + 1);
  starts[0] = tableSize;
  for (let i = 1; i < n; i++) {
    const rel = entrySize === 4 ? table.readUInt32LE((i - 1) * 4) : Number(table.readBigUInt64LE((i - 1) * 8));
    starts[i] = tableSize + rel;
  }
  starts[n] = res.sizeInWim;
  for (let i = 0; i < n; i++) {
    const len = starts[i + 1] - starts[i];
    const want = Math.min(CHUNK_SIZE, res.originalSize - i * CHUNK_SIZE);
    if (len <= 0 || len > want) throw new WimFormatError(`${what}: chunk ${i} has an invalid stored size ${len}`);
  }
  return starts;
}

function decompressChunk(compression: Compression, src: Buffer, out: Buffer, outLen: number): void {
  if (compression === 'xpress') xpressDecompress(src, out, outLen);
  else if (compression === 'lzx') lzxDecompress(src, out, outLen);
  else throw new WimFormatError('compressed resource in an archive without compression');
}

/**
 * Yields the uncompressed bytes of a resource in order. Buffers yielded are fresh (callers may
 * keep them). The next read is started before the current piece is handed out, so file I/O
 * overlaps with the consumer's hashing and writing.
 */
export async function* readResource(
  fh: FileHandle,
  res: ResourceHeader,
  compression: Compression,
  what: string,
): AsyncGenerator<Buffer> {
  if (res.originalSize === 0) return;
  if (!(res.flags & RES_FLAG_COMPRESSED)) {
    const piece = (off: number): Promise<Buffer> => {
      const b = Buffer.allocUnsafe(Math.min(RAW_PIECE, res.originalSize - off));
      return readExact(fh, b, res.offset + off, what).then(() => b);
    };
    let off = 0;
    let pending = piece(0);
    while (off < res.originalSize) {
      const b = await pending;
      off += b.length;
      if (off < res.originalSize) pending = piece(off);
      yield b;
    }
    return;
  }
  const starts = await readChunkTable(fh, res, what);
  const n = starts.length - 1;
  // Batches of whole chunks: [firstChunk, endChunk).
  const batch = (first: number): { first: number; end: number; data: Promise<Buffer> } => {
    let end = first + 1;
    while (end < n && starts[end + 1] - starts[first] <= COMPRESSED_BATCH) end++;
    const b = Buffer.allocUnsafe(starts[end] - starts[first]);
    return { first, end, data: readExact(fh, b, res.offset + starts[first], what).then(() => b) };
  };
  let cur = batch(0);
  while (true) {
    const data = await cur.data;
    const { first, end } = cur;
    if (end < n) cur = batch(end);
    const outLen = Math.min(res.originalSize - first * CHUNK_SIZE, (end - first) * CHUNK_SIZE);
    const out = Buffer.allocUnsafe(outLen);
    for (let i = first; i < end; i++) {
      const src = data.subarray(starts[i] - starts[first], starts[i + 1] - starts[first]);
      const want = Math.min(CHUNK_SIZE, res.originalSize - i * CHUNK_SIZE);
      const dst = out.subarray((i - first) * CHUNK_SIZE, (i - first) * CHUNK_SIZE + want);
      if (src.length === want) src.copy(dst);
      else {
        try {
          decompressChunk(compression, src, dst, want);
        } catch (e) {
          if (e instanceof WimFormatError) throw new WimFormatError(`${what}: chunk ${i}: ${e.reason}`);
          throw e;
        }
      }
    }
    yield out;
    if (end >= n) return;
  }
}

/** Reads a whole (small) resource into memory, refusing ones larger than `max`. */
export async function readResourceFully(
  fh: FileHandle,
  res: ResourceHeader,
  compression: Compression,
  what: string,
  max: number,
): Promise<Buffer> {
  if (res.originalSize > max) throw new WimFormatError(`${what} is too large (${res.originalSize} bytes, limit ${max})`);
  const parts: Buffer[] = [];
  for await (const p of readResource(fh, res, compression, what)) parts.push(p);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

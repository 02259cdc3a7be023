// Opening an archive: header, blob table, XML data, integrity table, and per-image metadata,
// all validated before any entry is handed out.

import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { WimFormatError } from './errors';
import {
  BlobEntry,
  CHUNK_SIZE,
  HEADER_SIZE,
  RES_FLAG_COMPRESSED,
  RES_FLAG_METADATA,
  WimHeader,
  parseBlobTable,
  parseHeader,
} from './format';
import {
  ATTR_DIRECTORY,
  ATTR_REPARSE_POINT,
  REPARSE_TAG_MOUNT_POINT,
  REPARSE_TAG_SYMLINK,
  RawDentry,
  parseMetadata,
  type ParsedMetadata,
} from './metadata';
import { readChunkTable, readExact, readResource, readResourceFully } from './resource';
import { createChunkCompressor, type ChunkCompressor } from './xpress-pool';
import { WimImageInfo, parseXml } from './xml';

export type EntryKind = 'directory' | 'file' | 'symlink';

/** Windows FILETIME values: 100 ns intervals since 1601-01-01 UTC. */
export interface WimTimes {
  creation: bigint;
  lastAccess: bigint;
  lastWrite: bigint;
}

export interface WimStreamInfo {
  name: string;
  size: number;
  sha1: string | null;
}

export interface WimEntry {
  /** Path segments from the image root; [] is the root itself. */
  path: string[];
  kind: EntryKind;
  /** Size of the unnamed data stream (0 for directories and symlinks). */
  size: number;
  /** SHA-1 (hex) of the unnamed data stream, null when empty. */
  sha1: string | null;
  attributes: number;
  times: WimTimes;
  securityDescriptor?: Buffer;
  /**
   * For symlinks and junctions: the target with '/' separators. Relative targets are relative to
   * the link's directory; a target starting with '/' is relative to the image root (Windows
   * absolute targets have their `\??\C:` prefix removed). Validated not to leave the image.
   */
  linkTarget?: string;
  /** Any reparse point (including symlinks): its tag and data, for pass-through. */
  reparse?: { tag: number; data: Buffer };
  /** Entries sharing this value are hard links to one file (same content, stored once). */
  hardLinkGroup?: string;
  /** Named (alternate) data streams. */
  streams: WimStreamInfo[];
}

export interface OpenOptions {
  /** Verify the integrity table's SHA-1s over the whole archive at open time (reads the file once). */
  checkIntegrity?: boolean;
}

const MAX_METADATA = 512 << 20;
const MAX_REPARSE = 16 * 1024;
const FILETIME_EPOCH_OFFSET = 116444736000000000n;

/** FILETIME (100 ns since 1601) to a JS Date. */
export function filetimeToDate(t: bigint): Date {
  return new Date(Number((t - FILETIME_EPOCH_OFFSET) / 10000n));
}

/** Milliseconds (possibly fractional, e.g. from fs.Stats.mtimeMs) to FILETIME. */
export function msToFiletime(ms: number): bigint {
  return BigInt(Math.round(ms * 10000)) + FILETIME_EPOCH_OFFSET;
}

/** Joins a '/'-separated target onto a directory and normalises it; null if it leaves the root. */
export function resolveInside(dir: string[], target: string): string[] | null {
  const out = target.startsWith('/') ? [] : dir.slice();
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out;
}

/** Decodes symlink / junction reparse data into a '/'-separated target. */
function decodeLinkTarget(tag: number, data: Buffer, entryPath: string): string {
  const hdr = tag === REPARSE_TAG_SYMLINK ? 12 : 8;
  if (data.length < hdr) throw new WimFormatError('reparse data is too short', entryPath);
  const subOff = data.readUInt16LE(0);
  const subLen = data.readUInt16LE(2);
  const printOff = data.readUInt16LE(4);
  const printLen = data.readUInt16LE(6);
  const relative = tag === REPARSE_TAG_SYMLINK && (data.readUInt32LE(8) & 1) === 1;
  const pick = (off: number, len: number): string | null =>
    len > 0 && !(len & 1) && hdr + off + len <= data.length ? data.toString('utf16le', hdr + off, hdr + off + len) : null;
  let t = pick(subOff, subLen) ?? pick(printOff, printLen);
  if (t === null) throw new WimFormatError('reparse data has no usable target name', entryPath);
  if (t.includes('\0')) throw new WimFormatError('link target contains NUL', entryPath);
  if (relative) {
    if (/^[\\/]|^[A-Za-z]:/.test(t)) throw new WimFormatError('relative link target is absolute', entryPath);
    return t.replace(/\\/g, '/');
  }
  // Absolute: \??\C:\x, \\?\C:\x, C:\x or \x. Anything naming another volume or a UNC share
  // cannot be honoured inside an extracted tree.
  t = t.replace(/^\\(\?\?|\\\?)\\/, '');
  const m = /^([A-Za-z]:)?(\\.*)?$/.exec(t);
  if (!m || (!m[1] && !m[2])) throw new WimFormatError(`link target ${JSON.stringify(t)} is not inside the image`, entryPath);
  return '/' + (m[2] ?? '').replace(/^\\+/, '').replace(/\\/g, '/');
}

export class WimReader {
  /** Parsed XML metadata per image (index 1 first). */
  readonly images: WimImageInfo[];
  readonly header: WimHeader;
  readonly fileSize: number;
  private readonly blobs = new Map<string, BlobEntry>();
  private readonly metaEntries: BlobEntry[];
  private readonly metaCache = new Map<number, ParsedMetadata>();
  private closed = false;
  private codec: ChunkCompressor | null = null;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    header: WimHeader,
    fileSize: number,
    blobs: BlobEntry[],
    images: WimImageInfo[],
  ) {
    this.header = header;
    this.fileSize = fileSize;
    this.images = images;
    this.metaEntries = blobs.filter((b) => b.res.flags & RES_FLAG_METADATA);
    for (const b of blobs) if (!(b.res.flags & RES_FLAG_METADATA)) this.blobs.set(b.sha1, b);
  }

  static async open(path: string, opts: OpenOptions = {}): Promise<WimReader> {
    const fh = await open(path, 'r');
    try {
      const fileSize = (await fh.stat()).size;
      const hb = Buffer.alloc(HEADER_SIZE);
      if (fileSize < HEADER_SIZE) throw new WimFormatError(`file is too small for a WIM header (${fileSize} bytes)`);
      await readExact(fh, hb, 0, 'header');
      const header = parseHeader(hb, fileSize);
      const bt = Buffer.alloc(header.blobTable.sizeInWim);
      await readExact(fh, bt, header.blobTable.offset, 'blob table');
      const blobs = parseBlobTable(bt, fileSize);
      checkOverlaps(blobs, header);
      const meta = blobs.filter((b) => b.res.flags & RES_FLAG_METADATA);
      if (meta.length !== header.imageCount) {
        throw new WimFormatError(`header declares ${header.imageCount} images but the blob table has ${meta.length} metadata resources`);
      }
      const seen = new Set<string>();
      for (const b of blobs) {
        if (b.res.flags & RES_FLAG_METADATA) continue;
        if (seen.has(b.sha1)) throw new WimFormatError(`blob ${b.sha1} is listed twice in the blob table`);
        seen.add(b.sha1);
        if ((b.res.flags & RES_FLAG_COMPRESSED) && header.compression === 'none') throw new WimFormatError(`blob ${b.sha1} is compressed in an uncompressed archive`);
      }
      const xml = header.xmlData.sizeInWim
        ? await readResourceFully(fh, header.xmlData, 'none', 'XML data', 64 << 20)
        : Buffer.alloc(0);
      const images = xml.length ? parseXml(xml, header.imageCount) : parseXml(Buffer.from('\ufeff<WIM></WIM>', 'utf16le'), header.imageCount);
      const r = new WimReader(fh, path, header, fileSize, blobs, images);
      await r.checkIntegrityTable(opts.checkIntegrity === true);
      return r;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Reads the integrity table; validates its shape always, and the hashes when `verify`. */
  private async checkIntegrityTable(verify: boolean): Promise<void> {
    const it = this.header.integrity;
    if (!it.sizeInWim) return;
    if (it.flags & RES_FLAG_COMPRESSED) throw new WimFormatError('integrity table is compressed');
    const buf = await readResourceFully(this.fh, it, 'none', 'integrity table', 64 << 20);
    if (buf.length < 12) throw new WimFormatError('integrity table is too short');
    const size = buf.readUInt32LE(0);
    const n = buf.readUInt32LE(4);
    const chunk = buf.readUInt32LE(8);
    if (size !== buf.length || 12 + n * 20 !== size || chunk === 0) throw new WimFormatError('integrity table is malformed');
    const end = this.header.blobTable.offset + this.header.blobTable.sizeInWim;
    if (n !== Math.ceil((end - HEADER_SIZE) / chunk)) throw new WimFormatError('integrity table does not cover the archive');
    if (!verify) return;
    const piece = Buffer.allocUnsafe(Math.min(chunk, 16 << 20));
    for (let i = 0; i < n; i++) {
      const start = HEADER_SIZE + i * chunk;
      const stop = Math.min(end, start + chunk);
      const h = createHash('sha1');
      for (let p = start; p < stop; p += piece.length) {
        const len = Math.min(piece.length, stop - p);
        await readExact(this.fh, piece.subarray(0, len), p, 'integrity check');
        h.update(piece.subarray(0, len));
      }
      if (!h.digest().equals(buf.subarray(12 + i * 20, 32 + i * 20))) {
        throw new WimFormatError(`integrity check failed for bytes ${start}-${stop}`);
      }
    }
  }

  private async metadata(index: number): Promise<ParsedMetadata> {
    if (this.closed) throw new Error('WIM reader is closed');
    if (!Number.isInteger(index) || index < 1 || index > this.metaEntries.length) {
      throw new RangeError(`image index ${index} is out of range (the archive has ${this.metaEntries.length} image(s))`);
    }
    const cached = this.metaCache.get(index);
    if (cached) return cached;
    const me = this.metaEntries[index - 1];
    const buf = await readResourceFully(this.fh, me.res, this.header.compression, `metadata of image ${index}`, MAX_METADATA);
    const got = createHash('sha1').update(buf).digest('hex');
    if (got !== me.sha1) throw new WimFormatError(`metadata of image ${index} has SHA-1 ${got}, expected ${me.sha1}`);
    const parsed = parseMetadata(buf);
    this.metaCache.clear(); // keep one image's tree at a time
    this.metaCache.set(index, parsed);
    return parsed;
  }

  /** Information on a blob (size, location) or undefined when the archive does not hold it. */
  blob(sha1: string): BlobEntry | undefined {
    return this.blobs.get(sha1);
  }

  /**
   * Where an uncompressed blob's bytes lie in the archive, for a caller that copies them with its
   * own positional reads (the store's hash-and-copy workers read this reader's descriptor: threads
   * share it). The caller must verify the SHA-1 itself. Null when the blob is compressed or its
   * stored size is not its size (the streaming paths deal with those), or the reader is closed.
   */
  rawExtent(sha1: string): { fd: number; offset: number; size: number } | null {
    const b = this.blobs.get(sha1);
    if (this.closed || !b || b.res.flags & RES_FLAG_COMPRESSED || b.res.sizeInWim !== b.res.originalSize) return null;
    return { fd: this.fh.fd, offset: b.res.offset, size: b.res.originalSize };
  }

  private blobSize(sha1: string | null, entryPath: string): number {
    if (!sha1) return 0;
    const b = this.blobs.get(sha1);
    if (!b) throw new WimFormatError(`stream ${sha1} is not in the blob table`, entryPath);
    return b.res.originalSize;
  }

  /**
   * The entries of an image in directory order (a directory before its contents), fully
   * validated: names, link targets, hard-link consistency and that every stream exists.
   * The whole tree is validated before the first entry is yielded.
   */
  async *entries(imageIndex = 1): AsyncGenerator<WimEntry> {
    const list = await this.entryList(imageIndex);
    for (const e of list) yield e;
  }

  /** Same as entries(), as an array (the tree is held in memory anyway). */
  async entryList(imageIndex = 1): Promise<WimEntry[]> {
    const md = await this.metadata(imageIndex);
    const out: WimEntry[] = [];
    const groups = new Map<bigint, RawDentry>();
    const stack: [RawDentry, string[]][] = [[md.root, []]];
    while (stack.length) {
      const [d, path] = stack.pop()!;
      out.push(await this.toEntry(d, path, md, groups));
      if (d.children) for (let i = d.children.length - 1; i >= 0; i--) stack.push([d.children[i], [...path, d.children[i].name]]);
    }
    return out;
  }

  private async toEntry(d: RawDentry, path: string[], md: ParsedMetadata, groups: Map<bigint, RawDentry>): Promise<WimEntry> {
    const p = '/' + path.join('/');
    const isDir = (d.attributes & ATTR_DIRECTORY) !== 0;
    const isReparse = (d.attributes & ATTR_REPARSE_POINT) !== 0;
    // Unnamed streams: in the dentry when there are no extra entries, else in unnamed extra
    // entries (wimlib's layout: for a reparse point the first is the reparse data).
    const unnamed = d.streams.filter((s) => s.name === '');
    let dataHash = d.sha1;
    let reparseHash: string | null = null;
    if (isReparse) {
      if (unnamed.length) {
        reparseHash = unnamed[0].sha1;
        dataHash = unnamed.length > 1 ? unnamed[1].sha1 : null;
      } else {
        reparseHash = d.sha1;
        dataHash = null;
      }
    } else if (unnamed.length) {
      if (unnamed.length > 1) throw new WimFormatError('file has more than one unnamed data stream', p);
      dataHash = unnamed[0].sha1;
    }
    const names = new Set<string>();
    const streams: WimStreamInfo[] = [];
    for (const s of d.streams) {
      if (s.name === '') continue;
      if (/[\0/\\:]/.test(s.name)) throw new WimFormatError(`stream name ${JSON.stringify(s.name)} is not allowed`, p);
      if (names.has(s.name)) throw new WimFormatError(`duplicate stream name ${JSON.stringify(s.name)}`, p);
      names.add(s.name);
      streams.push({ name: s.name, sha1: s.sha1, size: this.blobSize(s.sha1, p) });
    }
    const e: WimEntry = {
      path,
      kind: isDir ? 'directory' : 'file',
      size: isDir ? 0 : this.blobSize(dataHash, p),
      sha1: isDir ? null : dataHash,
      attributes: d.attributes,
      times: { creation: d.creation, lastAccess: d.lastAccess, lastWrite: d.lastWrite },
      streams,
    };
    if (isDir && dataHash) throw new WimFormatError('directory has a data stream', p);
    if (d.securityId >= 0) e.securityDescriptor = md.securityDescriptors[d.securityId];
    if (isReparse) {
      if (path.length === 0) throw new WimFormatError('the root directory is a reparse point', p);
      const size = this.blobSize(reparseHash, p);
      if (size > MAX_REPARSE) throw new WimFormatError(`reparse data of ${size} bytes is too large`, p);
      const data = reparseHash ? await this.readBlob(reparseHash, p) : Buffer.alloc(0);
      e.reparse = { tag: d.reparseTag, data };
      if (d.reparseTag === REPARSE_TAG_SYMLINK || d.reparseTag === REPARSE_TAG_MOUNT_POINT) {
        const t = decodeLinkTarget(d.reparseTag, data, p);
        if (resolveInside(path.slice(0, -1), t) === null) throw new WimFormatError(`link target ${JSON.stringify(t)} points outside the image`, p);
        e.kind = 'symlink';
        e.linkTarget = t;
        e.size = 0;
        e.sha1 = null;
      }
    }
    if (d.hardLinkGroup !== 0n) {
      if (isDir) throw new WimFormatError('directory is hard-linked', p);
      const first = groups.get(d.hardLinkGroup);
      if (first) {
        if (first.sha1 !== d.sha1 || first.attributes !== d.attributes || JSON.stringify(first.streams) !== JSON.stringify(d.streams)) {
          throw new WimFormatError('hard links of one file disagree on its content', p);
        }
      } else groups.set(d.hardLinkGroup, d);
      e.hardLinkGroup = d.hardLinkGroup.toString(16);
    }
    return e;
  }

  /** Reads a whole small blob, verifying its hash. */
  private async readBlob(sha1: string, entryPath: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of this.blobPieces(sha1, entryPath)) parts.push(p);
    return Buffer.concat(parts);
  }

  /**
   * The content of a blob as pieces, SHA-1 verified: the last piece is only yielded after the
   * hash matched, so a consumer never sees the end of corrupt data as success.
   */
  async *blobPieces(sha1: string, entryPath = ''): AsyncGenerator<Buffer> {
    if (this.closed) throw new Error('WIM reader is closed');
    const b = this.blobs.get(sha1);
    if (!b) throw new WimFormatError(`blob ${sha1} is not in the archive`, entryPath);
    const h = createHash('sha1');
    let held: Buffer | null = null;
    let total = 0;
    for await (const p of readResource(this.fh, b.res, this.header.compression, `blob ${sha1}`)) {
      h.update(p);
      total += p.length;
      if (held) yield held;
      held = p;
    }
    if (total !== b.res.originalSize) throw new WimFormatError(`blob ${sha1} has ${total} bytes, expected ${b.res.originalSize}`, entryPath);
    const got = h.digest('hex');
    if (got !== sha1) throw new WimFormatError(`content has SHA-1 ${got}, expected ${sha1}`, entryPath);
    if (held) yield held;
  }

  /**
   * Reads several blobs in the order given (callers sort by `blob(sha1).res.offset` for a
   * sequential scan) and hands each piece to `onPiece`; `last` is true for a blob's final piece,
   * which is only delivered after the blob's SHA-1 matched. Uncompressed blobs are sliced out of
   * large sequential reads, so thousands of small files cost a handful of reads.
   */
  async forEachBlob(
    sha1s: string[],
    onPiece: (sha1: string, piece: Buffer, last: boolean) => void | Promise<void>,
  ): Promise<void> {
    if (this.closed) throw new Error('WIM reader is closed');
    if (this.header.compression !== 'none') return this.forEachBlobPipelined(sha1s, onPiece);
    const win = new WindowReader(this.fh, this.fileSize);
    for (const sha1 of sha1s) {
      const b = this.blobs.get(sha1);
      if (!b) throw new WimFormatError(`blob ${sha1} is not in the archive`);
      if (b.res.flags & RES_FLAG_COMPRESSED) {
        // blobPieces yields its final piece only after the hash matched.
        let last: Buffer | null = null;
        for await (const p of this.blobPieces(sha1)) {
          if (last) await onPiece(sha1, last, false);
          last = p;
        }
        await onPiece(sha1, last ?? Buffer.alloc(0), true);
        continue;
      }
      const h = createHash('sha1');
      const size = b.res.originalSize;
      let held: Buffer | null = null;
      for (let off = 0; off < size; ) {
        const piece = await win.read(b.res.offset + off, Math.min(size - off, WINDOW));
        h.update(piece);
        off += piece.length;
        if (held) await onPiece(sha1, held, false);
        held = piece;
      }
      const got = h.digest('hex');
      if (got !== sha1) throw new WimFormatError(`content has SHA-1 ${got}, expected ${sha1}`);
      await onPiece(sha1, held ?? Buffer.alloc(0), true);
    }
  }

  /**
   * forEachBlob for compressed archives: reads and decompression run ahead of the consumer
   * (in worker threads when available), across blob boundaries, bounded in bytes; pieces are
   * still delivered in order, each blob's last piece only after its SHA-1 matched.
   */
  private async forEachBlobPipelined(
    sha1s: string[],
    onPiece: (sha1: string, piece: Buffer, last: boolean) => void | Promise<void>,
  ): Promise<void> {
    // One core short of all: the main thread hashes and drives the I/O beside the decoders.
    const codec = (this.codec ??= createChunkCompressor(availableParallelism() - 1));
    const compression = this.header.compression as 'xpress' | 'lzx';
    const fh = this.fh;
    const blobs = this.blobs;
    type Job = { seq: number; sha1: string; last: boolean; data: Promise<Buffer>; raw: number };
    async function* jobs(): AsyncGenerator<Job> {
      for (let seq = 0; seq < sha1s.length; seq++) {
        const sha1 = sha1s[seq];
        const b = blobs.get(sha1);
        if (!b) throw new WimFormatError(`blob ${sha1} is not in the archive`);
        const res = b.res;
        const what = `blob ${sha1}`;
        if (res.originalSize === 0) {
          yield { seq, sha1, last: true, data: Promise.resolve(Buffer.alloc(0)), raw: 0 };
          continue;
        }
        if (!(res.flags & RES_FLAG_COMPRESSED)) {
          for (let off = 0; off < res.originalSize; off += PIPE_BATCH) {
            const buf = Buffer.allocUnsafe(Math.min(PIPE_BATCH, res.originalSize - off));
            yield { seq, sha1, last: off + buf.length >= res.originalSize, data: readExact(fh, buf, res.offset + off, what).then(() => buf), raw: buf.length };
          }
          continue;
        }
        const starts = await readChunkTable(fh, res, what);
        const n = starts.length - 1;
        for (let first = 0; first < n; ) {
          let end = first + 1;
          while (end < n && starts[end + 1] - starts[first] <= PIPE_BATCH) end++;
          const storedLens: number[] = [];
          const outLens: number[] = [];
          for (let i = first; i < end; i++) {
            storedLens.push(starts[i + 1] - starts[i]);
            outLens.push(Math.min(CHUNK_SIZE, res.originalSize - i * CHUNK_SIZE));
          }
          const buf = Buffer.allocUnsafe(starts[end] - starts[first]);
          const f = first;
          const data = readExact(fh, buf, res.offset + starts[first], what)
            .then(() => codec.decodeBatch(compression, buf, storedLens, outLens))
            .catch((e: unknown) => {
              throw e instanceof WimFormatError ? new WimFormatError(`${what}: chunks ${f}-${end - 1}: ${e.reason}`) : e;
            });
          yield { seq, sha1, last: end >= n, data, raw: outLens.reduce((a, x) => a + x, 0) };
          first = end;
        }
      }
    }
    const it = jobs();
    const ahead: Job[] = [];
    let aheadRaw = 0;
    let done = false;
    let cur: { seq: number; h: ReturnType<typeof createHash>; total: number; held: Buffer | null } | null = null;
    try {
      while (true) {
        while (!done && (ahead.length === 0 || (aheadRaw < PIPE_AHEAD && ahead.length < 64))) {
          const r = await it.next();
          if (r.done) done = true;
          else {
            r.value.data.catch(() => undefined); // observed in order below
            ahead.push(r.value);
            aheadRaw += r.value.raw;
          }
        }
        const job = ahead.shift();
        if (!job) break;
        aheadRaw -= job.raw;
        const piece = await job.data;
        if (!cur || cur.seq !== job.seq) cur = { seq: job.seq, h: createHash('sha1'), total: 0, held: null };
        cur.h.update(piece);
        cur.total += piece.length;
        if (cur.held) await onPiece(job.sha1, cur.held, false);
        cur.held = piece;
        if (job.last) {
          const b = blobs.get(job.sha1)!;
          if (cur.total !== b.res.originalSize) throw new WimFormatError(`blob ${job.sha1} has ${cur.total} bytes, expected ${b.res.originalSize}`);
          const got = cur.h.digest('hex');
          if (got !== job.sha1) throw new WimFormatError(`content has SHA-1 ${got}, expected ${job.sha1}`);
          await onPiece(job.sha1, cur.held, true);
          cur = null;
        }
      }
    } finally {
      await it.return(undefined);
    }
  }

  /** A Readable of a blob's content; it errors (WimFormatError) if the SHA-1 does not match. */
  openBlob(sha1: string): Readable {
    return Readable.from(this.blobPieces(sha1), { objectMode: false });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.metaCache.clear();
    await this.codec?.close();
    await this.fh.close();
  }
}

const WINDOW = 8 << 20;
/** Compressed archives: stored bytes per read/decompression job, and raw bytes kept ahead. */
const PIPE_BATCH = 1 << 20;
const PIPE_AHEAD = 16 << 20;

/**
 * Sequential reads in large windows with one window of read-ahead. Slices handed out are views
 * of a window buffer that is never reused, so callers may keep them.
 */
class WindowReader {
  private start = 0;
  private buf: Buffer = Buffer.alloc(0);
  private ahead: { start: number; data: Promise<Buffer> } | null = null;

  constructor(private readonly fh: FileHandle, private readonly fileSize: number) {}

  private load(start: number): Promise<Buffer> {
    const b = Buffer.allocUnsafe(Math.min(WINDOW, this.fileSize - start));
    return readExact(this.fh, b, start, 'archive').then(() => b);
  }

  /** Up to `len` bytes at `pos` (fewer only at a window boundary). */
  async read(pos: number, len: number): Promise<Buffer> {
    if (pos < this.start || pos >= this.start + this.buf.length) {
      if (this.ahead && this.ahead.start === pos) {
        this.buf = await this.ahead.data;
      } else {
        this.ahead?.data.catch(() => undefined);
        this.buf = await this.load(pos);
      }
      this.start = pos;
      const next = pos + this.buf.length;
      this.ahead = next < this.fileSize ? { start: next, data: this.load(next) } : null;
      this.ahead?.data.catch(() => undefined); // observed when used
    }
    const o = pos - this.start;
    return this.buf.subarray(o, Math.min(o + len, this.buf.length));
  }
}

/** Resources may not overlap each other or the header/tables (a classic zip-bomb trick). */
function checkOverlaps(blobs: BlobEntry[], h: WimHeader): void {
  const ranges: [number, number, string][] = blobs
    .filter((b) => b.res.sizeInWim > 0)
    .map((b) => [b.res.offset, b.res.offset + b.res.sizeInWim, `blob ${b.sha1}`]);
  ranges.push([h.blobTable.offset, h.blobTable.offset + h.blobTable.sizeInWim, 'blob table']);
  if (h.xmlData.sizeInWim) ranges.push([h.xmlData.offset, h.xmlData.offset + h.xmlData.sizeInWim, 'XML data']);
  if (h.integrity.sizeInWim) ranges.push([h.integrity.offset, h.integrity.offset + h.integrity.sizeInWim, 'integrity table']);
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new WimFormatError(`${ranges[i][2]} overlaps ${ranges[i - 1][2]}`);
  }
}

/** Opens and validates an archive. */
export function openWim(path: string, opts?: OpenOptions): Promise<WimReader> {
  return WimReader.open(path, opts);
}

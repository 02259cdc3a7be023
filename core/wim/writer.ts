// Writing a single-image archive: blobs streamed in as entries arrive (deduplicated by SHA-1),
// then the metadata resource, blob table, XML data and optional integrity table, and the header
// last. The file is built under a temporary name and renamed into place when complete.

import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import {
  BLOB_ENTRY_SIZE,
  BlobEntry,
  CHUNK_SIZE,
  EMPTY_RESHDR,
  HDR_FLAG_COMPRESSION,
  HDR_FLAG_COMPRESS_XPRESS,
  HEADER_SIZE,
  RES_FLAG_COMPRESSED,
  RES_FLAG_METADATA,
  ResourceHeader,
  serializeBlobEntry,
  serializeHeader,
} from './format';
import {
  ATTR_DIRECTORY,
  ATTR_NORMAL,
  ATTR_REPARSE_POINT,
  OutDentry,
  REPARSE_TAG_SYMLINK,
  badName,
  serializeMetadata,
} from './metadata';
import type { EntryKind, WimTimes } from './reader';
import { msToFiletime, resolveInside } from './reader';
import { createChunkCompressor, type ChunkCompressor, type StoredBatch } from './xpress-pool';
import { DEFAULT_PUBLISHER, buildXml } from './xml';

/** Content of a stream: called once, when (and only if) the writer needs the bytes. */
export type ContentSource = () => AsyncIterable<Uint8Array> | Promise<AsyncIterable<Uint8Array>>;

export interface WimWriteEntry {
  /** Path segments from the image root; [] sets the root directory's attributes and times. */
  path: string[];
  kind: EntryKind;
  attributes?: number;
  times?: Partial<WimTimes>;
  securityDescriptor?: Buffer;
  /** Symlink target, '/'-separated: relative to the link's directory, or '/…' from the image root. */
  linkTarget?: string;
  /** The symlink points at a directory (Windows distinguishes file and directory links). */
  linkIsDirectory?: boolean;
  /** A non-symlink reparse point to pass through (tag and data). */
  reparse?: { tag: number; data: Buffer };
  /** Entries with the same group are hard links of one file; only the first one's content is read. */
  hardLinkGroup?: string;
  /** Byte size of the unnamed data stream (required with `content`; checked against what it yields). */
  size?: number;
  /**
   * SHA-1 of the content when already known and trusted (the store's blobs were verified when
   * imported): a blob the archive holds is then not read again, and new content is not hashed again.
   */
  sha1?: string | null;
  content?: ContentSource;
  /** Named (alternate) data streams. */
  streams?: { name: string; size: number; sha1?: string | null; content: ContentSource }[];
}

export interface WimImageMetadata {
  name: string;
  description?: string;
  /** MAJOR.MINOR.BUILD.SPBUILD (missing parts are 0). */
  version?: string;
  publisher?: string;
}

export interface CreateWimOptions {
  compression?: 'none' | 'xpress';
  metadata: WimImageMetadata;
  /** Append an integrity table (SHA-1 of each 10 MiB of the archive). */
  integrity?: boolean;
  /** The archive's 16-byte GUID (random by default); pin it, with `time`, for reproducible output. */
  guid?: Buffer;
  /** FILETIME for the XML CREATIONTIME/LASTMODIFICATIONTIME and for entries without times (default: now). */
  time?: bigint;
}

export interface WimWriteResult {
  path: string;
  /** Archive size in bytes. */
  size: number;
  dirCount: number;
  fileCount: number;
  totalBytes: number;
  /** Distinct blobs stored. */
  blobCount: number;
}

const INTEGRITY_CHUNK = 10 << 20;
/** Raw bytes per compression job (32 chunks). */
const BATCH = 1 << 20;
/** Raw bytes in the compressors or waiting to be written, at most. */
const PENDING_LIMIT = 8 << 20;
/** Uncompressed archives: writes in flight at most. */
const MAX_WRITES = 4;

interface Inode {
  sha1: string | null;
  named: { name: string; sha1: string | null }[];
  dentries: OutDentry[];
  id: bigint;
}

export class WimWriter {
  private pos = HEADER_SIZE;
  private readonly blobs = new Map<string, BlobEntry>();
  private readonly root: OutDentry;
  private readonly dirs = new Map<string, OutDentry>();
  private readonly names = new Map<OutDentry, Set<string>>();
  private readonly secs: Buffer[] = [];
  private readonly secIndex = new Map<string, number>();
  private readonly inodes = new Map<string, Inode>();
  private readonly pool: ChunkCompressor | null;
  /** XPRESS blobs are written in order by this chain of tasks while later ones compress. */
  private sink: Promise<void> = Promise.resolve();
  private sinkError: unknown = null;
  /** Raw bytes handed to the compressors and not yet written (bounds memory). */
  private pendingRaw = 0;
  private wakeups: (() => void)[] = [];
  /** Uncompressed archives: writes issued and not yet awaited. */
  private readonly writes: Promise<unknown>[] = [];
  private dirCount = 1;
  private fileCount = 0;
  private totalBytes = 0;
  private hardLinkBytes = 0;
  private nextGroupId = 1n;
  private done = false;
  private failed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly tmpPath: string,
    private readonly opts: CreateWimOptions,
  ) {
    const now = opts.time ?? msToFiletime(Date.now());
    this.root = {
      name: '',
      attributes: ATTR_DIRECTORY,
      securityId: -1,
      creation: now,
      lastAccess: now,
      lastWrite: now,
      sha1: null,
      reparseTag: 0,
      hardLinkGroup: 0n,
      named: [],
      children: [],
    };
    this.dirs.set('', this.root);
    this.pool = opts.compression === 'xpress' ? createChunkCompressor() : null;
  }

  static async create(path: string, opts: CreateWimOptions): Promise<WimWriter> {
    if (!opts || !opts.metadata || typeof opts.metadata.name !== 'string') throw new TypeError('createWim: metadata.name is required');
    if (opts.metadata.version !== undefined && !/^\d+(\.\d+){0,3}$/.test(opts.metadata.version)) {
      throw new TypeError(`createWim: version ${JSON.stringify(opts.metadata.version)} is not MAJOR.MINOR.BUILD.SPBUILD`);
    }
    for (const [k, v] of Object.entries(opts.metadata)) {
      // XML 1.0 cannot carry these characters at all, escaped or not.
      if (typeof v === 'string' && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(v)) {
        throw new TypeError(`createWim: metadata.${k} contains a control character that XML cannot hold`);
      }
    }
    if (opts.guid !== undefined && (!Buffer.isBuffer(opts.guid) || opts.guid.length !== 16)) throw new TypeError('createWim: guid must be a 16-byte Buffer');
    const tmp = `${path}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
    const fh = await open(tmp, 'wx+');
    return new WimWriter(fh, path, tmp, opts);
  }

  private secId(sd: Buffer | undefined): number {
    if (!sd || sd.length === 0) return -1;
    const key = sd.toString('base64');
    let i = this.secIndex.get(key);
    if (i === undefined) {
      i = this.secs.length;
      this.secs.push(Buffer.from(sd));
      this.secIndex.set(key, i);
    }
    return i;
  }

  /** Adds one entry; its parent directory must have been added before (the root always exists). */
  async add(e: WimWriteEntry): Promise<void> {
    if (this.done) throw new Error('WIM writer is finished');
    try {
      await this.addInner(e);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** Adds entries in order; small files given as fileContent() sources are read ahead. */
  async addAll(entries: AsyncIterable<WimWriteEntry> | Iterable<WimWriteEntry>): Promise<void> {
    // Loaded here rather than at the top: capture.ts imports this module.
    const { prefetch } = await import('./capture');
    for await (const e of prefetch(entries)) await this.add(e);
  }

  private async addInner(e: WimWriteEntry): Promise<void> {
    const p = '/' + e.path.join('/');
    const now = this.opts.time ?? msToFiletime(Date.now());
    const t = { creation: e.times?.creation ?? e.times?.lastWrite ?? now, lastAccess: e.times?.lastAccess ?? e.times?.lastWrite ?? now, lastWrite: e.times?.lastWrite ?? now };
    if (e.path.length === 0) {
      if (e.kind !== 'directory') throw new Error('the root entry must be a directory');
      Object.assign(this.root, t, { attributes: (e.attributes ?? ATTR_DIRECTORY) | ATTR_DIRECTORY, securityId: this.secId(e.securityDescriptor) });
      return;
    }
    for (const seg of e.path) {
      const why = badName(seg);
      if (why) throw new Error(`${p}: ${why}`);
    }
    const parent = this.dirs.get(e.path.slice(0, -1).join('/'));
    if (!parent) throw new Error(`${p}: parent directory has not been added`);
    const name = e.path[e.path.length - 1];
    let seen = this.names.get(parent);
    if (!seen) this.names.set(parent, (seen = new Set()));
    if (seen.has(name)) throw new Error(`${p}: duplicate name in directory`);
    seen.add(name);
    const d: OutDentry = {
      name,
      attributes: 0,
      securityId: this.secId(e.securityDescriptor),
      ...t,
      sha1: null,
      reparseTag: 0,
      hardLinkGroup: 0n,
      named: [],
      children: null,
    };
    if (e.kind === 'directory') {
      d.attributes = ((e.attributes ?? ATTR_DIRECTORY) | ATTR_DIRECTORY) & ~ATTR_REPARSE_POINT;
      d.children = [];
      this.dirs.set(e.path.join('/'), d);
      this.dirCount++;
    } else if (e.kind === 'symlink' || e.reparse) {
      let data: Buffer;
      if (e.kind === 'symlink') {
        if (typeof e.linkTarget !== 'string' || e.linkTarget === '') throw new Error(`${p}: symlink without a target`);
        if (resolveInside(e.path.slice(0, -1), e.linkTarget) === null) throw new Error(`${p}: symlink target ${JSON.stringify(e.linkTarget)} points outside the image`);
        data = symlinkReparseData(e.linkTarget);
        d.reparseTag = REPARSE_TAG_SYMLINK;
        d.attributes = ATTR_REPARSE_POINT | (e.linkIsDirectory ? ATTR_DIRECTORY : 0);
      } else {
        data = e.reparse!.data;
        d.reparseTag = e.reparse!.tag;
        d.attributes = ((e.attributes ?? 0) | ATTR_REPARSE_POINT) & ~ATTR_NORMAL;
      }
      if (data.length > 16 * 1024) throw new Error(`${p}: reparse data is larger than 16 KiB`);
      d.sha1 = await this.storeBuffer(data);
      this.totalBytes += data.length;
      this.fileCount++;
    } else {
      d.attributes = (e.attributes ?? ATTR_NORMAL) & ~(ATTR_DIRECTORY | ATTR_REPARSE_POINT);
      if (d.attributes === 0) d.attributes = ATTR_NORMAL;
      this.fileCount++;
      const group = e.hardLinkGroup !== undefined ? this.inodes.get(e.hardLinkGroup) : undefined;
      let bytes = 0;
      if (group) {
        d.sha1 = group.sha1;
        d.named = group.named;
        if (group.id === 0n) {
          group.id = this.nextGroupId++;
          for (const o of group.dentries) o.hardLinkGroup = group.id;
        }
        d.hardLinkGroup = group.id;
        group.dentries.push(d);
        for (const s of [d.sha1, ...d.named.map((x) => x.sha1)]) if (s) this.blobs.get(s)!.refCount++;
        bytes = (d.sha1 ? this.blobs.get(d.sha1)!.res.originalSize : 0);
        this.hardLinkBytes += bytes;
      } else {
        d.sha1 = await this.storeStream(e.size ?? 0, e.sha1 ?? null, e.content, p);
        bytes = e.size ?? 0;
        const seenStreams = new Set<string>();
        for (const s of e.streams ?? []) {
          if (!s.name || /[\0/\\:]/.test(s.name) || seenStreams.has(s.name)) throw new Error(`${p}: invalid or duplicate stream name ${JSON.stringify(s.name)}`);
          seenStreams.add(s.name);
          d.named.push({ name: s.name, sha1: await this.storeStream(s.size, s.sha1 ?? null, s.content, `${p}:${s.name}`) });
          bytes += s.size;
        }
        if (e.hardLinkGroup !== undefined) this.inodes.set(e.hardLinkGroup, { sha1: d.sha1, named: d.named, dentries: [d], id: 0n });
      }
      this.totalBytes += bytes;
    }
    parent.children!.push(d);
  }

  private async storeBuffer(data: Buffer): Promise<string | null> {
    return this.storeStream(data.length, null, async function* () { yield data; }, 'reparse data');
  }

  /** Stores a stream's content (unless a blob with its known hash exists); returns its SHA-1. */
  private async storeStream(size: number, knownSha1: string | null, content: ContentSource | undefined, what: string): Promise<string | null> {
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`${what}: invalid size ${size}`);
    if (size === 0) return null; // empty streams have a zero hash and no blob
    if (knownSha1) {
      const b = this.blobs.get(knownSha1.toLowerCase());
      if (b) {
        b.refCount++;
        return knownSha1.toLowerCase();
      }
    }
    if (!content) throw new Error(`${what}: content is required for a non-empty stream`);
    if (this.pool) return this.storeXpress(size, await content(), what, 0, true);
    const { sha1, res } = await this.writeBlob(size, await content(), what, 0, knownSha1?.toLowerCase() ?? null);
    const existing = this.blobs.get(sha1);
    if (existing) {
      // Same content already stored: drop the copy just written (it is at the end of the file),
      // once its writes have landed, so they cannot overwrite what comes next.
      await this.drainWrites();
      this.pos = res.offset;
      existing.refCount++;
    } else this.blobs.set(sha1, { res, partNumber: 1, refCount: 1, sha1 });
    return sha1;
  }

  /**
   * Writes `size` bytes from `src` uncompressed at the current end (uncompressed archives). A caller
   * that already knows the content's SHA-1 (the store exporting blobs it verified on the way in)
   * passes it and the bytes are not hashed again: hashing was a quarter of an export's CPU time.
   */
  private async writeBlob(size: number, src: AsyncIterable<Uint8Array>, what: string, flags = 0, knownSha1: string | null = null): Promise<{ sha1: string; res: ResourceHeader }> {
    const start = this.pos;
    const hash = knownSha1 ? null : createHash('sha1');
    let got = 0;
    // Writes stay in flight across blobs (a few at most): the thread pool writes while we
    // hash the next files. They target disjoint ranges; a rewind (dedup) drains them first.
    const inflight = this.writes;
    const put = async (buf: Uint8Array, at: number): Promise<void> => {
      if (inflight.length >= MAX_WRITES) await inflight.shift();
      const w = this.fh.write(buf, 0, buf.length, at);
      w.catch(() => undefined); // observed when awaited; avoids an unhandled rejection meanwhile
      inflight.push(w);
    };
    let at = start;
    for await (const piece of src) {
      got += piece.length;
      if (got > size) throw new Error(`${what}: content is longer than the declared ${size} bytes`);
      hash?.update(piece);
      await put(piece, at);
      at += piece.length;
    }
    if (got !== size) throw new Error(`${what}: content has ${got} bytes, expected ${size}`);
    this.pos = start + size;
    return { sha1: hash ? hash.digest('hex') : knownSha1!, res: { sizeInWim: size, flags, offset: start, originalSize: size } };
  }

  private async drainWrites(): Promise<void> {
    while (this.writes.length) await this.writes.shift();
  }

  private async room(bytes: number): Promise<void> {
    while (this.pendingRaw > 0 && this.pendingRaw + bytes > PENDING_LIMIT && !this.sinkError) {
      await new Promise<void>((r) => this.wakeups.push(r));
    }
    if (this.sinkError) throw this.sinkError;
  }

  private release(bytes: number): void {
    this.pendingRaw -= bytes;
    const w = this.wakeups;
    this.wakeups = [];
    for (const f of w) f();
  }

  /**
   * Stores a stream in an XPRESS archive: batches of 32 KiB chunks go to the compressors as the
   * content arrives, and a task on the sink chain writes them in order (chunk table first, as
   * the format wants). A stream that turns out to duplicate a stored blob is dropped: before
   * compression when it fits in one batch, else by rewinding the sink.
   */
  private async storeXpress(size: number, src: AsyncIterable<Uint8Array>, what: string, flags: number, dedup: boolean): Promise<string> {
    const hash = createHash('sha1');
    const batches: { p: Promise<StoredBatch>; raw: number }[] = [];
    let batchesDone = false;
    let notify: (() => void) | null = null;
    const kick = (): void => {
      const n = notify;
      notify = null;
      if (n) n();
    };
    let resolveSha!: (s: string | null) => void;
    const shaP = new Promise<string | null>((r) => (resolveSha = r));
    const entry: BlobEntry = { res: { sizeInWim: 0, flags, offset: 0, originalSize: size }, partNumber: 1, refCount: 1, sha1: '' };
    let taskStarted = false;
    const startTask = (): void => {
      taskStarted = true;
      this.sink = this.sink.then(async () => {
        if (this.sinkError) return;
        const nChunks = Math.ceil(size / CHUNK_SIZE);
        const entrySize = size > 0xffffffff ? 8 : 4;
        const table = Buffer.alloc((nChunks - 1) * entrySize);
        const start = this.pos;
        let at = start + table.length;
        let chunk = 0;
        const writes: Promise<unknown>[] = [];
        for (let i = 0; ; i++) {
          while (i >= batches.length && !batchesDone) await new Promise<void>((r) => (notify = r));
          if (i >= batches.length) break;
          const b = await batches[i].p;
          for (const sz of b.sizes) {
            if (chunk > 0) {
              const rel = at - start - table.length;
              if (entrySize === 4) table.writeUInt32LE(rel, (chunk - 1) * 4);
              else table.writeBigUInt64LE(BigInt(rel), (chunk - 1) * 8);
            }
            at += sz;
            chunk++;
          }
          if (writes.length >= 2) await writes.shift();
          const w = this.fh.write(b.data, 0, b.data.length, at - b.data.length);
          w.catch(() => undefined); // observed below
          writes.push(w);
          this.release(batches[i].raw);
          batches[i].p = Promise.resolve({ data: Buffer.alloc(0), sizes: [] }); // let the data go
        }
        await Promise.all(writes);
        const sha = await shaP;
        if (sha === null) return; // duplicate: the next blob overwrites this one
        if (table.length) await this.fh.write(table, 0, table.length, start);
        const stored = at - start;
        this.pos = at;
        const compressed = !(nChunks === 1 && stored === size);
        entry.res = { sizeInWim: stored, flags: flags | (compressed ? RES_FLAG_COMPRESSED : 0), offset: start, originalSize: size };
      }).catch((e) => {
        this.sinkError ??= e;
        this.release(0);
      });
    };
    let cur: Buffer[] = [];
    let curLen = 0;
    let got = 0;
    const dispatch = async (final: boolean): Promise<void> => {
      while (curLen >= BATCH || (final && curLen > 0)) {
        const take = Math.min(curLen, BATCH);
        const all = cur.length === 1 ? cur[0] : Buffer.concat(cur, curLen);
        const data = all.subarray(0, take);
        cur = take < all.length ? [all.subarray(take)] : [];
        curLen -= take;
        const lens: number[] = [];
        for (let o = 0; o < take; o += CHUNK_SIZE) lens.push(Math.min(CHUNK_SIZE, take - o));
        await this.room(take);
        if (!taskStarted) startTask();
        this.pendingRaw += take;
        const p = this.pool!.compressBatch(data, lens);
        p.catch(() => undefined); // observed by the sink task
        batches.push({ p, raw: take });
        kick();
      }
    };
    try {
      for await (const p of src) {
        const piece = Buffer.from(p.buffer, p.byteOffset, p.length);
        got += piece.length;
        if (got > size) throw new Error(`${what}: content is longer than the declared ${size} bytes`);
        hash.update(piece);
        cur.push(piece);
        curLen += piece.length;
        if (curLen >= BATCH) await dispatch(false);
      }
      if (got !== size) throw new Error(`${what}: content has ${got} bytes, expected ${size}`);
      const sha1 = hash.digest('hex');
      const existing = dedup ? this.blobs.get(sha1) : undefined;
      if (existing && !taskStarted) {
        existing.refCount++;
        return sha1;
      }
      await dispatch(true);
      batchesDone = true;
      kick();
      if (existing) {
        existing.refCount++;
        resolveSha(null);
        return sha1;
      }
      entry.sha1 = sha1;
      if (dedup) this.blobs.set(sha1, entry);
      resolveSha(sha1);
      if (!dedup) {
        // Callers that need the final location (the metadata resource) wait for the sink.
        await this.sink;
        if (this.sinkError) throw this.sinkError;
        this.lastEntry = entry;
      }
      return sha1;
    } catch (e) {
      batchesDone = true;
      resolveSha(null);
      kick();
      throw e;
    }
  }

  private lastEntry: BlobEntry | null = null;

  /** Writes metadata, tables, XML and header, and moves the archive into place. */
  async finish(): Promise<WimWriteResult> {
    if (this.done) throw new Error('WIM writer is finished');
    if (this.failed) throw new Error('WIM writer failed earlier; call abort()');
    this.done = true;
    try {
      return await this.finishInner();
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  private async finishInner(): Promise<WimWriteResult> {
    await this.drainWrites();
    for (const inode of this.inodes.values()) if (inode.dentries.length < 2) for (const d of inode.dentries) d.hardLinkGroup = 0n;
    const sortTree = (d: OutDentry): void => {
      if (!d.children) return;
      d.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const c of d.children) sortTree(c);
    };
    sortTree(this.root);
    const meta = serializeMetadata(this.secs, this.root);
    let metaBlob: { sha1: string; res: ResourceHeader };
    if (this.pool) {
      await this.storeXpress(meta.length, [meta] as unknown as AsyncIterable<Uint8Array>, 'metadata', RES_FLAG_METADATA, false);
      metaBlob = { sha1: this.lastEntry!.sha1, res: this.lastEntry!.res };
      await this.pool.close();
    } else {
      metaBlob = await this.writeBlob(meta.length, [meta] as unknown as AsyncIterable<Uint8Array>, 'metadata', RES_FLAG_METADATA);
      await this.drainWrites();
    }
    const entries: BlobEntry[] = [{ res: metaBlob.res, partNumber: 1, refCount: 1, sha1: metaBlob.sha1 }, ...this.blobs.values()];
    const bt = Buffer.alloc(entries.length * BLOB_ENTRY_SIZE);
    entries.forEach((b, i) => serializeBlobEntry(bt, i * BLOB_ENTRY_SIZE, b));
    const btRes: ResourceHeader = { sizeInWim: bt.length, flags: RES_FLAG_METADATA, offset: this.pos, originalSize: bt.length };
    await this.fh.write(bt, 0, bt.length, this.pos);
    this.pos += bt.length;
    const m = this.opts.metadata;
    const now = this.opts.time ?? msToFiletime(Date.now());
    const xml = buildXml(
      {
        name: m.name,
        description: m.description ?? '',
        version: m.version ?? '0.0.0.0',
        publisher: m.publisher || DEFAULT_PUBLISHER,
        dirCount: this.dirCount,
        fileCount: this.fileCount,
        totalBytes: this.totalBytes,
        creationTime: now,
        lastModificationTime: now,
      },
      this.hardLinkBytes,
      this.pos,
    );
    const xmlRes: ResourceHeader = { sizeInWim: xml.length, flags: RES_FLAG_METADATA, offset: this.pos, originalSize: xml.length };
    await this.fh.write(xml, 0, xml.length, this.pos);
    this.pos += xml.length;
    let integrity = EMPTY_RESHDR;
    if (this.opts.integrity) {
      const it = await this.integrityTable(btRes.offset + btRes.sizeInWim);
      integrity = { sizeInWim: it.length, flags: 0, offset: this.pos, originalSize: it.length };
      await this.fh.write(it, 0, it.length, this.pos);
      this.pos += it.length;
    }
    const xpress = this.pool !== null;
    const header = serializeHeader({
      flags: xpress ? HDR_FLAG_COMPRESSION | HDR_FLAG_COMPRESS_XPRESS : 0,
      chunkSize: xpress ? CHUNK_SIZE : 0,
      guid: this.opts.guid ?? randomBytes(16),
      partNumber: 1,
      totalParts: 1,
      imageCount: 1,
      blobTable: btRes,
      xmlData: xmlRes,
      bootMetadata: EMPTY_RESHDR,
      bootIndex: 0,
      integrity,
    });
    await this.fh.write(header, 0, header.length, 0);
    await this.fh.truncate(this.pos);
    await this.fh.sync();
    await this.fh.close();
    await rename(this.tmpPath, this.path);
    return {
      path: this.path,
      size: this.pos,
      dirCount: this.dirCount,
      fileCount: this.fileCount,
      totalBytes: this.totalBytes,
      blobCount: this.blobs.size,
    };
  }

  private async integrityTable(end: number): Promise<Buffer> {
    const n = Math.ceil((end - HEADER_SIZE) / INTEGRITY_CHUNK);
    const out = Buffer.alloc(12 + n * 20);
    out.writeUInt32LE(out.length, 0);
    out.writeUInt32LE(n, 4);
    out.writeUInt32LE(INTEGRITY_CHUNK, 8);
    const buf = Buffer.allocUnsafe(INTEGRITY_CHUNK);
    for (let i = 0; i < n; i++) {
      const s = HEADER_SIZE + i * INTEGRITY_CHUNK;
      const len = Math.min(INTEGRITY_CHUNK, end - s);
      let done = 0;
      while (done < len) {
        const { bytesRead } = await this.fh.read(buf, done, len - done, s + done);
        if (bytesRead === 0) throw new Error('integrity table: archive shorter than expected');
        done += bytesRead;
      }
      createHash('sha1').update(buf.subarray(0, len)).digest().copy(out, 12 + i * 20);
    }
    return out;
  }

  /** Abandons the archive: closes and removes the partial file. */
  async abort(): Promise<void> {
    this.done = true;
    this.sinkError ??= new Error('aborted');
    this.release(0);
    await this.sink.catch(() => undefined);
    await this.pool?.close().catch(() => undefined);
    await Promise.allSettled(this.writes.splice(0));
    await this.fh.close().catch(() => undefined);
    await rm(this.tmpPath, { force: true });
  }
}

/** Reparse data (without the 8-byte header) of a symlink, as Windows and wimlib lay it out. */
export function symlinkReparseData(target: string): Buffer {
  const absolute = target.startsWith('/');
  const win = target.replace(/\//g, '\\');
  const print = absolute ? 'C:' + win : win;
  const sub = absolute ? '\\??\\C:' + win : win;
  const subB = Buffer.from(sub, 'utf16le');
  const printB = Buffer.from(print, 'utf16le');
  const b = Buffer.alloc(12 + subB.length + 2 + printB.length + 2);
  b.writeUInt16LE(0, 0);
  b.writeUInt16LE(subB.length, 2);
  b.writeUInt16LE(subB.length + 2, 4);
  b.writeUInt16LE(printB.length, 6);
  b.writeUInt32LE(absolute ? 0 : 1, 8);
  subB.copy(b, 12);
  printB.copy(b, 12 + subB.length + 2);
  return b;
}

/** Starts a single-image archive at `path` (written under a temporary name until finish()). */
export function createWim(path: string, opts: CreateWimOptions): Promise<WimWriter> {
  return WimWriter.create(path, opts);
}

// The image store: content-addressed blobs, layer manifests, and one catalog that is the commit
// point of every mutation. See core/store/index.ts for the API and the layout, and
// docs/architecture-store.md for the crash and concurrency argument.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { lstat, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { WimEntry, WimReader, WimWriteEntry } from '../wim';
import { atomicWrite, copyRange, createTemp, durableRename, durableUnlink, ensureDir, isOwnTemp, step, syncDir, syncDirs, tempName, writeTemp } from './durable';
import { hashCopy, PACK_ALIGN, type HashCopyJob } from './hash-copy';
import { StoreDependencyError, StoreError, StoreInputError, StoreVersionError } from './errors';
import { acquireStoreLock, type HeldLock } from './lock';
import { LAYER_SCHEMA, STORE_SCHEMA, fullNameOf, type BlobRecord, type Catalog, type PackedBlobRecord, type ContainerRecord, type ImageRecord, type LayerEntry, type LayerManifest } from './types';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX40 = /^[0-9a-f]{40}$/;
const REPARSE_MAX = 16 * 1024;

export interface ImportProgress {
  /** Bytes of file content stored (or found already stored) so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

export interface ImportOptions {
  /** Replace an installed image of the same FullName (its dependents still forbid it). */
  force?: boolean;
  /** Recorded as the image's IsOSImage (default true: a WIM holds a base OS image). */
  isOSImage?: boolean;
  /** Overrides of the archive's metadata (a feed may know better names). */
  name?: string;
  version?: string;
  publisher?: string;
  summary?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportResult {
  /** 'installed': new; 'replaced': -Force replaced an image of the same FullName; 'exists': nothing done. */
  status: 'installed' | 'replaced' | 'exists';
  image: ImageRecord;
}

export interface RemoveResult {
  image: ImageRecord;
  blobsRemoved: number;
  bytesFreed: number;
}

export interface StoreProblem {
  kind: 'Store' | 'Catalog' | 'Image' | 'Layer' | 'Blob' | 'Container';
  id: string;
  problem: string;
}

export interface OptimizeResult {
  blobsRemoved: number;
  layersRemoved: number;
  tempFilesRemoved: number;
  bytesFreed: number;
}

/** An entry of a derived layer, with its content when it is a file (see importEntries). */
export interface StoreInputEntry {
  path: string[];
  kind: 'directory' | 'file' | 'symlink' | 'whiteout';
  size?: number;
  attributes?: number;
  times?: { creation: bigint; lastAccess: bigint; lastWrite: bigint };
  securityDescriptor?: Buffer;
  linkTarget?: string;
  linkIsDirectory?: boolean;
  hardLinkGroup?: string;
  content?: () => AsyncIterable<Uint8Array>;
}

/**
 * One entry of a layer given to importLayerChain. `entry` is the layer-manifest entry exactly as it
 * will be stored, keys in the order given (so a layer exported and imported again gets the same
 * layer id); its `sha256`/`sha1` values are computed here from `content`, `size` is checked against
 * it, and `sd` becomes the index of `securityDescriptor` in the layer's table (first-seen order).
 * A `{ stream }` item is a named data stream of the file entry just before it.
 */
export type ChainLayerItem =
  | { entry: LayerEntry; securityDescriptor?: Buffer; content?: () => AsyncIterable<Uint8Array> }
  | { stream: { name: string; size: number; content?: () => AsyncIterable<Uint8Array> } };

/** Metadata of an image importLayerChain creates. */
export interface ChainImageMeta {
  name: string;
  publisher: string;
  version: string;
  summary?: string;
  isOSImage?: boolean;
  /** ISO 8601; default now. */
  created?: string;
  /** false: `<name>:<version>` is not a docker reference of the image (see ImageRecord). */
  implicitReference?: boolean;
  /** Recorded as ImageRecord.diffId (the caller verified the layer against it). */
  diffId?: string;
  /** Recorded as ImageRecord.os / architecture (an OCI image's platform other than windows/amd64). */
  os?: string;
  architecture?: string;
}

/** One step of importLayerChain: an image of one layer over the previous step's image. */
export interface ChainStep {
  /**
   * Called under the lock with the committed catalog (plus the images this chain added so far)
   * and the parent chosen by the previous step: an installed image to use as this step's image
   * (nothing is read), or null to read `entries`.
   */
  reuse?: (images: readonly ImageRecord[], parent: ImageRecord | null) => Promise<ImageRecord | null>;
  /**
   * Names for the new image, tried in order once its layer id is known: the first whose FullName
   * is free, or is taken by an image with the same ImageId (then that image is used). None fits:
   * StoreError ImageNameConflict.
   */
  meta: ChainImageMeta[];
  /** The layer's items; file contents are read in order, each before the next item is asked for. */
  entries: () => AsyncIterable<ChainLayerItem>;
}

export interface ChainResult {
  /** One image per step (reused or new), base first. */
  images: ImageRecord[];
  /** Per step: true when a new image was added. */
  created: boolean[];
}

function emptyCatalog(): Catalog {
  return { schema: STORE_SCHEMA, generation: 0, images: [], containers: [], layers: {}, blobs: {} };
}

function badSegment(seg: string): string | null {
  if (seg === '' || seg === '.' || seg === '..') return `the name '${seg}' is not allowed`;
  if (/[/\\\0]/.test(seg)) return `the name ${JSON.stringify(seg)} contains a path separator or NUL`;
  if (/^[A-Za-z]:/.test(seg)) return `the name ${JSON.stringify(seg)} looks like a drive path`;
  return null;
}

/** A link target resolved against its directory; null when it leaves the image. */
function insideImage(dir: string[], target: string): boolean {
  const out = target.startsWith('/') ? [] : dir.slice();
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return false;
      out.pop();
    } else if (/[\\\0]/.test(seg)) return false;
    else out.push(seg);
  }
  return true;
}

/**
 * Validates a tree before anything lands: every name, that parents come before children, no
 * duplicate path, link targets inside the image, sane sizes and hashes. Throws StoreInputError.
 */
function validateTree(entries: { path: string[]; kind: string; size?: number; sha1?: string | null; linkTarget?: string }[], what: string): void {
  const dirs = new Set<string>(['']);
  const seen = new Set<string>();
  for (const e of entries) {
    const p = e.path.join('/');
    for (const seg of e.path) {
      const why = badSegment(seg);
      if (why) throw new StoreInputError(`${what}: entry '/${p}': ${why}.`, '/' + p);
    }
    if (e.path.length === 0) {
      if (e.kind !== 'directory') throw new StoreInputError(`${what}: the image root is not a directory.`, '/');
      continue;
    }
    if (seen.has(p)) throw new StoreInputError(`${what}: entry '/${p}' appears twice.`, '/' + p);
    seen.add(p);
    if (!dirs.has(e.path.slice(0, -1).join('/'))) throw new StoreInputError(`${what}: entry '/${p}' has no parent directory.`, '/' + p);
    if (e.kind === 'directory') dirs.add(p);
    const size = e.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) throw new StoreInputError(`${what}: entry '/${p}' has an invalid size.`, '/' + p);
    if (e.sha1 && !HEX40.test(e.sha1)) throw new StoreInputError(`${what}: entry '/${p}' has an invalid SHA-1.`, '/' + p);
    if (e.kind === 'symlink' && (typeof e.linkTarget !== 'string' || !insideImage(e.path.slice(0, -1), e.linkTarget))) {
      throw new StoreInputError(`${what}: the link '/${p}' points outside the image.`, '/' + p);
    }
  }
}

function ftStr(t: bigint): string {
  return t.toString();
}

export class ImageStore {
  readonly blobsDir: string;
  readonly layersDir: string;
  readonly tmpDir: string;
  readonly catalogPath: string;
  readonly versionPath: string;
  readonly pendingPath: string;
  readonly containersDir: string;
  readonly packsDir: string;
  private knownPrefixes = new Map<string, Promise<void>>();

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs');
    this.layersDir = join(root, 'layers');
    this.tmpDir = join(root, 'tmp');
    this.catalogPath = join(root, 'catalog.json');
    this.versionPath = join(root, 'store.json');
    this.pendingPath = join(root, 'pending');
    this.containersDir = join(root, 'containers');
    this.packsDir = join(root, 'packs');
  }

  /** The file of a blob stored on its own (see blobLocator for blobs that may be packed). */
  blobPath(sha256: string): string {
    return join(this.blobsDir, sha256.slice(0, 2), sha256);
  }

  packPath(packId: string): string {
    return join(this.packsDir, `${packId}.pack`);
  }

  /**
   * Where each blob's bytes are, per the catalog `c` (read now when not given), for readers that
   * hold the lock; `fds` gives open descriptors of packs (see openBlobSnapshot).
   */
  blobLocator(c: Catalog = this.readCatalog(), fds?: Map<string, number>): (sha256: string) => BlobLocation {
    return (sha256) => {
      const rec = c.blobs[sha256];
      if (!rec) throw new StoreError(`The blob ${sha256} is not in the store.`, 'BlobMissing', 'ObjectNotFound', sha256);
      if (rec.length === 5) return { path: this.packPath(rec[3]), offset: rec[4], size: rec[1], packed: true, fd: fds?.get(rec[3]) };
      return { path: this.blobPath(sha256), offset: 0, size: rec[1], packed: false };
    };
  }

  /**
   * For readers without the lock (export, layer tars): the catalog as it is now, with the pack
   * files holding `blobs` opened, so a pack that Optimize-ContainerImageStore rewrites and deletes
   * meanwhile stays readable through its descriptor (blobs of their own never move while an image
   * uses them). close() after the last read.
   */
  openBlobSnapshot(blobs: Iterable<string>): { locate: (sha256: string) => BlobLocation; close: () => void } {
    const wanted = [...blobs];
    for (let attempt = 1; ; attempt++) {
      const c = this.readCatalog();
      const fds = new Map<string, number>();
      try {
        for (const b of wanted) {
          const rec = c.blobs[b];
          if (rec?.length === 5 && !fds.has(rec[3])) fds.set(rec[3], openSync(this.packPath(rec[3]), 'r'));
        }
      } catch (e) {
        for (const fd of fds.values()) closeSync(fd);
        // A rewrite committed between reading the catalog and opening its packs: read it again.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5) continue;
        throw e;
      }
      // Readers borrow the descriptors (FileRange.borrow): close() closes them once the last
      // reader is done, so no read can land on a descriptor number reused meanwhile.
      let readers = 0;
      let closing = false;
      const closeAll = (): void => {
        for (const fd of fds.values()) {
          try {
            closeSync(fd);
          } catch {
            // already gone: nothing to release
          }
        }
        fds.clear();
      };
      const borrow = (): (() => void) => {
        readers++;
        let returned = false;
        return () => {
          if (returned) return;
          returned = true;
          if (--readers === 0 && closing) closeAll();
        };
      };
      const locate = this.blobLocator(c, fds);
      return {
        locate: (sha256) => {
          const at = locate(sha256);
          return at.fd === undefined ? at : { ...at, borrow };
        },
        close: () => {
          closing = true;
          if (readers === 0) closeAll();
        },
      };
    }
  }

  layerPath(layerId: string): string {
    return join(this.layersDir, `${layerId}.json`);
  }

  // ---- reading ---------------------------------------------------------------------------

  /** Checks store.json; throws StoreVersionError for a newer schema. False when there is no store yet. */
  private checkVersion(): boolean {
    let text: string;
    try {
      text = readFileSync(this.versionPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    let schema: unknown;
    try {
      schema = (JSON.parse(text) as { schema?: unknown }).schema;
    } catch {
      throw new StoreError(`The image store '${this.root}' has an unreadable version file '${this.versionPath}'.`, 'StoreVersionFileCorrupt', 'InvalidData', this.versionPath);
    }
    if (typeof schema !== 'number' || !Number.isInteger(schema) || schema < 1) {
      throw new StoreError(`The image store '${this.root}' has an invalid schema version in '${this.versionPath}'.`, 'StoreVersionFileCorrupt', 'InvalidData', this.versionPath);
    }
    if (schema > STORE_SCHEMA) throw new StoreVersionError(this.root, schema, STORE_SCHEMA);
    return true;
  }

  /** The committed catalog (readers never see a half-written one: it is replaced by rename). */
  readCatalog(): Catalog {
    if (!this.checkVersion()) return emptyCatalog();
    let text: string;
    try {
      text = readFileSync(this.catalogPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyCatalog();
      throw e;
    }
    let c: Catalog;
    try {
      c = JSON.parse(text) as Catalog;
    } catch {
      throw new StoreError(`The image store catalog '${this.catalogPath}' is not valid JSON.`, 'StoreCatalogCorrupt', 'InvalidData', this.catalogPath);
    }
    if (!c || typeof c !== 'object' || !Array.isArray(c.images) || !Array.isArray(c.containers) || typeof c.layers !== 'object' || typeof c.blobs !== 'object') {
      throw new StoreError(`The image store catalog '${this.catalogPath}' is malformed.`, 'StoreCatalogCorrupt', 'InvalidData', this.catalogPath);
    }
    if (typeof c.schema === 'number' && c.schema > STORE_SCHEMA) throw new StoreVersionError(this.root, c.schema, STORE_SCHEMA);
    return c;
  }

  listImages(): ImageRecord[] {
    return this.readCatalog().images;
  }

  listContainers(): ContainerRecord[] {
    return this.readCatalog().containers;
  }

  /** By ImageId (full or a unique prefix of at least 12 hex digits) or FullName (case-insensitive). */
  findImage(idOrFullName: string, catalog = this.readCatalog()): ImageRecord | null {
    const key = idOrFullName.toLowerCase().replace(/^sha256:/, '');
    const byName = catalog.images.find((i) => fullNameOf(i).toLowerCase() === key);
    if (byName) return byName;
    if (/^[0-9a-f]{12,64}$/.test(key)) {
      const hits = catalog.images.filter((i) => i.imageId.startsWith(key));
      if (hits.length === 1) return hits[0];
    }
    return null;
  }

  async readLayer(layerId: string): Promise<LayerManifest> {
    const buf = await readFile(this.layerPath(layerId));
    const got = createHash('sha256').update(buf).digest('hex');
    if (got !== layerId) throw new StoreError(`The layer manifest '${this.layerPath(layerId)}' is corrupt (SHA-256 ${got}).`, 'LayerCorrupt', 'InvalidData', layerId);
    return JSON.parse(buf.toString('utf8')) as LayerManifest;
  }

  // ---- mutation framework ------------------------------------------------------------------

  /** Creates the store's folders and version file (under the lock). */
  private async initialise(): Promise<void> {
    await ensureDir(this.root);
    if (!this.checkVersion()) {
      await ensureDir(this.tmpDir);
      await atomicWrite(this.tmpDir, this.versionPath, JSON.stringify({ format: 'posh-containers-store', schema: STORE_SCHEMA }) + '\n');
    }
    await ensureDir(this.tmpDir);
    await ensureDir(this.blobsDir);
    await ensureDir(this.layersDir);
  }

  /**
   * Runs `fn` holding the store lock. A previous mutation that died (the `pending` marker is
   * still there) is cleaned up first: temp files and anything the catalog does not reference.
   */
  private async mutate<T>(fn: (lock: HeldLock) => Promise<T>, lockWaitMs?: number): Promise<T> {
    // The lock lives in the root, so the root must exist; creating it is harmless.
    await ensureDir(this.root);
    const lock = await acquireStoreLock(this.root, lockWaitMs);
    try {
      await this.initialise();
      if (await exists(this.pendingPath)) await this.sweep(this.readCatalog());
      try {
        return await fn(lock);
      } catch (e) {
        // A failed mutation never committed: drop what it wrote (blobs, packs, temp files, a
        // layer) — unless the lock was lost, when another process may be writing its own.
        if (!lock.compromised() && (await exists(this.pendingPath))) await this.sweep(this.readCatalog()).catch(() => undefined);
        throw e;
      }
    } finally {
      await lock.release();
    }
  }

  private async markPending(): Promise<void> {
    await atomicWrite(this.tmpDir, this.pendingPath, `${process.pid}\n`);
  }

  private async clearPending(): Promise<void> {
    await durableUnlink(this.pendingPath);
    syncDir(this.root);
  }

  private async commit(lock: HeldLock, c: Catalog): Promise<void> {
    const err = lock.compromised();
    if (err) throw new StoreError(`The image store lock was lost (${err.message}); nothing was changed.`, 'StoreLockLost', 'ResourceBusy', this.root);
    c.generation++;
    c.schema = STORE_SCHEMA;
    await atomicWrite(this.tmpDir, this.catalogPath, JSON.stringify(c));
  }

  private async blobDir(sha256: string): Promise<string> {
    const prefix = sha256.slice(0, 2);
    const dir = join(this.blobsDir, prefix);
    // One mkdir per folder even when blobs finish side by side (the crash tests count the steps).
    let made = this.knownPrefixes.get(prefix);
    if (!made) {
      made = ensureDir(dir);
      made.catch(() => this.knownPrefixes.delete(prefix));
      this.knownPrefixes.set(prefix, made);
    }
    await made;
    return dir;
  }

  /**
   * Writes one blob from pieces: temp file, SHA-256 (and SHA-1 unless given) while streaming,
   * fsync, rename to blobs/<aa>/<sha256>. Identical content already stored is kept, not duplicated.
   */
  private async writeBlob(pieces: AsyncIterable<Uint8Array>, expectSize: number, what: string, stored: Catalog['blobs']): Promise<{ sha256: string; sha1: string; size: number }> {
    const tmp = tempName(this.tmpDir, 'blob');
    const h256 = createHash('sha256');
    const h1 = createHash('sha1');
    let size = 0;
    await writeTemp(tmp, async (fh) => {
      for await (const p of pieces) {
        size += p.length;
        if (size > expectSize) throw new StoreInputError(`${what}: content is longer than its declared ${expectSize} bytes.`, what);
        h256.update(p);
        h1.update(p);
        step('write', tmp);
        await writeAll(fh, p);
      }
      if (size !== expectSize) throw new StoreInputError(`${what}: content has ${size} bytes, expected ${expectSize}.`, what);
    });
    const sha256 = h256.digest('hex');
    const final = join(await this.blobDir(sha256), sha256);
    // Content already in a pack, or in its own file, is not stored twice.
    if (stored[sha256]?.length === 5 || (await exists(final))) await durableUnlink(tmp);
    else await durableRename(tmp, final);
    return { sha256, sha1: h1.digest('hex'), size };
  }

  /** Writes a layer manifest (content-addressed) unless it exists; returns its id. */
  private async writeLayer(m: LayerManifest): Promise<string> {
    const text = JSON.stringify(m);
    const id = createHash('sha256').update(text).digest('hex');
    const path = this.layerPath(id);
    if (!(await exists(path))) await atomicWrite(this.tmpDir, path, text);
    return id;
  }


  /** Adds an image to the catalog in memory, counting references to its new layer's blobs. */
  private async addImage(c: Catalog, image: ImageRecord, ownLayer: { id: string; manifest: LayerManifest; size: number }, replacing: ImageRecord | null): Promise<{ freedLayers: string[]; freedBlobs: string[] }> {
    let freed: { freedLayers: string[]; freedBlobs: string[] } = { freedLayers: [], freedBlobs: [] };
    // Reference the new image's layers before dropping the old image, so shared ones survive.
    for (const l of image.layers) {
      const rec = c.layers[l];
      if (rec) rec.refs++;
      else {
        if (l !== ownLayer.id) throw new StoreError(`Layer ${l} is not in the store.`, 'LayerMissing', 'ObjectNotFound', l);
        c.layers[l] = { refs: 1, size: ownLayer.size };
        for (const b of blobsOf(ownLayer.manifest.entries)) c.blobs[b][2]++;
      }
    }
    const at = replacing ? c.images.findIndex((i) => i.imageId === replacing.imageId) : -1;
    if (replacing) freed = await this.dropImage(c, replacing);
    if (at >= 0) c.images.splice(at, 0, image);
    else c.images.push(image);
    return freed;
  }

  /** Removes an image from the catalog in memory; returns layers and blobs no longer referenced. */
  private async dropImage(c: Catalog, image: ImageRecord): Promise<{ freedLayers: string[]; freedBlobs: string[] }> {
    c.images = c.images.filter((i) => i.imageId !== image.imageId);
    const freedLayers: string[] = [];
    const freedBlobs: string[] = [];
    for (const l of image.layers) {
      const rec = c.layers[l];
      if (!rec) continue;
      rec.refs--;
      if (rec.refs > 0) continue;
      delete c.layers[l];
      freedLayers.push(l);
      let m: LayerManifest | null = null;
      try {
        m = await this.readLayer(l);
      } catch {
        m = null; // a missing or corrupt manifest: its blobs are found by the next sweep
      }
      if (!m) continue;
      for (const b of blobsOf(m.entries)) {
        const br = c.blobs[b];
        if (!br) continue;
        br[2]--;
        if (br[2] <= 0) {
          delete c.blobs[b];
          freedBlobs.push(b);
        }
      }
    }
    return { freedLayers, freedBlobs };
  }

  private dependents(c: Catalog, image: ImageRecord): { containers: ContainerRecord[]; children: ImageRecord[] } {
    return {
      containers: c.containers.filter((x) => x.imageId === image.imageId),
      children: c.images.filter((x) => x.parentImageId === image.imageId),
    };
  }

  /**
   * After the commit: deletes the files of freed blobs and layers. `before` is the catalog's blob
   * table before the change (the freed blobs' records); a pack file goes once no blob of `after`
   * is in it (a pack still holding live blobs keeps its dead ones until Optimize rewrites it).
   */
  private async deleteFreed(freed: { freedLayers: string[]; freedBlobs: string[] }, before: Record<string, BlobRecord>, after: Catalog): Promise<number> {
    let bytes = 0;
    const packs = new Set<string>();
    for (const b of freed.freedBlobs) {
      const rec = before[b];
      if (rec?.length === 5) {
        packs.add(rec[3]);
        continue;
      }
      bytes += rec?.[1] ?? 0;
      await durableUnlink(this.blobPath(b));
    }
    if (packs.size) {
      const live = livePacks(after);
      for (const id of packs) {
        if (live.has(id)) continue;
        const st = await stat(this.packPath(id)).catch(() => null);
        bytes += st?.size ?? 0;
        await durableUnlink(this.packPath(id));
      }
    }
    for (const l of freed.freedLayers) await durableUnlink(this.layerPath(l));
    return bytes;
  }

  // ---- import ------------------------------------------------------------------------------

  /**
   * Installs image 1 of a WIM archive (an index 2, a utility VM, is ignored) as a base OS image.
   * Everything is validated before the first blob is written; the catalog is written last.
   */
  async importWim(source: string | WimReader, opts: ImportOptions = {}): Promise<ImportResult> {
    const { openWim } = await import('../wim');
    const reader = typeof source === 'string' ? await openWim(source) : source;
    const wimPath = typeof source === 'string' ? source : reader.path;
    try {
      if (reader.images.length === 0) throw new StoreInputError(`Unable to get extract image information from '${wimPath}'.`, wimPath);
      if (reader.images.length > 2) throw new StoreInputError(`'${wimPath}' contains an unexpected number of images (${reader.images.length}).`, wimPath);
      const info = reader.images[0];
      const name = opts.name ?? info.name;
      const version = opts.version ?? info.version;
      const publisher = opts.publisher ?? info.publisher;
      const summary = opts.summary ?? info.description;
      if (!name) throw new StoreInputError(`'${wimPath}' does not name its image (IMAGE/NAME is empty).`, wimPath);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(version)) throw new StoreInputError(`'${wimPath}' has no image version (IMAGE/WINDOWS/VERSION).`, wimPath);
      if (/[\0\r\n]/.test(name + publisher)) throw new StoreInputError(`'${wimPath}' has an image name or publisher with control characters.`, wimPath);
      const entries = await reader.entryList(1);
      validateTree(entries, wimPath);
      for (const e of entries) {
        if (e.reparse && e.kind !== 'symlink' && e.reparse.data.length > REPARSE_MAX) throw new StoreInputError(`${wimPath}: entry '/${e.path.join('/')}' has oversized reparse data.`);
      }
      const created = info.creationTime > 0n ? filetimeIso(info.creationTime) : new Date().toISOString();

      return await this.mutate(async (lock) => {
        const c = this.readCatalog();
        const fullName = `${publisher}_${name}_${version}`;
        const existing = c.images.find((i) => fullNameOf(i).toLowerCase() === fullName.toLowerCase()) ?? null;
        if (existing && !opts.force) return { status: 'exists', image: existing };
        if (existing) {
          const d = this.dependents(c, existing);
          if (d.containers.length || d.children.length) throw new StoreDependencyError(existing, d.containers, d.children);
        }
        // Which blobs must be stored: those whose SHA-1 the store does not already hold.
        const bySha1 = new Map<string, string>();
        for (const [k, v] of Object.entries(c.blobs)) bySha1.set(v[0], k);
        const needed = new Map<string, number>();
        let bytesTotal = 0;
        let filesTotal = 0;
        const hashes = (e: WimEntry): { sha1: string; size: number }[] => [
          ...(e.sha1 ? [{ sha1: e.sha1, size: e.size }] : []),
          ...e.streams.filter((s) => s.sha1).map((s) => ({ sha1: s.sha1!, size: s.size })),
        ];
        for (const e of entries) {
          for (const h of hashes(e)) {
            filesTotal++;
            bytesTotal += h.size;
            if (!bySha1.has(h.sha1) && !needed.has(h.sha1)) needed.set(h.sha1, h.size);
          }
        }
        await this.markPending();
        let bytesDone = 0;
        let filesDone = 0;
        const report = (): void => opts.onProgress?.({ bytesDone, bytesTotal, filesDone, filesTotal });
        report();
        // Already-stored content counts as done at once.
        for (const e of entries) for (const h of hashes(e)) if (!needed.has(h.sha1)) {
          bytesDone += h.size;
          filesDone++;
        }
        const order = [...needed.keys()].sort((a, b) => (reader.blob(a)?.res.offset ?? 0) - (reader.blob(b)?.res.offset ?? 0));
        const sha256Of = new Map<string, string>(bySha1);
        const onBytes = (n: number, files: number): void => {
          bytesDone += n;
          filesDone += files;
          if (Date.now() - lastReport > 200) {
            lastReport = Date.now();
            report();
          }
        };
        let lastReport = 0;
        // An uncompressed archive (every needed blob stored raw) is copied into pack files by the
        // hash-and-copy workers; anything else streams through the reader's decoders into a file
        // per blob.
        const extents = order.map((sha1) => reader.rawExtent(sha1));
        let synced: string[];
        if (extents.every((x) => x !== null)) {
          const packed = await this.copyRawBlobs(order.map((sha1, k) => ({ sha1, offset: extents[k]!.offset, size: extents[k]!.size })), extents[0]?.fd ?? -1, onBytes);
          for (const w of packed) {
            sha256Of.set(w.sha1, w.sha256);
            if (!c.blobs[w.sha256]) c.blobs[w.sha256] = [w.sha1, w.size, 0, w.pack, w.at];
          }
          synced = [this.tmpDir, this.packsDir];
        } else {
          const written = await this.streamBlobs(reader, order, onBytes);
          for (const prefix of new Set(written.map((w) => w.sha256.slice(0, 2)))) await this.blobDir(prefix);
          // Renaming onto an existing blob of the same SHA-256 replaces identical content: harmless.
          await pool(written, 8, async (w) => durableRename(w.tmp, this.blobPath(w.sha256)));
          for (const w of written) {
            sha256Of.set(w.sha1, w.sha256);
            if (!c.blobs[w.sha256]) c.blobs[w.sha256] = [w.sha1, w.size, 0];
          }
          synced = [this.tmpDir, ...written.map((w) => join(this.blobsDir, w.sha256.slice(0, 2)))];
        }
        // The renames are made durable (each folder fsynced once) before the catalog that
        // references the blobs is committed.
        await syncDirs(synced);
        // Files sharing one SHA-1 count once above; count the rest as done too.
        filesDone = filesTotal;
        bytesDone = bytesTotal;
        report();
        const manifest = this.manifestFromWim(entries, sha256Of);
        const size = totalSize(manifest);
        const layerId = await this.writeLayer(manifest);
        const image: ImageRecord = {
          imageId: imageIdOf(fullName, null, [layerId]),
          name,
          publisher,
          version,
          summary,
          isOSImage: opts.isOSImage ?? true,
          parentImageId: null,
          layers: [layerId],
          size,
          fileCount: manifest.entries.filter((e) => e.kind === 'file').length,
          created,
        };
        const before = { ...c.blobs };
        const freed = await this.addImage(c, image, { id: layerId, manifest, size }, existing);
        await this.commit(lock, c);
        await this.deleteFreed(freed, before, c);
        await this.clearPending();
        return { status: existing ? 'replaced' : 'installed', image };
      });
    } finally {
      if (typeof source === 'string') await reader.close();
    }
  }

  /**
   * Stores blobs read through the reader's streaming path (compressed archives): the writes and
   * fsyncs are left running while the archive is read and hashed on; returns the temp files,
   * written and fsynced, for the caller to rename into place.
   */
  private async streamBlobs(reader: WimReader, order: string[], onBytes: (n: number, files: number) => void): Promise<{ sha1: string; tmp: string; sha256: string; size: number }[]> {
    type Open = { sha1: string; fh: FileHandle; tmp: string; h: ReturnType<typeof createHash>; size: number; writing: Promise<void> };
    type Written = { sha1: string; tmp: string; sha256: string; size: number; synced: Promise<void>; fh: FileHandle | null };
    let cur: Open | null = null;
    const written: Written[] = [];
    const syncing: Promise<void>[] = [];
    let inflight = 0;
    try {
      await reader.forEachBlob(order, async (sha1, piece, last) => {
        if (!cur) {
          const tmp = tempName(this.tmpDir, 'blob');
          cur = { sha1, fh: await createTemp(tmp), tmp, h: createHash('sha256'), size: 0, writing: Promise.resolve() };
        }
        const b: Open = cur;
        if (piece.length) {
          b.h.update(piece);
          const at = b.size;
          b.size += piece.length;
          step('write', b.tmp);
          inflight += piece.length;
          b.writing = b.writing.then(() => writeAt(b.fh, piece, at)).finally(() => {
            inflight -= piece.length;
          });
          b.writing.catch(() => undefined); // observed below
          if (inflight > MAX_INFLIGHT) await b.writing;
          onBytes(piece.length, 0);
        }
        if (!last) return;
        cur = null;
        // The first KEEP_OPEN files stay open for their fsync; later ones are closed and reopened.
        const keep = written.length < KEEP_OPEN;
        const synced = keep ? b.writing : b.writing.finally(() => b.fh.close());
        synced.catch(() => undefined); // observed below
        syncing.push(synced);
        written.push({ sha1, tmp: b.tmp, sha256: b.h.digest('hex'), size: b.size, synced, fh: keep ? b.fh : null });
        if (syncing.length > MAX_SYNCING) await syncing.shift();
        onBytes(0, 1);
      });
      await Promise.all(written.map((w) => w.synced));
      // fsync once everything is written: the kernel has been writing back meanwhile, and the
      // copy never waited behind an fsync in the thread pool.
      await pool(written, 4, async (w) => {
        step('fsync', w.tmp);
        const fh = w.fh ?? (await open(w.tmp, 'r'));
        w.fh = null;
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      });
    } catch (e) {
      // Let every write and close settle; the caller's sweep removes the temp files.
      const open = cur as Open | null;
      if (open) await open.writing.catch(() => undefined).then(() => open.fh.close()).catch(() => undefined);
      await Promise.allSettled(written.map((w) => w.synced));
      await Promise.allSettled(written.map((w) => w.fh?.close()));
      throw e;
    }
    return written;
  }

  /**
   * Stores the raw (uncompressed) blobs of an archive with the hash-and-copy workers
   * (core/store/hash-copy.ts): each blob's SHA-1 verified and SHA-256 computed while it is copied
   * into a pack file (one per worker, made in tmp/). The packs, fsynced, are renamed to
   * packs/<id>.pack (the folder not yet fsynced); until the catalog names their blobs they are
   * unreferenced, and a crash's sweep removes them. Returns where each blob went.
   */
  private async copyRawBlobs(jobs: HashCopyJob[], fd: number, onBytes: (n: number, files: number) => void): Promise<{ sha1: string; sha256: string; size: number; pack: string; at: number }[]> {
    const copied: { sha1: string; sha256: string; size: number; tmp: string; at: number }[] = [];
    const made: string[] = [];
    let packs: string[];
    try {
      packs = await hashCopy(fd, jobs, {
        packPath: () => {
          const tmp = tempName(this.tmpDir, 'pack');
          made.push(tmp);
          return tmp;
        },
        beforeCopy: (j) => step('copy', j.sha1),
        copied: (j, sha256, tmp, at) => {
          step('write', tmp);
          copied.push({ sha1: j.sha1, sha256, size: j.size, tmp, at });
          onBytes(j.size, 1);
        },
      });
    } catch (e) {
      await Promise.all(made.map((p) => rm(p, { force: true })));
      throw e;
    }
    const idOf = new Map<string, string>();
    if (packs.length) await ensureDir(this.packsDir);
    for (const tmp of packs) {
      const id = randomBytes(12).toString('hex');
      await durableRename(tmp, this.packPath(id));
      idOf.set(tmp, id);
    }
    return copied.map((w) => ({ sha1: w.sha1, sha256: w.sha256, size: w.size, pack: idOf.get(w.tmp)!, at: w.at }));
  }

  private manifestFromWim(entries: WimEntry[], sha256Of: Map<string, string>): LayerManifest {
    const sds: string[] = [];
    const sdIndex = new Map<string, number>();
    const out: LayerEntry[] = [];
    for (const e of entries) {
      const le: LayerEntry = {
        path: e.path.join('/'),
        kind: e.kind,
        attributes: e.attributes,
        times: [ftStr(e.times.creation), ftStr(e.times.lastAccess), ftStr(e.times.lastWrite)],
      };
      if (e.kind === 'file') {
        le.size = e.size;
        if (e.sha1) {
          le.sha1 = e.sha1;
          le.sha256 = sha256Of.get(e.sha1)!;
        }
      }
      if (e.securityDescriptor && e.securityDescriptor.length) {
        const k = e.securityDescriptor.toString('base64');
        let i = sdIndex.get(k);
        if (i === undefined) {
          i = sds.length;
          sds.push(k);
          sdIndex.set(k, i);
        }
        le.sd = i;
      }
      if (e.kind === 'symlink') {
        le.linkTarget = e.linkTarget;
        le.linkIsDirectory = (e.attributes & 0x10) !== 0;
      } else if (e.reparse) le.reparse = { tag: e.reparse.tag, data: e.reparse.data.toString('base64') };
      if (e.hardLinkGroup) le.hardLinkGroup = e.hardLinkGroup;
      if (e.streams.length) {
        le.streams = e.streams.map((s) => (s.sha1 ? { name: s.name, size: s.size, sha1: s.sha1, sha256: sha256Of.get(s.sha1)! } : { name: s.name, size: 0 }));
      }
      out.push(le);
    }
    return { schema: LAYER_SCHEMA, securityDescriptors: sds, entries: out };
  }

  /**
   * The record of an image made of its parent's layers plus one new layer: ImageId from the
   * FullName and the chain, size and file count of the merged tree, `created` as given (if it is a
   * date) or now.
   */
  private async layeredImage(
    meta: { name: string; publisher: string; version: string; summary?: string; isOSImage?: boolean; created?: string },
    parent: ImageRecord | null | undefined,
    layerId: string,
    manifest: LayerManifest,
  ): Promise<ImageRecord> {
    const layers = [...(parent?.layers ?? []), layerId];
    const flat = await this.flatten(layers, manifest, layerId);
    return {
      imageId: imageIdOf(fullNameOf(meta), parent?.imageId ?? null, layers),
      name: meta.name,
      publisher: meta.publisher,
      version: meta.version,
      summary: meta.summary ?? '',
      isOSImage: meta.isOSImage ?? !parent,
      parentImageId: parent?.imageId ?? null,
      layers,
      size: flat.reduce((n, x) => n + (x.entry.kind === 'file' ? (x.entry.size ?? 0) : 0), 0),
      fileCount: flat.filter((x) => x.entry.kind === 'file').length,
      created: meta.created && !Number.isNaN(Date.parse(meta.created)) ? new Date(meta.created).toISOString() : new Date().toISOString(),
    };
  }

  /**
   * Creates an image from a tree of entries with content (a derived image: parent + changes,
   * whiteouts for deletions). Used by New-ContainerImage and by tests.
   */
  async importEntries(
    meta: { name: string; publisher: string; version: string; summary?: string; parentImageId?: string | null; isOSImage?: boolean; force?: boolean },
    entries: AsyncIterable<StoreInputEntry> | Iterable<StoreInputEntry>,
  ): Promise<ImportResult> {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(meta.version)) throw new StoreInputError(`The version '${meta.version}' is not a four-part version.`, meta.version);
    const list: StoreInputEntry[] = [];
    for await (const e of entries) list.push(e);
    // Whiteouts name paths of the layers below; their parents need not be in this layer.
    validateTree(list.filter((e) => e.kind !== 'whiteout').map((e) => ({ path: e.path, kind: e.kind, size: e.size, linkTarget: e.linkTarget })), meta.name);
    for (const e of list) if (e.kind === 'whiteout') for (const seg of e.path) if (badSegment(seg)) throw new StoreInputError(`${meta.name}: entry '/${e.path.join('/')}': ${badSegment(seg)}.`);
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const fullName = `${meta.publisher}_${meta.name}_${meta.version}`;
      const existing = c.images.find((i) => fullNameOf(i).toLowerCase() === fullName.toLowerCase()) ?? null;
      if (existing && !meta.force) return { status: 'exists', image: existing };
      if (existing) {
        const d = this.dependents(c, existing);
        if (d.containers.length || d.children.length) throw new StoreDependencyError(existing, d.containers, d.children);
      }
      let parent: ImageRecord | null = null;
      if (meta.parentImageId) {
        parent = c.images.find((i) => i.imageId === meta.parentImageId) ?? null;
        if (!parent) throw new StoreError(`The parent image '${meta.parentImageId}' is not installed.`, 'ParentImageNotFound', 'ObjectNotFound', meta.parentImageId);
      }
      await this.markPending();
      const sds: string[] = [];
      const sdIndex = new Map<string, number>();
      const groups = new Map<string, LayerEntry>();
      const out: LayerEntry[] = [];
      for (const e of list) {
        const le: LayerEntry = { path: e.path.join('/'), kind: e.kind };
        if (e.attributes !== undefined) le.attributes = e.attributes;
        if (e.times) le.times = [ftStr(e.times.creation), ftStr(e.times.lastAccess), ftStr(e.times.lastWrite)];
        if (e.securityDescriptor?.length) {
          const k = e.securityDescriptor.toString('base64');
          let i = sdIndex.get(k);
          if (i === undefined) sdIndex.set(k, (i = sds.push(k) - 1));
          le.sd = i;
        }
        if (e.kind === 'symlink') {
          le.linkTarget = e.linkTarget;
          le.linkIsDirectory = !!e.linkIsDirectory;
        }
        if (e.kind === 'file') {
          le.size = e.size ?? 0;
          const first = e.hardLinkGroup ? groups.get(e.hardLinkGroup) : undefined;
          if (first) {
            le.sha1 = first.sha1;
            le.sha256 = first.sha256;
            le.size = first.size;
          } else if ((e.size ?? 0) > 0) {
            if (!e.content) throw new StoreInputError(`${meta.name}: file '/${le.path}' has no content.`);
            const b = await this.writeBlob(e.content(), e.size!, `/${le.path}`, c.blobs);
            le.sha1 = b.sha1;
            le.sha256 = b.sha256;
            if (!c.blobs[b.sha256]) c.blobs[b.sha256] = [b.sha1, b.size, 0];
          }
          if (e.hardLinkGroup) {
            le.hardLinkGroup = e.hardLinkGroup;
            if (!first) groups.set(e.hardLinkGroup, le);
          }
        }
        out.push(le);
      }
      const manifest: LayerManifest = { schema: LAYER_SCHEMA, securityDescriptors: sds, entries: out };
      const layerId = await this.writeLayer(manifest);
      const image = await this.layeredImage(meta, parent, layerId, manifest);
      const before = { ...c.blobs };
      const freed = await this.addImage(c, image, { id: layerId, manifest, size: totalSize(manifest) }, existing);
      await this.commit(lock, c);
      await this.deleteFreed(freed, before, c);
      await this.clearPending();
      return { status: existing ? 'replaced' : 'installed', image };
    });
  }

  /**
   * Imports a chain of single-layer images in one mutation (all or nothing): each step either
   * reuses an installed image (its `reuse` callback) or reads its layer's items into blobs and a
   * layer manifest over the previous step's image. Image records (and `tag`, a docker reference
   * moved to the last image as tagImage does) are committed together, last. Used by the OCI
   * bridge (core/store-oci) for `docker pull` and `docker load`.
   */
  async importLayerChain(steps: ChainStep[], opts: { tag?: string } = {}): Promise<ChainResult> {
    if (steps.length === 0) throw new StoreInputError('An image needs at least one layer.');
    for (const st of steps) {
      if (!st.meta.length) throw new StoreInputError('An image step has no name.');
      for (const m of st.meta) {
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(m.version)) throw new StoreInputError(`The version '${m.version}' is not a four-part version.`, m.version);
        if (!m.name || /[\0\r\n]/.test(m.name) || /[\0\r\n]/.test(m.publisher)) throw new StoreInputError(`The image name '${m.name}' is not valid.`, m.name);
      }
    }
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const images: ImageRecord[] = [];
      const created: boolean[] = [];
      let parent: ImageRecord | null = null;
      let pendingMarked = false;
      for (const st of steps) {
        const reused: ImageRecord | null = st.reuse ? await st.reuse(c.images, parent) : null;
        if (reused) {
          if ((reused.parentImageId ?? null) !== (parent?.imageId ?? null) || !c.images.some((i) => i.imageId === reused.imageId)) {
            throw new StoreError(`The image '${fullNameOf(reused)}' cannot be reused over this parent.`, 'ImageChainMismatch', 'InvalidData', reused.imageId);
          }
          images.push(reused);
          created.push(false);
          parent = reused;
          continue;
        }
        if (!pendingMarked) {
          await this.markPending();
          pendingMarked = true;
        }
        const { manifest, layerId } = await this.readChainLayer(c, st.entries(), st.meta[0].name);
        const layers = [...(parent?.layers ?? []), layerId];
        let chosen: ImageRecord | null = null;
        let meta: ChainImageMeta | null = null;
        for (const m of st.meta) {
          const fullName = fullNameOf(m);
          const id = imageIdOf(fullName, parent?.imageId ?? null, layers);
          const same = c.images.find((i) => fullNameOf(i).toLowerCase() === fullName.toLowerCase());
          if (same && same.imageId === id) {
            chosen = same;
            break;
          }
          if (!same) {
            meta = m;
            break;
          }
        }
        if (chosen) {
          images.push(chosen);
          created.push(false);
          parent = chosen;
          continue;
        }
        if (!meta) {
          throw new StoreError(`An image named '${fullNameOf(st.meta[0])}' is already installed with different content.`, 'ImageNameConflict', 'ResourceExists', fullNameOf(st.meta[0]));
        }
        const image = await this.layeredImage(meta, parent, layerId, manifest);
        if (meta.implicitReference === false) image.implicitReference = false;
        if (meta.diffId) image.diffId = meta.diffId;
        if (meta.os) image.os = meta.os;
        if (meta.architecture) image.architecture = meta.architecture;
        await this.addImage(c, image, { id: layerId, manifest, size: totalSize(manifest) }, null);
        images.push(image);
        created.push(true);
        parent = image;
      }
      const last = images[images.length - 1];
      const tagChanged = !!opts.tag && !last.tags?.includes(opts.tag);
      if (opts.tag && tagChanged) {
        for (const i of c.images) {
          if (i.imageId !== last.imageId && i.tags?.includes(opts.tag)) {
            i.tags = i.tags.filter((t) => t !== opts.tag);
            if (i.tags.length === 0) delete i.tags;
          }
        }
        const rec = c.images.find((i) => i.imageId === last.imageId)!;
        rec.tags = [...(rec.tags ?? []), opts.tag];
        images[images.length - 1] = rec;
      }
      if (created.some(Boolean) || tagChanged) await this.commit(lock, c);
      if (pendingMarked) await this.clearPending();
      return { images, created };
    });
  }

  /** Reads one layer of importLayerChain: blobs written as items arrive, then the manifest (validated). */
  private async readChainLayer(c: Catalog, items: AsyncIterable<ChainLayerItem>, what: string): Promise<{ manifest: LayerManifest; layerId: string }> {
    const sds: string[] = [];
    const sdIndex = new Map<string, number>();
    const groups = new Map<string, LayerEntry>();
    const out: LayerEntry[] = [];
    const kinds = new Set(['directory', 'file', 'symlink', 'whiteout']);
    // Files arrive one after the other in a stream. Small ones are read into memory and written by
    // up to WIDTH blob writes at once (at most BUDGET bytes held), so one fsync does not hold up the
    // next file; big ones are streamed to their blob in place. Hash values land when a write
    // completes: the keys are set (empty) when the entry arrives, so the manifest's key order,
    // hence the layer id, does not depend on which write finishes first.
    const WIDTH = 8;
    const SMALL = 4 << 20;
    const BUDGET = 64 << 20;
    const inflight = new Set<Promise<void>>();
    const all: Promise<void>[] = [];
    let inflightBytes = 0;
    const links: Array<{ le: LayerEntry; first: LayerEntry }> = [];
    const write = async (content: (() => AsyncIterable<Uint8Array>) | undefined, size: number, label: string, assign: (b: { sha256: string; sha1: string }) => void): Promise<void> => {
      if (!content) throw new StoreInputError(`${what}: file '${label}' has no content.`, label);
      const done = (b: { sha256: string; sha1: string; size: number }) => {
        if (!c.blobs[b.sha256]) c.blobs[b.sha256] = [b.sha1, b.size, 0];
        assign(b);
      };
      if (size > SMALL) {
        done(await this.writeBlob(content(), size, label, c.blobs));
        return;
      }
      const parts: Buffer[] = [];
      let n = 0;
      for await (const p of content()) {
        n += p.length;
        if (n > size) throw new StoreInputError(`${label}: content is longer than its declared ${size} bytes.`, label);
        parts.push(Buffer.from(p));
      }
      if (n !== size) throw new StoreInputError(`${label}: content has ${n} bytes, expected ${size}.`, label);
      while (inflight.size >= WIDTH || (inflight.size > 0 && inflightBytes + size > BUDGET)) await Promise.race(inflight);
      const data = Buffer.concat(parts);
      inflightBytes += size;
      const pr: Promise<void> = this.writeBlob((async function* () { yield data; })(), size, label, c.blobs)
        .then(done)
        .finally(() => {
          inflight.delete(pr);
          inflightBytes -= size;
        });
      pr.catch(() => undefined); // awaited below; this only keeps a failure from being "unhandled" meanwhile
      inflight.add(pr);
      all.push(pr);
    };
    try {
      for await (const item of items) {
        if ('stream' in item) {
          const owner = out[out.length - 1];
          if (!owner || owner.kind !== 'file') throw new StoreInputError(`${what}: a named stream follows no file.`);
          const s = item.stream;
          if (!s.name || /[\0/\\:]/.test(s.name)) throw new StoreInputError(`${what}: '/${owner.path}' has a stream with an invalid name.`, '/' + owner.path);
          if (!Number.isSafeInteger(s.size) || s.size < 0) throw new StoreInputError(`${what}: a stream of '/${owner.path}' has an invalid size.`, '/' + owner.path);
          const rec: { name: string; size: number; sha256?: string; sha1?: string } = { name: s.name, size: s.size };
          (owner.streams ??= []).push(rec);
          if (s.size > 0) {
            rec.sha1 = '';
            rec.sha256 = '';
            await write(s.content, s.size, `/${owner.path}:${s.name}`, (b) => {
              rec.sha1 = b.sha1;
              rec.sha256 = b.sha256;
            });
          }
          continue;
        }
        const le = item.entry;
        if (!le || typeof le.path !== 'string' || !kinds.has(le.kind)) throw new StoreInputError(`${what}: an entry has an invalid kind.`);
        if ('sd' in le) {
          if (!item.securityDescriptor?.length) throw new StoreInputError(`${what}: entry '/${le.path}' names a security descriptor it does not carry.`, '/' + le.path);
          const k = item.securityDescriptor.toString('base64');
          let i = sdIndex.get(k);
          if (i === undefined) sdIndex.set(k, (i = sds.push(k) - 1));
          le.sd = i;
        }
        if (le.times && !(Array.isArray(le.times) && le.times.length === 3 && le.times.every((t) => /^-?\d{1,20}$/.test(t)))) {
          throw new StoreInputError(`${what}: entry '/${le.path}' has invalid times.`, '/' + le.path);
        }
        if (le.attributes !== undefined && !(Number.isInteger(le.attributes) && le.attributes >= 0 && le.attributes <= 0xffffffff)) {
          throw new StoreInputError(`${what}: entry '/${le.path}' has invalid attributes.`, '/' + le.path);
        }
        if (le.reparse && (typeof le.reparse.data !== 'string' || Buffer.from(le.reparse.data, 'base64').length > REPARSE_MAX)) {
          throw new StoreInputError(`${what}: entry '/${le.path}' has an invalid reparse point.`, '/' + le.path);
        }
        if (le.kind === 'file') {
          if (le.streams?.length) throw new StoreInputError(`${what}: entry '/${le.path}' lists streams before they arrive.`, '/' + le.path);
          // A hard link names a file earlier in the layer; that file may have joined the group only
          // when its link arrived (a tar marks the link, not the first name), hence the scan.
          const g = le.hardLinkGroup;
          const first = g ? groups.get(g) ?? out.find((x) => x.kind === 'file' && x.hardLinkGroup === g) : undefined;
          if (first) {
            if ('size' in le) le.size = first.size;
            if ((first.size ?? 0) > 0) {
              le.sha1 = le.sha1 ?? '';
              le.sha256 = le.sha256 ?? '';
              links.push({ le, first });
            } else {
              delete le.sha1;
              delete le.sha256;
            }
          } else {
            const size = le.size ?? 0;
            if (!Number.isSafeInteger(size) || size < 0) throw new StoreInputError(`${what}: entry '/${le.path}' has an invalid size.`, '/' + le.path);
            if (size > 0) {
              le.sha1 = le.sha1 ?? '';
              le.sha256 = le.sha256 ?? '';
              await write(item.content, size, `/${le.path}`, (b) => {
                le.sha1 = b.sha1;
                le.sha256 = b.sha256;
              });
            } else {
              delete le.sha1;
              delete le.sha256;
            }
            if (le.hardLinkGroup) groups.set(le.hardLinkGroup, le);
          }
        } else {
          delete le.sha1;
          delete le.sha256;
        }
        out.push(le);
      }
      await Promise.all(all);
    } catch (e) {
      // Nothing may still be writing when the caller sweeps what this mutation left.
      await Promise.allSettled(all);
      throw e;
    }
    for (const { le, first } of links) {
      le.sha1 = first.sha1;
      le.sha256 = first.sha256;
    }
    // Whiteouts delete from the layers below only (OCI semantics), so they go first: flatten
    // applies a layer's entries in order. A stable partition keeps layers made here unchanged
    // (diffContainer already lists whiteouts first).
    const ordered = [...out.filter((e) => e.kind === 'whiteout'), ...out.filter((e) => e.kind !== 'whiteout')];
    out.length = 0;
    out.push(...ordered);
    const tree = out.filter((e) => e.kind !== 'whiteout').map((e) => ({ path: e.path === '' ? [] : e.path.split('/'), kind: e.kind, size: e.size, linkTarget: e.linkTarget }));
    validateTree(tree, what);
    for (const e of out) {
      if (e.kind !== 'whiteout') continue;
      if (e.path === '') throw new StoreInputError(`${what}: a whiteout of the image root.`, '/');
      for (const seg of e.path.split('/')) if (badSegment(seg)) throw new StoreInputError(`${what}: entry '/${e.path}': ${badSegment(seg)}.`, '/' + e.path);
    }
    const manifest: LayerManifest = { schema: LAYER_SCHEMA, securityDescriptors: sds, entries: out };
    const layerId = await this.writeLayer(manifest);
    return { manifest, layerId };
  }

  // ---- removal -----------------------------------------------------------------------------

  /** Removes an image (by record, ImageId or FullName). Refused while containers or child images depend on it. */
  async removeImage(image: ImageRecord | string): Promise<RemoveResult> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const key = typeof image === 'string' ? image : image.imageId;
      const rec = c.images.find((i) => i.imageId === key) ?? this.findImage(key, c);
      if (!rec) throw new StoreError(`The image '${typeof image === 'string' ? image : fullNameOf(image)}' is not installed.`, 'ImageNotFound', 'ObjectNotFound', key);
      const d = this.dependents(c, rec);
      if (d.containers.length || d.children.length) throw new StoreDependencyError(rec, d.containers, d.children);
      const before = { ...c.blobs };
      await this.markPending();
      const freed = await this.dropImage(c, rec);
      await this.commit(lock, c);
      const bytes = await this.deleteFreed(freed, before, c);
      await this.clearPending();
      return { image: rec, blobsRemoved: freed.freedBlobs.length, bytesFreed: bytes };
    });
  }

  // ---- containers ----------------------------------------------------------------------------

  /** The writable root of a container: containers/<containerId> under the store root. */
  containerPath(containerId: string): string {
    return join(this.containersDir, containerId);
  }

  /**
   * Creates a container of an installed image: materialises its writable root (see
   * core/store/containers.ts: reflink-or-copy from the blobs, never a hard link) in
   * containers/<id>.partial, renames it to containers/<id>, then commits the record. A crash
   * leaves only a directory the catalog does not name, which the next sweep removes.
   */
  async createContainer(spec: { name: string; imageId: string; runtimeType?: ContainerRecord['runtimeType'] }): Promise<ContainerRecord> {
    if (!spec.name || /[\/\0\r\n]/.test(spec.name)) throw new StoreInputError(`The container name '${spec.name}' is not valid.`, spec.name);
    const { materializeTree } = await import('./containers');
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const image = c.images.find((i) => i.imageId === spec.imageId);
      if (!image) throw new StoreError(`The image '${spec.imageId}' is not installed.`, 'ImageNotFound', 'ObjectNotFound', spec.imageId);
      if (c.containers.some((x) => x.name.toLowerCase() === spec.name.toLowerCase())) {
        throw new StoreError(`A container named '${spec.name}' already exists.`, 'ContainerExists', 'ResourceExists', spec.name);
      }
      const containerId = randomUUID();
      await this.markPending();
      await ensureDir(this.containersDir);
      const final = this.containerPath(containerId);
      const partial = `${final}.partial`;
      const flat = await this.flatten(image.layers);
      step('materialize', partial);
      await materializeTree(partial, flat.map((x) => x.entry), this.blobLocator(c));
      await durableRename(partial, final);
      const rec: ContainerRecord = {
        containerId,
        name: spec.name,
        imageId: image.imageId,
        state: 'Off',
        runtimeType: spec.runtimeType ?? 'Default',
        created: new Date().toISOString(),
        path: final,
      };
      c.containers.push(rec);
      await this.commit(lock, c);
      await this.clearPending();
      return rec;
    });
  }

  /**
   * A container's changes against its image, as importEntries input (whiteouts first), with
   * counts. Read-only; New-ContainerImage passes the entries to importEntries.
   */
  async diffContainer(containerId: string): Promise<{ container: ContainerRecord; image: ImageRecord; entries: StoreInputEntry[]; added: number; changed: number; deleted: number }> {
    const c = this.readCatalog();
    const container = c.containers.find((x) => x.containerId === containerId);
    if (!container) throw new StoreError(`The container '${containerId}' does not exist.`, 'ContainerNotFound', 'ObjectNotFound', containerId);
    const image = c.images.find((i) => i.imageId === container.imageId);
    if (!image) throw new StoreError(`The image '${container.imageId}' of the container '${container.name}' is not installed.`, 'ImageNotFound', 'ObjectNotFound', container.imageId);
    const path = container.path ?? this.containerPath(containerId);
    if (!(await exists(path))) throw new StoreError(`The root directory of the container '${container.name}' is missing (it was deleted outside posh).`, 'ContainerPathMissing', 'ObjectNotFound', path);
    const { diffTree } = await import('./containers');
    const flat = await this.flatten(image.layers);
    const d = await diffTree(path, flat.map((x) => x.entry));
    return { container, image, ...d };
  }


  /**
   * Points a `docker tag` reference (`repository:tag`) at an image: added to its `tags`, and
   * taken from the image that had it before (a reference names one image). Returns the image.
   */
  async tagImage(imageId: string, reference: string, options: { dropImplicitReference?: boolean } = {}): Promise<ImageRecord> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const rec = c.images.find((i) => i.imageId === imageId);
      if (!rec) throw new StoreError(`The image '${imageId}' is not installed.`, 'ImageNotFound', 'ObjectNotFound', imageId);
      for (const i of c.images) {
        if (i !== rec && i.tags?.includes(reference)) {
          i.tags = i.tags.filter((t) => t !== reference);
          if (i.tags.length === 0) delete i.tags;
        }
      }
      if (!rec.tags?.includes(reference)) rec.tags = [...(rec.tags ?? []), reference];
      if (options.dropImplicitReference) rec.implicitReference = false;
      await this.commit(lock, c);
      return rec;
    });
  }

  /** A value derived from a layer's content and remembered with rememberDerived, or null. */
  derivedOf(layerId: string, key: string): string | null {
    return this.readCatalog().layers[layerId]?.derived?.[key] ?? null;
  }

  /**
   * Remembers a value derived from a layer's content (see LayerRecord.derived): one small commit.
   * Nothing happens if the layer is no longer in the store. A cache, so it never waits: when the
   * store is locked (by another process, or by a mutation of this one that derived the value) it
   * fails at once with StoreLockedError, and the value is derived again another time.
   */
  async rememberDerived(layerId: string, key: string, value: string): Promise<void> {
    await this.mutate(async (lock) => {
      const c = this.readCatalog();
      const rec = c.layers[layerId];
      if (!rec || rec.derived?.[key] === value) return;
      rec.derived = { ...rec.derived, [key]: value };
      await this.commit(lock, c);
    }, 0);
  }

  /** Removes a `docker tag` reference from whichever image has it; returns that image, or null. */
  async untagImage(reference: string): Promise<ImageRecord | null> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const rec = c.images.find((i) => i.tags?.includes(reference));
      if (!rec) return null;
      rec.tags = rec.tags!.filter((t) => t !== reference);
      if (rec.tags.length === 0) delete rec.tags;
      await this.commit(lock, c);
      return rec;
    });
  }

  async addContainer(rec: ContainerRecord): Promise<ContainerRecord> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      if (!c.images.some((i) => i.imageId === rec.imageId)) throw new StoreError(`The image '${rec.imageId}' is not installed.`, 'ImageNotFound', 'ObjectNotFound', rec.imageId);
      if (c.containers.some((x) => x.containerId === rec.containerId || x.name.toLowerCase() === rec.name.toLowerCase())) {
        throw new StoreError(`A container named '${rec.name}' already exists.`, 'ContainerExists', 'ResourceExists', rec.name);
      }
      c.containers.push(rec);
      await this.commit(lock, c);
      return rec;
    });
  }

  async updateContainer(containerId: string, change: Partial<Pick<ContainerRecord, 'state' | 'path' | 'name' | 'started'>>): Promise<ContainerRecord> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const rec = c.containers.find((x) => x.containerId === containerId);
      if (!rec) throw new StoreError(`The container '${containerId}' does not exist.`, 'ContainerNotFound', 'ObjectNotFound', containerId);
      Object.assign(rec, change);
      await this.commit(lock, c);
      return rec;
    });
  }

  async removeContainer(containerId: string): Promise<ContainerRecord> {
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const rec = c.containers.find((x) => x.containerId === containerId);
      if (!rec) throw new StoreError(`The container '${containerId}' does not exist.`, 'ContainerNotFound', 'ObjectNotFound', containerId);
      c.containers = c.containers.filter((x) => x !== rec);
      // The record goes first (the commit); its directory after. A crash in between leaves a
      // directory no record names: `pending` makes the next mutation sweep it.
      await this.markPending();
      await this.commit(lock, c);
      await rm(this.containerPath(containerId), { recursive: true, force: true });
      await rm(`${this.containerPath(containerId)}.partial`, { recursive: true, force: true });
      await this.clearPending();
      return rec;
    });
  }

  // ---- export ------------------------------------------------------------------------------

  /** The image's tree with every layer applied (base first; whiteouts delete), parents before children. */
  async flatten(layers: string[], known?: LayerManifest, knownId?: string): Promise<{ entry: LayerEntry; sds: string[] }[]> {
    const map = new Map<string, { entry: LayerEntry; sds: string[] }>();
    for (const id of layers) {
      const m = id === knownId && known ? known : await this.readLayer(id);
      for (const e of m.entries) {
        if (e.kind === 'whiteout') {
          const pre = e.path + '/';
          map.delete(e.path);
          for (const k of [...map.keys()]) if (k.startsWith(pre)) map.delete(k);
          continue;
        }
        map.set(e.path, { entry: e, sds: m.securityDescriptors });
      }
    }
    const list = [...map.values()];
    list.sort((a, b) => comparePaths(a.entry.path, b.entry.path));
    return list;
  }

  /**
   * The image as WIM writer entries: content comes from the blobs, and each entry carries its
   * stored SHA-1 so the writer never hashes content twice.
   */
  async *exportEntries(image: ImageRecord, locate?: (sha256: string) => BlobLocation, flattened?: { entry: LayerEntry; sds: string[] }[]): AsyncGenerator<WimWriteEntry> {
    // fileContent (not a bare readFilePieces closure): the writer then reads small blobs ahead.
    const { fileContent } = await import('../wim');
    const flat = flattened ?? (await this.flatten(image.layers));
    const where = locate ?? this.blobLocator();
    const content = (sha256: string) => {
      const at = where(sha256);
      return fileContent(at.path, at.packed ? { offset: at.offset, size: at.size, fd: at.fd, borrow: at.borrow } : undefined);
    };
    for (const { entry: e, sds } of flat) {
      const w: WimWriteEntry = { path: e.path === '' ? [] : e.path.split('/'), kind: e.kind as 'directory' | 'file' | 'symlink' };
      if (e.attributes !== undefined) w.attributes = e.attributes;
      if (e.times) w.times = { creation: BigInt(e.times[0]), lastAccess: BigInt(e.times[1]), lastWrite: BigInt(e.times[2]) };
      if (e.sd !== undefined && sds[e.sd] !== undefined) w.securityDescriptor = Buffer.from(sds[e.sd], 'base64');
      if (e.kind === 'symlink') {
        w.linkTarget = e.linkTarget;
        w.linkIsDirectory = e.linkIsDirectory;
      } else if (e.reparse) w.reparse = { tag: e.reparse.tag, data: Buffer.from(e.reparse.data, 'base64') };
      if (e.kind === 'file') {
        if (e.hardLinkGroup) w.hardLinkGroup = e.hardLinkGroup;
        w.size = e.size ?? 0;
        if (e.sha256) {
          w.sha1 = e.sha1;
          w.content = content(e.sha256);
        }
        if (e.streams?.length) {
          w.streams = e.streams.map((s) => ({ name: s.name, size: s.size, sha1: s.sha1 ?? null, content: s.sha256 ? content(s.sha256) : () => emptyPieces() }));
        }
      }
      yield w;
    }
  }

  /** Writes an installed image as a single-image WIM at `wimPath` (flattened when derived). */
  async exportWim(image: ImageRecord, wimPath: string, opts: { compression?: 'none' | 'xpress' } = {}): Promise<{ path: string; size: number }> {
    const { createWim } = await import('../wim');
    const flat = await this.flatten(image.layers);
    // Opened before the archive is created: a missing pack fails the export with nothing written.
    const snapshot = this.openBlobSnapshot(blobsOf(flat.map((x) => x.entry)));
    try {
      const w = await createWim(wimPath, {
        compression: opts.compression ?? 'none',
        metadata: { name: image.name, description: image.summary, version: image.version, publisher: image.publisher },
      });
      try {
        await w.addAll(this.exportEntries(image, snapshot.locate, flat));
      } catch (e) {
        await w.abort();
        throw e;
      }
      const r = await w.finish();
      return { path: r.path, size: r.size };
    } finally {
      snapshot.close();
    }
  }

  // ---- checking and optimising -------------------------------------------------------------

  /** Checks every record and every blob's hashes; returns one problem per defect (none when healthy). */
  async check(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    let c: Catalog;
    try {
      c = this.readCatalog();
    } catch (e) {
      return [{ kind: e instanceof StoreVersionError ? 'Store' : 'Catalog', id: this.catalogPath, problem: (e as Error).message }];
    }
    if (!(await exists(this.root))) return problems;
    const lock = await acquireStoreLock(this.root);
    try {
      c = this.readCatalog();
      const pending = await exists(this.pendingPath);
      void pending; // an interrupted mutation leaves only unreferenced files: not a defect
      const expectLayerRefs = new Map<string, number>();
      const ids = new Set<string>();
      const names = new Set<string>();
      for (const i of c.images) {
        const fn = fullNameOf(i);
        if (!HEX64.test(i.imageId)) problems.push({ kind: 'Image', id: fn, problem: `The image id '${i.imageId}' is not a SHA-256.` });
        if (ids.has(i.imageId)) problems.push({ kind: 'Image', id: fn, problem: `The image id ${i.imageId} is listed twice.` });
        ids.add(i.imageId);
        if (names.has(fn.toLowerCase())) problems.push({ kind: 'Image', id: fn, problem: 'Two images have this FullName.' });
        names.add(fn.toLowerCase());
        if (i.imageId !== imageIdOf(fn, i.parentImageId, i.layers)) problems.push({ kind: 'Image', id: fn, problem: 'The image id does not match the image record.' });
        if (!Array.isArray(i.layers) || !i.layers.length) problems.push({ kind: 'Image', id: fn, problem: 'The image has no layers.' });
        for (const l of i.layers ?? []) expectLayerRefs.set(l, (expectLayerRefs.get(l) ?? 0) + 1);
      }
      for (const i of c.images) {
        const fn = fullNameOf(i);
        if (i.parentImageId) {
          const p = c.images.find((x) => x.imageId === i.parentImageId);
          if (!p) problems.push({ kind: 'Image', id: fn, problem: `The parent image ${i.parentImageId} is not in the store.` });
          else if (p.layers.some((l, k) => i.layers[k] !== l)) problems.push({ kind: 'Image', id: fn, problem: "The image's layers do not start with its parent's layers." });
        }
      }
      for (const ct of c.containers) {
        if (!ids.has(ct.imageId)) problems.push({ kind: 'Container', id: ct.name, problem: `The container's image ${ct.imageId} is not in the store.` });
        if (ct.path && !(await exists(ct.path))) problems.push({ kind: 'Container', id: ct.name, problem: `The container's root directory '${ct.path}' is missing.` });
      }
      const expectBlobRefs = new Map<string, number>();
      for (const [l, n] of expectLayerRefs) {
        const rec = c.layers[l];
        if (!rec) problems.push({ kind: 'Layer', id: l, problem: 'The layer is used by an image but missing from the catalog.' });
        else if (rec.refs !== n) problems.push({ kind: 'Layer', id: l, problem: `The layer's reference count is ${rec.refs}, expected ${n}.` });
        let m: LayerManifest;
        try {
          m = await this.readLayer(l);
        } catch (e) {
          problems.push({ kind: 'Layer', id: l, problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'The layer manifest is missing.' : (e as Error).message });
          continue;
        }
        for (const b of blobsOf(m.entries)) expectBlobRefs.set(b, (expectBlobRefs.get(b) ?? 0) + 1);
        for (const e of m.entries) {
          if (e.sha256 && c.blobs[e.sha256] && (c.blobs[e.sha256][0] !== e.sha1 || c.blobs[e.sha256][1] !== e.size)) {
            problems.push({ kind: 'Layer', id: l, problem: `The entry '/${e.path}' disagrees with the catalog on blob ${e.sha256}.` });
          }
        }
      }
      for (const l of Object.keys(c.layers)) if (!expectLayerRefs.has(l)) problems.push({ kind: 'Layer', id: l, problem: 'The catalog lists a layer no image uses.' });
      for (const [b, n] of expectBlobRefs) {
        const rec = c.blobs[b];
        if (!rec) problems.push({ kind: 'Blob', id: b, problem: 'The blob is used by a layer but missing from the catalog.' });
        else if (rec[2] !== n) problems.push({ kind: 'Blob', id: b, problem: `The blob's reference count is ${rec[2]}, expected ${n}.` });
      }
      const locate = this.blobLocator(c);
      for (const [b, rec] of Object.entries(c.blobs)) {
        if (!expectBlobRefs.has(b)) problems.push({ kind: 'Blob', id: b, problem: 'The catalog lists a blob no layer uses.' });
        const at = locate(b);
        let got: { sha256: string; sha1: string; size: number };
        try {
          got = await hashFile(at.path, at.offset, at.packed ? at.size : Infinity);
        } catch (e) {
          const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
          problems.push({ kind: 'Blob', id: b, problem: missing ? `The ${at.packed ? 'pack' : 'blob'} file '${at.path}' is missing.` : (e as Error).message });
          continue;
        }
        if (got.size !== rec[1]) problems.push({ kind: 'Blob', id: b, problem: `The blob has ${got.size} bytes, expected ${rec[1]}.` });
        if (got.sha256 !== b) problems.push({ kind: 'Blob', id: b, problem: `The blob's content has SHA-256 ${got.sha256}.` });
        else if (got.sha1 !== rec[0]) problems.push({ kind: 'Blob', id: b, problem: `The blob's SHA-1 is ${got.sha1}, the catalog says ${rec[0]}.` });
      }
    } finally {
      await lock.release();
    }
    return problems;
  }

  /** Removes temp files and every blob and layer the catalog does not reference. */
  async optimize(): Promise<OptimizeResult> {
    if (!(await exists(this.root))) return { blobsRemoved: 0, layersRemoved: 0, tempFilesRemoved: 0, bytesFreed: 0 };
    return this.mutate(async (lock) => {
      const c = this.readCatalog();
      const r = await this.sweep(c);
      r.bytesFreed += await this.repack(lock, c);
      return r;
    });
  }

  /**
   * Under the lock: each pack file holding blobs no longer in the catalog (its image was removed
   * while another image still uses some of its blobs) is rewritten as a new pack of its live
   * blobs; the catalog is committed pointing at the new packs, then the old ones go. Returns the
   * bytes freed.
   */
  private async repack(lock: HeldLock, c: Catalog): Promise<number> {
    const members = new Map<string, string[]>();
    const packed = c.blobs as Record<string, PackedBlobRecord>;
    for (const [b, rec] of Object.entries(c.blobs)) {
      if (rec.length !== 5) continue;
      const list = members.get(rec[3]);
      if (list) list.push(b);
      else members.set(rec[3], [b]);
    }
    const alignUp = (n: number): number => Math.ceil(n / PACK_ALIGN) * PACK_ALIGN;
    const replaced: string[] = [];
    let freed = 0;
    for (const [id, blobs] of members) {
      const st = await stat(this.packPath(id)).catch(() => null);
      if (!st) continue; // missing: Test-ContainerImageStore reports it
      // A pack's blobs lie side by side, each starting on a PACK_ALIGN boundary.
      if (blobs.reduce((n, b) => n + alignUp(packed[b][1]), 0) >= alignUp(st.size)) continue;
      if (!replaced.length) await this.markPending();
      blobs.sort((x, y) => packed[x][4] - packed[y][4]);
      const tmp = tempName(this.tmpDir, 'pack');
      const placed: [string, number][] = [];
      let end = 0;
      await writeTemp(tmp, async (out) => {
        const src = await open(this.packPath(id), 'r');
        try {
          for (const b of blobs) {
            const at = alignUp(end);
            step('write', tmp);
            await copyRange(src, packed[b][4], packed[b][1], out, at);
            placed.push([b, at]);
            end = at + packed[b][1];
          }
        } finally {
          await src.close();
        }
      });
      const newId = randomBytes(12).toString('hex');
      await durableRename(tmp, this.packPath(newId));
      for (const [b, at] of placed) c.blobs[b] = [packed[b][0], packed[b][1], packed[b][2], newId, at];
      replaced.push(id);
      freed += st.size - end;
    }
    if (!replaced.length) return 0;
    await syncDirs([this.tmpDir, this.packsDir]);
    await this.commit(lock, c);
    for (const id of replaced) await durableUnlink(this.packPath(id));
    await this.clearPending();
    return freed;
  }

  /** Under the lock: deletes what the committed catalog does not reference, then clears `pending`. */
  private async sweep(c: Catalog): Promise<OptimizeResult> {
    const r: OptimizeResult = { blobsRemoved: 0, layersRemoved: 0, tempFilesRemoved: 0, bytesFreed: 0 };
    // Temp files of other processes may be in use (a download runs without the store lock; see
    // staleTemp): only those whose owner is gone, or that nobody has written for a long time, go.
    const now = Date.now();
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const p = join(this.tmpDir, name);
      const st = await lstat(p).catch(() => null);
      if (!st || !staleTemp(name, st.mtimeMs, now)) continue;
      if (st.isDirectory()) {
        step('unlink', p);
        await rm(p, { recursive: true, force: true });
      } else await durableUnlink(p);
      r.tempFilesRemoved++;
      r.bytesFreed += st.size;
    }
    for (const prefix of await readdir(this.blobsDir).catch(() => [] as string[])) {
      const dir = join(this.blobsDir, prefix);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        // A file whose content the catalog has in a pack is a second copy (left by an older posh).
        if (c.blobs[name] && c.blobs[name].length !== 5) continue;
        const p = join(dir, name);
        const st = await stat(p).catch(() => null);
        if (!st) continue;
        await durableUnlink(p);
        r.blobsRemoved++;
        r.bytesFreed += st.size;
      }
    }
    const packs = livePacks(c);
    for (const name of await readdir(this.packsDir).catch(() => [] as string[])) {
      if (packs.has(name.replace(/\.pack$/, ''))) continue;
      const p = join(this.packsDir, name);
      const st = await stat(p).catch(() => null);
      if (!st) continue;
      await durableUnlink(p);
      r.bytesFreed += st.size;
    }
    for (const name of await readdir(this.layersDir).catch(() => [] as string[])) {
      const id = name.replace(/\.json$/, '');
      if (c.layers[id]) continue;
      const p = join(this.layersDir, name);
      const st = await stat(p).catch(() => null);
      if (!st) continue;
      await durableUnlink(p);
      r.layersRemoved++;
      r.bytesFreed += st.size;
    }
    // Container roots no record names (a create or remove that died half-way).
    const live = new Set(c.containers.map((x) => x.containerId));
    for (const name of await readdir(this.containersDir).catch(() => [] as string[])) {
      if (live.has(name)) continue;
      step('unlink', name);
      await rm(join(this.containersDir, name), { recursive: true, force: true });
    }
    // Lock directories a killed process was moving out of the way (lock.ts: discard / release).
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (!name.startsWith('store.lock.lock-gone-')) continue;
      step('unlink', name);
      await rm(join(this.root, name), { recursive: true, force: true });
    }
    if (await exists(this.pendingPath)) await this.clearPending();
    return r;
  }

  /** Bytes the store's files occupy on disk (blobs, packs, layers, catalog), for reports and tests. */
  async diskUsage(): Promise<number> {
    let n = 0;
    const add = async (p: string) => {
      const st = await stat(p).catch(() => null);
      if (st) n += st.blocks * 512;
    };
    for (const prefix of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const name of await readdir(join(this.blobsDir, prefix)).catch(() => [] as string[])) await add(join(this.blobsDir, prefix, name));
    }
    for (const name of await readdir(this.packsDir).catch(() => [] as string[])) await add(join(this.packsDir, name));
    for (const name of await readdir(this.layersDir).catch(() => [] as string[])) await add(join(this.layersDir, name));
    await add(this.catalogPath);
    return n;
  }
}

async function* emptyPieces(): AsyncGenerator<Uint8Array> {
  // an empty stream
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** A temp file nobody writes for this long is stale whoever owns it (a reused pid cannot keep it forever). */
export const TEMP_IDLE_LIMIT_MS = 24 * 3600 * 1000;

/**
 * Whether a file of tmp/ may be removed by a sweep (which runs under the store lock). Temp names
 * carry their owner's pid after the first dash (`blob-<pid>-<random>-<n>.tmp` from tempName,
 * `download-<pid>-<random>.wim` from the provider's download):
 * - this process's own store temp files (tempName's prefix): yes — sweeps run under the lock,
 *   between or after this process's mutations, when none of them is being written;
 * - another process's: when that process is gone (kill(pid, 0) fails with ESRCH), or the file has
 *   not been written for TEMP_IDLE_LIMIT_MS;
 * - anything else (this process's other files, such as a download being imported, or a name
 *   without an owner): only when idle that long.
 */
export function staleTemp(name: string, mtimeMs: number, now = Date.now()): boolean {
  if (isOwnTemp(name)) return true;
  const idle = now - mtimeMs > TEMP_IDLE_LIMIT_MS;
  const m = /^[A-Za-z]+-(\d+)-/.exec(name);
  const pid = m ? Number(m[1]) : 0;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return idle;
  return idle || !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Bytes of blob data handed to the file system and not yet written, and files not yet closed. */
const MAX_INFLIGHT = 32 << 20;
/** Blob files kept open from their write to their fsync (the rest are reopened). */
const KEEP_OPEN = 512;
const MAX_SYNCING = 64;

async function writeAt(fh: FileHandle, p: Uint8Array, at: number): Promise<void> {
  let off = 0;
  while (off < p.length) {
    const { bytesWritten } = await fh.write(p, off, p.length - off, at + off);
    off += bytesWritten;
  }
}

async function writeAll(fh: FileHandle, p: Uint8Array): Promise<void> {
  let off = 0;
  while (off < p.length) {
    const { bytesWritten } = await fh.write(p, off, p.length - off);
    off += bytesWritten;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Hashes `length` bytes of a file from `offset` (to the end when Infinity); `size` is what was read. */
async function hashFile(p: string, offset = 0, length = Infinity): Promise<{ sha256: string; sha1: string; size: number }> {
  const fh = await open(p, 'r');
  try {
    const h256 = createHash('sha256');
    const h1 = createHash('sha1');
    const buf = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    while (size < length) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - size), offset + size);
      if (!bytesRead) break;
      h256.update(buf.subarray(0, bytesRead));
      h1.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: h256.digest('hex'), sha1: h1.digest('hex'), size };
  } finally {
    await fh.close();
  }
}

/** The blobs (SHA-256) entries reference: file contents and named streams. */
export function blobsOf(entries: LayerEntry[]): Set<string> {
  const s = new Set<string>();
  for (const e of entries) {
    if (e.sha256) s.add(e.sha256);
    for (const st of e.streams ?? []) if (st.sha256) s.add(st.sha256);
  }
  return s;
}

/** Pack ids the catalog's blobs are in. */
function livePacks(c: Catalog): Set<string> {
  const s = new Set<string>();
  for (const rec of Object.values(c.blobs)) if (rec.length === 5) s.add(rec[3]);
  return s;
}

/**
 * Where a blob's bytes are: a file of its own (offset 0, the whole file) or `size` bytes of a pack
 * from `offset`; `fd` is the pack open already (a snapshot's), to read instead of `path`, through
 * `borrow` (see FileRange in core/wim).
 */
export interface BlobLocation {
  path: string;
  offset: number;
  size: number;
  packed: boolean;
  fd?: number;
  borrow?: () => () => void;
}

/** A stream of a blob's bytes (not for an empty blob). */
export function openBlobStream(at: BlobLocation): Readable {
  if (!at.packed) return createReadStream(at.path);
  if (at.fd === undefined) return createReadStream(at.path, { start: at.offset, end: at.offset + at.size - 1 });
  // A ReadStream would close the borrowed descriptor when destroyed; readFilePieces never does.
  return Readable.from(
    (async function* () {
      const { readFilePieces } = await import('../wim');
      yield* readFilePieces(at.path, undefined, { offset: at.offset, size: at.size, fd: at.fd, borrow: at.borrow });
    })(),
    { objectMode: false },
  );
}

function totalSize(m: LayerManifest): number {
  let n = 0;
  for (const e of m.entries) if (e.kind === 'file') n += e.size ?? 0;
  return n;
}

function comparePaths(a: string, b: string): number {
  const x = a === '' ? [] : a.split('/');
  const y = b === '' ? [] : b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** The image id: SHA-256 of its FullName, parent id and layer ids. */
export function imageIdOf(fullName: string, parentImageId: string | null, layers: string[]): string {
  return createHash('sha256').update(JSON.stringify({ fullName, parent: parentImageId, layers })).digest('hex');
}

function filetimeIso(t: bigint): string {
  const ms = Number((t - 116444736000000000n) / 10000n);
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date().toISOString();
}

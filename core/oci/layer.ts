// Layer tarballs (OCI image spec "Image Layer Filesystem Changeset"): written deterministically
// from a stream of entries, read back (plain or gzip) into entries with every path validated.
//
// Deletions are whiteouts: an empty file `.wh.<name>` beside the deleted name; an opaque
// directory (its lower content hidden) holds `.wh..wh..opq`. On read those become
// `{ type: 'whiteout', path }` / `{ type: 'opaque', path }` with the path of the deleted name or
// of the directory.

import { createGunzip, createGzip, constants as zc } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { HostileEntryError, OciError, OciFormatError } from './errors';
import { readTar, tarStream, type TarHeader, type TarWriteEntry } from './tar';
import { DigestTransform, type Digest } from './digest';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** Content of a file entry: bytes, a string (UTF-8), a stream, or a function opening one. */
export type FileContent = Uint8Array | string | AsyncIterable<Uint8Array> | (() => AsyncIterable<Uint8Array>);

/**
 * Per-entry extras: `mtime` (seconds; overrides the layer's fixed time when the caller wants real
 * times) and PAX records, e.g. Windows layers' `MSWINDOWS.fileattr` / `MSWINDOWS.rawsd`.
 */
export interface EntryExtras {
  mtime?: number;
  pax?: Record<string, string>;
}

export type LayerEntry =
  | ({ type: 'directory'; path: string; mode?: number } & EntryExtras)
  | ({ type: 'file'; path: string; size: number; content: FileContent; mode?: number } & EntryExtras)
  | ({ type: 'symlink'; path: string; target: string } & EntryExtras)
  | ({ type: 'hardlink'; path: string; target: string } & EntryExtras)
  | { type: 'whiteout'; path: string }
  | { type: 'opaque'; path: string };

/** What the reader yields; file content is single-use and must be read before the next entry. */
export type ReadLayerEntry =
  | { type: 'directory'; path: string; mode: number; mtime: number; uid: number; gid: number; pax?: Record<string, string> }
  | { type: 'file'; path: string; size: number; mode: number; mtime: number; uid: number; gid: number; content: AsyncIterable<Buffer>; pax?: Record<string, string> }
  | { type: 'symlink'; path: string; target: string; mtime: number }
  | { type: 'hardlink'; path: string; target: string }
  | { type: 'whiteout'; path: string }
  | { type: 'opaque'; path: string }
  | { type: 'char' | 'block' | 'fifo'; path: string; mode: number };

export interface WriteLayerOptions {
  /** Modification time written for every entry (seconds since the epoch). Default 0. */
  mtime?: number;
  /** Owner written for every entry. Default 0/0, no user or group names. */
  uid?: number;
  gid?: number;
}

/**
 * Checks and normalises a layer path: relative, '/'-separated, no '.', '..' or empty components,
 * no NUL. `./a/b/` → `a/b`. Throws HostileEntryError naming the entry.
 */
export function normalizeLayerPath(raw: string, entry = raw): string {
  if (raw.includes('\0')) throw new HostileEntryError(entry, 'the path contains a NUL byte');
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw) || raw.startsWith('\\'))
    throw new HostileEntryError(entry, 'absolute paths are not allowed in a layer');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  for (const p of parts) {
    if (p === '..' || p.split('\\').includes('..')) throw new HostileEntryError(entry, "the path climbs out of the layer root with '..'");
  }
  if (parts.length === 0) return '';
  return parts.join('/');
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Resolves a relative symlink target against the link's directory; null when it climbs above the root. */
function resolveInside(dir: string, target: string): string | null {
  const out = dir ? dir.split('/') : [];
  for (const p of target.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

function contentOf(c: FileContent): AsyncIterable<Uint8Array> | Uint8Array {
  if (typeof c === 'string') return Buffer.from(c, 'utf8');
  if (typeof c === 'function') return c();
  return c;
}

/**
 * The tar bytes of a layer, streamed. Entries are written in the order given, each with the fixed
 * mtime/uid/gid of `opts`, so the same entries always give the same bytes (and digest).
 * A whiteout entry writes `<dir>/.wh.<name>`; an opaque entry writes `<dir>/.wh..wh..opq`.
 */
export function writeLayer(entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>, opts: WriteLayerOptions = {}): Readable {
  const mtime = opts.mtime ?? 0;
  const uid = opts.uid ?? 0;
  const gid = opts.gid ?? 0;
  async function* headers(): AsyncGenerator<TarWriteEntry> {
    for await (const e of entries as AsyncIterable<LayerEntry>) {
      const path = normalizeLayerPath(e.path);
      if (path === '' && e.type !== 'directory' && e.type !== 'opaque') throw new HostileEntryError(e.path, 'an entry needs a name');
      const extras = e as EntryExtras;
      const base: TarHeader = { name: path, type: 'file', mode: 0o644, uid, gid, size: 0, mtime: extras.mtime ?? mtime, linkname: '', uname: '', gname: '' };
      if (extras.pax && Object.keys(extras.pax).length) {
        for (const k of Object.keys(extras.pax)) {
          if (!/^[^=\n\0]+$/.test(k) || /[\n\0]/.test(extras.pax[k])) throw new OciError('InvalidEntry', `${path}: invalid PAX record ${JSON.stringify(k)}`);
        }
        // sorted, so the same records always give the same bytes
        base.pax = Object.fromEntries(Object.entries(extras.pax).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      switch (e.type) {
        case 'directory':
          if (path === '') continue;
          yield { header: { ...base, name: path + '/', type: 'directory', mode: e.mode ?? 0o755 } };
          break;
        case 'file':
          if (!Number.isSafeInteger(e.size) || e.size < 0) throw new OciError('InvalidEntry', `${path}: invalid size ${e.size}`);
          yield { header: { ...base, mode: e.mode ?? 0o644, size: e.size }, content: contentOf(e.content) };
          break;
        case 'symlink':
          if (e.target.startsWith('/') ? false : resolveInside(parentOf(path), e.target) === null)
            throw new HostileEntryError(path, `symlink target ${JSON.stringify(e.target)} escapes the layer root`);
          yield { header: { ...base, type: 'symlink', mode: 0o777, linkname: e.target } };
          break;
        case 'hardlink':
          yield { header: { ...base, type: 'hardlink', linkname: normalizeLayerPath(e.target, path) } };
          break;
        case 'whiteout': {
          const dir = parentOf(path);
          const name = WHITEOUT_PREFIX + baseOf(path);
          yield { header: { ...base, name: dir ? `${dir}/${name}` : name, mode: 0o644 } };
          break;
        }
        case 'opaque':
          yield { header: { ...base, name: path ? `${path}/${OPAQUE_WHITEOUT}` : OPAQUE_WHITEOUT, mode: 0o644 } };
          break;
        default:
          throw new OciError('InvalidEntry', `unknown layer entry type ${(e as { type: string }).type}`);
      }
    }
  }
  return tarStream(headers(), 'layer');
}

/** gzip of a stream (default level); deterministic for the same input and zlib. */
export function gzipStream(source: Readable): Readable {
  const gz = createGzip({ level: zc.Z_DEFAULT_COMPRESSION });
  source.on('error', (err) => gz.destroy(err));
  return source.pipe(gz);
}

/** Writes a layer to a file and returns its digest and size (and the uncompressed digest when gzip). */
export async function writeLayerFile(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  file: string,
  opts: WriteLayerOptions & { gzip?: boolean } = {},
): Promise<{ digest: Digest; size: number; diffId: Digest; mediaType: string }> {
  const tar = writeLayer(entries, opts);
  const diff = new DigestTransform();
  const blob = new DigestTransform();
  if (opts.gzip) await pipeline(tar, diff, createGzip(), blob, createWriteStream(file));
  else await pipeline(tar, diff, blob, createWriteStream(file));
  return {
    digest: blob.digest,
    size: blob.size,
    diffId: diff.digest,
    mediaType: opts.gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
  };
}

/**
 * Undoes gzip when the stream starts with the gzip magic, passes plain tar through; zstd and other
 * compressions are refused with a clear error.
 */
export function maybeGunzip(source: AsyncIterable<Uint8Array>, label: string): AsyncIterable<Buffer> {
  return (async function* () {
    const it = source[Symbol.asyncIterator]();
    let first: Buffer = Buffer.alloc(0);
    let r = await it.next();
    while (!r.done && first.length < 4) {
      first = Buffer.concat([first, Buffer.from(r.value)]);
      if (first.length < 4) r = await it.next();
      else break;
    }
    const ended = r.done === true;
    async function* all(): AsyncGenerator<Buffer> {
      if (first.length) yield first;
      if (ended) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield Buffer.from(n.value);
      }
    }
    if (first[0] === 0x1f && first[1] === 0x8b) {
      const src = Readable.from(all());
      const gz = createGunzip();
      src.on('error', (err) => gz.destroy(err));
      try {
        yield* src.pipe(gz) as AsyncIterable<Buffer>;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (typeof code === 'string' && code.startsWith('Z_')) throw new OciFormatError(`${label}: gzip data is corrupt: ${(err as Error).message}`);
        throw err;
      } finally {
        src.destroy();
      }
    } else if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) {
      throw new OciFormatError(`${label}: zstd-compressed layers are not supported`);
    } else {
      yield* all();
    }
  })();
}

export interface ReadLayerOptions {
  /** Names the layer in errors (e.g. its digest). */
  label?: string;
  /**
   * Absolute symlink targets are resolved against the layer root by container runtimes and are
   * common in real images; 'allow' (default) reports them as they are, 'reject' refuses them.
   */
  absoluteSymlinks?: 'allow' | 'reject';
}

/**
 * Reads a layer tar (plain or gzip) into entries. Refused with HostileEntryError naming the entry:
 * absolute paths, '..' components, symlinks whose relative target climbs above the layer root,
 * hard links to such paths or to names not earlier in the layer, and any entry whose path passes
 * through a symlink earlier in the same layer.
 */
export async function* readLayer(source: AsyncIterable<Uint8Array>, opts: ReadLayerOptions = {}): AsyncGenerator<ReadLayerEntry> {
  const label = opts.label ?? 'layer';
  const symlinks = new Set<string>();
  const seen = new Set<string>();
  for await (const { header: h, content } of readTar(maybeGunzip(source, label), label)) {
    const path = normalizeLayerPath(h.name, h.name);
    if (path === '') {
      if (h.type === 'directory') continue;
      throw new HostileEntryError(h.name, 'an entry needs a name');
    }
    // no component of the parent may be a symlink defined earlier in this layer
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (symlinks.has(prefix)) throw new HostileEntryError(h.name, `its parent ${JSON.stringify(prefix)} is a symlink in the same layer`);
    }
    const base = baseOf(path);
    const dir = parentOf(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (h.type !== 'file') throw new HostileEntryError(h.name, 'a whiteout must be a plain file');
      if (base === OPAQUE_WHITEOUT) {
        yield { type: 'opaque', path: dir };
      } else {
        const name = base.slice(WHITEOUT_PREFIX.length);
        if (name === '' || name === '.' || name === '..') throw new HostileEntryError(h.name, 'whiteout of an invalid name');
        yield { type: 'whiteout', path: dir ? `${dir}/${name}` : name };
      }
      seen.add(path);
      continue;
    }
    symlinks.delete(path);
    switch (h.type) {
      case 'directory':
        yield { type: 'directory', path, mode: h.mode & 0o7777, mtime: h.mtime, uid: h.uid, gid: h.gid, ...(h.pax ? { pax: h.pax } : {}) };
        break;
      case 'file':
        yield { type: 'file', path, size: h.size, mode: h.mode & 0o7777, mtime: h.mtime, uid: h.uid, gid: h.gid, content, ...(h.pax ? { pax: h.pax } : {}) };
        break;
      case 'symlink': {
        const t = h.linkname;
        if (t === '') throw new HostileEntryError(h.name, 'symlink with an empty target');
        if (t.includes('\0')) throw new HostileEntryError(h.name, 'symlink target contains a NUL byte');
        if (t.startsWith('/')) {
          if (opts.absoluteSymlinks === 'reject') throw new HostileEntryError(h.name, `symlink to the absolute path ${JSON.stringify(t)}`);
        } else if (resolveInside(dir, t) === null) {
          throw new HostileEntryError(h.name, `symlink target ${JSON.stringify(t)} escapes the layer root`);
        }
        symlinks.add(path);
        yield { type: 'symlink', path, target: t, mtime: h.mtime };
        break;
      }
      case 'hardlink': {
        const target = normalizeLayerPath(h.linkname, h.name);
        if (target === '') throw new HostileEntryError(h.name, 'hard link with an empty target');
        const tparts = target.split('/');
        for (let i = 1; i <= tparts.length; i++) {
          if (symlinks.has(tparts.slice(0, i).join('/'))) throw new HostileEntryError(h.name, `hard link target ${JSON.stringify(target)} goes through a symlink`);
        }
        if (!seen.has(target)) throw new HostileEntryError(h.name, `hard link target ${JSON.stringify(target)} is not an earlier entry of the layer`);
        yield { type: 'hardlink', path, target };
        break;
      }
      case 'char':
      case 'block':
      case 'fifo':
        yield { type: h.type, path, mode: h.mode & 0o7777 };
        break;
    }
    seen.add(path);
  }
}

// Store layers as OCI layer tars and back (docs/store-oci.md).
//
// A store layer manifest (core/store types: entries with Windows attributes, FILETIMEs, security
// descriptors, hard-link groups, named streams) is written as a plain, deterministic tar that
// docker and skopeo read like any layer: directories, regular files, symlinks, hard links and
// `.wh.` whiteouts. What a tar header cannot hold rides in PAX records, under hcsshim's names
// where it has one so Windows tooling understands them:
//   MSWINDOWS.fileattr        attributes (decimal)
//   MSWINDOWS.rawsd           the security descriptor (base64 of the self-relative bytes)
//   LIBARCHIVE.creationtime   creation time; `mtime` / `atime` the last write / access time,
//                             all as seconds with 7 fraction digits (FILETIME's 100 ns, exactly)
// and under our own prefix for the rest:
//   POSHCONTAINERS.keys           the manifest entry's field names, in order (the layer id is the
//                                 hash of the manifest text, so the order must come back too)
//   POSHCONTAINERS.linkisdirectory  1/0 for a symlink's linkIsDirectory
//   POSHCONTAINERS.reparse        `<tag>:<base64>` of a non-symlink reparse point
//   POSHCONTAINERS.hardlinkgroup  the hard-link group (first name a regular file, the rest links)
//   POSHCONTAINERS.stream         on an entry `<file>:<name>` right after its file: a named stream
// The image root is the entry `./`. Reading accepts any layer tar (plain; gzip is undone by the
// caller): paths are validated (no absolute names, no `..`, nothing through a symlink of the
// same layer, hard links only to earlier files), opaque whiteouts become a whiteout plus the
// directory, missing parent directories are supplied, devices and FIFOs are skipped.

import { HostileEntryError, OciFormatError, normalizeLayerPath, readTar, type TarHeader, type TarWriteEntry } from '../oci';
import { blobsOf, openBlobStream, type BlobLocation, type ChainLayerItem, type ImageStore, type LayerEntry, type LayerManifest } from '../store';

const EPOCH_FILETIME = 116444736000000000n;
const TICKS = 10_000_000n;
const MAX_OCTAL_MTIME = 0o77777777777;

export const PAX = {
  fileattr: 'MSWINDOWS.fileattr',
  rawsd: 'MSWINDOWS.rawsd',
  creationtime: 'LIBARCHIVE.creationtime',
  mtime: 'mtime',
  atime: 'atime',
  keys: 'POSHCONTAINERS.keys',
  linkIsDirectory: 'POSHCONTAINERS.linkisdirectory',
  reparse: 'POSHCONTAINERS.reparse',
  hardLinkGroup: 'POSHCONTAINERS.hardlinkgroup',
  stream: 'POSHCONTAINERS.stream',
} as const;

const KNOWN_KEYS = new Set(['path', 'kind', 'size', 'sha256', 'sha1', 'attributes', 'times', 'sd', 'linkTarget', 'linkIsDirectory', 'reparse', 'hardLinkGroup', 'streams']);

/** A FILETIME (decimal string of 100 ns ticks since 1601) as a PAX time: seconds since 1970 with 7 fraction digits. */
export function filetimeToPax(ft: string): string {
  const u = BigInt(ft) - EPOCH_FILETIME;
  const neg = u < 0n;
  const a = neg ? -u : u;
  return `${neg ? '-' : ''}${a / TICKS}.${(a % TICKS).toString().padStart(7, '0')}`;
}

/** A PAX time back to a FILETIME string (fraction digits beyond 100 ns are dropped); null when malformed. */
export function paxToFiletime(s: string): string | null {
  const m = /^(-?)(\d{1,15})(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = BigInt(((m[3] ?? '') + '0000000').slice(0, 7));
  const ticks = BigInt(m[2]) * TICKS + frac;
  return ((m[1] ? -ticks : ticks) + EPOCH_FILETIME).toString();
}

function headerMtime(ft: string | undefined): number {
  if (!ft) return 0;
  const s = Number((BigInt(ft) - EPOCH_FILETIME) / TICKS);
  return Math.min(Math.max(0, s), MAX_OCTAL_MTIME);
}

function sortedPax(p: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function tarName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * The tar entries of a store layer, in manifest order. File contents are opened from the store's
 * blobs when the tar writer reaches them; the same manifest always gives the same bytes.
 */
export async function* layerTarEntries(store: ImageStore, m: LayerManifest): AsyncGenerator<TarWriteEntry> {
  const groupFirst = new Map<string, string>();
  // The tar writer reads each entry's content before asking for the next entry, so the snapshot's
  // descriptors can be closed when this generator ends (or is abandoned).
  const snapshot = store.openBlobSnapshot(blobsOf(m.entries));
  try {
    yield* layerEntriesFrom(m, groupFirst, snapshot.locate);
  } finally {
    snapshot.close();
  }
}

async function* layerEntriesFrom(m: LayerManifest, groupFirst: Map<string, string>, locate: (sha256: string) => BlobLocation): AsyncGenerator<TarWriteEntry> {
  for (const e of m.entries) {
    const pax: Record<string, string> = { [PAX.keys]: Object.keys(e).join(',') };
    if (e.attributes !== undefined) pax[PAX.fileattr] = String(e.attributes);
    if (e.sd !== undefined) {
      const sd = m.securityDescriptors[e.sd];
      if (sd === undefined) throw new OciFormatError(`layer entry '/${e.path}' names security descriptor ${e.sd}, which the layer does not have`);
      pax[PAX.rawsd] = sd;
    }
    if (e.times) {
      pax[PAX.creationtime] = filetimeToPax(e.times[0]);
      pax[PAX.atime] = filetimeToPax(e.times[1]);
      pax[PAX.mtime] = filetimeToPax(e.times[2]);
    }
    if (e.linkIsDirectory !== undefined) pax[PAX.linkIsDirectory] = e.linkIsDirectory ? '1' : '0';
    if (e.reparse) pax[PAX.reparse] = `${e.reparse.tag}:${e.reparse.data}`;
    if (e.hardLinkGroup) pax[PAX.hardLinkGroup] = e.hardLinkGroup;
    const h: TarHeader = { name: e.path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: headerMtime(e.times?.[2]), linkname: '', uname: '', gname: '' };
    switch (e.kind) {
      case 'directory':
        yield { header: { ...h, name: e.path === '' ? './' : e.path + '/', type: 'directory', mode: 0o755, pax: sortedPax(pax) } };
        break;
      case 'symlink':
        yield { header: { ...h, type: 'symlink', mode: 0o777, linkname: e.linkTarget ?? '', pax: sortedPax(pax) } };
        break;
      case 'whiteout': {
        const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/') + 1) : '';
        yield { header: { ...h, name: `${dir}.wh.${tarName(e.path)}`, pax: sortedPax(pax) } };
        break;
      }
      case 'file': {
        const first = e.hardLinkGroup ? groupFirst.get(e.hardLinkGroup) : undefined;
        if (first !== undefined) {
          yield { header: { ...h, type: 'hardlink', linkname: first, pax: sortedPax(pax) } };
        } else {
          if (e.hardLinkGroup) groupFirst.set(e.hardLinkGroup, e.path);
          const size = e.size ?? 0;
          const blob = e.sha256;
          if (size > 0 && !blob) throw new OciFormatError(`layer entry '/${e.path}' has ${size} bytes but no content hash`);
          yield { header: { ...h, size, pax: sortedPax(pax) }, content: size > 0 ? openBlobStream(locate(blob!)) : Buffer.alloc(0) };
        }
        for (const s of e.streams ?? []) {
          const sp = { [PAX.stream]: s.name };
          yield {
            header: { ...h, name: `${e.path}:${s.name}`, size: s.size, pax: sp },
            content: s.size > 0 && s.sha256 ? openBlobStream(locate(s.sha256)) : Buffer.alloc(0),
          };
        }
        break;
      }
      default:
        throw new OciFormatError(`layer entry '/${e.path}' has the unknown kind ${JSON.stringify((e as { kind: string }).kind)}`);
    }
  }
}

/** Resolves a relative symlink target against its directory; false when it climbs above the root. */
function staysInside(dir: string, target: string): boolean {
  if (target.startsWith('/')) return true;
  const out = dir ? dir.split('/') : [];
  for (const p of target.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!out.length) return false;
      out.pop();
    } else out.push(p);
  }
  return true;
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * The items of a layer tar for ImageStore.importLayerChain. `source` is the uncompressed tar;
 * every file's content is handed to the store as a stream read in place (nothing buffered).
 * `label` names the layer in errors.
 */
export async function* layerItems(source: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<ChainLayerItem> {
  const symlinks = new Set<string>();
  const emitted = new Map<string, LayerEntry>();
  let lastFile: LayerEntry | null = null;
  const groupsUsed = new Set<string>();
  const bad = (name: string, why: string) => new HostileEntryError(name, `${label}: ${why}`);

  function* parents(path: string): Generator<ChainLayerItem> {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (emitted.has(p)) continue;
      const d: LayerEntry = { path: p, kind: 'directory' };
      emitted.set(p, d);
      yield { entry: d };
    }
  }

  for await (const { header: h, content } of readTar(source, label)) {
    const pax = h.pax ?? {};
    const path = normalizeLayerPath(h.name, h.name);
    const parts = path === '' ? [] : path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (symlinks.has(prefix)) throw bad(h.name, `its parent ${JSON.stringify(prefix)} is a symlink in the same layer`);
    }
    // A named stream of the file just before.
    if (pax[PAX.stream] !== undefined) {
      if (h.type !== 'file' || !lastFile || path !== `${lastFile.path}:${pax[PAX.stream]}`) throw bad(h.name, 'a named stream that does not follow its file');
      yield { stream: { name: pax[PAX.stream], size: h.size, content: () => content } };
      continue;
    }
    lastFile = null;
    const base = parts.length ? parts[parts.length - 1] : '';
    const dir = parentOf(path);
    if (base.startsWith('.wh.')) {
      if (h.type !== 'file') throw bad(h.name, 'a whiteout must be a plain file');
      if (base === '.wh..wh..opq') {
        // Opaque directory: everything below it in lower layers is hidden. The store has no such
        // mark: a whiteout of the directory, then the directory again (unless already here).
        if (dir === '') throw bad(h.name, 'an opaque whiteout of the image root is not supported');
        yield { entry: { path: dir, kind: 'whiteout' } };
        if (!emitted.has(dir)) {
          yield* parents(dir);
          const d: LayerEntry = { path: dir, kind: 'directory' };
          emitted.set(dir, d);
          yield { entry: d };
        }
        continue;
      }
      if (base.startsWith('.wh..wh.')) continue; // aufs bookkeeping (hard-link directories): not content
      const name = base.slice(4);
      if (name === '' || name === '.' || name === '..') throw bad(h.name, 'whiteout of an invalid name');
      yield { entry: { path: dir ? `${dir}/${name}` : name, kind: 'whiteout' } };
      continue;
    }
    if (h.type === 'char' || h.type === 'block' || h.type === 'fifo') continue; // a Windows-style store holds no devices
    if (path === '' && h.type !== 'directory') throw bad(h.name, 'an entry needs a name');

    const keys = pax[PAX.keys] !== undefined ? pax[PAX.keys].split(',') : null;
    if (keys && (!keys.includes('path') || !keys.includes('kind') || keys.some((k) => !KNOWN_KEYS.has(k))))
      throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} has an unreadable ${PAX.keys} record`);
    let times: [string, string, string] | undefined;
    if (pax[PAX.mtime] !== undefined || keys?.includes('times')) {
      const w = pax[PAX.mtime] !== undefined ? paxToFiletime(pax[PAX.mtime]) : (BigInt(h.mtime) * TICKS + EPOCH_FILETIME).toString();
      const a = pax[PAX.atime] !== undefined ? paxToFiletime(pax[PAX.atime]) : w;
      const c = pax[PAX.creationtime] !== undefined ? paxToFiletime(pax[PAX.creationtime]) : w;
      if (w === null || a === null || c === null) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} has a malformed time record`);
      times = [c, a, w];
    } else {
      const w = (BigInt(h.mtime) * TICKS + EPOCH_FILETIME).toString();
      times = [w, w, w];
    }
    let attributes: number | undefined;
    if (pax[PAX.fileattr] !== undefined) {
      if (!/^\d{1,10}$/.test(pax[PAX.fileattr])) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} has a malformed ${PAX.fileattr} record`);
      attributes = Number(pax[PAX.fileattr]);
    }
    const sd = pax[PAX.rawsd] !== undefined ? Buffer.from(pax[PAX.rawsd], 'base64') : undefined;
    if (sd !== undefined && sd.length === 0) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} has an empty security descriptor`);

    let kind: LayerEntry['kind'];
    let size = 0;
    let linkTarget: string | undefined;
    let group = pax[PAX.hardLinkGroup];
    let fileContent: (() => AsyncIterable<Uint8Array>) | undefined;
    if (h.type === 'directory') kind = 'directory';
    else if (h.type === 'symlink') {
      kind = 'symlink';
      linkTarget = h.linkname;
      if (linkTarget === '' || linkTarget.includes('\0')) throw bad(h.name, 'symlink with an empty or invalid target');
      if (!staysInside(dir, linkTarget)) throw bad(h.name, `symlink target ${JSON.stringify(linkTarget)} escapes the layer root`);
    } else if (h.type === 'hardlink') {
      kind = 'file';
      const target = normalizeLayerPath(h.linkname, h.name);
      const tparts = target.split('/');
      for (let i = 1; i <= tparts.length; i++) if (symlinks.has(tparts.slice(0, i).join('/'))) throw bad(h.name, `hard link target ${JSON.stringify(target)} goes through a symlink`);
      const first = emitted.get(target);
      if (!first || first.kind !== 'file') throw bad(h.name, `hard link target ${JSON.stringify(target)} is not an earlier file of the layer`);
      // The tar marks the second name only: the first joins the group now (see importLayerChain).
      group = first.hardLinkGroup ?? group ?? `tar:${target}`;
      if (!first.hardLinkGroup) {
        if (groupsUsed.has(group)) throw bad(h.name, `hard-link group ${JSON.stringify(group)} is already another file's`);
        first.hardLinkGroup = group;
      }
      size = first.size ?? 0;
    } else {
      kind = 'file';
      size = h.size;
      fileContent = () => content;
      // A regular file starts a hard-link group (its other names are link entries): a group
      // named again by a regular file would make the store take one file's content for another.
      if (group !== undefined && groupsUsed.has(group)) throw bad(h.name, `hard-link group ${JSON.stringify(group)} is already another file's`);
    }
    if (group !== undefined) groupsUsed.add(group);

    const e = {} as LayerEntry;
    const order = keys ?? defaultKeys(kind, attributes, sd, group);
    for (const k of order) {
      switch (k) {
        case 'path': e.path = path; break;
        case 'kind': e.kind = kind; break;
        case 'attributes': if (attributes !== undefined) e.attributes = attributes; break;
        case 'times': e.times = times; break;
        case 'sd': if (sd) e.sd = 0; break; // the store assigns the index
        case 'linkTarget': if (kind === 'symlink') e.linkTarget = linkTarget; break;
        case 'linkIsDirectory': if (kind === 'symlink') e.linkIsDirectory = pax[PAX.linkIsDirectory] === '1'; break;
        case 'size': if (kind === 'file') e.size = size; break;
        case 'sha1': if (kind === 'file') e.sha1 = ''; break; // placeholders: the store computes them
        case 'sha256': if (kind === 'file') e.sha256 = ''; break;
        case 'reparse': {
          const r = /^(\d{1,10}):([A-Za-z0-9+/=]*)$/.exec(pax[PAX.reparse] ?? '');
          if (!r) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} has a malformed ${PAX.reparse} record`);
          e.reparse = { tag: Number(r[1]), data: r[2] };
          break;
        }
        case 'hardLinkGroup': if (group) e.hardLinkGroup = group; break;
        case 'streams': if (kind === 'file') e.streams = []; break;
      }
    }
    if (e.path === undefined || e.kind === undefined) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} is missing its path or kind`);
    if (group && !e.hardLinkGroup) e.hardLinkGroup = group;
    if (e.attributes === undefined && attributes !== undefined) e.attributes = attributes;

    if (path !== '') yield* parents(path);
    if (path !== '' && kind === 'directory' && emitted.get(path)?.kind === 'directory') {
      // A directory named again (tars may repeat them), or one this reader supplied as a parent or
      // for an opaque whiteout arriving after all: the first stays (the store takes a path once).
      continue;
    }
    symlinks.delete(path);
    if (kind === 'symlink') symlinks.add(path);
    emitted.set(path, e);
    if (kind === 'file') lastFile = e;
    yield { entry: e, ...(sd ? { securityDescriptor: sd } : {}), ...(fileContent ? { content: fileContent } : {}) };
  }
}

/** Field order for entries of foreign layers (the order importEntries writes). */
function defaultKeys(kind: LayerEntry['kind'], attributes: number | undefined, sd: Buffer | undefined, group: string | undefined): string[] {
  const k = ['path', 'kind'];
  if (attributes !== undefined) k.push('attributes');
  k.push('times');
  if (sd) k.push('sd');
  if (kind === 'symlink') k.push('linkTarget', 'linkIsDirectory');
  if (kind === 'file') k.push('size', 'sha1', 'sha256');
  if (group) k.push('hardLinkGroup');
  return k;
}

// Image archives: the tarball `docker save` writes since Docker 25 — an OCI image layout
// (`oci-layout`, `index.json`, `blobs/sha256/…`) plus Docker's `manifest.json` and `repositories`,
// layers uncompressed — so the same file is a `docker-archive:` and an `oci-archive:` for skopeo
// and loads into Docker. Reading accepts that, the older Docker layout (`<id>.json`,
// `<id>/layer.tar`, symlinked duplicate layers), gzip layers, a gzip-compressed archive, and plain
// OCI archives without manifest.json. The archive is read by offsets (a file), never whole.

import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { OciError, OciFormatError } from './errors';
import { BLOCK, decodeRawHeader, nextHeader, padding, tarStream, type TarHeader, type TarWriteEntry } from './tar';
import { digestHex, readSmall, sha256, verifyingStream, type Digest } from './digest';
import { normalizeLayerPath } from './layer';
import { JSON_LIMIT, OCI_LAYOUT_VERSION, buildImage, pickPlatform, type BuiltImage, type ImageSpec } from './layout';
import {
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  REF_NAME_ANNOTATION,
  canonicalJson,
  parseImageConfig,
  parseIndex,
  parseManifest,
  type Descriptor,
  type ImageConfig,
} from './types';

/** Annotation Docker/containerd put on index.json entries: the full image reference. */
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';

export interface ArchiveImageSpec extends ImageSpec {
  /** Docker references of the image, e.g. `windowsservercore:latest` (written to manifest.json RepoTags). */
  repoTags?: string[];
}

/** Splits `repo:tag` (the tag is after the last ':' that follows the last '/'). */
export function splitRepoTag(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

const FIXED_MTIME = 0;

function header(name: string, type: 'file' | 'directory', size = 0): TarHeader {
  return { name, type, mode: type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, size, mtime: FIXED_MTIME, linkname: '', uname: '', gname: '' };
}

/**
 * The archive as a tar stream. Every blob is written once (shared layers too), streamed from its
 * source and verified against its digest on the way; layers are written as given (pass
 * uncompressed layers for `docker load` of older engines).
 */
export function writeImageArchive(images: ArchiveImageSpec[]): { stream: Readable; images: BuiltImage[] } {
  const built = images.map((s) => buildImage(s));
  async function* entries(): AsyncGenerator<TarWriteEntry> {
    yield { header: header('blobs/', 'directory') };
    yield { header: header('blobs/sha256/', 'directory') };
    const written = new Set<string>();
    for (const b of built) {
      for (const l of b.layers) {
        if (written.has(l.digest)) continue;
        written.add(l.digest);
        const v = verifyingStream(l.digest, `layer ${l.digest}`, l.size);
        const src = Readable.from(l.open());
        src.on('error', (e) => v.destroy(e));
        yield { header: header(`blobs/sha256/${digestHex(l.digest)}`, 'file', l.size), content: src.pipe(v) };
      }
      for (const [d, bytes] of [
        [b.configDescriptor.digest, b.configBytes],
        [b.manifestDescriptor.digest, b.manifestBytes],
      ] as const) {
        if (written.has(d)) continue;
        written.add(d);
        yield { header: header(`blobs/sha256/${digestHex(d)}`, 'file', bytes.length), content: bytes };
      }
    }
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] as Descriptor[] };
    const dockerManifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
    const repositories: Record<string, Record<string, string>> = {};
    built.forEach((b, i) => {
      const spec = images[i];
      const tags = spec.repoTags ?? [];
      const d = b.manifestDescriptor;
      if (tags.length === 0) {
        const ann = { ...(spec.indexAnnotations ?? {}), ...(spec.refName !== undefined ? { [REF_NAME_ANNOTATION]: spec.refName } : {}) };
        index.manifests.push(Object.keys(ann).length ? { ...d, annotations: ann } : { ...d });
      }
      for (const t of tags) {
        const { repository, tag } = splitRepoTag(t);
        index.manifests.push({ ...d, annotations: { ...(spec.indexAnnotations ?? {}), [IMAGE_NAME_ANNOTATION]: t, [REF_NAME_ANNOTATION]: spec.refName ?? tag } });
        const top = b.layers.length ? digestHex(parseImageConfig(b.configBytes).rootfs.diff_ids[b.layers.length - 1]) : digestHex(b.configDescriptor.digest);
        (repositories[repository] ??= {})[tag] = top;
      }
      dockerManifest.push({
        Config: `blobs/sha256/${digestHex(b.configDescriptor.digest)}`,
        RepoTags: tags,
        Layers: b.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
      });
    });
    const docs: Array<[string, Buffer]> = [
      ['index.json', canonicalJson(index)],
      ['manifest.json', canonicalJson(dockerManifest)],
      ['oci-layout', canonicalJson({ imageLayoutVersion: OCI_LAYOUT_VERSION })],
    ];
    if (Object.keys(repositories).length) docs.push(['repositories', canonicalJson(repositories)]);
    for (const [name, bytes] of docs) yield { header: header(name, 'file', bytes.length), content: bytes };
  }
  return { stream: tarStream(entries(), 'image archive'), images: built };
}

/** Writes the archive to a file (temp name, renamed when complete). */
export async function writeImageArchiveFile(path: string, images: ArchiveImageSpec[]): Promise<BuiltImage[]> {
  const { stream, images: built } = writeImageArchive(images);
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    // 0600, as `docker save -o` leaves its file (the CLI writes a temp file from os.CreateTemp and
    // renames it): an image can hold secrets its owner did not mean to share.
    await pipeline(stream, createWriteStream(tmp, { mode: 0o600 }));
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  return built;
}

// ------------------------------------------------------------------------------------- reading

interface ArchiveEntry {
  name: string;
  type: TarHeader['type'];
  offset: number;
  size: number;
  linkname: string;
}

/** A layer of an archived image. */
export interface ArchiveLayer {
  /** Name of the layer file inside the archive (after following symlinks). */
  path: string;
  /** Digest of the uncompressed tar (from the image config). */
  diffId: Digest;
  /** Bytes as stored in the archive. */
  storedSize: number;
  compression: 'none' | 'gzip';
  /** Descriptor from the OCI manifest, when the image came from index.json. */
  descriptor?: Descriptor;
  /** The uncompressed layer tar, failing at its end unless it hashes to diffId. */
  open(): Readable;
  /** The bytes as stored. */
  openStored(): Readable;
}

export interface ArchiveImage {
  repoTags: string[];
  /** Image id: the digest of the config bytes. */
  configDigest: Digest;
  configBytes: Buffer;
  config: ImageConfig;
  layers: ArchiveLayer[];
  /** 'docker' when read through manifest.json, 'oci' through index.json. */
  source: 'docker' | 'oci';
}

const MAX_ENTRIES = 1_000_000;

export class ImageArchive {
  private constructor(
    /** The archive's name in errors: its path, or the label given. */
    readonly path: string,
    private readonly file: string,
    private readonly entries: Map<string, ArchiveEntry>,
    private readonly temp: string | undefined,
  ) {}

  /**
   * Indexes an archive file (tar, or gzip-compressed tar which is first expanded to a temp file).
   * `label` names the archive in errors (default: the path).
   */
  static async open(path: string, label = path): Promise<ImageArchive> {
    const fh = await fsp.open(path, 'r');
    let temp: string | undefined;
    try {
      const magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
      if (magic[0] === 0x1f && magic[1] === 0x8b) {
        temp = join(tmpdir(), `posh-archive-${randomBytes(6).toString('hex')}.tar`);
        try {
          await pipeline(createReadStream(path), createGunzip(), createWriteStream(temp, { mode: 0o600 }));
        } catch (e) {
          await fsp.rm(temp, { force: true });
          throw new OciFormatError(`${label}: gzip data is corrupt: ${(e as Error).message}`);
        }
      }
    } finally {
      await fh.close();
    }
    try {
      const entries = await indexTar(temp ?? path, label);
      return new ImageArchive(label, temp ?? path, entries, temp);
    } catch (e) {
      if (temp) await fsp.rm(temp, { force: true });
      throw e;
    }
  }

  private spooled?: string;

  /**
   * An archive arriving as a stream (`docker load` from stdin): spooled to a temp file (0600,
   * bounded memory), then opened like a file; close() removes the spool.
   */
  static async fromStream(source: AsyncIterable<Uint8Array>, label = 'stdin'): Promise<ImageArchive> {
    const spool = join(tmpdir(), `posh-load-${randomBytes(6).toString('hex')}.tar`);
    try {
      await pipeline(Readable.from(source), createWriteStream(spool, { mode: 0o600 }));
      const a = await ImageArchive.open(spool, label);
      a.spooled = spool;
      return a;
    } catch (e) {
      await fsp.rm(spool, { force: true });
      throw e;
    }
  }

  /** Removes the temp files (expanded gzip archive, spooled stream). */
  async close(): Promise<void> {
    if (this.temp) await fsp.rm(this.temp, { force: true });
    if (this.spooled) await fsp.rm(this.spooled, { force: true });
  }

  /** Names of the regular files in the archive. */
  fileNames(): string[] {
    return [...this.entries.values()].filter((e) => e.type === 'file').map((e) => e.name);
  }

  private lookup(name: string, what: string): ArchiveEntry {
    let n = normalizeLayerPath(name, name);
    for (let hops = 0; hops < 16; hops++) {
      const e = this.entries.get(n);
      if (!e) throw new OciFormatError(`${this.path}: ${what} ${JSON.stringify(name)} is not in the archive`);
      if (e.type === 'file') return e;
      if (e.type === 'symlink') {
        const dir = n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : '';
        const joined = e.linkname.startsWith('/') ? e.linkname : dir ? `${dir}/${e.linkname}` : e.linkname;
        const parts: string[] = [];
        for (const p of joined.split('/')) {
          if (p === '' || p === '.') continue;
          if (p === '..') {
            if (!parts.length) throw new OciFormatError(`${this.path}: ${JSON.stringify(n)} links outside the archive`);
            parts.pop();
          } else parts.push(p);
        }
        n = parts.join('/');
        continue;
      }
      if (e.type === 'hardlink') {
        n = normalizeLayerPath(e.linkname, e.name);
        continue;
      }
      throw new OciFormatError(`${this.path}: ${what} ${JSON.stringify(name)} is not a file`);
    }
    throw new OciFormatError(`${this.path}: too many links resolving ${JSON.stringify(name)}`);
  }

  private stream(e: ArchiveEntry): Readable {
    if (e.size === 0) return Readable.from([]);
    return createReadStream(this.file, { start: e.offset, end: e.offset + e.size - 1 });
  }

  private async readDoc(name: string, what: string): Promise<Buffer> {
    const e = this.lookup(name, what);
    if (e.size > JSON_LIMIT) throw new OciFormatError(`${this.path}: ${what} ${name} is too large (${e.size} bytes)`);
    return readSmall(this.stream(e), JSON_LIMIT, `${this.path}: ${name}`);
  }

  private async sniff(e: ArchiveEntry): Promise<'none' | 'gzip'> {
    if (e.size < 2) return 'none';
    const fh = await fsp.open(this.file, 'r');
    try {
      const b = Buffer.alloc(4);
      await fh.read(b, 0, 4, e.offset);
      if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
      if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) throw new OciFormatError(`${this.path}: layer ${e.name} is zstd-compressed, which is not supported`);
      return 'none';
    } finally {
      await fh.close();
    }
  }

  private async layer(name: string, diffId: Digest, descriptor?: Descriptor): Promise<ArchiveLayer> {
    const e = this.lookup(name, 'layer');
    const compression = await this.sniff(e);
    const label = `${this.path}: layer ${name}`;
    const openStored = () => {
      const s = this.stream(e);
      if (!descriptor) return s;
      const v = verifyingStream(descriptor.digest, label, descriptor.size);
      s.on('error', (err) => v.destroy(err));
      return s.pipe(v);
    };
    return {
      path: e.name,
      diffId,
      storedSize: e.size,
      compression,
      ...(descriptor ? { descriptor } : {}),
      openStored,
      open: () => {
        const stored = openStored();
        const v = verifyingStream(diffId, `${label} (uncompressed)`);
        if (compression === 'gzip') {
          const gz = createGunzip();
          stored.on('error', (err) => gz.destroy(err));
          gz.on('error', (err) => v.destroy(new OciFormatError(`${label}: gzip data is corrupt: ${err.message}`)));
          return stored.pipe(gz).pipe(v);
        }
        stored.on('error', (err) => v.destroy(err));
        return stored.pipe(v);
      },
    };
  }

  /** The images of the archive: through manifest.json when present, else through the OCI index.json. */
  async images(platform?: { os?: string; architecture?: string }): Promise<ArchiveImage[]> {
    if (this.entries.has('manifest.json')) return this.dockerImages();
    if (this.entries.has('index.json')) return this.ociImages(platform);
    if (this.entries.has('repositories'))
      throw new OciFormatError(`${this.path}: a pre-Docker-1.10 archive (only 'repositories', no manifest.json) is not supported`);
    throw new OciFormatError(`${this.path}: not an image archive (no manifest.json or index.json)`);
  }

  private async dockerImages(): Promise<ArchiveImage[]> {
    const raw = await this.readDoc('manifest.json', 'manifest');
    let list: unknown;
    try {
      list = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw new OciFormatError(`${this.path}: manifest.json is not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(list)) throw new OciFormatError(`${this.path}: manifest.json is not an array`);
    const out: ArchiveImage[] = [];
    for (const [i, item] of list.entries()) {
      const where = `${this.path}: manifest.json[${i}]`;
      if (typeof item !== 'object' || item === null) throw new OciFormatError(`${where} is not an object`);
      const { Config, RepoTags, Layers } = item as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
      if (typeof Config !== 'string') throw new OciFormatError(`${where}: Config is missing`);
      if (!Array.isArray(Layers) || Layers.some((l) => typeof l !== 'string')) throw new OciFormatError(`${where}: Layers is not a list of names`);
      if (RepoTags !== undefined && RepoTags !== null && (!Array.isArray(RepoTags) || RepoTags.some((t) => typeof t !== 'string')))
        throw new OciFormatError(`${where}: RepoTags is not a list of names`);
      const configBytes = await this.readDoc(Config, 'config');
      const config = parseImageConfig(configBytes, `${this.path}: ${Config}`);
      const diffIds = config.rootfs.diff_ids;
      if (diffIds.length !== Layers.length) throw new OciFormatError(`${where}: ${Layers.length} layers but the config lists ${diffIds.length} diff_ids`);
      const layers: ArchiveLayer[] = [];
      for (let j = 0; j < Layers.length; j++) layers.push(await this.layer(Layers[j] as string, diffIds[j]));
      out.push({ repoTags: (RepoTags as string[] | null) ?? [], configDigest: sha256(configBytes), configBytes, config, layers, source: 'docker' });
    }
    return out;
  }

  private async ociImages(platform?: { os?: string; architecture?: string }): Promise<ArchiveImage[]> {
    const index = parseIndex(await this.readDoc('index.json', 'index'), `${this.path}: index.json`);
    const byManifest = new Map<string, ArchiveImage>();
    const blobName = (d: Digest) => `blobs/sha256/${digestHex(d)}`;
    const readBlob = async (d: Descriptor) => {
      const bytes = await this.readDoc(blobName(d.digest), 'blob');
      if (bytes.length !== d.size || sha256(bytes) !== d.digest) throw new OciFormatError(`${this.path}: blob ${d.digest} does not match its descriptor`);
      return bytes;
    };
    for (const top of index.manifests) {
      let d: Descriptor | undefined = top;
      for (let depth = 0; d && INDEX_MEDIA_TYPES.includes(d.mediaType); depth++) {
        if (depth > 4) throw new OciFormatError(`${this.path}: indexes nested too deeply`);
        d = pickPlatform(parseIndex(await readBlob(d), `index ${d.digest}`), platform);
      }
      if (!d || !MANIFEST_MEDIA_TYPES.includes(d.mediaType)) continue;
      const name = top.annotations?.[IMAGE_NAME_ANNOTATION] ?? top.annotations?.[REF_NAME_ANNOTATION];
      const known = byManifest.get(d.digest);
      if (known) {
        if (name && !known.repoTags.includes(name)) known.repoTags.push(name);
        continue;
      }
      const manifest = parseManifest(await readBlob(d), `manifest ${d.digest}`);
      const configBytes = await readBlob(manifest.config);
      const config = parseImageConfig(configBytes, `config ${manifest.config.digest}`);
      if (config.rootfs.diff_ids.length !== manifest.layers.length)
        throw new OciFormatError(`${this.path}: manifest ${d.digest} has ${manifest.layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff_ids`);
      const layers: ArchiveLayer[] = [];
      for (let j = 0; j < manifest.layers.length; j++) layers.push(await this.layer(blobName(manifest.layers[j].digest), config.rootfs.diff_ids[j], manifest.layers[j]));
      const img: ArchiveImage = { repoTags: name ? [name] : [], configDigest: manifest.config.digest, configBytes, config, layers, source: 'oci' };
      byManifest.set(d.digest, img);
    }
    return [...byManifest.values()];
  }
}

/** Reads every header of a tar file by offset (contents are skipped, not read). */
async function indexTar(file: string, label: string): Promise<Map<string, ArchiveEntry>> {
  const fh = await fsp.open(file, 'r');
  const entries = new Map<string, ArchiveEntry>();
  try {
    const { size: total } = await fh.stat();
    let pos = 0;
    const block = Buffer.alloc(BLOCK);
    const where = () => `${label}: at byte ${pos}`;
    for (;;) {
      const h = await nextHeader(
        async () => {
          if (pos >= total) return null;
          const { bytesRead } = await fh.read(block, 0, BLOCK, pos);
          if (bytesRead < BLOCK) throw new OciFormatError(`${label}: truncated tar header at byte ${pos}`);
          const raw = decodeRawHeader(block, where());
          if (raw) pos += BLOCK;
          return raw;
        },
        async (size) => {
          if (pos + size > total) throw new OciFormatError(`${label}: truncated archive`);
          const b = Buffer.alloc(size);
          await fh.read(b, 0, size, pos);
          pos += size + padding(size).length;
          return b;
        },
        where,
      );
      if (!h) break;
      const size = h.type === 'file' ? h.size : 0;
      if (pos + size > total) throw new OciFormatError(`${label}: entry ${JSON.stringify(h.name)} is truncated (${size} bytes declared)`);
      const name = normalizeLayerPath(h.name, h.name);
      if (name !== '') {
        if (entries.size >= MAX_ENTRIES) throw new OciFormatError(`${label}: more than ${MAX_ENTRIES} entries`);
        entries.set(name, { name, type: h.type, offset: pos, size, linkname: h.linkname });
      }
      pos += size + padding(size).length;
    }
  } finally {
    await fh.close();
  }
  if (entries.size === 0) throw new OciError('InvalidFormat', `${label}: empty archive`);
  return entries;
}

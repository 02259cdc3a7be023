// OCI image layout directories (image-spec "image-layout"): `oci-layout`, `index.json`,
// `blobs/sha256/<hex>`. Written blob by blob (temp file, verify, rename) and read back with every
// blob verified against its descriptor as it streams.

import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { OciError, OciFormatError } from './errors';
import { DigestTransform, digestHex, digestStream, parseDigest, readSmall, sha256, verifyingStream, type Digest } from './digest';
import {
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  REF_NAME_ANNOTATION,
  canonicalJson,
  makeManifest,
  parseImageConfig,
  parseIndex,
  parseManifest,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from './types';

export const OCI_LAYOUT_VERSION = '1.0.0';
/** Limit for JSON documents (manifests, indexes, configs) read from untrusted sources. */
export const JSON_LIMIT = 16 << 20;

/** A blob that can be opened (more than once) as a byte stream, with its digest and size known. */
export interface BlobSource {
  mediaType: string;
  digest: Digest;
  size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** One image to write: its config (object or exact bytes) and its layers, in order. */
export interface ImageSpec {
  config: ImageConfig | Buffer;
  layers: BlobSource[];
  /** Tag-like name for `org.opencontainers.image.ref.name` in index.json (e.g. `latest`). */
  refName?: string;
  /** Extra annotations of the index.json entry. */
  indexAnnotations?: Record<string, string>;
  manifestAnnotations?: Record<string, string>;
}

/** An image whose documents are already made (e.g. pulled: the manifest bytes are kept exactly). */
export interface PrebuiltImageSpec {
  built: BuiltImage;
  refName?: string;
  indexAnnotations?: Record<string, string>;
}

/** The three documents of an image as written: exact bytes and descriptors. */
export interface BuiltImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  manifestDescriptor: Descriptor;
  configBytes: Buffer;
  configDescriptor: Descriptor;
  layers: BlobSource[];
}

/** Computes the manifest and config documents of an image (nothing is written). */
export function buildImage(spec: ImageSpec): BuiltImage {
  const configBytes = Buffer.isBuffer(spec.config) ? spec.config : canonicalJson(spec.config);
  const config = parseImageConfig(configBytes, 'image config');
  if (config.rootfs.diff_ids.length !== spec.layers.length)
    throw new OciError('InvalidImage', `image config lists ${config.rootfs.diff_ids.length} diff_ids for ${spec.layers.length} layers`);
  const configDescriptor: Descriptor = { mediaType: MediaType.OciConfig, digest: sha256(configBytes), size: configBytes.length };
  const manifest = makeManifest(
    configDescriptor,
    spec.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    spec.manifestAnnotations,
  );
  const manifestBytes = canonicalJson(manifest);
  const manifestDescriptor: Descriptor = { mediaType: MediaType.OciManifest, digest: sha256(manifestBytes), size: manifestBytes.length };
  return { manifest, manifestBytes, manifestDescriptor, configBytes, configDescriptor, layers: spec.layers };
}

/** A BlobSource over a file, digesting it once (streamed). */
export async function fileBlob(path: string, mediaType: string): Promise<BlobSource> {
  const { digest, size } = await digestStream(createReadStream(path));
  return { mediaType, digest, size, open: () => createReadStream(path) };
}

/**
 * Compresses a (verified) uncompressed layer into a gzip file, e.g. before a push: the result is a
 * BlobSource over the file with the OCI gzip media type. The source's digest is the diff_id.
 */
export async function gzipBlobToFile(source: BlobSource, file: string): Promise<BlobSource> {
  const v = verifyingStream(source.digest, `blob ${source.digest}`, source.size);
  const out = new DigestTransform();
  await pipeline(Readable.from(source.open()), v, createGzip(), out, createWriteStream(file, { mode: 0o644 }));
  const mediaType = source.mediaType === MediaType.DockerLayer ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip;
  return { mediaType, digest: out.digest, size: out.size, open: () => createReadStream(file) };
}

/** A BlobSource over bytes in memory (small documents, tests). */
export function bufferBlob(data: Buffer, mediaType: string): BlobSource {
  return { mediaType, digest: sha256(data), size: data.length, open: () => Readable.from([data]) };
}

function blobPathIn(dir: string, digest: Digest): string {
  return join(dir, 'blobs', 'sha256', digestHex(parseDigest(digest)));
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Writes one blob into a layout: temp file, size and digest verified, renamed into place. */
async function putBlob(dir: string, blob: BlobSource): Promise<void> {
  const final = blobPathIn(dir, blob.digest);
  if (await exists(final)) {
    const st = await fsp.stat(final);
    if (st.size === blob.size) return;
  }
  const tmp = join(dir, 'blobs', 'sha256', `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await pipeline(Readable.from(blob.open()), verifyingStream(blob.digest, `blob ${blob.digest}`, blob.size), createWriteStream(tmp, { mode: 0o644 }));
    await fsp.rename(tmp, final);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await fsp.writeFile(tmp, data, { mode: 0o644 });
  await fsp.rename(tmp, path);
}

/**
 * Writes images into an OCI layout directory (created if missing; an existing layout is added to,
 * entries with the same ref name replaced). Returns the descriptors written, one per image.
 */
export async function writeOciLayout(dir: string, images: Array<ImageSpec | PrebuiltImageSpec>): Promise<BuiltImage[]> {
  await fsp.mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  let index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
  if (await exists(join(dir, 'index.json'))) {
    const layout = await OciLayout.open(dir);
    index = { ...layout.index, mediaType: MediaType.OciIndex };
  }
  const built: BuiltImage[] = [];
  for (const spec of images) {
    const b = 'built' in spec ? spec.built : buildImage(spec);
    for (const l of b.layers) await putBlob(dir, l);
    await putBlob(dir, bufferBlob(b.configBytes, b.configDescriptor.mediaType));
    await putBlob(dir, bufferBlob(b.manifestBytes, b.manifestDescriptor.mediaType));
    const entry: Descriptor = { ...b.manifestDescriptor };
    const ann: Record<string, string> = { ...(spec.indexAnnotations ?? {}) };
    if (spec.refName !== undefined) {
      ann[REF_NAME_ANNOTATION] = spec.refName;
      index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== spec.refName);
    }
    if (Object.keys(ann).length) entry.annotations = ann;
    index.manifests.push(entry);
    built.push(b);
  }
  await writeFileAtomic(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
  await writeFileAtomic(join(dir, 'index.json'), canonicalJson(index));
  return built;
}

/** An image resolved from a layout, registry or archive: manifest and config, parsed and verified. */
export interface ResolvedImage {
  refName?: string;
  manifestDescriptor: Descriptor;
  manifestBytes: Buffer;
  manifest: ImageManifest;
  configBytes: Buffer;
  config: ImageConfig;
}

/** Picks the platform of an index to resolve: the caller's, else linux/amd64 or windows/amd64, else the first. */
export function pickPlatform(index: ImageIndex, want?: { os?: string; architecture?: string }): Descriptor | undefined {
  const manifests = index.manifests.filter((m) => MANIFEST_MEDIA_TYPES.includes(m.mediaType) || INDEX_MEDIA_TYPES.includes(m.mediaType));
  if (want) {
    const hit = manifests.find((m) => (!want.os || m.platform?.os === want.os) && (!want.architecture || m.platform?.architecture === want.architecture));
    if (hit) return hit;
    return undefined;
  }
  return manifests.find((m) => !m.platform) ?? manifests.find((m) => m.platform?.architecture === 'amd64') ?? manifests[0];
}

/** Reader of an OCI layout directory. */
export class OciLayout {
  private constructor(readonly dir: string, readonly index: ImageIndex) {}

  static async open(dir: string): Promise<OciLayout> {
    let marker: Buffer;
    try {
      marker = await fsp.readFile(join(dir, 'oci-layout'));
    } catch {
      throw new OciFormatError(`${dir} is not an OCI image layout (no oci-layout file)`);
    }
    let version: unknown;
    try {
      version = (JSON.parse(marker.toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new OciFormatError(`${join(dir, 'oci-layout')}: not valid JSON`);
    }
    if (typeof version !== 'string' || !/^1\.\d+\.\d+$/.test(version))
      throw new OciFormatError(`${join(dir, 'oci-layout')}: unsupported imageLayoutVersion ${JSON.stringify(version)}`);
    const indexBytes = await readSmall(createReadStream(join(dir, 'index.json')), JSON_LIMIT, `${dir}/index.json`).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new OciFormatError(`${dir} is not an OCI image layout (no index.json)`);
      throw e;
    });
    return new OciLayout(dir, parseIndex(indexBytes, `${dir}/index.json`));
  }

  blobPath(digest: Digest): string {
    return blobPathIn(this.dir, digest);
  }

  /** The blob's bytes as a stream that fails unless they match the descriptor's size and digest. */
  openBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Readable {
    const path = this.blobPath(desc.digest);
    const src = createReadStream(path);
    const v = verifyingStream(desc.digest, `blob ${desc.digest} of ${this.dir}`, desc.size);
    src.on('error', (e: NodeJS.ErrnoException) =>
      v.destroy(e.code === 'ENOENT' ? new OciFormatError(`${this.dir}: blob ${desc.digest} is missing`) : e),
    );
    return src.pipe(v);
  }

  async readBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Buffer> {
    if (desc.size > JSON_LIMIT) throw new OciFormatError(`${this.dir}: document ${desc.digest} of ${desc.size} bytes is too large`);
    return readSmall(this.openBlob(desc), JSON_LIMIT, `blob ${desc.digest}`);
  }

  /** Every image of the layout (index entries, descending into nested indexes; platform-filtered). */
  async images(platform?: { os?: string; architecture?: string }): Promise<ResolvedImage[]> {
    const out: ResolvedImage[] = [];
    for (const d of this.index.manifests) {
      const img = await this.resolveDescriptor(d, platform, 0);
      if (img) out.push({ ...img, refName: d.annotations?.[REF_NAME_ANNOTATION] });
    }
    return out;
  }

  /** The image with this ref name (or the only image when `ref` is omitted). */
  async resolve(ref?: string, platform?: { os?: string; architecture?: string }): Promise<ResolvedImage> {
    const candidates = ref === undefined ? this.index.manifests : this.index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref);
    if (candidates.length === 0) throw new OciError('NotFound', `${this.dir}: no image named ${JSON.stringify(ref)}`);
    if (candidates.length > 1) throw new OciError('Ambiguous', `${this.dir}: ${candidates.length} images${ref === undefined ? '; name one' : ` named ${JSON.stringify(ref)}`}`);
    const img = await this.resolveDescriptor(candidates[0], platform, 0);
    if (!img) throw new OciError('NotFound', `${this.dir}: no manifest for the requested platform`);
    return { ...img, refName: candidates[0].annotations?.[REF_NAME_ANNOTATION] };
  }

  private async resolveDescriptor(d: Descriptor, platform: { os?: string; architecture?: string } | undefined, depth: number): Promise<ResolvedImage | undefined> {
    if (depth > 4) throw new OciFormatError(`${this.dir}: indexes nested too deeply`);
    const bytes = await this.readBlob(d);
    if (INDEX_MEDIA_TYPES.includes(d.mediaType)) {
      const idx = parseIndex(bytes, `index ${d.digest}`);
      const pick = pickPlatform(idx, platform);
      return pick ? this.resolveDescriptor(pick, platform, depth + 1) : undefined;
    }
    if (!MANIFEST_MEDIA_TYPES.includes(d.mediaType)) return undefined;
    const manifest = parseManifest(bytes, `manifest ${d.digest}`);
    const configBytes = await this.readBlob(manifest.config);
    const config = parseImageConfig(configBytes, `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length)
      throw new OciFormatError(`manifest ${d.digest}: ${manifest.layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff_ids`);
    return { manifestDescriptor: d, manifestBytes: bytes, manifest, configBytes, config };
  }
}

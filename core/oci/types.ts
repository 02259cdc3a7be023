// The OCI image model (image-spec v1.0/1.1): descriptors, image manifest, image index, image
// configuration, plus the Docker schema-2 media types a registry or archive may hand us.
// `parse*` functions validate untrusted JSON and return typed objects or throw OciFormatError.

import { OciFormatError } from './errors';
import { isDigest, type Digest } from './digest';

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

/** Annotation that names a manifest in an OCI layout's index.json (the tag). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerManifestList];

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  variant?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
  };
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

function fail(what: string, msg: string): never {
  throw new OciFormatError(`${what}: ${msg}`);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'expected a JSON object');
  return v as Record<string, unknown>;
}

function parseJson(data: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (e) {
    fail(what, `not valid JSON (${(e as Error).message})`);
  }
}

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, what);
  for (const [k, x] of Object.entries(o)) if (typeof x !== 'string') fail(what, `annotation ${JSON.stringify(k)} is not a string`);
  return o as Record<string, string>;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  const o = obj(v, what);
  if (typeof o.mediaType !== 'string' || o.mediaType === '') fail(what, 'mediaType is missing');
  if (!isDigest(o.digest)) fail(what, `digest ${JSON.stringify(o.digest)} is not a sha256 digest`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) fail(what, `size ${JSON.stringify(o.size)} is not a byte count`);
  const d: Descriptor = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  const ann = stringMap(o.annotations, `${what} annotations`);
  if (ann) d.annotations = ann;
  if (Array.isArray(o.urls)) d.urls = o.urls.map(String);
  if (o.platform !== undefined) {
    const p = obj(o.platform, `${what} platform`);
    if (typeof p.architecture !== 'string' || typeof p.os !== 'string') fail(what, 'platform needs architecture and os');
    d.platform = p as unknown as Platform;
  }
  if (typeof o.artifactType === 'string') d.artifactType = o.artifactType;
  return d;
}

/** An image manifest (OCI or Docker schema 2). */
export function parseManifest(data: Buffer | string, what = 'manifest'): ImageManifest {
  const o = obj(parseJson(data, what), what);
  if (o.schemaVersion !== 2) fail(what, `schemaVersion ${JSON.stringify(o.schemaVersion)} is not 2`);
  if (o.mediaType !== undefined && !MANIFEST_MEDIA_TYPES.includes(o.mediaType as string))
    fail(what, `mediaType ${JSON.stringify(o.mediaType)} is not an image manifest`);
  if (!Array.isArray(o.layers)) fail(what, 'layers is missing');
  const m: ImageManifest = {
    schemaVersion: 2,
    config: parseDescriptor(o.config, `${what} config`),
    layers: o.layers.map((l, i) => parseDescriptor(l, `${what} layer ${i}`)),
  };
  if (typeof o.mediaType === 'string') m.mediaType = o.mediaType;
  const ann = stringMap(o.annotations, `${what} annotations`);
  if (ann) m.annotations = ann;
  return m;
}

/** An image index (OCI) or manifest list (Docker). */
export function parseIndex(data: Buffer | string, what = 'index'): ImageIndex {
  const o = obj(parseJson(data, what), what);
  if (o.schemaVersion !== 2) fail(what, `schemaVersion ${JSON.stringify(o.schemaVersion)} is not 2`);
  if (o.mediaType !== undefined && !INDEX_MEDIA_TYPES.includes(o.mediaType as string))
    fail(what, `mediaType ${JSON.stringify(o.mediaType)} is not an image index`);
  if (!Array.isArray(o.manifests)) fail(what, 'manifests is missing');
  const idx: ImageIndex = { schemaVersion: 2, manifests: o.manifests.map((m, i) => parseDescriptor(m, `${what} manifest ${i}`)) };
  if (typeof o.mediaType === 'string') idx.mediaType = o.mediaType;
  const ann = stringMap(o.annotations, `${what} annotations`);
  if (ann) idx.annotations = ann;
  return idx;
}

/** An image configuration; requires architecture, os and rootfs.diff_ids. */
export function parseImageConfig(data: Buffer | string, what = 'image config'): ImageConfig {
  const o = obj(parseJson(data, what), what);
  if (typeof o.architecture !== 'string') fail(what, 'architecture is missing');
  if (typeof o.os !== 'string') fail(what, 'os is missing');
  const rootfs = obj(o.rootfs, `${what} rootfs`);
  if (rootfs.type !== 'layers') fail(what, `rootfs.type ${JSON.stringify(rootfs.type)} is not "layers"`);
  if (!Array.isArray(rootfs.diff_ids)) fail(what, 'rootfs.diff_ids is missing');
  rootfs.diff_ids.forEach((d, i) => {
    if (!isDigest(d)) fail(what, `rootfs.diff_ids[${i}] ${JSON.stringify(d)} is not a sha256 digest`);
  });
  if (o.history !== undefined && !Array.isArray(o.history)) fail(what, 'history is not an array');
  return o as unknown as ImageConfig;
}

/** Canonical JSON bytes of a document as this library writes it (no spaces; key order as given). */
export function canonicalJson(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/** Builds an OCI image manifest for a config and layers. */
export function makeManifest(config: Descriptor, layers: Descriptor[], annotations?: Record<string, string>): ImageManifest {
  const m: ImageManifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers };
  if (annotations && Object.keys(annotations).length) m.annotations = annotations;
  return m;
}

/** True when a layer media type says gzip. */
export function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip');
}

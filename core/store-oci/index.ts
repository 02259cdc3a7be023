// The bridge between the image store and OCI images (docs/store-oci.md): the one place that knows
// both core/store and core/oci (the store imports no OCI code; OCI code knows no store).
//
//   imageToOci(store, image)    -> ImageSpec: config + one uncompressed layer tar per store layer
//                                  (base first), each a BlobSource streamed from the store's blobs
//                                  and openable more than once (digest/size from a first pass)
//   imageFromOci(store, image, { repository, tag }, { onLayer }) -> { image, created }: one store
//                                  layer per OCI layer through ImageStore.importLayerChain (all or
//                                  nothing), reusing installed images whose chain matches
//
// Identity: a store ImageId hashes FullName, parent and layer ids, and a layer id hashes the layer
// manifest's text. The config carries every chain image's name, publisher, version, summary,
// IsOSImage, created time and layer id (label io.posh-containers.chain), and the layer tars carry
// every field of the manifest entries (layer-tar.ts), so store → OCI → store gives the same ids.

import { createHash } from 'node:crypto';
import {
  MediaType,
  OciError,
  OciFormatError,
  isDigest,
  maybeGunzip,
  parseImageConfig,
  tarStream,
  type BlobSource,
  type Digest,
  type ImageConfig,
  type ImageSpec,
} from '../oci';
import { imageIdOf, type ChainImageMeta, type ChainStep, type ImageRecord, type ImageStore } from '../store';
import { layerItems, layerTarEntries } from './layer-tar';

export { filetimeToPax, paxToFiletime, layerItems, layerTarEntries, PAX } from './layer-tar';

/** Labels of the image config (config.Labels). */
export const LABELS = {
  name: 'io.posh-containers.image.name',
  publisher: 'io.posh-containers.image.publisher',
  version: 'io.posh-containers.image.version',
  isOSImage: 'io.posh-containers.image.isosimage',
  /** JSON: one ChainLabel per layer, base first. */
  chain: 'io.posh-containers.chain',
} as const;

/** What the chain label says of each layer's image. */
export interface ChainLabel {
  name: string;
  publisher: string;
  version: string;
  summary?: string;
  isOSImage: boolean;
  created: string;
  /** Store layer id of the image's own layer. */
  layer: string;
  /** false when `<name>:<version>` was not a docker reference of the image. */
  implicitReference?: boolean;
}

const FOUR_PART = /^\d+\.\d+\.\d+\.\d+$/;

// ------------------------------------------------------------------------------------- export

const digestMemo = new Map<string, { digest: Digest; size: number }>();

/** The uncompressed tar of a store layer, as a fresh stream each call. */
function openLayerTar(store: ImageStore, layerId: string): AsyncIterable<Uint8Array> {
  return (async function* () {
    const m = await store.readLayer(layerId);
    yield* tarStream(layerTarEntries(store, m), `layer ${layerId}`) as AsyncIterable<Buffer>;
  })();
}

/**
 * The key under which a layer tar's digest and size are kept in the store (LayerRecord.derived).
 * Its version changes whenever layerTarEntries would write other bytes for the same manifest.
 */
const TAR_DIGEST_KEY = 'oci-layer-tar/1';

/**
 * A store layer as an OCI layer blob. Its digest and size come from one streaming pass, remembered
 * in the process and in the store's catalog (layer manifests and blobs are content-addressed, so
 * the bytes never change): a second push or save of the layer, in any process, does not read it
 * twice. The store is only a cache here: when it cannot take the value, the next run derives it again.
 */
export async function layerBlob(store: ImageStore, layerId: string): Promise<BlobSource> {
  const key = `${store.root}\0${layerId}`;
  let known = digestMemo.get(key);
  const kept = known ? null : /^(sha256:[0-9a-f]{64}) (\d+)$/.exec(store.derivedOf(layerId, TAR_DIGEST_KEY) ?? '');
  if (kept) known = { digest: kept[1] as Digest, size: Number(kept[2]) };
  if (!known) {
    const h = createHash('sha256');
    let size = 0;
    for await (const c of openLayerTar(store, layerId)) {
      h.update(c);
      size += c.length;
    }
    known = { digest: `sha256:${h.digest('hex')}` as Digest, size };
    await store.rememberDerived(layerId, TAR_DIGEST_KEY, `${known.digest} ${size}`).catch(() => undefined);
  }
  digestMemo.set(key, known);
  const { digest, size } = known;
  return { mediaType: MediaType.OciLayer, digest, size, open: () => openLayerTar(store, layerId) };
}

/** The image and its parents, base first. */
function chainOf(store: ImageStore, image: ImageRecord): ImageRecord[] {
  const all = store.listImages();
  const chain: ImageRecord[] = [];
  const seen = new Set<string>();
  for (let r: ImageRecord | undefined = image; r; r = r.parentImageId ? all.find((x) => x.imageId === r!.parentImageId) : undefined) {
    if (seen.has(r.imageId)) throw new OciError('InvalidImage', `the parent chain of ${r.imageId} loops`);
    seen.add(r.imageId);
    chain.unshift(r);
    if (r.parentImageId && !all.some((x) => x.imageId === r!.parentImageId)) throw new OciError('InvalidImage', `the parent image ${r.parentImageId} is not installed`);
  }
  return chain;
}

/**
 * An image of the store as an OCI image: an `amd64`/`windows` config (os.version from the base OS
 * image's version), one uncompressed layer per store layer, and labels carrying the store metadata.
 */
export async function imageToOci(store: ImageStore, image: ImageRecord): Promise<ImageSpec> {
  const chain = chainOf(store, image);
  // Which chain image owns each layer (an image adds the layers after its parent's).
  const owners: ImageRecord[] = [];
  for (const [i, r] of chain.entries()) {
    const below = i > 0 ? chain[i - 1].layers.length : 0;
    if (r.layers.length < below || chain[i - 1]?.layers.some((l, k) => r.layers[k] !== l)) throw new OciError('InvalidImage', `the layers of ${r.imageId} do not start with its parent's`);
    for (let k = below; k < r.layers.length; k++) owners.push(r);
  }
  const layers: BlobSource[] = [];
  for (const l of image.layers) layers.push(await layerBlob(store, l));
  const labels: ChainLabel[] = image.layers.map((l, i) => {
    const o = owners[i];
    const c: ChainLabel = { name: o.name, publisher: o.publisher, version: o.version, isOSImage: o.isOSImage, created: o.created, layer: l };
    if (o.summary) c.summary = o.summary;
    if (o.implicitReference === false) c.implicitReference = false;
    return c;
  });
  const base = chain[0];
  // An image imported from an OCI image of another platform keeps it; ours are windows/amd64.
  const os = image.os ?? 'windows';
  const config: ImageConfig = {
    created: image.created,
    architecture: image.architecture ?? 'amd64',
    os,
    ...(os === 'windows' && base.isOSImage && FOUR_PART.test(base.version) ? { 'os.version': base.version } : {}),
    config: {
      Labels: {
        [LABELS.name]: image.name,
        [LABELS.publisher]: image.publisher,
        [LABELS.version]: image.version,
        [LABELS.isOSImage]: String(image.isOSImage),
        [LABELS.chain]: JSON.stringify(labels),
      },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: image.layers.map((_, i) => ({ created: owners[i].created, comment: `${owners[i].publisher}_${owners[i].name}_${owners[i].version}` })),
  };
  return { config, layers };
}

// ------------------------------------------------------------------------------------- import

export interface OciLayerInput {
  mediaType: string;
  digest: Digest;
  size?: number;
  open(): AsyncIterable<Uint8Array>;
}

/** OCI ChainID of the first n+1 layers (image-spec config.md). */
function chainIds(diffIds: Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) out.push(out.length ? (`sha256:${createHash('sha256').update(`${out[out.length - 1]} ${d}`).digest('hex')}` as Digest) : d);
  return out;
}

/** Reads the chain label, or null when absent, malformed, or not matching the layer count. */
function readChainLabel(config: ImageConfig): ChainLabel[] | null {
  const raw = config.config?.Labels?.[LABELS.chain];
  if (typeof raw !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== config.rootfs.diff_ids.length) return null;
  const ok = v.every(
    (x) =>
      x && typeof x === 'object' &&
      typeof x.name === 'string' && x.name !== '' && x.name.length <= 256 && !/[\0\r\n]/.test(x.name) &&
      typeof x.publisher === 'string' && x.publisher.length <= 256 && !/[\0\r\n]/.test(x.publisher) &&
      typeof x.version === 'string' && FOUR_PART.test(x.version) &&
      typeof x.isOSImage === 'boolean' && typeof x.created === 'string' &&
      typeof x.layer === 'string' && /^[0-9a-f]{64}$/.test(x.layer) &&
      (x.summary === undefined || typeof x.summary === 'string') &&
      (x.implicitReference === undefined || typeof x.implicitReference === 'boolean'),
  );
  return ok ? (v as ChainLabel[]) : null;
}

/** A sensible store name and version for an image without our labels: the repository's last part, the tag when it is a version. */
function foreignTopMeta(reference: { repository: string; tag: string }, config: ImageConfig): { name: string; publisher: string; version: string } {
  const parts = reference.repository.split('/');
  const name = parts[parts.length - 1] || 'image';
  const first = parts.length > 1 ? parts[0] : '';
  const registry = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  const fromTag = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?$/.exec(reference.tag);
  const labelVersion = config.config?.Labels?.['org.opencontainers.image.version'];
  const fromLabel = typeof labelVersion === 'string' ? /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?$/.exec(labelVersion) : null;
  const m = fromTag ?? fromLabel;
  const version = m && m.slice(1).every((x) => x === undefined || x.length <= 9) ? [m[1], m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'].map((x) => String(Number(x))).join('.') : '0.0.0.0';
  return { name, publisher: `CN=${registry}`, version };
}

async function* hashing(source: AsyncIterable<Uint8Array>, h: ReturnType<typeof createHash> | null, count: { n: number }): AsyncGenerator<Uint8Array> {
  for await (const c of source) {
    h?.update(c);
    count.n += c.length;
    yield c;
  }
}

/**
 * An iterable over an iterator that a consumer may abandon (`return()`) without ending it, so
 * the rest can still be drained and verified afterwards.
 */
function unclosable(it: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => it.next(),
      return: async () => ({ done: true, value: undefined }),
    }),
  };
}

/**
 * The store items of one OCI layer, verified: the stored bytes against `digest` (and `size`), the
 * uncompressed tar against the config's diff_id. A mismatch throws at the end of the layer,
 * before anything is committed.
 */
async function* verifiedItems(layer: OciLayerInput, diffId: Digest, label: string): AsyncGenerator<ReturnType<typeof layerItems> extends AsyncGenerator<infer T> ? T : never> {
  if (/zstd/.test(layer.mediaType)) throw new OciFormatError(`${label}: zstd-compressed layers are not supported`);
  // A layer given by its diff_id (an uncompressed tar, or gzip whose compressed digest is not
  // known, as in a docker-archive) is checked once, after gunzip: that covers every byte used.
  const storedIsDiff = layer.digest === diffId;
  const stored = storedIsDiff ? null : createHash('sha256');
  const storedCount = { n: 0 };
  const diff = createHash('sha256');
  const diffCount = { n: 0 };
  const tar = hashing(maybeGunzip(hashing(layer.open(), stored, storedCount), label), diff, diffCount)[Symbol.asyncIterator]();
  try {
    yield* layerItems(unclosable(tar), label);
    // The tar reader stops at the end-of-archive blocks: the rest is read so both digests cover every byte.
    for (;;) {
      const r = await tar.next();
      if (r.done) break;
    }
  } finally {
    await tar.return?.(undefined);
  }
  if (layer.size !== undefined && storedCount.n !== layer.size)
    throw new OciError('DigestMismatch', `${label}: size mismatch: expected ${layer.size} bytes (${layer.digest}), got ${storedCount.n} bytes`);
  if (stored) {
    const gotStored = `sha256:${stored.digest('hex')}`;
    if (gotStored !== layer.digest) throw new OciError('DigestMismatch', `${label}: digest mismatch: expected ${layer.digest}, got ${gotStored}`);
  }
  const gotDiff = `sha256:${diff.digest('hex')}`;
  if (gotDiff !== diffId) {
    if (storedIsDiff) throw new OciError('DigestMismatch', `${label}: digest mismatch: expected ${diffId}, got ${gotDiff}`);
    throw new OciError('DigestMismatch', `${label}: the uncompressed layer's digest ${gotDiff} is not the config's diff_id ${diffId}`);
  }
}

/** The diff_id our export gives a store layer (streams it; memoised like layerBlob). */
async function localDiffId(store: ImageStore, layerId: string): Promise<Digest> {
  return (await layerBlob(store, layerId)).digest;
}

/**
 * Imports an OCI image into the store: one store layer per OCI layer (gzip or plain tar, verified
 * against `digest` and the config's diff_ids), reusing installed images whose chain matches (an
 * image imported before from the same layer over the same parent, or, for our own exports, the
 * image the labels name when its layer exports to the same diff_id). New images below the top get
 * no docker reference; the top gets `${repository}:${tag}` (none when `reference` is null: an
 * untagged `docker load`). All or nothing.
 */
export async function imageFromOci(
  store: ImageStore,
  image: { config: Buffer; layers: OciLayerInput[] },
  reference: { repository: string; tag: string } | null,
  opts: { onLayer?: (digest: Digest, status: 'exists' | 'imported') => void } = {},
): Promise<{ image: ImageRecord; created: boolean }> {
  const config = parseImageConfig(image.config, 'image config');
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) throw new OciFormatError(`image config lists ${diffIds.length} diff_ids for ${image.layers.length} layers`);
  if (diffIds.length === 0) throw new OciFormatError('the image has no layers');
  for (const l of image.layers) if (!isDigest(l.digest)) throw new OciFormatError(`layer digest ${JSON.stringify(l.digest)} is not a sha256 digest`);
  const labels = readChainLabel(config);
  const chains = chainIds(diffIds);
  const top = reference ? foreignTopMeta(reference, config) : { name: `image-${chains[chains.length - 1].slice(7, 19)}`, publisher: 'CN=OCI', version: '0.0.0.0' };
  const created = typeof config.created === 'string' && !Number.isNaN(Date.parse(config.created)) ? config.created : undefined;
  const tag = reference ? `${reference.repository}:${reference.tag}` : undefined;
  const PLATFORM_WORD = /^[a-z0-9][a-z0-9._-]{0,31}$/;
  if (!PLATFORM_WORD.test(config.os) || !PLATFORM_WORD.test(config.architecture))
    throw new OciFormatError(`image config: platform ${JSON.stringify(`${config.os}/${config.architecture}`)} is not valid`);
  const platform: Pick<ChainImageMeta, 'os' | 'architecture'> = config.os === 'windows' && config.architecture === 'amd64' ? {} : { os: config.os, architecture: config.architecture };

  const steps: ChainStep[] = image.layers.map((layer, i) => {
    const last = i === diffIds.length - 1;
    const hex = chains[i].slice(7, 19);
    const lab = labels?.[i];
    let metas: ChainImageMeta[];
    if (lab) {
      const m: ChainImageMeta = { name: lab.name, publisher: lab.publisher, version: lab.version, summary: lab.summary, isOSImage: lab.isOSImage, created: lab.created, diffId: diffIds[i], ...platform };
      // Below the top an image is only a parent: `docker images` shows it by no reference.
      if (!last || lab.implicitReference === false) m.implicitReference = false;
      metas = [m, { ...m, name: `${lab.name}-${hex}` }];
    } else if (last) {
      const m: ChainImageMeta = { ...top, isOSImage: i === 0, implicitReference: false, diffId: diffIds[i], ...platform, ...(created ? { created } : {}) };
      metas = [m, { ...m, name: `${top.name}-${hex}` }];
    } else {
      // Named by content (ChainID), so images that share base layers share these images.
      const histCreated = config.history?.filter((h) => !h.empty_layer)[i]?.created;
      metas = [{ name: `layer-${hex}`, publisher: 'CN=OCI', version: '0.0.0.0', isOSImage: i === 0, implicitReference: false, diffId: diffIds[i], ...platform, ...(histCreated ? { created: histCreated } : created ? { created } : {}) }];
    }
    return {
      meta: metas,
      reuse: async (images, parent) => {
        const parentId = parent?.imageId ?? null;
        const byDiff = images.find((r) => r.diffId === diffIds[i] && (r.parentImageId ?? null) === parentId);
        let hit = byDiff ?? null;
        if (!hit && lab) {
          const id = imageIdOf(`${lab.publisher}_${lab.name}_${lab.version}`, parentId, [...(parent?.layers ?? []), lab.layer]);
          const cand = images.find((r) => r.imageId === id);
          // The label could be wrong: the installed layer must export to this very diff_id.
          if (cand && (await localDiffId(store, lab.layer).catch(() => null)) === diffIds[i]) hit = cand;
        }
        if (hit) opts.onLayer?.(layer.digest, 'exists');
        return hit;
      },
      entries: () =>
        (async function* () {
          yield* verifiedItems(layer, diffIds[i], `layer ${layer.digest}`);
          opts.onLayer?.(layer.digest, 'imported');
        })(),
    };
  });
  const r = await store.importLayerChain(steps, { tag });
  return { image: r.images[r.images.length - 1], created: r.created.some(Boolean) };
}


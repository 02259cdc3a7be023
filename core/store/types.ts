// Record shapes of the image store (schema 2: blobs may live in pack files). See core/store/index.ts for the layout on disk.

/** The store layout version this code writes and understands. */
export const STORE_SCHEMA = 2;

/**
 * The layer manifest format. Part of every layer id (the SHA-256 of the manifest), so it stays
 * at 1 while the store's layout changes: the same tree gives the same layer and image ids in
 * every version.
 */
export const LAYER_SCHEMA = 1;

/** One file-system object of a layer. Paths are '/'-joined segments; '' is the root directory. */
export interface LayerEntry {
  path: string;
  /** 'whiteout' (derived layers only): the path and everything under it is deleted from the layers below. */
  kind: 'directory' | 'file' | 'symlink' | 'whiteout';
  /** Unnamed data stream (files): byte size and both hashes; absent when the file is empty. */
  size?: number;
  sha256?: string;
  sha1?: string;
  attributes?: number;
  /** FILETIME creation, last access, last write (decimal strings of 100 ns since 1601). */
  times?: [string, string, string];
  /** Index into the layer's securityDescriptors. */
  sd?: number;
  linkTarget?: string;
  linkIsDirectory?: boolean;
  /** A non-symlink reparse point, passed through (data base64, at most 16 KiB). */
  reparse?: { tag: number; data: string };
  hardLinkGroup?: string;
  /** Named data streams. */
  streams?: { name: string; size: number; sha256?: string; sha1?: string }[];
}

/** `layers/<layerId>.json`; the layer id is the SHA-256 of this file's bytes. */
export interface LayerManifest {
  schema: number;
  securityDescriptors: string[];
  entries: LayerEntry[];
}

export interface ImageRecord {
  /** SHA-256 (hex) of the image's identity: FullName, parent and layers. */
  imageId: string;
  /**
   * References added by `docker tag` (`repository:tag`, lower-case repository), besides the
   * implicit `<lower-case name>:<version>`. Absent (old catalogs, untagged images) = none.
   */
  tags?: string[];
  /**
   * false: `<lower-case name>:<version>` is not one of the image's docker references (an image made
   * by `docker commit`, whose references are exactly its tags). Absent = true.
   */
  implicitReference?: boolean;
  name: string;
  publisher: string;
  /** Four-part version, e.g. 10.0.14300.1010. */
  version: string;
  summary: string;
  isOSImage: boolean;
  parentImageId: string | null;
  /** Every layer of the image, base first (a derived image lists its parent's layers, then its own). */
  layers: string[];
  /** Bytes of file content in the image's (flattened) tree. */
  size: number;
  fileCount: number;
  /** ISO 8601 UTC. */
  created: string;
  /**
   * `sha256:<hex>` of the image's own layer as the uncompressed OCI layer tar it was imported from
   * (set by importLayerChain after verifying the content), so the same OCI layer on the same
   * parent is found again without reading it. Absent for images made any other way.
   */
  diffId?: string;
  /** The OCI platform of an image imported from an OCI image made for another one; absent = windows/amd64. */
  os?: string;
  architecture?: string;
}

/** Containers (added by the container cmdlets): a record per container, depending on its image. */
export interface ContainerRecord {
  /** A GUID, lower case. */
  containerId: string;
  name: string;
  imageId: string;
  state: 'Off' | 'Running';
  runtimeType: 'Default' | 'HyperV';
  created: string;
  /** ISO 8601 UTC time of the last Start-Container while Running; absent when Off. */
  started?: string;
  /** The container's writable root, when materialised (outside the blob store, under containers/). */
  path?: string;
}

/** A layer in the catalog: how many images list it, its content size. */
export interface LayerRecord {
  refs: number;
  size: number;
  /**
   * Values other rooms derived from the layer's content and keep here so as not to derive them
   * again (core/store-oci: the digest and size of its OCI layer tar), keyed by what they are and
   * their format version. The content never changes, so neither do they.
   */
  derived?: Record<string, string>;
}

/** `catalog.json`: the commit point of every mutation (written last, atomically). */
export interface Catalog {
  schema: number;
  /** Incremented by every committed mutation. */
  generation: number;
  images: ImageRecord[];
  containers: ContainerRecord[];
  /** Layer id → number of images listing it. */
  layers: Record<string, LayerRecord>;
  /** Blob SHA-256 → its record. */
  blobs: Record<string, BlobRecord>;
}

/**
 * [SHA-1, size, number of layers referencing it] for a blob in a file of its own
 * (blobs/<aa>/<sha256>); with [pack id, byte offset] added for one inside a pack file
 * (packs/<id>.pack, schema 2), where an uncompressed archive's blobs are kept side by side.
 */
export type BlobRecord = [string, number, number] | PackedBlobRecord;
export type PackedBlobRecord = [string, number, number, string, number];

export function fullNameOf(r: Pick<ImageRecord, 'publisher' | 'name' | 'version'>): string {
  return `${r.publisher}_${r.name}_${r.version}`;
}

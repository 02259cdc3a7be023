// The local image store (SPEC §11): content-addressed, crash-safe, shared by processes.
// It is the only code that writes under the store root; cmdlets and providers call it.
//
// API (all paths absolute; `root` is SessionState.storeRoot):
//   const store = openStore(root);                 // cheap; nothing is read or created yet
//   store.listImages()            -> ImageRecord[]  (committed catalog; never a half-written one)
//   store.findImage(idOrFullName) -> ImageRecord | null  (FullName `<Publisher>_<Name>_<Version>`,
//                                                       case-insensitive, or an ImageId / ≥12-hex prefix)
//   store.listContainers()        -> ContainerRecord[]
//   await store.importWim(pathOrWimReader, { force?, isOSImage?, name?, version?, publisher?,
//                                             summary?, onProgress? })
//                                 -> { status: 'installed' | 'replaced' | 'exists', image }
//        Image index 1 of the archive (an index 2 — a utility VM — is ignored; more than two
//        images is an error). Name/Version/Publisher/Summary come from the WIM XML (NAME,
//        WINDOWS/VERSION, PUBLISHER, DESCRIPTION) unless overridden. 'exists' = an image with the
//        same FullName is installed and `force` was not given (nothing was changed). The reader
//        passed in stays open (the caller closes it); a path is opened and closed here.
//   await store.importEntries({ name, publisher, version, summary?, parentImageId?, isOSImage?,
//                               force? }, entries)     -> same result (derived images: a layer
//        of added/changed files and 'whiteout' entries over the parent's layers)
//   await store.importLayerChain(steps, { tag? }) -> { images, created } (one mutation: per step an
//        installed image reused or a one-layer image made from streamed items over the previous
//        step's; records and the tag committed together; core/store-oci's imageFromOci uses it)
//   await store.removeImage(recordOrIdOrFullName) -> { image, blobsRemoved, bytesFreed }
//   await store.createContainer({ name, imageId, runtimeType? }) -> ContainerRecord (State Off; its
//        writable root materialised at containers/<id> from the image's layers by reflink-or-copy
//        from the blobs, never hard links: see core/store/containers.ts)
//   await store.diffContainer(containerId) -> { container, image, entries, added, changed, deleted }
//        (the container's changes as importEntries input: whiteouts first; New-ContainerImage)
//   await store.tagImage(imageId, 'repo:tag', { dropImplicitReference? }) -> ImageRecord (docker
//        tag: the reference moves to this image; dropImplicitReference: docker commit's images have
//        only their tags as references) / await store.untagImage('repo:tag') -> the image that had it, or null
//   await store.addContainer(rec) (a record only) / updateContainer(id, change) /
//         removeContainer(id) (the record, then its root directory)
//   store.exportEntries(image, locate?) -> AsyncIterable<WimWriteEntry> for createWim().addAll()
//                                    (flattened; stored SHA-1s passed so nothing is re-hashed)
//   await store.exportWim(image, wimPath, { compression?: 'none' | 'xpress' })
//   await store.check()           -> StoreProblem[] (empty when healthy)
//   await store.optimize()        -> { blobsRemoved, layersRemoved, tempFilesRemoved, bytesFreed }
//        (also rewrites pack files holding blobs no image uses any more)
//   store.derivedOf(layerId, key) / await store.rememberDerived(layerId, key, value): values other
//        rooms derive from a layer's content, kept in the catalog (core/store-oci's tar digests)
//   store.blobLocator(catalog?)   -> sha256 => { path, offset, size, packed } (readers under the lock)
//   store.openBlobSnapshot(blobs) -> { locate, close } for readers without the lock: the packs of
//        those blobs held open, so a pack Optimize rewrites stays readable; openBlobStream(location)
//   Free functions with the same names take the root first: importWim(root, source, opts), …
//
// Errors: StoreError (errorId, category, target) and its kinds StoreVersionError (a newer
// store opened by an older posh), StoreDependencyError (containers or child images depend on
// the image; the message names them), StoreInputError (archive content unfit for the store),
// StoreLockedError (lock wait timed out); WimFormatError from the archive itself.
//
// Layout under the root:
//   store.json            {"format":"posh-containers-store","schema":2}
//   catalog.json          images, containers, layer and blob reference counts, where each blob is
//                         (the commit point)
//   blobs/<aa>/<sha256>   file contents, once per distinct content (SHA-1 kept in the catalog)
//   packs/<id>.pack       the blobs of an uncompressed archive's install, side by side (each at a
//                         4 KiB boundary; the catalog records pack and offset): one file per
//                         hash-and-copy worker instead of one per blob
//   layers/<id>.json      layer manifests (the tree: names, attributes, times, hashes), id = SHA-256
//   tmp/                  temp files, named `<what>-<pid>-…` (a sweep removes only those of dead
//                         processes, this process's own, or ones idle for 24 h: store.ts staleTemp)
//   containers/<id>/      a container's writable root (containers/<id>.partial while created)
//   pending               present while a mutation that writes blobs runs; the next mutation
//                         finding it sweeps unreferenced files first
//   store.lock.lock/      proper-lockfile's lock (with `owner`: host and pid)
// Every mutation: take the lock → write blobs (temp, fsync, rename) → write the layer manifest
// (atomically) → write catalog.json (temp, fsync, rename: the commit) → delete what became
// unreferenced → drop `pending`. A crash before the commit leaves only unreferenced files.
// Failpoints for crash tests: POSH_STORE_FAILPOINT / POSH_STORE_TRACE (core/store/durable.ts).

import { ImageStore, type ImportOptions, type ImportResult } from './store';
import type { WimReader } from '../wim';

export { ImageStore, blobsOf, imageIdOf, openBlobStream } from './store';
export type { BlobLocation, ImportOptions, ImportProgress, ImportResult, RemoveResult, StoreProblem, OptimizeResult, StoreInputEntry, ChainLayerItem, ChainImageMeta, ChainStep, ChainResult } from './store';
export { StoreError, StoreVersionError, StoreDependencyError, StoreInputError } from './errors';
export { StoreLockedError } from './lock';
export { STORE_SCHEMA, fullNameOf } from './types';
export type { ImageRecord, ContainerRecord, LayerEntry, LayerManifest, LayerRecord, Catalog } from './types';

const stores = new Map<string, ImageStore>();

/** The store at `root` (one object per root per process). */
export function openStore(root: string): ImageStore {
  let s = stores.get(root);
  if (!s) stores.set(root, (s = new ImageStore(root)));
  return s;
}

export function importWim(root: string, source: string | WimReader, opts?: ImportOptions): Promise<ImportResult> {
  return openStore(root).importWim(source, opts);
}

export function listImages(root: string) {
  return openStore(root).listImages();
}

export function removeImage(root: string, image: Parameters<ImageStore['removeImage']>[0]) {
  return openStore(root).removeImage(image);
}

// OCI images without knowledge of the engine or the store (docs/oci-registry.md):
//   digests      sha256, streamed hashing and verification   (digest.ts)
//   model        descriptors, manifest, index, config, media types, validation (types.ts)
//   layers       deterministic layer tar writer, validating reader (plain/gzip) (layer.ts, tar.ts)
//   layouts      OCI image layout directories, written and read (layout.ts)
//   archives     docker-archive / oci-archive tarballs, written and read (archive.ts)

export * from './errors';
export * from './digest';
export * from './types';
export * from './layer';
export * from './layout';
export * from './archive';
export { readTar, tarStream, type TarHeader, type TarStreamEntry, type TarWriteEntry, type TarType } from './tar';

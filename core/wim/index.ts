// WIM (Windows Imaging Format) archives: reader, writer, capture and extraction.
// This library knows nothing of the image store, the engine or HTTP.
//
// Reading
//   const r = await openWim(path, { checkIntegrity?: boolean });   // validates header, tables, XML
//   r.images            -> WimImageInfo[]: { index, name, description, version ('10.0.14300.1010'
//                          or ''), publisher ('CN=Unknown' when absent), dirCount, fileCount,
//                          totalBytes, creationTime, lastModificationTime (FILETIME bigint) }
//   r.entries(index=1)  -> AsyncIterable<WimEntry> in directory order (a directory before its
//                          contents); the whole tree is validated before the first entry:
//                          { path: string[], kind: 'directory'|'file'|'symlink', size, sha1 (hex|null),
//                            attributes, times {creation,lastAccess,lastWrite} (FILETIME bigint),
//                            securityDescriptor?: Buffer, linkTarget?: string ('/'-separated;
//                            leading '/' = from the image root), reparse?: {tag,data},
//                            hardLinkGroup?: string, streams: {name,size,sha1}[] (named streams) }
//   r.entryList(index)  -> the same as an array
//   r.openBlob(sha1)    -> Readable of the content; errors with WimFormatError on a SHA-1 mismatch
//   r.blobPieces(sha1)  -> AsyncIterable<Buffer> of the same (last piece only after the hash matched)
//   r.blob(sha1)        -> { res: { offset, sizeInWim, originalSize, flags }, refCount, sha1 } | undefined
//   r.forEachBlob(sha1s, (sha1, piece, last) => …) -> reads many blobs in the given order (sort by
//                          blob(sha1).res.offset for a sequential scan) with read-ahead (and
//                          worker-thread decompression); `last` only after the SHA-1 matched
//   r.close()
//   extractImage(r, index, destDir) -> writes the tree into an empty (or new) destDir; never
//                          outside it; returns counts.
//
// Writing (single image; compression 'none' or 'xpress'; blobs deduplicated by SHA-1)
//   const w = await createWim(path, { compression, metadata: { name, description?, version?,
//                                     publisher? }, integrity?: boolean,
//                                     guid?: Buffer (16 bytes), time?: bigint (FILETIME) });
//        (pin guid and time for byte-reproducible archives)
//   await w.add(entry) / await w.addAll(asyncIterableOfEntries)   // WimWriteEntry: path, kind,
//        size + content: () => AsyncIterable<Uint8Array> (fresh buffers), sha1? (skips reading
//        when the archive already holds that blob), linkTarget, hardLinkGroup, times, attributes,
//        securityDescriptor, streams (named)
//   const res = await w.finish();   // or w.abort(); the file appears only when finish() succeeds
//   captureDirectory(srcDir, wimPath, opts) = createWim + walkDirectory(srcDir) + finish
//   fileContent(path)   -> a ContentSource for a file on disk; addAll() reads such small files
//                          ahead, several at a time (use it rather than () => readFilePieces(path))
//
// Errors: malformed or hostile archives raise WimFormatError (entryPath, reason); archives using
// LZMS/solid/split/pipable features raise WimUnsupportedError (a WimFormatError). See
// docs/wim-format.md.

export { WimFormatError, WimUnsupportedError } from './errors';
export { openWim, WimReader, filetimeToDate, msToFiletime } from './reader';
export type { WimEntry, WimTimes, WimStreamInfo, EntryKind, OpenOptions } from './reader';
export type { WimImageInfo } from './xml';
export { DEFAULT_PUBLISHER } from './xml';
export { createWim, WimWriter } from './writer';
export type { WimWriteEntry, ContentSource, CreateWimOptions, WimImageMetadata, WimWriteResult } from './writer';
export { captureDirectory, walkDirectory, readFilePieces, fileContent } from './capture';
export { extractImage } from './extract';
export type { ExtractResult, ExtractOptions } from './extract';

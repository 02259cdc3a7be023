// On-disk structures of the Windows Imaging Format: the 208-byte header, 24-byte resource
// headers and 50-byte blob table entries. Everything is little-endian.

import { WimFormatError, WimUnsupportedError } from './errors';

export const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
export const HEADER_SIZE = 208;
export const WIM_VERSION = 0x10d00;
export const CHUNK_SIZE = 32768;
export const RESHDR_SIZE = 24;
export const BLOB_ENTRY_SIZE = 50;

// Header flags.
export const HDR_FLAG_COMPRESSION = 0x2;
export const HDR_FLAG_READONLY = 0x4;
export const HDR_FLAG_SPANNED = 0x8;
export const HDR_FLAG_RESOURCE_ONLY = 0x10;
export const HDR_FLAG_METADATA_ONLY = 0x20;
export const HDR_FLAG_WRITE_IN_PROGRESS = 0x40;
export const HDR_FLAG_RP_FIX = 0x80;
export const HDR_FLAG_COMPRESS_XPRESS = 0x20000;
export const HDR_FLAG_COMPRESS_LZX = 0x40000;
export const HDR_FLAG_COMPRESS_LZMS = 0x80000;
export const HDR_FLAG_COMPRESS_XPRESS2 = 0x200000;

// Resource header flags.
export const RES_FLAG_FREE = 0x1;
export const RES_FLAG_METADATA = 0x2;
export const RES_FLAG_COMPRESSED = 0x4;
export const RES_FLAG_SPANNED = 0x8;
export const RES_FLAG_SOLID = 0x10;

export type Compression = 'none' | 'xpress' | 'lzx';

/** Where a resource lives in the file and how big it is before and after compression. */
export interface ResourceHeader {
  sizeInWim: number;
  flags: number;
  offset: number;
  originalSize: number;
}

export interface WimHeader {
  flags: number;
  chunkSize: number;
  guid: Buffer;
  partNumber: number;
  totalParts: number;
  imageCount: number;
  blobTable: ResourceHeader;
  xmlData: ResourceHeader;
  bootMetadata: ResourceHeader;
  bootIndex: number;
  integrity: ResourceHeader;
  compression: Compression;
}

export interface BlobEntry {
  res: ResourceHeader;
  partNumber: number;
  refCount: number;
  sha1: string;
}

/** Reads a u64 that must fit a JS number exactly (2^53); larger values are nonsense for a file. */
export function readU64(buf: Buffer, off: number, what: string, path = ''): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WimFormatError(`${what} is too large (${v})`, path);
  return Number(v);
}

export function parseResourceHeader(buf: Buffer, off: number, what: string): ResourceHeader {
  const lo = buf.readUInt32LE(off);
  const hi = buf.readUInt32LE(off + 4) & 0xffffff;
  const flags = buf[off + 7];
  if (hi > 0x1fffff) throw new WimFormatError(`${what}: stored size is too large`);
  return {
    sizeInWim: hi * 0x100000000 + lo,
    flags,
    offset: readU64(buf, off + 8, `${what}: offset`),
    originalSize: readU64(buf, off + 16, `${what}: original size`),
  };
}

export function writeResourceHeader(buf: Buffer, off: number, r: ResourceHeader): void {
  buf.writeUInt32LE(r.sizeInWim % 0x100000000, off);
  buf.writeUInt32LE(Math.floor(r.sizeInWim / 0x100000000) & 0xffffff, off + 4);
  buf[off + 7] = r.flags;
  buf.writeBigUInt64LE(BigInt(r.offset), off + 8);
  buf.writeBigUInt64LE(BigInt(r.originalSize), off + 16);
}

export const EMPTY_RESHDR: ResourceHeader = { sizeInWim: 0, flags: 0, offset: 0, originalSize: 0 };

/**
 * Checks that a resource lies inside the file and that its sizes are coherent with its
 * compression; an uncompressed resource must have equal stored and original sizes.
 */
export function checkResource(r: ResourceHeader, fileSize: number, what: string, path = ''): void {
  if (r.offset < HEADER_SIZE && r.sizeInWim > 0) throw new WimFormatError(`${what} overlaps the header`, path);
  if (r.offset + r.sizeInWim > fileSize) throw new WimFormatError(`${what} extends past the end of the file (offset ${r.offset}, size ${r.sizeInWim}, file ${fileSize})`, path);
  if (r.flags & RES_FLAG_SOLID) throw new WimUnsupportedError(`${what} is in a solid (LZMS/ESD) resource`, path);
  if (r.flags & RES_FLAG_SPANNED) throw new WimUnsupportedError(`${what} is spanned over several parts`, path);
  if (!(r.flags & RES_FLAG_COMPRESSED) && r.sizeInWim !== r.originalSize) {
    throw new WimFormatError(`${what}: uncompressed resource has stored size ${r.sizeInWim} but original size ${r.originalSize}`, path);
  }
}

export function parseHeader(buf: Buffer, fileSize: number): WimHeader {
  if (buf.length < HEADER_SIZE || fileSize < HEADER_SIZE) throw new WimFormatError(`file is too small for a WIM header (${fileSize} bytes)`);
  if (!buf.subarray(0, 8).equals(WIM_MAGIC)) {
    if (buf.subarray(0, 8).equals(Buffer.from('MSWIMP\0\0', 'latin1'))) throw new WimUnsupportedError('pipable WIM archives');
    throw new WimFormatError('bad magic (not a WIM archive)');
  }
  const hdrSize = buf.readUInt32LE(8);
  if (hdrSize !== HEADER_SIZE) throw new WimFormatError(`header size is ${hdrSize}, expected ${HEADER_SIZE}`);
  const version = buf.readUInt32LE(12);
  if (version === 0xe00) throw new WimUnsupportedError('solid archives (format version 0xE00, LZMS/ESD)');
  if (version !== WIM_VERSION && version !== 0x10b00 && version !== 0xe00) throw new WimFormatError(`unknown format version 0x${version.toString(16)}`);
  const flags = buf.readUInt32LE(16);
  const chunkSize = buf.readUInt32LE(20);
  let compression: Compression = 'none';
  if (flags & HDR_FLAG_COMPRESSION) {
    if (flags & HDR_FLAG_COMPRESS_LZMS) throw new WimUnsupportedError('LZMS compression (solid/ESD archives)');
    if (flags & HDR_FLAG_COMPRESS_XPRESS2) throw new WimUnsupportedError('XPRESS2 compression');
    if (flags & HDR_FLAG_COMPRESS_XPRESS) compression = 'xpress';
    else if (flags & HDR_FLAG_COMPRESS_LZX) compression = 'lzx';
    else throw new WimFormatError('compression flag set without a compression type');
    if (chunkSize !== CHUNK_SIZE) throw new WimUnsupportedError(`chunk size ${chunkSize} (only ${CHUNK_SIZE} is read)`);
  }
  if (flags & HDR_FLAG_SPANNED) throw new WimUnsupportedError('spanned (split) archives');
  if (flags & (HDR_FLAG_RESOURCE_ONLY | HDR_FLAG_METADATA_ONLY)) throw new WimUnsupportedError('resource-only or metadata-only archives');
  const partNumber = buf.readUInt16LE(40);
  const totalParts = buf.readUInt16LE(42);
  if (partNumber !== 1 || totalParts !== 1) throw new WimUnsupportedError(`split archives (part ${partNumber} of ${totalParts})`);
  const h: WimHeader = {
    flags,
    chunkSize,
    guid: Buffer.from(buf.subarray(24, 40)),
    partNumber,
    totalParts,
    imageCount: buf.readUInt32LE(44),
    blobTable: parseResourceHeader(buf, 48, 'blob table'),
    xmlData: parseResourceHeader(buf, 72, 'XML data'),
    bootMetadata: parseResourceHeader(buf, 96, 'boot metadata'),
    bootIndex: buf.readUInt32LE(120),
    integrity: parseResourceHeader(buf, 124, 'integrity table'),
    compression,
  };
  checkResource(h.blobTable, fileSize, 'blob table');
  checkResource(h.xmlData, fileSize, 'XML data');
  if (h.integrity.sizeInWim) checkResource(h.integrity, fileSize, 'integrity table');
  if (h.blobTable.flags & RES_FLAG_COMPRESSED) throw new WimUnsupportedError('compressed blob table');
  if (h.xmlData.flags & RES_FLAG_COMPRESSED) throw new WimFormatError('XML data is marked compressed');
  if (h.blobTable.sizeInWim % BLOB_ENTRY_SIZE !== 0) throw new WimFormatError(`blob table size ${h.blobTable.sizeInWim} is not a multiple of ${BLOB_ENTRY_SIZE}`);
  if (h.imageCount > 65535) throw new WimFormatError(`absurd image count ${h.imageCount}`);
  return h;
}

export function serializeHeader(h: Omit<WimHeader, 'compression'>): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  WIM_MAGIC.copy(b, 0);
  b.writeUInt32LE(HEADER_SIZE, 8);
  b.writeUInt32LE(WIM_VERSION, 12);
  b.writeUInt32LE(h.flags, 16);
  b.writeUInt32LE(h.chunkSize, 20);
  h.guid.copy(b, 24, 0, 16);
  b.writeUInt16LE(h.partNumber, 40);
  b.writeUInt16LE(h.totalParts, 42);
  b.writeUInt32LE(h.imageCount, 44);
  writeResourceHeader(b, 48, h.blobTable);
  writeResourceHeader(b, 72, h.xmlData);
  writeResourceHeader(b, 96, h.bootMetadata);
  b.writeUInt32LE(h.bootIndex, 120);
  writeResourceHeader(b, 124, h.integrity);
  return b;
}

export function parseBlobTable(buf: Buffer, fileSize: number): BlobEntry[] {
  const out: BlobEntry[] = [];
  for (let off = 0; off + BLOB_ENTRY_SIZE <= buf.length; off += BLOB_ENTRY_SIZE) {
    const i = off / BLOB_ENTRY_SIZE;
    const res = parseResourceHeader(buf, off, `blob table entry ${i}`);
    const e: BlobEntry = {
      res,
      partNumber: buf.readUInt16LE(off + 24),
      refCount: buf.readUInt32LE(off + 26),
      sha1: buf.toString('hex', off + 30, off + 50),
    };
    if (res.flags & RES_FLAG_FREE) continue;
    if (e.partNumber !== 1) throw new WimUnsupportedError(`blob table entry ${i} belongs to part ${e.partNumber}`);
    checkResource(res, fileSize, `blob ${e.sha1}`);
    out.push(e);
  }
  return out;
}

export function serializeBlobEntry(buf: Buffer, off: number, e: BlobEntry): void {
  writeResourceHeader(buf, off, e.res);
  buf.writeUInt16LE(e.partNumber, off + 24);
  buf.writeUInt32LE(e.refCount, off + 26);
  buf.write(e.sha1, off + 30, 20, 'hex');
}

export const ZERO_SHA1 = '0'.repeat(40);

// The metadata resource of one image: a security data block followed by the directory tree
// as dentries. Parsing trusts nothing: every offset is bounds-checked, directories may not be
// revisited (cycles), names are validated, and the walk is iterative so deep trees cannot blow
// the stack.

import { WimFormatError } from './errors';
import { ZERO_SHA1 } from './format';

export const ATTR_READONLY = 0x1;
export const ATTR_HIDDEN = 0x2;
export const ATTR_SYSTEM = 0x4;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_NORMAL = 0x80;
export const ATTR_REPARSE_POINT = 0x400;

export const REPARSE_TAG_SYMLINK = 0xa000000c;
export const REPARSE_TAG_MOUNT_POINT = 0xa0000003;

const DENTRY_FIXED = 102;
const STREAM_FIXED = 38;
const MAX_DEPTH = 1024;

export interface RawStream {
  name: string;
  sha1: string | null;
}

export interface RawDentry {
  name: string;
  attributes: number;
  securityId: number;
  subdirOffset: number;
  creation: bigint;
  lastAccess: bigint;
  lastWrite: bigint;
  sha1: string | null;
  reparseTag: number;
  rpFlags: number;
  hardLinkGroup: bigint;
  /** Extra stream entries (named and, as wimlib writes them, unnamed). */
  streams: RawStream[];
  children: RawDentry[] | null;
}

export interface ParsedMetadata {
  securityDescriptors: Buffer[];
  root: RawDentry;
}

export const align8 = (n: number): number => (n + 7) & ~7;

function hashAt(buf: Buffer, off: number): string | null {
  const h = buf.toString('hex', off, off + 20);
  return h === ZERO_SHA1 ? null : h;
}

const DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Why a name may not be used for a file in an extracted tree, or null when it is fine. */
export function badName(name: string): string | null {
  if (name.length === 0) return 'empty file name';
  if (name === '.' || name === '..') return `file name '${name}' is not allowed`;
  if (/[/\\\0]/.test(name)) return `file name ${JSON.stringify(name)} contains a path separator or NUL`;
  if (/^[A-Za-z]:/.test(name)) return `file name ${JSON.stringify(name)} looks like a drive path`;
  if (DEVICE_NAME.test(name)) return `file name ${JSON.stringify(name)} is a reserved device name`;
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) return `file name ${JSON.stringify(name)} holds an unpaired UTF-16 surrogate`;
  if (Buffer.byteLength(name, 'utf8') > 255) return 'file name is longer than 255 bytes';
  return null;
}

export function parseMetadata(buf: Buffer): ParsedMetadata {
  if (buf.length < 8) throw new WimFormatError('metadata resource is too small');
  let secLen = buf.readUInt32LE(0);
  const numSec = buf.readUInt32LE(4);
  if (secLen === 0) secLen = 8;
  if (secLen < 8 || secLen > buf.length) throw new WimFormatError(`security data length ${secLen} is out of range`);
  if (numSec > (secLen - 8) / 8) throw new WimFormatError(`security data declares ${numSec} descriptors in ${secLen} bytes`);
  const secs: Buffer[] = [];
  let p = 8 + numSec * 8;
  for (let i = 0; i < numSec; i++) {
    const sz = buf.readBigUInt64LE(8 + i * 8);
    if (sz > BigInt(secLen - p)) throw new WimFormatError(`security descriptor ${i} runs past the security data`);
    const n = Number(sz);
    secs.push(Buffer.from(buf.subarray(p, p + n)));
    p += n;
  }
  const rootOff = align8(secLen);
  const visited = new Set<number>();

  const parseOne = (off: number, parentPath: string): { d: RawDentry | null; next: number } => {
    if (off + 8 > buf.length) throw new WimFormatError(`directory entry at ${off} runs past the metadata resource`, parentPath);
    const lenBig = buf.readBigUInt64LE(off);
    if (lenBig <= 8n) return { d: null, next: off + 8 };
    if (lenBig < BigInt(DENTRY_FIXED) || lenBig > BigInt(buf.length - off)) {
      throw new WimFormatError(`directory entry at ${off} has invalid length ${lenBig}`, parentPath);
    }
    const len = Number(lenBig);
    const nameBytes = buf.readUInt16LE(off + 100);
    const shortBytes = buf.readUInt16LE(off + 98);
    const numStreams = buf.readUInt16LE(off + 96);
    if ((nameBytes & 1) || (shortBytes & 1)) throw new WimFormatError(`directory entry at ${off} has an odd name length`, parentPath);
    const namesEnd = DENTRY_FIXED + (nameBytes ? nameBytes + 2 : 0) + (shortBytes ? shortBytes + 2 : 0);
    if (namesEnd > len) throw new WimFormatError(`directory entry at ${off}: names run past the entry`, parentPath);
    const name = buf.toString('utf16le', off + DENTRY_FIXED, off + DENTRY_FIXED + nameBytes);
    const attributes = buf.readUInt32LE(off + 8);
    const isReparse = (attributes & ATTR_REPARSE_POINT) !== 0;
    const subdir = buf.readBigUInt64LE(off + 16);
    if (subdir > BigInt(buf.length)) throw new WimFormatError(`subdirectory offset ${subdir} is past the metadata resource`, parentPath + '/' + name);
    const d: RawDentry = {
      name,
      attributes,
      securityId: buf.readInt32LE(off + 12),
      subdirOffset: Number(subdir),
      creation: buf.readBigUInt64LE(off + 40),
      lastAccess: buf.readBigUInt64LE(off + 48),
      lastWrite: buf.readBigUInt64LE(off + 56),
      sha1: hashAt(buf, off + 64),
      reparseTag: isReparse ? buf.readUInt32LE(off + 88) : 0,
      rpFlags: isReparse ? buf.readUInt16LE(off + 94) : 0,
      hardLinkGroup: isReparse ? 0n : buf.readBigUInt64LE(off + 88),
      streams: [],
      children: null,
    };
    if (d.securityId < -1 || d.securityId >= secs.length) throw new WimFormatError(`security id ${d.securityId} is out of range`, parentPath + '/' + name);
    let q = off + align8(len);
    for (let s = 0; s < numStreams; s++) {
      if (q + STREAM_FIXED > buf.length) throw new WimFormatError('stream entry runs past the metadata resource', parentPath + '/' + name);
      const slBig = buf.readBigUInt64LE(q);
      if (slBig < BigInt(STREAM_FIXED) || slBig > BigInt(buf.length - q)) throw new WimFormatError(`stream entry has invalid length ${slBig}`, parentPath + '/' + name);
      const sl = Number(slBig);
      const snb = buf.readUInt16LE(q + 36);
      if ((snb & 1) || STREAM_FIXED + snb > sl) throw new WimFormatError('stream entry name runs past the entry', parentPath + '/' + name);
      d.streams.push({ name: buf.toString('utf16le', q + STREAM_FIXED, q + STREAM_FIXED + snb), sha1: hashAt(buf, q + 16) });
      q += align8(sl);
    }
    if (q > buf.length) throw new WimFormatError('directory entry runs past the metadata resource', parentPath + '/' + name);
    return { d, next: q };
  };

  const { d: root } = parseOne(rootOff, '');
  if (!root) throw new WimFormatError('the image has no root directory');
  if (!(root.attributes & ATTR_DIRECTORY)) throw new WimFormatError('the root of the image is not a directory');
  // Iterative walk over directories: [dentry, path, depth].
  const stack: [RawDentry, string, number][] = [[root, '', 0]];
  while (stack.length) {
    const [dir, path, depth] = stack.pop()!;
    dir.children = [];
    if (!(dir.attributes & ATTR_DIRECTORY) || (dir.attributes & ATTR_REPARSE_POINT)) continue;
    if (dir.subdirOffset === 0) continue;
    if (depth >= MAX_DEPTH) throw new WimFormatError(`directory tree is deeper than ${MAX_DEPTH} levels`, path);
    if (dir.subdirOffset < rootOff) throw new WimFormatError('subdirectory offset points into the security data', path || '/');
    if (visited.has(dir.subdirOffset)) throw new WimFormatError('directory is listed twice (cycle or shared subtree)', path || '/');
    visited.add(dir.subdirOffset);
    const names = new Set<string>();
    let off = dir.subdirOffset;
    while (true) {
      const { d, next } = parseOne(off, path);
      if (!d) break;
      const childPath = path + '/' + d.name;
      const why = badName(d.name);
      if (why) throw new WimFormatError(why, childPath);
      if (names.has(d.name)) throw new WimFormatError('duplicate name in directory', childPath);
      names.add(d.name);
      dir.children.push(d);
      if (next <= off) throw new WimFormatError('directory entry does not advance', childPath);
      off = next;
    }
    for (let i = dir.children.length - 1; i >= 0; i--) {
      const c = dir.children[i];
      stack.push([c, path + '/' + c.name, depth + 1]);
    }
  }
  return { securityDescriptors: secs, root };
}

// ---------------------------------------------------------------------------------------------
// Serialisation (writer side).

export interface OutDentry {
  name: string;
  attributes: number;
  securityId: number;
  creation: bigint;
  lastAccess: bigint;
  lastWrite: bigint;
  /** Unnamed data stream (for a reparse point: its reparse data). */
  sha1: string | null;
  reparseTag: number;
  hardLinkGroup: bigint;
  /** Named streams; written as extra stream entries after an unnamed one carrying `sha1`. */
  named: RawStream[];
  children: OutDentry[] | null;
}

function dentryLength(d: OutDentry): number {
  const nb = Buffer.byteLength(d.name, 'utf16le');
  return align8(DENTRY_FIXED + (nb ? nb + 2 : 0));
}

function streamLength(name: string): number {
  const nb = Buffer.byteLength(name, 'utf16le');
  return align8(STREAM_FIXED + (nb ? nb + 2 : 0));
}

function totalLength(d: OutDentry): number {
  let n = dentryLength(d);
  if (d.named.length) {
    n += streamLength('');
    for (const s of d.named) n += streamLength(s.name);
  }
  return n;
}

/** Serialises the security data and directory tree (children sorted by the caller). */
export function serializeMetadata(secs: Buffer[], root: OutDentry): Buffer {
  let secLen = 8 + secs.length * 8;
  for (const s of secs) secLen += s.length;
  const rootOff = align8(secLen);
  // Pass 1: lay out. Root, its terminator, then each directory's child list (BFS).
  const subdirOff = new Map<OutDentry, number>();
  let size = rootOff + totalLength(root) + 8;
  const queue: OutDentry[] = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const dir = queue[qi];
    if (!dir.children) continue;
    subdirOff.set(dir, size);
    for (const c of dir.children) {
      size += totalLength(c);
      if (c.children) queue.push(c);
    }
    size += 8;
  }
  const buf = Buffer.alloc(size);
  buf.writeUInt32LE(secLen, 0);
  buf.writeUInt32LE(secs.length, 4);
  let p = 8 + secs.length * 8;
  secs.forEach((s, i) => {
    buf.writeBigUInt64LE(BigInt(s.length), 8 + i * 8);
    s.copy(buf, p);
    p += s.length;
  });
  const writeDentry = (d: OutDentry, off: number): number => {
    const len = dentryLength(d);
    buf.writeBigUInt64LE(BigInt(len), off);
    buf.writeUInt32LE(d.attributes >>> 0, off + 8);
    buf.writeInt32LE(d.securityId, off + 12);
    buf.writeBigUInt64LE(BigInt(subdirOff.get(d) ?? 0), off + 16);
    buf.writeBigUInt64LE(d.creation, off + 40);
    buf.writeBigUInt64LE(d.lastAccess, off + 48);
    buf.writeBigUInt64LE(d.lastWrite, off + 56);
    // One unnamed stream lives in the dentry; with named streams all go to extra entries.
    if (!d.named.length && d.sha1) buf.write(d.sha1, off + 64, 20, 'hex');
    if (d.attributes & ATTR_REPARSE_POINT) {
      buf.writeUInt32LE(d.reparseTag >>> 0, off + 88);
    } else buf.writeBigUInt64LE(d.hardLinkGroup, off + 88);
    buf.writeUInt16LE(d.named.length ? d.named.length + 1 : 0, off + 96);
    const nb = buf.write(d.name, off + DENTRY_FIXED, 'utf16le');
    buf.writeUInt16LE(nb, off + 100);
    let q = off + len;
    if (d.named.length) {
      for (const s of [{ name: '', sha1: d.sha1 }, ...d.named]) {
        const sl = streamLength(s.name);
        buf.writeBigUInt64LE(BigInt(sl), q);
        if (s.sha1) buf.write(s.sha1, q + 16, 20, 'hex');
        const snb = buf.write(s.name, q + STREAM_FIXED, 'utf16le');
        buf.writeUInt16LE(snb, q + 36);
        q += sl;
      }
    }
    return q;
  };
  writeDentry(root, rootOff);
  for (const dir of queue) {
    const start = subdirOff.get(dir);
    if (start === undefined) continue;
    let off = start;
    for (const c of dir.children!) off = writeDentry(c, off);
  }
  return buf;
}

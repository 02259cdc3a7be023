// Tar streams: the low-level header codec (ustar + PAX + GNU long names on read), a streaming
// reader over any byte source, and a streaming writer. Memory stays bounded: file contents pass
// through in the chunks they arrive in; only headers and PAX records (capped) are buffered.

import { Readable } from 'node:stream';
import { OciFormatError } from './errors';

export const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const PAX_LIMIT = 1 << 20;

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarHeader {
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  /** PAX records other than path/linkpath/size (e.g. xattrs), as read. */
  pax?: Record<string, string>;
}

const TYPE_TO_FLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' };

// ---------------------------------------------------------------- header encoding

function writeString(buf: Buffer, off: number, len: number, s: string): boolean {
  const b = Buffer.from(s, 'utf8');
  if (b.length > len) return false;
  b.copy(buf, off);
  return true;
}

function writeOctal(buf: Buffer, off: number, len: number, n: number): boolean {
  const s = Math.trunc(n).toString(8);
  if (s.length > len - 1) return false;
  buf.write(s.padStart(len - 1, '0') + '\0', off, len, 'ascii');
  return true;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length !== String(len - bodyLen).length) len = bodyLen + String(len).length;
  return Buffer.from(`${len}${body}`, 'utf8');
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum;
}

function rawHeader(h: TarHeader, name: string, prefix: string, linkname: string, size: number, typeflag: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, 0, 100, name);
  writeOctal(b, 100, 8, h.mode & 0o7777);
  writeOctal(b, 108, 8, h.uid);
  writeOctal(b, 116, 8, h.gid);
  writeOctal(b, 124, 12, size);
  writeOctal(b, 136, 12, h.mtime);
  b.write(typeflag, 156, 1, 'ascii');
  writeString(b, 157, 100, linkname);
  b.write('ustar\u000000', 257, 8, 'binary');
  writeString(b, 265, 32, h.uname);
  writeString(b, 297, 32, h.gname);
  writeOctal(b, 329, 8, 0);
  writeOctal(b, 337, 8, 0);
  writeString(b, 345, 155, prefix);
  b.write(checksum(b).toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return b;
}

/** Splits a path into ustar prefix (≤155 bytes) and name (≤100 bytes) at a '/', or returns null. */
function splitUstar(path: string): [string, string] | null {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  if (Buffer.byteLength(path) > 256) return null;
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return [prefix, name];
  }
  return null;
}

/**
 * The header block(s) of one entry: a PAX extended header first when the name, link name or size
 * does not fit ustar (or contains non-ASCII bytes), then the ustar header. Deterministic.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const pax: Buffer[] = [];
  const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);
  let split = ascii(h.name) ? splitUstar(h.name) : null;
  if (!split) {
    pax.push(paxRecord('path', h.name));
    split = ['', Buffer.from(h.name).subarray(0, 99).toString('latin1').replace(/[^\x20-\x7e]/g, '_')];
  }
  let link = h.linkname;
  if (Buffer.byteLength(link) > 100 || !ascii(link)) {
    pax.push(paxRecord('linkpath', link));
    link = '';
  }
  let size = h.size;
  if (size > 0o77777777777) {
    pax.push(paxRecord('size', String(size)));
    size = 0;
  }
  for (const [k, v] of Object.entries(h.pax ?? {})) pax.push(paxRecord(k, v));
  const main = rawHeader(h, split[1], split[0], link, size, TYPE_TO_FLAG[h.type]);
  if (pax.length === 0) return main;
  const body = Buffer.concat(pax);
  const paxName = ('PaxHeaders.0/' + (split[1] || 'entry')).slice(0, 99);
  const paxHeader = rawHeader({ ...h, mode: 0o644 }, paxName, '', '', body.length, 'x');
  return Buffer.concat([paxHeader, body, padding(body.length), main]);
}

/** Zero bytes that pad `size` bytes of content up to a whole block. */
export function padding(size: number): Buffer {
  const r = size % BLOCK;
  return r === 0 ? Buffer.alloc(0) : ZERO_BLOCK.subarray(0, BLOCK - r);
}

/** The two zero blocks that end an archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

// ---------------------------------------------------------------- header decoding

function readString(b: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return b.toString('utf8', off, end);
}

function readNumber(b: Buffer, off: number, len: number, field: string, where: string): number {
  if (b[off] & 0x80) {
    // base-256 (GNU/star) for values that do not fit octal
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i];
    n += (b[off] & 0x3f) * 256 ** (len - 1);
    if (b[off] & 0x40) throw new OciFormatError(`${where}: negative ${field}`);
    if (!Number.isSafeInteger(n)) throw new OciFormatError(`${where}: ${field} too large`);
    return n;
  }
  const s = b.toString('ascii', off, off + len).replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new OciFormatError(`${where}: ${field} field is not an octal number (${JSON.stringify(s)})`);
  return parseInt(s, 8);
}

export function parsePax(body: Buffer, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    if (body[i] === 0) break;
    const sp = body.indexOf(0x20, i);
    if (sp < 0) throw new OciFormatError(`${where}: malformed PAX record`);
    const len = parseInt(body.toString('ascii', i, sp), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > body.length || body[i + len - 1] !== 0x0a)
      throw new OciFormatError(`${where}: malformed PAX record`);
    const rec = body.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq < 0) throw new OciFormatError(`${where}: malformed PAX record`);
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export interface RawHeader {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
}

/** Decodes one 512-byte header block; null for a zero block. Verifies the checksum. */
export function decodeRawHeader(b: Buffer, where: string): RawHeader | null {
  if (b.equals(ZERO_BLOCK)) return null;
  const stored = readNumber(b, 148, 8, 'checksum', where);
  if (stored !== checksum(b)) {
    // signed-byte checksums (old tars) are also valid
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) signed += i >= 148 && i < 156 ? 32 : (b[i] << 24) >> 24;
    if (stored !== signed) throw new OciFormatError(`${where}: tar header checksum mismatch (not a tar archive, or corrupt)`);
  }
  const magic = b.toString('binary', 257, 263);
  let name = readString(b, 0, 100);
  if (magic === 'ustar\0' || magic === 'ustar ') {
    const prefix = magic === 'ustar\0' ? readString(b, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    typeflag: String.fromCharCode(b[156] || 0x30),
    mode: readNumber(b, 100, 8, 'mode', where),
    uid: readNumber(b, 108, 8, 'uid', where),
    gid: readNumber(b, 116, 8, 'gid', where),
    size: readNumber(b, 124, 12, 'size', where),
    mtime: readNumber(b, 136, 12, 'mtime', where),
    linkname: readString(b, 157, 100),
    uname: readString(b, 265, 32),
    gname: readString(b, 297, 32),
  };
}

const FLAG_TO_TYPE: Record<string, TarType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo' };

/**
 * Folds the meta entries (PAX 'x', global 'g', GNU 'L'/'K') into the following real header.
 * `next` returns the next raw header (or null at end) and `body(size)` its content.
 */
export async function nextHeader(
  next: () => Promise<RawHeader | null>,
  body: (size: number) => Promise<Buffer>,
  where: () => string,
): Promise<TarHeader | null> {
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const raw = await next();
    if (!raw) return null;
    const t = raw.typeflag;
    if (t === 'x' || t === 'g' || t === 'L' || t === 'K') {
      if (raw.size > PAX_LIMIT) throw new OciFormatError(`${where()}: extended header of ${raw.size} bytes is too large`);
      const data = await body(raw.size);
      if (t === 'x') pax = { ...pax, ...parsePax(data, where()) };
      else if (t === 'L') longName = readString(data, 0, data.length);
      else if (t === 'K') longLink = readString(data, 0, data.length);
      continue;
    }
    const type = FLAG_TO_TYPE[t];
    let name = pax.path ?? longName ?? raw.name;
    const linkname = pax.linkpath ?? longLink ?? raw.linkname;
    let size = raw.size;
    if (pax.size !== undefined) {
      if (!/^\d+$/.test(pax.size)) throw new OciFormatError(`${where()}: PAX size ${JSON.stringify(pax.size)} is not a number`);
      size = Number(pax.size);
    }
    if (!type) throw new OciFormatError(`${where()}: tar entry ${JSON.stringify(name)} has unsupported type flag ${JSON.stringify(t)}`);
    if (type === 'directory' || type === 'symlink' || type === 'hardlink' || type === 'char' || type === 'block' || type === 'fifo') {
      if (type !== 'directory' && size !== 0 && type !== 'hardlink') size = 0;
    }
    if (t === '0' && name.endsWith('/') && size === 0) {
      // old tars mark directories only by the trailing slash
      return finish('directory');
    }
    return finish(type);

    function finish(ty: TarType): TarHeader {
      const extra: Record<string, string> = {};
      for (const [k, v] of Object.entries(pax)) if (k !== 'path' && k !== 'linkpath' && k !== 'size') extra[k] = v;
      if (ty === 'directory') name = name.replace(/\/+$/, '');
      return {
        name,
        type: ty,
        mode: raw!.mode,
        uid: pax.uid !== undefined ? Number(pax.uid) : raw!.uid,
        gid: pax.gid !== undefined ? Number(pax.gid) : raw!.gid,
        size,
        mtime: pax.mtime !== undefined ? Math.floor(Number(pax.mtime)) : raw!.mtime,
        linkname,
        uname: pax.uname ?? raw!.uname,
        gname: pax.gname ?? raw!.gname,
        ...(Object.keys(extra).length ? { pax: extra } : {}),
      };
    }
  }
}

// ---------------------------------------------------------------- a byte reader over a stream

/** Pulls exact byte counts from an async source of chunks without concatenating more than needed. */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes consumed so far (offset of the next byte). */
  offset = 0;
  private readonly it: AsyncIterator<Uint8Array | string>;

  constructor(source: AsyncIterable<Uint8Array | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
    return true;
  }

  /** Exactly n bytes, or fewer only at end of input. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) if (!(await this.fill())) break;
    const out = this.buf.subarray(0, Math.min(n, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    this.offset += out.length;
    return Buffer.from(out);
  }

  /** n bytes in the pieces they arrive in; throws `onShort()` if the input ends early. */
  async *chunks(n: number, onShort: () => Error): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw onShort();
      const take = Math.min(left, this.buf.length);
      const out = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      this.offset += take;
      left -= take;
      yield out;
    }
  }

  async skip(n: number, onShort: () => Error): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    for await (const _ of this.chunks(n, onShort)) {
      /* discard */
    }
  }

  /** Peeks up to n bytes without consuming them. */
  async peek(n: number): Promise<Buffer> {
    while (this.buf.length < n) if (!(await this.fill())) break;
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  async close(): Promise<void> {
    if (!this.done && this.it.return) await this.it.return();
    this.done = true;
  }
}

export interface TarStreamEntry {
  header: TarHeader;
  /** The entry's bytes (single use; skipped automatically when the next entry is requested). */
  content: AsyncIterable<Buffer>;
}

/** Reads a tar stream entry by entry. `label` names the archive in errors. */
export async function* readTar(source: AsyncIterable<Uint8Array | string>, label: string): AsyncGenerator<TarStreamEntry> {
  const r = new ByteReader(source);
  let current = '';
  const where = () => `${label}: at byte ${r.offset}${current ? ` (entry ${JSON.stringify(current)})` : ''}`;
  const short = () => new OciFormatError(`${label}: unexpected end of archive inside entry ${JSON.stringify(current)}`);
  try {
    for (;;) {
      const header = await nextHeader(
        async () => {
          const b = await r.read(BLOCK);
          if (b.length === 0) return null; // no end-of-archive blocks: accepted, as GNU tar does
          if (b.length < BLOCK) throw new OciFormatError(`${label}: truncated tar header at byte ${r.offset - b.length}`);
          return decodeRawHeader(b, where());
        },
        async (size) => {
          const parts: Buffer[] = [];
          for await (const c of r.chunks(size, short)) parts.push(Buffer.from(c));
          await r.skip(padding(size).length, short);
          return Buffer.concat(parts);
        },
        where,
      );
      if (!header) return;
      current = header.name;
      const size = header.type === 'file' ? header.size : 0;
      let started = false;
      let consumed = 0;
      const content: AsyncIterable<Buffer> = {
        [Symbol.asyncIterator]: () => {
          if (started) throw new OciFormatError(`${label}: content of ${JSON.stringify(current)} was already read`);
          started = true;
          const gen = r.chunks(size, short);
          return (async function* () {
            for await (const c of gen) {
              consumed += c.length;
              yield c;
            }
          })();
        },
      };
      yield { header, content };
      await r.skip(size - consumed, short);
      await r.skip(padding(size).length, short);
    }
  } finally {
    await r.close();
  }
}

// ---------------------------------------------------------------- writing

export interface TarWriteEntry {
  header: TarHeader;
  /** Exactly header.size bytes for files. */
  content?: AsyncIterable<Uint8Array> | Uint8Array;
}

/** A tar stream of the given entries (backpressure-aware; content is never buffered whole). */
export function tarStream(entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>, label: string): Readable {
  return Readable.from(tarChunks(entries, label), { objectMode: false });
}

export async function* tarChunks(entries: AsyncIterable<TarWriteEntry> | Iterable<TarWriteEntry>, label: string): AsyncGenerator<Buffer> {
  for await (const e of entries as AsyncIterable<TarWriteEntry>) {
    yield encodeHeader(e.header);
    if (e.header.type !== 'file') continue;
    let n = 0;
    if (e.content instanceof Uint8Array) {
      n = e.content.length;
      if (n !== e.header.size) throw new OciFormatError(`${label}: ${e.header.name}: declared ${e.header.size} bytes, content has ${n}`);
      yield Buffer.from(e.content.buffer, e.content.byteOffset, e.content.byteLength);
    } else if (e.content) {
      for await (const c of e.content) {
        n += c.length;
        if (n > e.header.size) throw new OciFormatError(`${label}: ${e.header.name}: content is longer than the declared ${e.header.size} bytes`);
        yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      }
    }
    if (n !== e.header.size) throw new OciFormatError(`${label}: ${e.header.name}: declared ${e.header.size} bytes, content has ${n}`);
    const pad = padding(n);
    if (pad.length) yield pad;
  }
  yield endOfArchive();
}

// LZX decompression, WIM variant (from Microsoft's LZX format description): every 32 KiB chunk
// is an independent stream with a 32 KiB window, repeat offsets reset to 1, and no E8 header
// bit: E8 call translation is always undone with a translation size of 12,000,000. The stream
// is 16-bit little-endian words read most-significant bit first. A block header is 3 bits of
// type (1 verbatim, 2 aligned offset, 3 uncompressed) and 1 bit "default size" (32768) or 16
// bits of size.

import { WimFormatError } from './errors';
import { HuffmanDecoder } from './huffman';

const NUM_CHARS = 256;
const NUM_POSITION_SLOTS = 30; // for a 32 KiB window
const MAIN_SYMS = NUM_CHARS + NUM_POSITION_SLOTS * 8;
const LEN_SYMS = 249;
const ALIGNED_SYMS = 8;
const PRE_SYMS = 20;
const MAX_CODE_LEN = 16;
const E8_SIZE = 12000000;

const FOOTER_BITS = new Int32Array(NUM_POSITION_SLOTS);
const POSITION_BASE = new Int32Array(NUM_POSITION_SLOTS + 1);
for (let i = 0; i < NUM_POSITION_SLOTS; i++) {
  FOOTER_BITS[i] = i < 4 ? 0 : Math.min((i >> 1) - 1, 17);
  POSITION_BASE[i + 1] = POSITION_BASE[i] + (1 << FOOTER_BITS[i]);
}

class BitReader {
  pos: number;
  buf = 0;
  count = 0;
  constructor(readonly src: Buffer, start: number) {
    this.pos = start;
  }
  private fill(n: number): void {
    while (this.count < n) {
      const p = this.pos;
      // Reads past the end give zeros; the output bound ends decoding.
      const w = p + 1 < this.src.length ? this.src[p] | (this.src[p + 1] << 8) : 0;
      this.pos = p + 2;
      this.buf = ((this.buf << 16) | w) >>> 0;
      this.count += 16;
    }
  }
  peek(n: number): number {
    this.fill(n);
    return (this.buf >>> (this.count - n)) & ((1 << n) - 1);
  }
  skip(n: number): void {
    this.count -= n;
    this.buf = (this.buf & ((1 << this.count) - 1)) >>> 0;
  }
  read(n: number): number {
    if (n === 0) return 0;
    const v = this.peek(n);
    this.skip(n);
    return v;
  }
  decode(d: HuffmanDecoder, what: string): number {
    if (d.empty) throw new WimFormatError(`LZX chunk: symbol read from an empty ${what} code`);
    const bits = this.peek(d.maxLen);
    let e = d.table[bits >>> (d.maxLen - d.tableBits)];
    if (e === 0) {
      e = d.decodeSlow(bits);
      if (e < 0) throw new WimFormatError(`LZX chunk: invalid ${what} code`);
    }
    this.skip(e & 31);
    return e >>> 5;
  }
  /** Byte position after aligning to the next 16-bit boundary (a full word when already aligned). */
  alignedBytePos(): number {
    const consumed = this.pos * 8 - this.count;
    const rem = consumed % 16;
    const next = consumed + (rem === 0 ? 16 : 16 - rem);
    return next / 8;
  }
  reset(bytePos: number): void {
    this.pos = bytePos;
    this.buf = 0;
    this.count = 0;
  }
}

function readLens(br: BitReader, lens: Uint8Array, start: number, end: number): void {
  const pre = new Uint8Array(PRE_SYMS);
  for (let i = 0; i < PRE_SYMS; i++) pre[i] = br.read(4);
  const pd = new HuffmanDecoder(pre, 10, MAX_CODE_LEN, 'LZX pretree');
  let i = start;
  while (i < end) {
    const sym = br.decode(pd, 'pretree');
    if (sym < 17) {
      lens[i] = (lens[i] - sym + 17) % 17;
      i++;
      continue;
    }
    let run: number;
    let val = 0;
    if (sym === 17) run = 4 + br.read(4);
    else if (sym === 18) run = 20 + br.read(5);
    else {
      run = 4 + br.read(1);
      const s2 = br.decode(pd, 'pretree');
      if (s2 > 16) throw new WimFormatError('LZX chunk: invalid code length run');
      val = (lens[i] - s2 + 17) % 17;
    }
    if (i + run > end) throw new WimFormatError('LZX chunk: code length run overflows the tree');
    lens.fill(val, i, i + run);
    i += run;
  }
}

/** Decompresses one WIM LZX chunk into exactly `outLen` bytes of `out`. */
export function lzxDecompress(src: Buffer, out: Buffer, outLen: number): void {
  const br = new BitReader(src, 0);
  const mainLens = new Uint8Array(MAIN_SYMS);
  const lenLens = new Uint8Array(LEN_SYMS);
  let r0 = 1;
  let r1 = 1;
  let r2 = 1;
  let o = 0;
  while (o < outLen) {
    const type = br.read(3);
    let size = br.read(1) ? 32768 : br.read(16);
    if (size === 0) throw new WimFormatError('LZX chunk: empty block');
    if (size > outLen - o) size = outLen - o; // the last block may be declared longer than the chunk
    const end = o + size;
    if (type === 3) {
      let p = br.alignedBytePos();
      if (p + 12 + size > src.length) throw new WimFormatError('LZX chunk: truncated uncompressed block');
      r0 = src.readUInt32LE(p);
      r1 = src.readUInt32LE(p + 4);
      r2 = src.readUInt32LE(p + 8);
      p += 12;
      src.copy(out, o, p, p + size);
      p += size;
      if (size & 1) p++;
      o = end;
      br.reset(p);
      continue;
    }
    if (type !== 1 && type !== 2) throw new WimFormatError(`LZX chunk: invalid block type ${type}`);
    let aligned: HuffmanDecoder | null = null;
    if (type === 2) {
      const al = new Uint8Array(ALIGNED_SYMS);
      for (let i = 0; i < ALIGNED_SYMS; i++) al[i] = br.read(3);
      aligned = new HuffmanDecoder(al, 7, 7, 'LZX aligned offset tree');
    }
    readLens(br, mainLens, 0, NUM_CHARS);
    readLens(br, mainLens, NUM_CHARS, MAIN_SYMS);
    readLens(br, lenLens, 0, LEN_SYMS);
    const mainD = new HuffmanDecoder(mainLens, 11, MAX_CODE_LEN, 'LZX main tree');
    const lenD = new HuffmanDecoder(lenLens, 9, MAX_CODE_LEN, 'LZX length tree');
    while (o < end) {
      let sym = br.decode(mainD, 'main');
      if (sym < NUM_CHARS) {
        out[o++] = sym;
        continue;
      }
      sym -= NUM_CHARS;
      let mlen = sym & 7;
      const slot = sym >> 3;
      if (mlen === 7) mlen += br.decode(lenD, 'length');
      mlen += 2;
      let off: number;
      if (slot === 0) off = r0;
      else if (slot === 1) {
        off = r1;
        r1 = r0;
        r0 = off;
      } else if (slot === 2) {
        off = r2;
        r2 = r0;
        r0 = off;
      } else {
        const fb = FOOTER_BITS[slot];
        let v: number;
        if (aligned && fb >= 3) {
          v = POSITION_BASE[slot] + (br.read(fb - 3) << 3);
          v += br.decode(aligned, 'aligned offset');
        } else v = POSITION_BASE[slot] + br.read(fb);
        off = v - 2;
        r2 = r1;
        r1 = r0;
        r0 = off;
      }
      if (off <= 0 || off > o) throw new WimFormatError('LZX chunk: match refers before the start of the chunk');
      if (mlen > outLen - o) throw new WimFormatError('LZX chunk: match runs past the end of the chunk');
      let from = o - off;
      const stop = o + mlen;
      if (off >= mlen && mlen > 32) {
        out.copyWithin(o, from, from + mlen);
        o = stop;
      } else while (o < stop) out[o++] = out[from++];
    }
  }
  undoE8(out, outLen);
}

/** Reverts the encoder's E8 (x86 CALL) translation: absolute targets back to relative ones. */
function undoE8(data: Buffer, n: number): void {
  if (n <= 10) return;
  const limit = n - 10;
  for (let i = 0; i < limit; i++) {
    if (data[i] !== 0xe8) continue;
    const abs = data.readInt32LE(i + 1);
    if (abs >= -i && abs < E8_SIZE) {
      const rel = abs >= 0 ? abs - i : abs + E8_SIZE;
      data.writeInt32LE(rel, i + 1);
    }
    i += 4;
  }
}

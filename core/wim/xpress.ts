// XPRESS Huffman ("LZ77+Huffman" in Microsoft's MS-XCA), one independent block per WIM chunk.
// Layout of a compressed chunk: 256 bytes holding 512 four-bit code lengths (symbol 2i in the
// low nibble of byte i), then a stream of 16-bit little-endian words read most-significant bit
// first, with the extra match-length bytes interleaved at the position the decoder has reached.
// Symbols 0-255 are literals; 256-511 are matches: low 4 bits = length - 3 (15 = more length
// bytes follow), high 4 bits = number of offset bits after the implicit leading 1.

import { WimFormatError } from './errors';
import { HuffmanDecoder, buildLengths, canonicalCodes } from './huffman';

const NUM_SYMS = 512;
const MAX_LEN = 15;

/** Decompresses one chunk of `src` into exactly `outLen` bytes of `out`. */
export function xpressDecompress(src: Buffer, out: Buffer, outLen: number): void {
  if (src.length < 256 + 4) throw new WimFormatError('XPRESS chunk is too short');
  const lens = new Uint8Array(NUM_SYMS);
  for (let i = 0; i < 256; i++) {
    lens[2 * i] = src[i] & 15;
    lens[2 * i + 1] = src[i] >> 4;
  }
  const dec = new HuffmanDecoder(lens, MAX_LEN, MAX_LEN, 'XPRESS chunk');
  if (dec.empty) throw new WimFormatError('XPRESS chunk has an empty Huffman code');
  const table = dec.table;
  const inLen = src.length;
  let pos = 256;
  // Reads past the end yield zero bits: the final word slots may legitimately be absent, and the
  // output bound below stops decoding anyway.
  const w16 = (p: number): number => (p + 1 < inLen ? src[p] | (src[p + 1] << 8) : 0);
  let next = ((w16(pos) << 16) | w16(pos + 2)) >>> 0;
  pos += 4;
  let extra = 16;
  let o = 0;
  while (o < outLen) {
    const e = table[next >>> 17];
    if (e === 0) throw new WimFormatError('XPRESS chunk: invalid Huffman code');
    const l = e & 31;
    let sym = e >>> 5;
    next = (next << l) >>> 0;
    extra -= l;
    if (extra < 0) {
      next = (next | (w16(pos) << -extra)) >>> 0;
      pos += 2;
      extra += 16;
    }
    if (sym < 256) {
      out[o++] = sym;
      continue;
    }
    sym -= 256;
    let mlen = sym & 15;
    const obits = sym >> 4;
    if (mlen === 15) {
      if (pos >= inLen) throw new WimFormatError('XPRESS chunk: truncated match length');
      const b = src[pos++];
      if (b === 255) {
        if (pos + 2 > inLen) throw new WimFormatError('XPRESS chunk: truncated match length');
        let w = src[pos] | (src[pos + 1] << 8);
        pos += 2;
        if (w === 0) {
          if (pos + 4 > inLen) throw new WimFormatError('XPRESS chunk: truncated match length');
          w = src.readUInt32LE(pos);
          pos += 4;
        }
        if (w < 15) throw new WimFormatError('XPRESS chunk: invalid match length');
        mlen = w - 15;
      } else mlen = b;
      mlen += 15;
    }
    mlen += 3;
    let off = 1 << obits;
    if (obits) {
      off += next >>> (32 - obits);
      next = (next << obits) >>> 0;
      extra -= obits;
      if (extra < 0) {
        next = (next | (w16(pos) << -extra)) >>> 0;
        pos += 2;
        extra += 16;
      }
    }
    if (off > o) throw new WimFormatError('XPRESS chunk: match refers before the start of the chunk');
    if (mlen > outLen - o) throw new WimFormatError('XPRESS chunk: match runs past the end of the chunk');
    let from = o - off;
    if (off >= mlen) {
      out.copyWithin(o, from, from + mlen);
      o += mlen;
    } else {
      const end = o + mlen;
      while (o < end) out[o++] = out[from++];
    }
  }
}

const HASH_BITS = 15;
const HASH_SIZE = 1 << HASH_BITS;
const MAX_CHAIN = 24;
const NICE_LEN = 96;
const MAX_OFFSET = 65535;

/** Reusable state of the compressor (one per writer; not shared between concurrent calls). */
export class XpressCompressor {
  private readonly head = new Int32Array(HASH_SIZE);
  private prev = new Int32Array(0);
  // Parsed sequence: for literals (len 0, byte); for matches (len, offset).
  private seqLen = new Int32Array(0);
  private seqVal = new Int32Array(0);
  private out = Buffer.alloc(0);

  /**
   * Compresses `input` (at most 65536 bytes). Returns the compressed bytes, or null when they
   * would not be smaller than the input (the caller then stores the chunk raw).
   */
  compress(input: Buffer): Buffer | null {
    const n = input.length;
    if (n < 16) return null;
    if (this.prev.length < n) {
      this.prev = new Int32Array(n);
      this.seqLen = new Int32Array(n + 1);
      this.seqVal = new Int32Array(n + 1);
      this.out = Buffer.alloc(256 + 2 * n + 64);
    }
    const head = this.head;
    const prev = this.prev;
    head.fill(-1);
    const seqLen = this.seqLen;
    const seqVal = this.seqVal;
    const freqs = new Uint32Array(NUM_SYMS);
    let ns = 0;
    const hashAt = (i: number): number =>
      (Math.imul((input[i] << 16) | (input[i + 1] << 8) | input[i + 2], 0x9e3779b1) >>> (32 - HASH_BITS));
    const insert = (i: number): void => {
      if (i + 2 < n) {
        const h = hashAt(i);
        prev[i] = head[h];
        head[h] = i;
      }
    };
    // Longest match at i among earlier positions (chain walk), as [length, offset].
    let bestOff = 0;
    const findMatch = (i: number): number => {
      if (i + 3 > n) return 0;
      let best = 0;
      let cand = head[hashAt(i)];
      let chain = MAX_CHAIN;
      const maxLen = n - i;
      while (cand >= 0 && chain-- > 0) {
        const off = i - cand;
        if (off > MAX_OFFSET) break;
        if (input[cand + best] === input[i + best] && input[cand] === input[i]) {
          let l = 0;
          while (l < maxLen && input[cand + l] === input[i + l]) l++;
          // Offset 1 with length 3 would be symbol 256, which decoders may take as end of stream.
          if (l > best && !(l === 3 && off === 1)) {
            best = l;
            bestOff = off;
            if (l >= NICE_LEN) break;
          }
        }
        cand = prev[cand];
      }
      return best >= 3 ? best : 0;
    };
    let i = 0;
    const emitMatch = (len: number, off: number): void => {
      freqs[256 + ((31 - Math.clz32(off)) << 4) + Math.min(len - 3, 15)]++;
      seqLen[ns] = len;
      seqVal[ns++] = off;
    };
    const emitLiteral = (b: number): void => {
      freqs[b]++;
      seqLen[ns] = 0;
      seqVal[ns++] = b;
    };
    while (i < n) {
      let len = findMatch(i);
      let off = bestOff;
      insert(i);
      if (len > 0 && len < NICE_LEN && i + 1 < n) {
        // One step of lazy evaluation: a longer match at the next byte wins over this one.
        const len2 = findMatch(i + 1);
        if (len2 > len) {
          emitLiteral(input[i]);
          i++;
          insert(i);
          len = len2;
          off = bestOff;
        }
      }
      if (len > 0) {
        emitMatch(len, off);
        for (let k = i + 1; k < i + len; k++) insert(k);
        i += len;
      } else {
        emitLiteral(input[i]);
        i++;
      }
    }
    freqs[256]++; // end-of-stream symbol
    const lens = buildLengths(freqs, MAX_LEN);
    const codes = canonicalCodes(lens, MAX_LEN);
    const out = this.out;
    out.fill(0, 0, 260);
    for (let s = 0; s < 256; s++) out[s] = lens[2 * s] | (lens[2 * s + 1] << 4);
    // Bit writer mirroring the decoder: a 16-bit word is flushed into the older reserved slot
    // only once more than 16 bits are pending, which is exactly when the decoder refills, and the
    // next slot is reserved at the current byte position at that moment.
    let slot1 = 256;
    let slot2 = 258;
    let pos = 260;
    let acc = 0;
    let accBits = 0;
    const limit = n; // no point going past the raw size
    const putBits = (v: number, c: number): void => {
      acc = ((acc << c) | v) >>> 0;
      accBits += c;
      if (accBits > 16) {
        accBits -= 16;
        const w = (acc >>> accBits) & 0xffff;
        out[slot1] = w & 0xff;
        out[slot1 + 1] = w >>> 8;
        acc &= (1 << accBits) - 1;
        slot1 = slot2;
        slot2 = pos;
        out[pos] = 0;
        out[pos + 1] = 0;
        pos += 2;
      }
    };
    for (let k = 0; k < ns; k++) {
      if (pos > limit) return null;
      const len = seqLen[k];
      if (len === 0) {
        const s = seqVal[k];
        putBits(codes[s], lens[s]);
        continue;
      }
      const off = seqVal[k];
      const obits = 31 - Math.clz32(off);
      const l3 = len - 3;
      const sym = 256 + (obits << 4) + Math.min(l3, 15);
      putBits(codes[sym], lens[sym]);
      if (l3 >= 15) {
        if (l3 - 15 < 255) out[pos++] = l3 - 15;
        else {
          out[pos++] = 255;
          out[pos++] = l3 & 0xff;
          out[pos++] = l3 >>> 8;
        }
      }
      if (obits) putBits(off & ((1 << obits) - 1), obits);
    }
    putBits(codes[256], lens[256]);
    // Flush the partial word (zero padded) into its slot; the reserved slot after it stays zero.
    const w = (acc << (16 - accBits)) & 0xffff;
    out[slot1] = w & 0xff;
    out[slot1 + 1] = w >>> 8;
    if (pos >= n) return null;
    return out.subarray(0, pos);
  }
}

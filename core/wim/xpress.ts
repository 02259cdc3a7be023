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
    if (off >= mlen && mlen > 32) {
      out.copyWithin(o, from, from + mlen);
      o += mlen;
    } else {
      // Short or overlapping copies: a plain loop beats the builtin's call overhead.
      const end = o + mlen;
      while (o < end) out[o++] = out[from++];
    }
  }
}

const HASH_BITS = 15;
const HASH_SIZE = 1 << HASH_BITS;
const MAX_CHAIN = 12;
const NICE_LEN = 48;
const LAZY_BELOW = 24;

/** Reusable state of the compressor (one per thread; not shared between concurrent calls). */
export class XpressCompressor {
  private readonly head = new Int32Array(HASH_SIZE);
  private prev = new Int32Array(0);
  // Parsed sequence: literals as (0, byte), matches as (length, offset).
  private seqLen = new Int32Array(0);
  private seqVal = new Int32Array(0);
  private out = Buffer.alloc(0);

  /**
   * Compresses `input` (at most 65536 bytes). Returns the compressed bytes (a view of an internal
   * buffer, valid until the next call), or null when they would not be smaller than the input
   * (the caller then stores the chunk raw).
   */
  compress(input: Uint8Array): Buffer | null {
    const n = input.length;
    if (n < 16 || n > 65536) return null;
    if (this.prev.length < n) {
      this.prev = new Int32Array(n);
      this.seqLen = new Int32Array(n + 1);
      this.seqVal = new Int32Array(n + 1);
      this.out = Buffer.alloc(256 + 2 * n + 64);
    }
    const freqs = new Uint32Array(NUM_SYMS);
    const ns = this.parse(input, freqs);
    freqs[256]++; // end-of-stream symbol
    const lens = buildLengths(freqs, MAX_LEN);
    // Size estimate before encoding: random data (all literals) is given up on here.
    let bits = 0;
    for (let sym = 0; sym < NUM_SYMS; sym++) {
      if (freqs[sym]) bits += freqs[sym] * (lens[sym] + (sym >= 256 ? (sym - 256) >> 4 : 0));
    }
    if (256 + 4 + (bits >> 3) >= n) return null;
    return this.encode(n, ns, lens);
  }

  /** Greedy parse with one step of lazy evaluation; fills the sequence and symbol counts. */
  private parse(input: Uint8Array, freqs: Uint32Array): number {
    const n = input.length;
    const head = this.head;
    const prev = this.prev;
    head.fill(-1);
    const seqLen = this.seqLen;
    const seqVal = this.seqVal;
    const shift = 32 - HASH_BITS;
    let ns = 0;
    let i = 0;
    // Positions up to `inserted` (exclusive) are in the hash chains.
    let inserted = 0;
    const last3 = n - 2; // positions with 3 bytes ahead
    let pendLen = 0; // lazy evaluation: a match found at i-1 not yet emitted
    let pendOff = 0;
    while (i < n) {
      // Insert positions up to and including i; find the longest match at i.
      let bestLen = 0;
      let bestOff = 0;
      if (i < last3) {
        while (inserted < i) {
          const h = Math.imul((input[inserted] << 16) | (input[inserted + 1] << 8) | input[inserted + 2], 0x9e3779b1) >>> shift;
          prev[inserted] = head[h];
          head[h] = inserted;
          inserted++;
        }
        const h = Math.imul((input[i] << 16) | (input[i + 1] << 8) | input[i + 2], 0x9e3779b1) >>> shift;
        let cand = head[h];
        prev[i] = cand;
        head[h] = i;
        inserted = i + 1;
        const maxLen = n - i;
        let chain = pendLen ? MAX_CHAIN >> 1 : MAX_CHAIN;
        while (cand >= 0 && chain-- > 0) {
          if (input[cand + bestLen] === input[i + bestLen] && input[cand] === input[i] && input[cand + 1] === input[i + 1]) {
            let l = 2;
            while (l < maxLen && input[cand + l] === input[i + l]) l++;
            const off = i - cand;
            // Offset 1 with length 3 is symbol 256, which decoders may take as end of stream.
            if (l > bestLen && (l > 3 || off > 1)) {
              bestLen = l;
              bestOff = off;
              if (l >= NICE_LEN || l === maxLen) break;
            }
          }
          cand = prev[cand];
        }
        if (bestLen < 3) bestLen = 0;
      }
      if (pendLen) {
        if (bestLen > pendLen) {
          // The match one byte later is longer: the previous byte goes out as a literal.
          const b = input[i - 1];
          freqs[b]++;
          seqLen[ns] = 0;
          seqVal[ns++] = b;
          pendLen = 0;
        } else {
          freqs[256 + ((31 - Math.clz32(pendOff)) << 4) + (pendLen - 3 < 15 ? pendLen - 3 : 15)]++;
          seqLen[ns] = pendLen;
          seqVal[ns++] = pendOff;
          i += pendLen - 1;
          pendLen = 0;
          continue;
        }
      }
      if (bestLen === 0) {
        const b = input[i];
        freqs[b]++;
        seqLen[ns] = 0;
        seqVal[ns++] = b;
        i++;
      } else if (bestLen < LAZY_BELOW && i + 1 < n) {
        pendLen = bestLen;
        pendOff = bestOff;
        i++;
      } else {
        freqs[256 + ((31 - Math.clz32(bestOff)) << 4) + (bestLen - 3 < 15 ? bestLen - 3 : 15)]++;
        seqLen[ns] = bestLen;
        seqVal[ns++] = bestOff;
        i += bestLen;
      }
    }
    if (pendLen) {
      freqs[256 + ((31 - Math.clz32(pendOff)) << 4) + (pendLen - 3 < 15 ? pendLen - 3 : 15)]++;
      seqLen[ns] = pendLen;
      seqVal[ns++] = pendOff;
    }
    return ns;
  }

  private encode(n: number, ns: number, lens: Uint8Array): Buffer | null {
    const seqLen = this.seqLen;
    const seqVal = this.seqVal;
    const codes = canonicalCodes(lens, MAX_LEN);
    const out = this.out;
    for (let s = 0; s < 256; s++) out[s] = lens[2 * s] | (lens[2 * s + 1] << 4);
    out.fill(0, 256, 260);
    // Bit writer mirroring the decoder: a 16-bit word is flushed into the older reserved slot
    // only once more than 16 bits are pending, which is exactly when the decoder refills, and the
    // next slot is reserved at the current byte position at that moment.
    let slot1 = 256;
    let slot2 = 258;
    let pos = 260;
    let acc = 0;
    let accBits = 0;
    for (let k = 0; k <= ns; k++) {
      if (pos >= n) return null; // not smaller than the input
      let len: number;
      let sym: number;
      let off = 0;
      let obits = 0;
      if (k === ns) {
        len = 0;
        sym = 256;
      } else {
        len = seqLen[k];
        if (len === 0) sym = seqVal[k];
        else {
          off = seqVal[k];
          obits = 31 - Math.clz32(off);
          sym = 256 + (obits << 4) + (len - 3 < 15 ? len - 3 : 15);
        }
      }
      acc = ((acc << lens[sym]) | codes[sym]) >>> 0;
      accBits += lens[sym];
      if (accBits > 16) {
        accBits -= 16;
        const w = acc >>> accBits;
        out[slot1] = w & 0xff;
        out[slot1 + 1] = (w >>> 8) & 0xff;
        acc &= (1 << accBits) - 1;
        slot1 = slot2;
        slot2 = pos;
        out[pos] = 0;
        out[pos + 1] = 0;
        pos += 2;
      }
      if (len === 0) continue;
      const l3 = len - 3;
      if (l3 >= 15) {
        if (l3 - 15 < 255) out[pos++] = l3 - 15;
        else {
          out[pos++] = 255;
          out[pos++] = l3 & 0xff;
          out[pos++] = l3 >>> 8;
        }
      }
      if (obits) {
        acc = ((acc << obits) | (off & ((1 << obits) - 1))) >>> 0;
        accBits += obits;
        if (accBits > 16) {
          accBits -= 16;
          const w = acc >>> accBits;
          out[slot1] = w & 0xff;
          out[slot1 + 1] = (w >>> 8) & 0xff;
          acc &= (1 << accBits) - 1;
          slot1 = slot2;
          slot2 = pos;
          out[pos] = 0;
          out[pos + 1] = 0;
          pos += 2;
        }
      }
    }
    // Flush the partial word (zero padded) into its slot; the reserved slot after it stays zero.
    const w = (acc << (16 - accBits)) & 0xffff;
    out[slot1] = w & 0xff;
    out[slot1 + 1] = w >>> 8;
    if (pos >= n) return null;
    return out.subarray(0, pos);
  }
}

// Canonical Huffman codes as used by XPRESS (MS-XCA) and LZX: codes are assigned in order of
// (length, symbol), read most-significant bit first. Shared by both decoders and the encoder.

import { WimFormatError } from './errors';

/**
 * A decoding table: a direct lookup on the first `tableBits` bits, and for longer codes a
 * canonical walk by length. Entries hold (symbol << 5) | length; 0 marks "no code here".
 */
export class HuffmanDecoder {
  readonly table: Uint32Array;
  readonly tableBits: number;
  readonly maxLen: number;
  readonly lens: Uint8Array;
  // Slow path for codes longer than tableBits.
  private readonly firstCode: Int32Array;
  private readonly countByLen: Int32Array;
  private readonly firstIndex: Int32Array;
  private readonly sorted: Uint16Array;
  /** True when every length is zero: any attempt to decode from it is an error. */
  readonly empty: boolean;

  constructor(lens: Uint8Array, tableBits: number, maxLen: number, what: string) {
    this.lens = lens;
    this.tableBits = tableBits;
    this.maxLen = maxLen;
    const n = lens.length;
    const count = new Int32Array(maxLen + 1);
    for (let s = 0; s < n; s++) {
      if (lens[s] > maxLen) throw new WimFormatError(`${what}: code length ${lens[s]} exceeds ${maxLen}`);
      count[lens[s]]++;
    }
    count[0] = 0;
    // Kraft check: an oversubscribed code cannot be decoded unambiguously.
    let left = 1;
    for (let l = 1; l <= maxLen; l++) {
      left = left * 2 - count[l];
      if (left < 0) throw new WimFormatError(`${what}: oversubscribed Huffman code`);
    }
    this.empty = count.every((c) => c === 0);
    const firstIndex = new Int32Array(maxLen + 2);
    for (let l = 1; l <= maxLen; l++) firstIndex[l + 1] = firstIndex[l] + count[l];
    const sorted = new Uint16Array(firstIndex[maxLen + 1]);
    const fill = firstIndex.slice();
    for (let s = 0; s < n; s++) if (lens[s]) sorted[fill[lens[s]]++] = s;
    const firstCode = new Int32Array(maxLen + 2);
    let code = 0;
    for (let l = 1; l <= maxLen; l++) {
      firstCode[l] = code;
      code = (code + count[l]) << 1;
    }
    this.firstCode = firstCode;
    this.countByLen = count;
    this.firstIndex = firstIndex;
    this.sorted = sorted;
    const table = new Uint32Array(1 << tableBits);
    for (let l = 1; l <= Math.min(tableBits, maxLen); l++) {
      let c = firstCode[l];
      for (let i = firstIndex[l]; i < firstIndex[l + 1]; i++, c++) {
        const start = c << (tableBits - l);
        table.fill((sorted[i] << 5) | l, start, start + (1 << (tableBits - l)));
      }
    }
    this.table = table;
  }

  /**
   * Decodes one symbol from `bits`, which holds the next `maxLen` bits of input (MSB first).
   * Returns (symbol << 5) | length, or -1 when no code matches.
   */
  decodeSlow(bits: number): number {
    for (let l = this.tableBits + 1; l <= this.maxLen; l++) {
      const c = bits >>> (this.maxLen - l);
      const d = c - this.firstCode[l];
      if (d >= 0 && d < this.countByLen[l]) return (this.sorted[this.firstIndex[l] + d] << 5) | l;
    }
    return -1;
  }
}

/** Assigns canonical codes to lengths (for the encoder). */
export function canonicalCodes(lens: Uint8Array, maxLen: number): Uint32Array {
  const count = new Int32Array(maxLen + 1);
  for (let s = 0; s < lens.length; s++) count[lens[s]]++;
  count[0] = 0;
  const next = new Int32Array(maxLen + 2);
  let code = 0;
  for (let l = 1; l <= maxLen; l++) {
    code = (code + count[l - 1]) << 1;
    next[l] = code;
  }
  const codes = new Uint32Array(lens.length);
  for (let s = 0; s < lens.length; s++) if (lens[s]) codes[s] = next[lens[s]]++;
  return codes;
}

/**
 * Length-limited Huffman code lengths for the given frequencies: a plain Huffman tree, then
 * lengths beyond maxLen folded back with the classic "move a leaf pair up" adjustment (JPEG
 * Annex K.3), then handed to symbols by descending frequency.
 */
export function buildLengths(freqs: Uint32Array, maxLen: number): Uint8Array {
  const n = freqs.length;
  const lens = new Uint8Array(n);
  const syms: number[] = [];
  for (let s = 0; s < n; s++) if (freqs[s]) syms.push(s);
  if (syms.length === 0) return lens;
  if (syms.length === 1) {
    lens[syms[0]] = 1;
    // A one-symbol code is incomplete; give a second symbol a code so decoders with a Kraft
    // completeness check accept it too.
    lens[syms[0] === 0 ? 1 : 0] = 1;
    return lens;
  }
  // Two-queue Huffman construction over leaves sorted by frequency (numeric sort of packed
  // frequency/symbol keys: much faster than a comparator).
  const keys = new Float64Array(syms.length);
  for (let i = 0; i < syms.length; i++) keys[i] = freqs[syms[i]] * 65536 + syms[i];
  keys.sort();
  for (let i = 0; i < syms.length; i++) syms[i] = keys[i] % 65536;
  const m = syms.length;
  const weight = new Float64Array(2 * m);
  const parent = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) weight[i] = freqs[syms[i]];
  let leaf = 0;
  let inner = m;
  let innerEnd = m;
  const pick = (): number => {
    if (leaf < m && (inner >= innerEnd || weight[leaf] <= weight[inner])) return leaf++;
    return inner++;
  };
  for (let k = 0; k < m - 1; k++) {
    const a = pick();
    const b = pick();
    weight[innerEnd] = weight[a] + weight[b];
    parent[a] = innerEnd;
    parent[b] = innerEnd;
    innerEnd++;
  }
  const depth = new Int32Array(2 * m);
  const root = innerEnd - 1;
  depth[root] = 0;
  for (let i = root - 1; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
  const maxDepth = Math.max(maxLen, 64);
  const count = new Int32Array(maxDepth + 1);
  let longest = 0;
  for (let i = 0; i < m; i++) {
    const d = Math.min(depth[i], maxDepth);
    count[d]++;
    if (d > longest) longest = d;
  }
  for (let i = longest; i > maxLen; i--) {
    while (count[i] > 0) {
      let j = i - 2;
      while (count[j] === 0) j--;
      count[i] -= 2;
      count[i - 1] += 1;
      count[j + 1] += 2;
      count[j] -= 1;
    }
  }
  // Shortest lengths to the most frequent symbols (syms is ascending by frequency).
  let idx = m - 1;
  for (let l = 1; l <= maxLen; l++) {
    for (let c = 0; c < count[l]; c++) lens[syms[idx--]] = l;
  }
  return lens;
}

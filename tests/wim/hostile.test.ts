// Broken and hostile archives: every one must end in a WimFormatError — never a crash, a hang,
// another kind of exception, or a file written outside (or, for structural faults, inside) the
// extraction target. Plus a property-based fuzz of the reader over mutated valid archives.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { captureDirectory, extractImage, openWim, WimFormatError, WimUnsupportedError } from '../../core/wim';
import { xpressDecompress, XpressCompressor } from '../../core/wim/xpress';
import { lzxDecompress } from '../../core/wim/lzx';
import { compressible, havePeer, prng, rmrf, tempDir, wimlib } from './helpers';

let work: string;
let base: Buffer; // uncompressed archive of a small tree
let baseX: Buffer; // XPRESS archive of the same tree
let peerArchives: Buffer[] = []; // LZX and XPRESS archives of the same tree written by wimlib
const peer = havePeer();
let n = 0;

beforeAll(async () => {
  work = tempDir('hostile');
  const src = join(work, 'src');
  mkdirSync(join(src, 'subdir', 'inner'), { recursive: true });
  writeFileSync(join(src, 'ab'), compressible(3000, 1));
  writeFileSync(join(src, 'ac'), prng(40000, 2));
  writeFileSync(join(src, 'xyz'), 'three letters\n');
  writeFileSync(join(src, 'subdir', 'inner', 'deep.txt'), compressible(70000, 3));
  symlinkSync('zz/zz/zz/x', join(src, 'lnk'));
  await captureDirectory(src, join(work, 'base.wim'), { compression: 'none', metadata: { name: 'base' } });
  await captureDirectory(src, join(work, 'basex.wim'), { compression: 'xpress', metadata: { name: 'base' } });
  base = readFileSync(join(work, 'base.wim'));
  baseX = readFileSync(join(work, 'basex.wim'));
  if (peer) {
    wimlib(['capture', src, join(work, 'peer-lzx.wim')]);
    wimlib(['capture', src, join(work, 'peer-xpress.wim'), '--compress=XPRESS']);
    peerArchives = [readFileSync(join(work, 'peer-lzx.wim')), readFileSync(join(work, 'peer-xpress.wim'))];
  }
});
afterAll(() => rmrf(work));

/** Opens, lists every image, reads every blob and extracts: the whole reader surface. */
async function readEverything(buf: Buffer): Promise<{ sandbox: string; dest: string }> {
  const id = n++;
  const file = join(work, `case-${id}.wim`);
  writeFileSync(file, buf);
  const sandbox = join(work, `sandbox-${id}`);
  const dest = join(sandbox, 'out');
  mkdirSync(sandbox);
  const r = await openWim(file, { checkIntegrity: true });
  try {
    for (const im of r.images) {
      const entries = await r.entryList(im.index);
      for (const e of entries) if (e.sha1) for await (const _ of r.blobPieces(e.sha1)) void _;
      rmrf(dest);
      await extractImage(r, im.index, dest);
    }
  } finally {
    await r.close();
  }
  return { sandbox, dest };
}

async function expectWimError(buf: Buffer, pattern?: RegExp, nothingWritten = true): Promise<WimFormatError> {
  const id = n;
  let err: unknown = null;
  try {
    await readEverything(buf);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WimFormatError);
  if (pattern) expect((err as Error).message).toMatch(pattern);
  const sandbox = join(work, `sandbox-${id}`);
  const inSandbox = readdirSync(sandbox);
  expect(inSandbox.every((x) => x === 'out')).toBe(true);
  if (nothingWritten && inSandbox.includes('out')) expect(readdirSync(join(sandbox, 'out'))).toEqual([]);
  rmrf(sandbox);
  return err as WimFormatError;
}

// --- layout helpers (uncompressed archives) ---------------------------------------------------
const u64 = (b: Buffer, o: number): number => Number(b.readBigUInt64LE(o));
function blobTable(b: Buffer): { entryOff: number; offset: number; size: number; flags: number; sha1: string }[] {
  const off = u64(b, 56);
  const size = u64(b, 48) & 0xffffffffffff;
  const out = [];
  for (let p = off; p < off + size; p += 50) {
    out.push({ entryOff: p, offset: u64(b, p + 8), size: u64(b, p + 16), flags: b[p + 7], sha1: b.toString('hex', p + 30, p + 50) });
  }
  return out;
}
function metaEntry(b: Buffer) {
  return blobTable(b).find((e) => e.flags & 2)!;
}
/** Re-hashes the (uncompressed) metadata resource after a patch, so only the patch is "wrong". */
function fixMeta(b: Buffer): Buffer {
  const m = metaEntry(b);
  createHash('sha1').update(b.subarray(m.offset, m.offset + m.size)).digest().copy(b, m.entryOff + 30);
  return b;
}
function patchName(src: Buffer, from: string, to: string): Buffer {
  const b = Buffer.from(src);
  const m = metaEntry(b);
  const meta = b.subarray(m.offset, m.offset + m.size);
  const at = meta.indexOf(Buffer.from(from, 'utf16le'));
  expect(at).toBeGreaterThan(0);
  Buffer.from(to, 'utf16le').copy(meta, at);
  return fixMeta(b);
}
function dentryOf(b: Buffer, name: string): number {
  const m = metaEntry(b);
  const at = b.subarray(m.offset, m.offset + m.size).indexOf(Buffer.from(name, 'utf16le'));
  return m.offset + at - 102; // the name follows the 102-byte fixed part
}

describe('hostile and broken archives', () => {
  test('the base archives are valid', async () => {
    const { dest } = await readEverything(base);
    expect(readdirSync(dest).sort()).toEqual(['ab', 'ac', 'lnk', 'subdir', 'xyz']);
    await readEverything(baseX);
  });

  test('bad magic, too small, empty file', async () => {
    const b = Buffer.from(base);
    b.write('XSWIM', 0, 'latin1');
    await expectWimError(b, /bad magic/);
    await expectWimError(base.subarray(0, 100), /too small/);
    await expectWimError(Buffer.alloc(0), /too small/);
  });

  test('truncated at many offsets', async () => {
    for (const src of [base, baseX]) {
      const cuts = new Set<number>([1, 207, 208, 209, src.length - 1, src.length - 2, src.length - 50]);
      for (let c = 0; c < src.length; c += Math.max(1, Math.floor(src.length / 60))) cuts.add(c);
      for (const c of cuts) await expectWimError(src.subarray(0, c));
    }
  });

  test('flipped bytes: an error or a faithful read, never anything else', async () => {
    for (const src of [base, baseX]) {
      for (let i = 0; i < src.length; i += Math.max(1, Math.floor(src.length / 150))) {
        const b = Buffer.from(src);
        b[i] ^= 0x5a;
        try {
          const { sandbox } = await readEverything(b);
          rmrf(sandbox);
        } catch (e) {
          expect(e).toBeInstanceOf(WimFormatError);
        }
      }
    }
  });

  test('resources past the end of the file or overlapping each other', async () => {
    const blobs = blobTable(base).filter((e) => !(e.flags & 2) && e.size > 100);
    let b = Buffer.from(base);
    b.writeBigUInt64LE(BigInt(base.length - 10), blobs[0].entryOff + 8);
    await expectWimError(b, /past the end/);
    b = Buffer.from(base);
    b.writeBigUInt64LE(BigInt(blobs[1].offset + 1), blobs[0].entryOff + 8);
    await expectWimError(b, /overlaps/);
    b = Buffer.from(base);
    b.writeBigUInt64LE(BigInt(base.length + 1000), 56); // blob table offset
    await expectWimError(b, /past the end/);
  });

  test('size bombs and absurd counts', async () => {
    const blob = blobTable(base).find((e) => !(e.flags & 2) && e.size > 1000)!;
    // Claims a huge original size for a small stored size.
    let b = Buffer.from(base);
    b.writeBigUInt64LE(2n ** 40n, blob.entryOff + 16);
    await expectWimError(b, /original size/);
    b[blob.entryOff + 7] |= 4; // ...and "compressed" in an uncompressed archive
    await expectWimError(b);
    const bx = blobTable(baseX).find((e) => (e.flags & 4) && !(e.flags & 2))!;
    b = Buffer.from(baseX);
    b.writeBigUInt64LE(2n ** 40n, bx.entryOff + 16);
    await expectWimError(b, /chunk table|size bomb/);
    b = Buffer.from(base);
    b.writeUInt32LE(1000, 44); // image count
    await expectWimError(b, /images/);
    b = Buffer.from(base);
    const m = metaEntry(b);
    b.writeUInt32LE(0xffffffff, m.offset + 4); // security descriptor count
    await expectWimError(fixMeta(b), /security/);
    b = Buffer.from(base);
    b.writeBigUInt64LE(2n ** 60n, dentryOf(b, 'ab'));
    await expectWimError(fixMeta(b), /length/);
  });

  test('hostile names are rejected before anything is written', async () => {
    await expectWimError(patchName(base, 'ab', '..'), /'\.\.'/);
    await expectWimError(patchName(base, 'ab', 'a/'), /separator/);
    await expectWimError(patchName(base, 'ab', 'a\\'), /separator/);
    await expectWimError(patchName(base, 'ab', 'a\0'), /NUL/);
    await expectWimError(patchName(base, 'xyz', 'CON'), /device name/);
    await expectWimError(patchName(base, 'ab', 'C:'), /drive/);
    const e = await expectWimError(patchName(base, 'ac', 'ab'), /duplicate/);
    expect(e.entryPath).toBe('/ab');
  });

  test('a symlink pointing out of the root is rejected', async () => {
    const b = Buffer.from(base);
    const old = Buffer.from('zz\\zz\\zz\\x', 'utf16le');
    const blob = blobTable(b).find((e) => b.subarray(e.offset, e.offset + e.size).includes(old))!;
    const data = b.subarray(blob.offset, blob.offset + blob.size);
    let at: number;
    while ((at = data.indexOf(old)) >= 0) Buffer.from('..\\..\\..\\x', 'utf16le').copy(data, at);
    const newHash = createHash('sha1').update(data).digest();
    const oldHash = Buffer.from(blob.sha1, 'hex');
    let p: number;
    while ((p = b.indexOf(oldHash)) >= 0) newHash.copy(b, p); // blob table and dentry
    const err = await expectWimError(fixMeta(b), /outside the image/);
    expect(err.entryPath).toBe('/lnk');
  });

  test('directory cycles are rejected', async () => {
    const b = Buffer.from(base);
    const m = metaEntry(b);
    const rootOff = m.offset + ((b.readUInt32LE(m.offset) + 7) & ~7);
    const rootChildren = b.readBigUInt64LE(rootOff + 16);
    b.writeBigUInt64LE(rootChildren, dentryOf(b, 'inner') + 16);
    await expectWimError(fixMeta(b), /cycle/);
  });

  test('content that does not match its SHA-1 is an error', async () => {
    const blob = blobTable(base).find((e) => !(e.flags & 2) && e.size > 1000)!;
    const b = Buffer.from(base);
    b[blob.offset + 10] ^= 1;
    await expectWimError(b, /SHA-1/, false);
  });

  test('LZMS and solid archives are "not supported"', async () => {
    const b = Buffer.from(base);
    b.writeUInt32LE(0x2 | 0x80000, 16);
    b.writeUInt32LE(32768, 20);
    const e = await expectWimError(b, /not supported: LZMS/);
    expect(e).toBeInstanceOf(WimUnsupportedError);
    const s = Buffer.from(base);
    s[blobTable(s)[1].entryOff + 7] |= 0x10;
    await expectWimError(s, /not supported: .*solid/);
  });

  test('an image expanding beyond the caller\'s limit is refused before anything is written', async () => {
    const file = join(work, 'limit.wim');
    writeFileSync(file, baseX);
    const r = await openWim(file);
    const dest = join(work, 'limit-out');
    const e = await extractImage(r, 1, dest, { maxBytes: 1000 }).catch((x: unknown) => x);
    await r.close();
    expect(e).toBeInstanceOf(WimFormatError);
    expect((e as Error).message).toMatch(/expands to \d+ bytes, more than the allowed 1000/);
    expect(require('node:fs').existsSync(dest)).toBe(false);
  });

  test('XML with a DTD (entity bomb) is refused', async () => {
    const b = Buffer.from(base);
    const xmlOff = u64(b, 80);
    Buffer.from('\ufeff<!DOCTYPE', 'utf16le').copy(b, xmlOff);
    await expectWimError(b, /document type/);
  });
});

describe('fuzz', () => {
  test('mutated valid archives: the reader returns or throws WimFormatError', async () => {
    for (const src of [base, baseX, ...peerArchives]) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(src.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat(src.length), { nil: undefined }),
          async (muts, cut) => {
            const b = Buffer.from(src);
            for (const [o, v] of muts) b[o] = v;
            try {
              const { sandbox } = await readEverything(cut === undefined ? b : b.subarray(0, cut));
              rmrf(sandbox);
            } catch (e) {
              if (!(e instanceof WimFormatError)) throw e;
            }
          },
        ),
        { numRuns: 120, seed: 42 },
      );
    }
  });

  test('XPRESS decoder on arbitrary bytes: output or WimFormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.integer({ min: 1, max: 32768 }), (data, outLen) => {
        try {
          xpressDecompress(Buffer.from(data), Buffer.alloc(outLen), outLen);
        } catch (e) {
          if (!(e instanceof WimFormatError)) throw e;
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  test('LZX decoder on arbitrary bytes: output or WimFormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.integer({ min: 1, max: 32768 }), (data, outLen) => {
        try {
          lzxDecompress(Buffer.from(data), Buffer.alloc(outLen), outLen);
        } catch (e) {
          if (!(e instanceof WimFormatError)) throw e;
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  test('flipped bits inside compressed chunks of wimlib archives: an error, never a wrong read', async () => {
    for (const src of peerArchives) {
      for (let i = 208; i < src.length; i += Math.max(1, Math.floor(src.length / 120))) {
        const b = Buffer.from(src);
        b[i] ^= 0x10;
        try {
          const { sandbox } = await readEverything(b);
          rmrf(sandbox);
        } catch (e) {
          expect(e).toBeInstanceOf(WimFormatError);
        }
      }
    }
  });

  test('XPRESS round trip', () => {
    const c = new XpressCompressor();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 40000 }),
          fc.tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(29), { maxLength: 3000 }))
            .map(([words, picks]) => Uint8Array.from(Buffer.concat(picks.map((i) => Buffer.from(words[i % words.length]))).subarray(0, 32768))),
        ),
        (data) => {
          const input = Buffer.from(data);
          const z = c.compress(input);
          if (z === null) return;
          expect(z.length).toBeLessThan(input.length);
          const out = Buffer.alloc(input.length);
          xpressDecompress(Buffer.from(z), out, input.length);
          expect(out.equals(input)).toBe(true);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});

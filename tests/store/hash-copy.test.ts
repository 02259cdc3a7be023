// The hash-and-copy workers that install uncompressed archives (core/store/hash-copy.ts): every
// job's bytes land in a worker's pack file at a 4 KiB boundary with the right SHA-256, and a
// SHA-1 that does not match the content, or a range past the end of the archive, fails the whole
// copy.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { hashCopy, PACK_ALIGN, type HashCopyJob } from '../../core/store/hash-copy';
import { WimFormatError } from '../../core/wim/errors';
import { bytes } from './helpers';

let dir: string;
let src: string;
let data: Buffer;
let fd: number;

beforeEach(() => {
  dir = makeTempDir('store-hashcopy-');
  src = join(dir, 'archive.bin');
  // Over the 4 MiB chunk, so blobs take several reads and writes.
  data = bytes(10 * 1024 * 1024 + 123, 7);
  writeFileSync(src, data);
  fd = openSync(src, 'r');
});
afterEach(() => {
  closeSync(fd);
  removeTempDir(dir);
});

const sha = (alg: string, b: Buffer): string => createHash(alg).update(b).digest('hex');

/** Jobs over consecutive ranges of the archive (sizes include 0 and more than one read). */
function jobs(sizes: number[]): HashCopyJob[] {
  let at = 0;
  return sizes.map((size) => {
    const j = { sha1: sha('sha1', data.subarray(at, at + size)), offset: at, size };
    at += size;
    return j;
  });
}

type Placed = { job: HashCopyJob; sha256: string; pack: string; at: number };

/** Runs hashCopy with packs in `out`; returns the packs it reports, where each blob went, and the pack paths asked for. */
async function copyAll(list: HashCopyJob[], workers: number, out = dir): Promise<{ packs: string[]; placed: Placed[]; asked: string[]; handed: HashCopyJob[] }> {
  const placed: Placed[] = [];
  const asked: string[] = [];
  const handed: HashCopyJob[] = [];
  const packs = await hashCopy(fd, list, {
    packPath: (n) => {
      const p = join(out, `pack${n}.tmp`);
      asked.push(p);
      return p;
    },
    beforeCopy: (j) => handed.push(j),
    copied: (job, sha256, pack, at) => placed.push({ job, sha256, pack, at }),
  }, workers);
  return { packs, placed, asked, handed };
}

/** Every blob's bytes are in its pack at its offset (a 4 KiB boundary) with the right SHA-256; each pack ends at its last blob's end. */
function expectPacked(list: HashCopyJob[], r: { packs: string[]; placed: Placed[] }): void {
  expect(r.placed.map((x) => x.job).sort((a, b) => a.offset - b.offset)).toEqual(list);
  const ends = new Map<string, number>();
  for (const { job, sha256, pack, at } of r.placed) {
    expect(r.packs).toContain(pack);
    expect(at % PACK_ALIGN).toBe(0);
    const want = data.subarray(job.offset, job.offset + job.size);
    expect(readFileSync(pack).subarray(at, at + job.size).equals(want)).toBe(true);
    expect(sha256).toBe(sha('sha256', want));
    ends.set(pack, Math.max(ends.get(pack) ?? 0, at + job.size));
  }
  for (const p of r.packs) expect(statSync(p).size).toBe(ends.get(p));
}

// Sizes: 0, 1, under and over a 4 KiB block, whole blocks, more than one 4 MiB chunk with a
// partial last block (direct writes pad it; the next blob or the final cut drops the padding).
const SIZES = [1, 0, 3 * 1024 * 1024 + 5, 17, 1024 * 1024, 900_000, 4 * 1024 * 1024 + 4097, 8192];

test.each([1, 2, 3])('with %i worker(s) every blob is copied whole into a pack with its SHA-256', async (workers) => {
  const list = jobs(SIZES);
  const r = await copyAll(list, workers);
  expect(r.handed).toEqual(list);
  expect(r.packs.length).toBeGreaterThanOrEqual(1);
  expect(r.packs.length).toBeLessThanOrEqual(workers);
  expect(r.asked).toEqual(expect.arrayContaining(r.packs));
  expectPacked(list, r);
});

test('a SHA-1 that does not match fails with a WimFormatError; the failed blob is not reported', async () => {
  const list = jobs([1000, 2 * 1024 * 1024, 1000]);
  list[1].sha1 = '0'.repeat(40);
  const copied: HashCopyJob[] = [];
  const err = await hashCopy(fd, list, { packPath: (n) => join(dir, `p${n}.tmp`), beforeCopy: () => undefined, copied: (j) => copied.push(j) }, 2).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WimFormatError);
  expect((err as Error).message).toMatch(/content has SHA-1 [0-9a-f]{40}, expected 0{40}/);
  expect(copied).not.toContain(list[1]);
});

test('a range past the end of the archive fails with a WimFormatError', async () => {
  const list = jobs([1000]);
  list.push({ sha1: '1'.repeat(40), offset: data.length - 10, size: 100 });
  await expect(hashCopy(fd, list, { packPath: (n) => join(dir, `p${n}.tmp`), beforeCopy: () => undefined, copied: () => undefined }, 1)).rejects.toThrow(/unexpected end of file/);
});

test('a pack path that already exists fails the copy (packs are created, never overwritten)', async () => {
  writeFileSync(join(dir, 'p0.tmp'), 'someone else');
  await expect(hashCopy(fd, jobs([1000]), { packPath: (n) => join(dir, `p${n}.tmp`), beforeCopy: () => undefined, copied: () => undefined }, 1)).rejects.toThrow(/EEXIST/);
  expect(readFileSync(join(dir, 'p0.tmp'), 'utf8')).toBe('someone else');
});

test('on a file system without direct I/O (tmpfs) the copy falls back to buffered writes', async () => {
  const shm = '/dev/shm';
  if (!existsSync(shm)) {
    console.warn('SKIPPED: no /dev/shm here, so the buffered fallback of hash-copy is not tested');
    return;
  }
  const out = mkdtempSync(join(shm, 'store-hashcopy-'));
  try {
    const list = jobs(SIZES);
    expectPacked(list, await copyAll(list, 2, out));
  } finally {
    removeTempDir(out);
  }
});

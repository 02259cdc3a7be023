// The hash-and-copy workers that install uncompressed archives (core/store/hash-copy.ts): every
// job's bytes land in its temp file with the right SHA-256, and a SHA-1 that does not match the
// content, or a range past the end of the archive, fails the whole copy and leaves no file of the
// failed job.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { hashCopy, type HashCopyJob } from '../../core/store/hash-copy';
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
  return sizes.map((size, i) => {
    const j = { sha1: sha('sha1', data.subarray(at, at + size)), offset: at, size, tmp: join(dir, `t${i}.tmp`) };
    at += size;
    return j;
  });
}

// Sizes: 0, 1, under and over a 4 KiB block, whole blocks, more than one 4 MiB chunk with a
// partial last block (direct writes pad it and cut the file back).
const SIZES = [1, 0, 3 * 1024 * 1024 + 5, 17, 1024 * 1024, 900_000, 4 * 1024 * 1024 + 4097, 8192];

test.each([1, 2, 3])('with %i worker(s) every blob is copied whole with its SHA-256', async (workers) => {
  const list = jobs(SIZES);
  const created: string[] = [];
  const got = new Map<string, string>();
  await hashCopy(fd, list, { beforeCreate: (j) => created.push(j.tmp), copied: (j, h) => got.set(j.tmp, h) }, workers);
  expect(created).toEqual(list.map((j) => j.tmp));
  for (const j of list) {
    const want = data.subarray(j.offset, j.offset + j.size);
    expect(readFileSync(j.tmp).equals(want)).toBe(true);
    expect(got.get(j.tmp)).toBe(sha('sha256', want));
  }
});

test('a SHA-1 that does not match fails with a WimFormatError; the failed job leaves no file', async () => {
  const list = jobs([1000, 2 * 1024 * 1024, 1000]);
  list[1].sha1 = '0'.repeat(40);
  const copied: string[] = [];
  const err = await hashCopy(fd, list, { beforeCreate: () => undefined, copied: (j) => copied.push(j.tmp) }, 2).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WimFormatError);
  expect((err as Error).message).toMatch(/content has SHA-1 [0-9a-f]{40}, expected 0{40}/);
  expect(existsSync(list[1].tmp)).toBe(false);
  expect(copied).not.toContain(list[1].tmp);
});

test('a range past the end of the archive fails with a WimFormatError', async () => {
  const list = jobs([1000]);
  list.push({ sha1: '1'.repeat(40), offset: data.length - 10, size: 100, tmp: join(dir, 'past.tmp') });
  await expect(hashCopy(fd, list, { beforeCreate: () => undefined, copied: () => undefined }, 1)).rejects.toThrow(/unexpected end of file/);
  expect(existsSync(join(dir, 'past.tmp'))).toBe(false);
});

test('on a file system without direct I/O (tmpfs) the copy falls back to buffered writes', async () => {
  const shm = '/dev/shm';
  if (!existsSync(shm)) {
    console.warn('SKIPPED: no /dev/shm here, so the buffered fallback of hash-copy is not tested');
    return;
  }
  const out = mkdtempSync(join(shm, 'store-hashcopy-'));
  try {
    const list = jobs(SIZES).map((j, i) => ({ ...j, tmp: join(out, `s${i}.tmp`) }));
    const got = new Map<string, string>();
    await hashCopy(fd, list, { beforeCreate: () => undefined, copied: (j, h) => got.set(j.tmp, h) }, 2);
    for (const j of list) {
      const want = data.subarray(j.offset, j.offset + j.size);
      expect(readFileSync(j.tmp).equals(want)).toBe(true);
      expect(got.get(j.tmp)).toBe(sha('sha256', want));
    }
  } finally {
    removeTempDir(out);
  }
});

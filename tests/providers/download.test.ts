// downloadArchive on a large archive (SHA-256 in the worker thread): resume after a drop with a
// Range request, restart from zero when the server does not support ranges, refusal on a hash
// mismatch with the partial file removed.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { downloadArchive, DownloadError } from '../../providers/containerimage/download';
import { WORKER_THRESHOLD } from '../../providers/containerimage/hasher';
import { makeTempDir, removeTempDir } from './helpers';

const SIZE = WORKER_THRESHOLD + 8 * 1024 * 1024 + 123;
let dir: string;
let data: Buffer;
let sha: string;
let server: http.Server;
let url: string;
let mode: 'ranges' | 'noranges' = 'ranges';
const seen: (string | null)[] = [];

beforeAll(async () => {
  dir = makeTempDir('posh-download-');
  data = randomBytes(SIZE);
  sha = createHash('sha256').update(data).digest('hex');
  let count = 0;
  server = http.createServer((req, res) => {
    count++;
    seen.push((req.headers.range as string | undefined) ?? null);
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    if (range && mode === 'ranges') {
      const start = Number(range[1]);
      res.writeHead(206, { 'content-length': String(SIZE - start), 'content-range': `bytes ${start}-${SIZE - 1}/${SIZE}`, 'accept-ranges': 'bytes', etag: '"big"' });
      res.end(data.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': String(SIZE), ...(mode === 'ranges' ? { 'accept-ranges': 'bytes', etag: '"big"' } : {}) });
    if (count % 2 === 1) {
      // First request of each pair: drop the connection after 10 MiB.
      res.write(data.subarray(0, 10 * 1024 * 1024), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.wim`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  removeTempDir(dir);
});

const settings = { timeoutMs: 5000, retries: 3, backoffMs: 10, maxRedirects: 10 };

test('a large download dropped mid-way resumes with Range and verifies', async () => {
  mode = 'ranges';
  seen.length = 0;
  const dest = path.join(dir, 'a.wim');
  const r = await downloadArchive({ url: new URL(url), dest, expectedSize: SIZE, expectedSha256: sha, settings });
  expect(r).toEqual({ size: SIZE, sha256: sha, attempts: 2, resumes: 1 });
  expect(seen[0]).toBeNull();
  expect(seen[1]).toMatch(/^bytes=\d+-$/);
  expect(fs.readFileSync(dest).equals(data)).toBe(true);
});

test('without range support the download restarts from zero and the hash starts over', async () => {
  mode = 'noranges';
  seen.length = 0;
  const dest = path.join(dir, 'b.wim');
  const r = await downloadArchive({ url: new URL(url), dest, expectedSize: SIZE, expectedSha256: sha, settings });
  expect(r).toEqual({ size: SIZE, sha256: sha, attempts: 2, resumes: 0 });
  expect(seen).toEqual([null, null]);
  expect(fs.statSync(dest).size).toBe(SIZE);
});

test('a hash mismatch is refused and the partial file removed', async () => {
  mode = 'ranges';
  const dest = path.join(dir, 'c.wim');
  const wrong = 'f'.repeat(64);
  const e = await downloadArchive({ url: new URL(url), dest, expectedSize: SIZE, expectedSha256: wrong, settings }).catch((x) => x);
  expect(e).toBeInstanceOf(DownloadError);
  expect((e as DownloadError).kind).toBe('hash');
  expect((e as Error).message).toBe(`hash mismatch: expected sha256 ${wrong}, actual sha256 ${sha}`);
  expect(fs.existsSync(dest)).toBe(false);
});

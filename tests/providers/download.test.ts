// downloadArchive on a large archive (hashed by the worker thread, many write batches in flight,
// the transfer paused and resumed by the sink): resume after a drop with a Range request, restart from zero when the
// server does not support ranges, refusal on a hash mismatch with the partial file removed;
// progress throttling, tiny chunked pieces (inline and worker hashing), a hashing worker that
// dies, a stop request, a write failure, a proxy.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { downloadArchive, DownloadError } from '../../providers/containerimage/download';
import { sinkTestHooks, WORKER_THRESHOLD } from '../../providers/containerimage/sink';
import { makeTempDir, removeTempDir, tunnelConnect } from './helpers';

const SIZE = WORKER_THRESHOLD + 8 * 1024 * 1024 + 123;
let dir: string;
let data: Buffer;
let sha: string;
let server: http.Server;
let url: string;
let mode: 'ranges' | 'noranges' = 'ranges';
const seen: (string | null)[] = [];

beforeAll(async () => {
  // Large downloads hash in a worker only on a machine with a free core: forced here, so the
  // worker path is what these tests check whatever the load (the inline path has its own test).
  sinkTestHooks.hashIn = 'worker';
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
  sinkTestHooks.hashIn = null;
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

// A second server for the tests below, so the drop-every-other-request pattern above keeps its
// parity: '/plain' answers the whole file with Content-Length; '/tiny' sends it chunked in
// 512-byte pieces (thousands of chunks per write batch); '/proxied' is the same as /plain.
describe('the file sink and the transfer around it', () => {
  let plain: http.Server;
  let base: string;

  beforeAll(async () => {
    plain = http.createServer((req, res) => {
      if (req.url === '/tiny') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const small = data.subarray(0, TINY_SIZE);
        let at = 0;
        const next = (): void => {
          while (at < small.length) {
            const piece = small.subarray(at, at + 512);
            at += piece.length;
            if (!res.write(piece)) return void res.once('drain', next);
          }
          res.end();
        };
        next();
        return;
      }
      res.writeHead(200, { 'content-length': String(SIZE), 'accept-ranges': 'bytes' });
      res.end(data);
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    plain.closeAllConnections();
    await new Promise<void>((r) => plain.close(() => r()));
  });

  const TINY_SIZE = 6 * 1024 * 1024 + 7;

  test('progress is reported at most ~10 times a second, and the last report is the whole size', async () => {
    const calls: [number, number | null][] = [];
    const started = Date.now();
    const dest = path.join(dir, 'p.wim');
    const r = await downloadArchive({ url: new URL(`${base}/plain`), dest, expectedSize: SIZE, expectedSha256: sha, settings, onProgress: (n, t) => calls.push([n, t]) });
    const elapsed = Date.now() - started;
    expect(r.size).toBe(SIZE);
    // One a socket read (64 KiB) would be 640 calls; the throttle allows one per 100 ms plus the last.
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(calls[calls.length - 1]).toEqual([SIZE, SIZE]);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
  });

  test('a body of thousands of tiny chunked pieces is written whole, in order', async () => {
    const dest = path.join(dir, 't.wim');
    const want = createHash('sha256').update(data.subarray(0, TINY_SIZE)).digest('hex');
    const r = await downloadArchive({ url: new URL(`${base}/tiny`), dest, expectedSize: TINY_SIZE, expectedSha256: want, settings });
    expect(r).toEqual({ size: TINY_SIZE, sha256: want, attempts: 1, resumes: 0 });
    expect(fs.readFileSync(dest).equals(data.subarray(0, TINY_SIZE))).toBe(true);
  });

  test('a large download hashed inline (the busy-machine choice) verifies and is written whole', async () => {
    const dest = path.join(dir, 'i.wim');
    sinkTestHooks.hashIn = 'inline';
    try {
      const r = await downloadArchive({ url: new URL(`${base}/plain`), dest, expectedSize: SIZE, expectedSha256: sha, settings });
      expect(r).toEqual({ size: SIZE, sha256: sha, attempts: 1, resumes: 0 });
      expect(fs.readFileSync(dest).equals(data)).toBe(true);
    } finally {
      sinkTestHooks.hashIn = 'worker';
    }
  });

  test('the same pieces with no size given (hashed by the worker, from copies of the shared reads) verify too', async () => {
    const dest = path.join(dir, 'u.wim');
    const want = createHash('sha256').update(data.subarray(0, TINY_SIZE)).digest('hex');
    const r = await downloadArchive({ url: new URL(`${base}/tiny`), dest, expectedSize: null, expectedSha256: want, settings });
    expect(r).toEqual({ size: TINY_SIZE, sha256: want, attempts: 1, resumes: 0 });
    expect(fs.readFileSync(dest).equals(data.subarray(0, TINY_SIZE))).toBe(true);
  });

  test('a hashing worker that dies mid-transfer fails the download as "io", not retried, file removed', async () => {
    const dest = path.join(dir, 'w.wim');
    let retries = 0;
    sinkTestHooks.workerStarted = (w) => void w.terminate();
    try {
      const e = await downloadArchive({ url: new URL(`${base}/plain`), dest, expectedSize: SIZE, expectedSha256: sha, settings, onRetry: () => retries++ }).catch((x) => x);
      expect(e).toBeInstanceOf(DownloadError);
      expect((e as DownloadError).kind).toBe('io');
      expect((e as Error).message).toMatch(/^the hashing worker stopped unexpectedly \(exit code \d+\)$/);
      expect(retries).toBe(0);
      expect(fs.existsSync(dest)).toBe(false);
    } finally {
      sinkTestHooks.workerStarted = null;
    }
  });

  test('a stop request ends the transfer with kind "stopped" and removes the partial file', async () => {
    const dest = path.join(dir, 's.wim');
    let asked = 0;
    const e = await downloadArchive({
      url: new URL(`${base}/plain`), dest, expectedSize: SIZE, expectedSha256: sha, settings,
      // Asked at the start and then with each progress tick: stop at the first tick.
      isStopping: () => asked++ > 0,
    }).catch((x) => x);
    expect(e).toBeInstanceOf(DownloadError);
    expect((e as DownloadError).kind).toBe('stopped');
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('a file that cannot be written (EFBIG past ulimit -f) fails at once as "io", not retried, file removed', async () => {
    // A child process, because the limit is per process: `ulimit -f 4096` allows 4 MiB.
    const dist = path.join(__dirname, '..', '..', 'dist', 'providers', 'containerimage', 'download.js');
    const dest = path.join(dir, 'f.wim');
    const script = `
const { downloadArchive } = require(${JSON.stringify(dist)});
let retries = 0;
downloadArchive({ url: new URL(${JSON.stringify(`${base}/plain`)}), dest: ${JSON.stringify(dest)}, expectedSize: ${SIZE}, expectedSha256: ${JSON.stringify(sha)},
  settings: ${JSON.stringify(settings)}, onRetry: () => retries++ })
  .then(() => console.log('no error'), (e) => console.log(JSON.stringify({ kind: e.kind, message: e.message, retries })));`;
    // Asynchronous: the server answering the child runs in this process.
    const child = spawn('bash', ['-c', 'ulimit -f 4096 && exec "$0" -e "$1"', process.execPath, script], { env: { ...process.env, HTTP_PROXY: '', http_proxy: '' } });
    const r = { stdout: '', stderr: '' };
    child.stdout.on('data', (b: Buffer) => (r.stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (r.stderr += b.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { kind: string; message: string; retries: number };
    expect(out.kind).toBe('io');
    expect(out.message).toMatch(/^could not write the download: EFBIG/);
    expect(out.retries).toBe(0);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('the archive download goes through HTTP_PROXY (CONNECT) and is verified', async () => {
    const connects: string[] = [];
    // Tunnelled sockets leave the server's books: closed by hand, or close() waits for undici's keep-alive.
    const tunnels = new Set<Socket>();
    const proxy = http.createServer((req, res) => {
      res.writeHead(501);
      res.end();
    });
    proxy.on(
      'connect',
      tunnelConnect((target, client) => {
        connects.push(target);
        tunnels.add(client);
      }),
    );
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    process.env.NO_PROXY = '';
    process.env.no_proxy = '';
    delete process.env.http_proxy;
    try {
      const dest = path.join(dir, 'x.wim');
      const r = await downloadArchive({ url: new URL(`${base}/proxied`), dest, expectedSize: SIZE, expectedSha256: sha, settings });
      expect(r).toEqual({ size: SIZE, sha256: sha, attempts: 1, resumes: 0 });
      expect(connects).toEqual([new URL(base).host]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      for (const t of tunnels) t.destroy();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});

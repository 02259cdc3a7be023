// The plain-HTTP download transport (providers/containerimage/http1.ts) against real servers on
// 127.0.0.1 — Node's http module where a well-behaved server will do, raw `net` servers where the
// answer must be byte-exact or misbehave. Covers: parseHead and ChunkedDecoder on their own
// (including every split point of a chunked body); plainGet's framings (Content-Length, chunked,
// up to the close, 1xx skipped, 204/304 without a body) and the request it sends; backpressure
// (onData returning false, resume(), no timeout while paused); network failures worded by
// describeNetworkError (refused, head and body timeouts, early close, oversized head, bad
// Content-Length, non-HTTP answer); and the caller's own errors (onData throwing, abort).

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpError, type HttpSettings, type RawResponse } from '../../providers/containerimage/http';
import { ChunkedDecoder, parseHead, plainGet } from '../../providers/containerimage/http1';

// ---------------------------------------------------------------------------------------------
// Peers and helpers

const settings = (timeoutMs = 5000): HttpSettings => ({ timeoutMs, retries: 0, backoffMs: 0, maxRedirects: 10 });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const servers: net.Server[] = [];
const serverSockets = new Set<net.Socket>();
const responses: RawResponse[] = [];

/** Remembers the server and the sockets it accepts, so afterEach can close them all. */
function track<T extends net.Server>(server: T): T {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    serverSockets.add(s);
    s.on('error', () => undefined); // the client may reset the connection
    s.on('close', () => serverSockets.delete(s));
  });
  return server;
}

async function listen(server: net.Server): Promise<URL> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

interface Peer {
  url: URL;
  /** The request heads received, as sent (latin1, up to and with the blank line). */
  requests: string[];
  connections: () => number;
  /** Resolves when the server's side of the n-th connection (0-based) has closed. */
  closed: (n: number) => Promise<void>;
}

/**
 * A raw TCP server: reads each request head, then `answer` writes whatever it likes on the socket
 * (and ends it, or not).
 */
async function rawServer(answer: (sock: net.Socket, request: string) => void): Promise<Peer> {
  const requests: string[] = [];
  const closes: Promise<void>[] = [];
  const server = track(
    net.createServer((sock) => {
      closes.push(new Promise<void>((r) => sock.on('close', () => r())));
      let head = '';
      let answered = false;
      sock.on('data', (d) => {
        if (answered) return;
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        answered = true;
        requests.push(head.slice(0, end + 4));
        answer(sock, head.slice(0, end + 4));
      });
    }),
  );
  const url = await listen(server);
  return { url, requests, connections: () => closes.length, closed: (n) => closes[n] };
}

/** Node's own HTTP server. */
async function httpServer(handler: http.RequestListener): Promise<Peer> {
  const requests: string[] = [];
  const closes: Promise<void>[] = [];
  const server = track(
    http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      handler(req, res);
    }),
  );
  server.on('connection', (s) => closes.push(new Promise<void>((r) => s.on('close', () => r()))));
  const url = await listen(server);
  return { url, requests, connections: () => closes.length, closed: (n) => closes[n] };
}

/** plainGet, remembering the response so afterEach can drop it if a test left it open. */
async function get(url: URL, s: HttpSettings = settings(), headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await plainGet(url, s, headers);
  responses.push(res);
  return res;
}

/**
 * Consumes the whole body. The pieces are kept as delivered (views of http1's read slabs, not
 * copies) and also hashed as they arrive, so a slab reused too early would show as a difference.
 */
async function readAll(res: RawResponse): Promise<{ body: Buffer; calls: number; sha: string }> {
  const parts: Buffer[] = [];
  const hash = crypto.createHash('sha256');
  await res.consume((c) => {
    parts.push(c);
    hash.update(c);
    return true;
  });
  return { body: Buffer.concat(parts), calls: parts.length, sha: hash.digest('hex') };
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** What a promise was rejected with (fails the test if it resolved). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}

async function expectHttpError(p: Promise<unknown>, message: string): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(HttpError);
  expect((e as Error).message).toBe(message);
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

afterEach(async () => {
  for (const r of responses.splice(0)) r.abort();
  for (const s of serverSockets) s.destroy();
  serverSockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

// ---------------------------------------------------------------------------------------------
// parseHead

describe('parseHead', () => {
  test('HTTP/1.1 with a reason; names lower-cased, values trimmed, a repeated header becomes an array', () => {
    expect(
      parseHead(
        'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Spaced:   two  words \t\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\nLocation: http://h:8080/x?y=1\r\nX-Empty:',
      ),
    ).toEqual({
      statusCode: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'x-spaced': 'two  words',
        'set-cookie': ['a=1', 'b=2', 'c=3'],
        location: 'http://h:8080/x?y=1',
        'x-empty': '',
      },
    });
  });

  test('HTTP/1.0 and 1.1, with and without a reason phrase', () => {
    expect(parseHead('HTTP/1.0 404 Not Found')).toEqual({ statusCode: 404, headers: {} });
    expect(parseHead('HTTP/1.0 200')).toEqual({ statusCode: 200, headers: {} });
    expect(parseHead('HTTP/1.1 206')).toEqual({ statusCode: 206, headers: {} });
    expect(parseHead('HTTP/1.1 301 Moved Permanently\r\nLocation: /next')).toEqual({ statusCode: 301, headers: { location: '/next' } });
  });

  test('a status line that is not HTTP/1.x: the exact message, its first 40 characters quoted', () => {
    expect(parseHead('HTTP/2 200 OK')).toBe(`the server's answer is not HTTP/1.x ("HTTP/2 200 OK")`);
    expect(parseHead('HTTP/1.2 200 OK')).toBe(`the server's answer is not HTTP/1.x ("HTTP/1.2 200 OK")`);
    expect(parseHead('HTTP/1.1 2000 OK')).toBe(`the server's answer is not HTTP/1.x ("HTTP/1.1 2000 OK")`);
    expect(parseHead('HTTP/1.1 200OK')).toBe(`the server's answer is not HTTP/1.x ("HTTP/1.1 200OK")`);
    expect(parseHead('SSH-2.0-OpenSSH_9.6\r\nX: y')).toBe(`the server's answer is not HTTP/1.x ("SSH-2.0-OpenSSH_9.6")`);
    expect(parseHead('')).toBe(`the server's answer is not HTTP/1.x ("")`);
    expect(parseHead('<html>' + 'x'.repeat(100))).toBe(`the server's answer is not HTTP/1.x ("<html>${'x'.repeat(34)}")`);
  });

  test('a malformed header line: the exact message, its first 40 characters quoted', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nNoColonHere')).toBe('the server sent a malformed header line ("NoColonHere")');
    expect(parseHead('HTTP/1.1 200 OK\r\n: no name')).toBe('the server sent a malformed header line (": no name")');
    expect(parseHead('HTTP/1.1 200 OK\r\nBad Name: v')).toBe('the server sent a malformed header line ("Bad Name: v")');
    expect(parseHead('HTTP/1.1 200 OK\r\nName : v')).toBe('the server sent a malformed header line ("Name : v")');
    expect(parseHead('HTTP/1.1 200 OK\r\nA: 1\r\n folded: continuation')).toBe('the server sent a malformed header line (" folded: continuation")');
    expect(parseHead(`HTTP/1.1 200 OK\r\n${'y'.repeat(60)}`)).toBe(`the server sent a malformed header line ("${'y'.repeat(40)}")`);
  });
});

// ---------------------------------------------------------------------------------------------
// ChunkedDecoder

/** A chunked body with extensions, data that looks like chunk syntax, a hex size and trailers. */
const CHUNK_DATA = ['hello', 'a\r\n0\r\n\r\n', 'abcdefghijklmnopqrstuvwxyz', '!'];
const CHUNKED = Buffer.from(
  '5;x=y\r\nhello\r\n' +
    '8\r\na\r\n0\r\n\r\n\r\n' +
    '1A;name="quoted;value";flag\r\nabcdefghijklmnopqrstuvwxyz\r\n' +
    '1 \t;x\r\n!\r\n' +
    '0;last=1\r\nX-Checksum: abc\r\nX-Other: 2\r\n\r\n',
  'latin1',
);
const DECODED = Buffer.from(CHUNK_DATA.join(''), 'latin1');

/** Feeds the pieces to a fresh decoder; returns the data and the `done` flag after each feed. */
function decode(pieces: Buffer[]): { data: Buffer; done: boolean[] } {
  const d = new ChunkedDecoder();
  const out: Buffer[] = [];
  const done: boolean[] = [];
  for (const p of pieces) {
    const r = d.feed(p);
    if (typeof r === 'string') throw new Error(r);
    out.push(...r.pieces);
    done.push(r.done);
  }
  return { data: Buffer.concat(out), done };
}

/** The error message for the bytes, fed whole; null when there was none. */
function decodeError(text: string): string | null {
  const r = new ChunkedDecoder().feed(Buffer.from(text, 'latin1'));
  return typeof r === 'string' ? r : null;
}

describe('ChunkedDecoder', () => {
  test('a whole body: chunks with extensions, chunk-like data, a hex size and trailers', () => {
    const d = new ChunkedDecoder();
    const r = d.feed(CHUNKED);
    expect(typeof r).toBe('object');
    const { pieces, done } = r as { pieces: Buffer[]; done: boolean };
    expect(pieces.map((p) => p.toString('latin1'))).toEqual(CHUNK_DATA);
    expect(done).toBe(true);
    // Fed more after the end, it stays done and gives nothing.
    expect(d.feed(Buffer.from('5\r\nextra\r\n'))).toEqual({ pieces: [], done: true });
  });

  test('bytes after the terminating blank line are not data', () => {
    const r = decode([Buffer.concat([CHUNKED, Buffer.from('HTTP/1.1 200 OK\r\n\r\n')])]);
    expect(r.data.equals(DECODED)).toBe(true);
    expect(r.done).toEqual([true]);
  });

  test('fed one byte at a time: the same data, done exactly at the last byte', () => {
    const bytes = [...CHUNKED].map((b) => Buffer.from([b]));
    const r = decode(bytes);
    expect(r.data.toString('latin1')).toBe(DECODED.toString('latin1'));
    expect(r.done.indexOf(true)).toBe(CHUNKED.length - 1);
    expect(r.done[CHUNKED.length - 1]).toBe(true);
  });

  test('split into two pieces at every position: the same data, done only after the second', () => {
    for (let i = 0; i <= CHUNKED.length; i++) {
      const r = decode([CHUNKED.subarray(0, i), CHUNKED.subarray(i)]);
      expect({ at: i, data: r.data.toString('latin1'), done: r.done }).toEqual({
        at: i,
        data: DECODED.toString('latin1'),
        done: [i === CHUNKED.length, true],
      });
    }
  });

  test('a large body in random pieces decodes to the original bytes', () => {
    const payload = crypto.randomBytes(200_000);
    const parts: Buffer[] = [];
    for (let at = 0; at < payload.length; ) {
      const n = Math.min(payload.length - at, 1 + crypto.randomInt(5000));
      parts.push(Buffer.from(`${n.toString(16)}\r\n`), payload.subarray(at, at + n), Buffer.from('\r\n'));
      at += n;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    const wire = Buffer.concat(parts);
    const cuts: Buffer[] = [];
    for (let at = 0; at < wire.length; ) {
      const n = 1 + crypto.randomInt(9000);
      cuts.push(wire.subarray(at, at + n));
      at += n;
    }
    const r = decode(cuts);
    expect(sha256(r.data)).toBe(sha256(payload));
    expect(r.done.slice(0, -1).every((d) => !d)).toBe(true);
    expect(r.done[r.done.length - 1]).toBe(true);
  });

  test('an invalid chunk size: the exact message', () => {
    expect(decodeError('zz\r\nhello\r\n0\r\n\r\n')).toBe('the chunked body has an invalid chunk size ("zz")');
    expect(decodeError('\r\n')).toBe('the chunked body has an invalid chunk size ("")');
    expect(decodeError('-5\r\n')).toBe('the chunked body has an invalid chunk size ("-5")');
    expect(decodeError('0x5\r\n')).toBe('the chunked body has an invalid chunk size ("0x5")');
    expect(decodeError('12345678901234\r\n')).toBe('the chunked body has an invalid chunk size ("12345678901234")');
    expect(decodeError('5\r\nhello\r\nnext\r\n')).toBe('the chunked body has an invalid chunk size ("next")');
  });

  test('chunk data not followed by CRLF: the exact message, whole and byte by byte', () => {
    const bad = '3\r\nabcdef\r\n0\r\n\r\n';
    expect(decodeError(bad)).toBe('the chunked body has data beyond its chunk size');
    const d = new ChunkedDecoder();
    let error: string | null = null;
    for (const b of Buffer.from(bad)) {
      const r = d.feed(Buffer.from([b]));
      if (typeof r === 'string') {
        error = r;
        break;
      }
    }
    expect(error).toBe('the chunked body has data beyond its chunk size');
  });

  test('a line longer than 4096 bytes is refused, even before its end arrives; a long one under the limit is not', () => {
    const long = `1;ext=${'x'.repeat(5000)}\r\na\r\n0\r\n\r\n`;
    expect(decodeError(long)).toBe('the chunked body has a line longer than 4096 bytes');
    // Without a line end in sight: refused as soon as more than 4096 bytes of the line are in.
    const d = new ChunkedDecoder();
    expect(d.feed(Buffer.from(`1;${'x'.repeat(4000)}`))).toEqual({ pieces: [], done: false });
    expect(d.feed(Buffer.from('x'.repeat(200)))).toBe('the chunked body has a line longer than 4096 bytes');
    // A trailer line is a line too.
    expect(decodeError(`1\r\na\r\n0\r\nX-T: ${'t'.repeat(5000)}\r\n\r\n`)).toBe('the chunked body has a line longer than 4096 bytes');
    // 4000 bytes of extension are fine.
    expect(decode([Buffer.from(`1;${'x'.repeat(4000)}\r\na\r\n0\r\n\r\n`)])).toEqual({ data: Buffer.from('a'), done: [true] });
  });
});

// ---------------------------------------------------------------------------------------------
// plainGet: framings and the request

describe('plainGet: bodies', () => {
  test('a Content-Length body of 1 MiB and more arrives whole (hash equal)', async () => {
    const body = crypto.randomBytes((3 << 20) + 12345);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length), 'x-kind': 'length' });
      res.end(body);
    });
    const res = await get(new URL('/blob.wim', peer.url));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(body.length));
    expect(res.headers['x-kind']).toBe('length');
    expect(res.url.href).toBe(new URL('/blob.wim', peer.url).href);
    const got = await readAll(res);
    expect(got.body.length).toBe(body.length);
    expect(got.sha).toBe(sha256(body));
    expect(sha256(got.body)).toBe(sha256(body));
  });

  test("a chunked body from Node's http server (writes without a Content-Length)", async () => {
    const body = crypto.randomBytes(1_500_000);
    const peer = await httpServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let at = 0, i = 0; at < body.length; i++) {
        const n = Math.min(body.length - at, 1 + ((i * 7919) % 200_000));
        res.write(body.subarray(at, at + n));
        at += n;
        if (i % 5 === 0) await sleep(1);
      }
      res.end();
    });
    const res = await get(peer.url);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const got = await readAll(res);
    expect(got.sha).toBe(sha256(body));
    expect(sha256(got.body)).toBe(sha256(body));
  });

  test('a body delimited by the close (HTTP/1.0, no length)', async () => {
    const body = crypto.randomBytes(700_000);
    const peer = await rawServer(async (sock) => {
      sock.write('HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n');
      for (let at = 0; at < body.length; at += 100_000) {
        sock.write(body.subarray(at, at + 100_000));
        await sleep(5);
      }
      sock.end();
    });
    const res = await get(peer.url);
    expect(res.statusCode).toBe(200);
    const got = await readAll(res);
    expect(got.body.length).toBe(body.length);
    expect(got.sha).toBe(sha256(body));
  });

  test('a head that arrives a few bytes at a time (its end split across reads) is put together', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Split: across reads\r\n\r\nhello';
    const peer = await rawServer(async (sock) => {
      sock.setNoDelay(true);
      for (let i = 0; i < answer.length && !sock.destroyed; i += 3) {
        sock.write(answer.slice(i, i + 3));
        await sleep(2);
      }
    });
    const res = await get(peer.url, settings(1000));
    expect(res.headers).toEqual({ 'content-length': '5', 'x-split': 'across reads' });
    expect((await readAll(res)).body.toString()).toBe('hello');
  });

  test('1xx answers (100 Continue, 103 Early Hints) are skipped, in one write or in several', async () => {
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n' + 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n';
    const final = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nhello';
    for (const split of [false, true]) {
      const peer = await rawServer(async (sock) => {
        if (split) {
          sock.write('HTTP/1.1 100 Continue\r\n\r\n');
          await sleep(30);
          sock.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
          await sleep(30);
          sock.write(final);
        } else sock.write(interim + final);
      });
      const res = await get(peer.url);
      expect({ split, status: res.statusCode, headers: res.headers }).toEqual({ split, status: 200, headers: { 'content-length': '5', 'x-final': 'yes' } });
      expect((await readAll(res)).body.toString()).toBe('hello');
    }
  });

  test('204 and 304 have no body: consume resolves without a delivery (even with a Content-Length, on an open connection)', async () => {
    const peer204 = await httpServer((_req, res) => {
      res.writeHead(204, { 'x-n': '1' });
      res.end();
    });
    const r204 = await get(peer204.url);
    expect(r204.statusCode).toBe(204);
    expect(await readAll(r204)).toMatchObject({ calls: 0, body: Buffer.alloc(0) });

    // The server keeps the connection open: waiting for 100 body bytes would end in a timeout.
    const peer304 = await rawServer((sock) => sock.write('HTTP/1.1 304 Not Modified\r\nETag: "e"\r\nContent-Length: 100\r\n\r\n'));
    const r304 = await get(peer304.url, settings(1000));
    expect(r304.statusCode).toBe(304);
    expect(await readAll(r304)).toMatchObject({ calls: 0 });
  });

  test('a Content-Length of 0 resolves without a delivery; bytes past the length are not delivered', async () => {
    const zero = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(await readAll(await get(zero.url, settings(1000)))).toMatchObject({ calls: 0 });
    const extra = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA BYTES'));
    expect((await readAll(await get(extra.url, settings(1000)))).body.toString()).toBe('hello');
  });
});

describe('plainGet: the request', () => {
  test('request line, Host with port, User-Agent, Connection: close and the extra headers, byte for byte', async () => {
    const peer = await rawServer((sock) => sock.end('HTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nok'));
    const url = new URL('/dir/Nano%20Server.wim?sig=a%2Fb&x=1', peer.url);
    const res = await get(url, settings(), { range: 'bytes=100-', 'if-range': '"5e-1a2b"' });
    expect(res.statusCode).toBe(206);
    expect((await readAll(res)).body.toString()).toBe('ok');
    expect(peer.requests).toEqual([
      'GET /dir/Nano%20Server.wim?sig=a%2Fb&x=1 HTTP/1.1\r\n' +
        `Host: 127.0.0.1:${peer.url.port}\r\n` +
        'User-Agent: posh-containers\r\n' +
        'Connection: close\r\n' +
        'range: bytes=100-\r\n' +
        'if-range: "5e-1a2b"\r\n' +
        '\r\n',
    ]);
  });

  test("Node's http server sees one GET with the headers", async () => {
    let seen: http.IncomingHttpHeaders = {};
    const peer = await httpServer((req, res) => {
      seen = req.headers;
      res.end('x');
    });
    await readAll(await get(new URL('/a/b?c=d', peer.url), settings(), { 'If-None-Match': '"abc"' }));
    expect(peer.requests).toEqual(['GET /a/b?c=d']);
    expect(seen).toEqual({ host: `127.0.0.1:${peer.url.port}`, 'user-agent': 'posh-containers', connection: 'close', 'if-none-match': '"abc"' });
  });

  test('extra headers with CR, LF or NUL are refused before connecting', async () => {
    const peer = await rawServer((sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await expectHttpError(plainGet(peer.url, settings(), { 'x-a': 'v\r\nInjected: 1' }), "the request header 'x-a' has a line break");
    await expectHttpError(plainGet(peer.url, settings(), { range: 'bytes=0-\n' }), "the request header 'range' has a line break");
    await expectHttpError(plainGet(peer.url, settings(), { 'x-b\r\nInjected': 'v' }), "the request header 'x-b\r\nInjected' has a line break");
    await expectHttpError(plainGet(peer.url, settings(), { 'x-c': 'a\0b' }), "the request header 'x-c' has a line break");
    await sleep(50);
    expect(peer.connections()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Backpressure

describe('plainGet: backpressure', () => {
  test('onData returning false stops delivery until resume()', async () => {
    const body = crypto.randomBytes(8 << 20);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    const res = await get(peer.url);
    const parts: Buffer[] = [];
    let accept = false;
    const done = res.consume((c) => {
      parts.push(c);
      return accept;
    });
    await sleep(300);
    expect(parts.length).toBe(1);
    accept = true;
    res.resume();
    await done;
    expect(parts.length).toBeGreaterThan(1);
    expect(sha256(Buffer.concat(parts))).toBe(sha256(body));
  });

  test('no delivery while paused: every onData returns false and is resumed a moment later', async () => {
    const body = crypto.randomBytes(4 << 20);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    const res = await get(peer.url);
    const parts: Buffer[] = [];
    let paused = false;
    let whilePaused = 0;
    await res.consume((c) => {
      if (paused) whilePaused++;
      parts.push(c);
      paused = true;
      setTimeout(() => {
        paused = false;
        res.resume();
      }, 1);
      return false;
    });
    expect(whilePaused).toBe(0);
    expect(parts.length).toBeGreaterThan(4);
    expect(sha256(Buffer.concat(parts))).toBe(sha256(body));
  });

  test('a transfer paused by onData for 3x the timeout does not time out; after resume() the body completes', async () => {
    const body = crypto.randomBytes(3 << 20);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    const res = await get(peer.url, settings(300));
    const parts: Buffer[] = [];
    let first = true;
    const done = res.consume((c) => {
      parts.push(c);
      if (!first) return true;
      first = false;
      setTimeout(() => res.resume(), 900);
      return false;
    });
    await done;
    expect(sha256(Buffer.concat(parts))).toBe(sha256(body));
  });

  test('an answer not consumed for 3x the timeout does not time out; consume then reads it all', async () => {
    const body = crypto.randomBytes(2 << 20);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    const res = await get(peer.url, settings(300));
    await sleep(900);
    const got = await readAll(res);
    expect(got.sha).toBe(sha256(body));
  });
});

// ---------------------------------------------------------------------------------------------
// Network failures

describe('plainGet: failures', () => {
  test('a closed port: the connection was refused', async () => {
    const port = await closedPort();
    await expectHttpError(plainGet(new URL(`http://127.0.0.1:${port}/x`), settings(), {}), 'the connection was refused');
  });

  test('a server that accepts and never answers: the head timeout', async () => {
    const peer = await rawServer(() => undefined);
    await expectHttpError(plainGet(peer.url, settings(300), {}), 'the server did not answer within 0.3 seconds (timeout)');
    await peer.closed(0); // the client gave up the connection
  });

  test('a head, part of a Content-Length body, then silence: the body timeout, after the part was delivered', async () => {
    const peer = await rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      setTimeout(() => sock.write(Buffer.alloc(40_000, 7)), 20);
    });
    const res = await get(peer.url, settings(300));
    let got = 0;
    await expectHttpError(
      res.consume((c) => {
        got += c.length;
        return true;
      }),
      'the server stopped sending data for 0.3 seconds (timeout)',
    );
    expect(got).toBe(40_000);
    await peer.closed(0);
  });

  test('the server closes in the middle of the body: closed before the transfer completed', async () => {
    const length = await rawServer((sock) => sock.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n'), Buffer.alloc(30_000, 1)])));
    await expectHttpError(readAll(await get(length.url)), 'the connection was closed before the transfer completed');

    // The same for a chunked body without its last chunk.
    const chunked = await rawServer((sock) => sock.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nwor'));
    await expectHttpError(readAll(await get(chunked.url)), 'the connection was closed before the transfer completed');

    // And a reset in the middle.
    const reset = await rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
      setTimeout(() => sock.resetAndDestroy(), 30);
    });
    await expectHttpError(readAll(await get(reset.url)), 'the connection was closed before the transfer completed');
  });

  test('the server closes before answering (or in the middle of the head): closed before the transfer completed', async () => {
    const none = await rawServer((sock) => sock.end());
    await expectHttpError(plainGet(none.url, settings(), {}), 'the connection was closed before the transfer completed');
    const half = await rawServer((sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Len'));
    await expectHttpError(plainGet(half.url, settings(), {}), 'the connection was closed before the transfer completed');
  });

  test('a head longer than 64 KiB that is still growing is refused without waiting for its end', async () => {
    const peer = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\n' + 'X-Pad: '.padEnd(1000, 'p').concat('\r\n').repeat(70)));
    await expectHttpError(plainGet(peer.url, settings(), {}), 'the response head is longer than 65536 bytes');
  });

  // 65,000 bytes of head, then 1,500 more that include its end: the limit holds for the read that
  // completes the head too.
  test('a head that crosses 64 KiB in the read that also brings its end is refused', async () => {
    const line = 'X-Pad: '.padEnd(998, 'p') + '\r\n'; // 1,000 bytes
    const start = 'HTTP/1.1 200 OK\r\n' + line.repeat(65);
    const peer = await rawServer(async (sock) => {
      sock.write(start.slice(0, 65_000));
      await sleep(100);
      sock.end(start.slice(65_000) + line + 'Content-Length: 2\r\n\r\nok');
    });
    await expectHttpError(get(peer.url), 'the response head is longer than 65536 bytes');
  });

  test('an invalid Content-Length: the exact message', async () => {
    for (const [value, shown] of [
      ['12abc', '12abc'],
      ['-1', '-1'],
      ['', ''],
      ['1234567890123456', '1234567890123456'],
    ]) {
      const peer = await rawServer((sock) => sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nhello`));
      await expectHttpError(plainGet(peer.url, settings(), {}), `the response has an invalid Content-Length (${shown})`);
    }
    const two = await rawServer((sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'));
    await expectHttpError(plainGet(two.url, settings(), {}), 'the response has an invalid Content-Length (5,6)');
  });

  test('Content-Length together with Transfer-Encoding is refused (as undici refuses it)', async () => {
    const body = '5\r\nhello\r\n0\r\n\r\n';
    const peer = await rawServer((sock) => sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`));
    await expectHttpError(plainGet(peer.url, settings(), {}), 'the response has both a Content-Length and a Transfer-Encoding');
  });

  test('a non-HTTP answer, and a malformed header line, over the wire', async () => {
    const ssh = await rawServer((sock) => sock.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    await expectHttpError(plainGet(ssh.url, settings(), {}), `the server's answer is not HTTP/1.x ("SSH-2.0-OpenSSH_9.6")`);
    const bad = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nthis is not a header\r\n\r\nhello'));
    await expectHttpError(plainGet(bad.url, settings(), {}), 'the server sent a malformed header line ("this is not a header")');
    await bad.closed(0); // refused answers close the connection
  });

  test('an invalid chunk size in the body rejects consume with the exact message; the data before it is not delivered', async () => {
    const peer = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n'));
    const res = await get(peer.url);
    // All of it came in the read that brought the head: the failure is known before consume, and
    // the bytes before it ('hello') are dropped, not delivered.
    let calls = 0;
    await expectHttpError(
      res.consume(() => {
        calls++;
        return true;
      }),
      'the chunked body has an invalid chunk size ("zz")',
    );
    expect(calls).toBe(0);
    await peer.closed(0);
  });

  // 4 bytes every 100 ms: the head timeout is for the whole head (as undici's headersTimeout),
  // not restarted by each piece.
  test('a head that trickles in slower than the timeout allows in total: the head timeout', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const peer = await rawServer(async (sock) => {
      for (let i = 0; i < head.length && !sock.destroyed; i += 4) {
        sock.write(head.slice(i, i + 4));
        await sleep(100);
      }
    });
    await expectHttpError(get(peer.url, settings(300)), 'the server did not answer within 0.3 seconds (timeout)');
  });
});

// ---------------------------------------------------------------------------------------------
// The caller's errors

describe("plainGet: the caller's errors", () => {
  test('onData throwing in the middle of a transfer rejects consume with that same error; the connection is closed', async () => {
    const body = crypto.randomBytes(4 << 20);
    const peer = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    const res = await get(peer.url);
    const mine = new Error('disk full');
    let calls = 0;
    const e = await rejection(
      res.consume(() => {
        if (++calls === 2) throw mine;
        return true;
      }),
    );
    expect(e).toBe(mine);
    expect(calls).toBe(2);
    await peer.closed(0);
  });

  test('onData throwing on a body that had wholly arrived before consume: the same error object', async () => {
    // Content-Length, and chunked with two chunks (the second must not be delivered after the throw).
    for (const answer of [
      'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    ]) {
      const peer = await rawServer((sock) => sock.write(answer));
      const res = await get(peer.url);
      await sleep(100);
      const mine = new Error('refused by the caller');
      let calls = 0;
      const e = await rejection(
        res.consume(() => {
          calls++;
          throw mine;
        }),
      );
      expect(e).toBe(mine);
      expect(calls).toBe(1);
    }
  });

  test('abort(reason) during a transfer rejects consume with reason; the connection is closed', async () => {
    const peer = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n' + 'z'.repeat(10_000)));
    const res = await get(peer.url);
    const reason = new Error('cancelled by the user');
    let got = 0;
    const done = res.consume((c) => {
      got += c.length;
      return true;
    });
    await sleep(50);
    res.abort(reason);
    expect(await rejection(done)).toBe(reason);
    expect(got).toBe(10_000);
    await peer.closed(0);
  });

  test('abort() without a reason, and abort before consume', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n' + 'z'.repeat(100);
    const a = await rawServer((sock) => sock.write(answer));
    const ra = await get(a.url);
    const done = ra.consume(() => true);
    await sleep(30);
    ra.abort();
    const e = await rejection(done);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('the transfer was abandoned');

    const b = await rawServer((sock) => sock.write(answer));
    const rb = await get(b.url);
    const reason = new Error('not wanted');
    rb.abort(reason);
    let calls = 0;
    expect(
      await rejection(
        rb.consume(() => {
          calls++;
          return true;
        }),
      ),
    ).toBe(reason);
    expect(calls).toBe(0);
    await b.closed(0);
  });

  test('consume after the body ended normally resolves with all the bytes delivered', async () => {
    for (const answer of [
      'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    ]) {
      const peer = await rawServer((sock) => sock.end(answer));
      const res = await get(peer.url);
      await sleep(100);
      const got = await readAll(res);
      expect(got.body.toString()).toBe('hello world');
      res.resume(); // after the end: harmless
      res.abort(new Error('late')); // after the end: nothing to reject
    }
  });
});

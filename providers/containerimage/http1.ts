// A plain-HTTP GET for archive bodies, on its own socket, behind the same RawResponse as undici's
// path (http.ts dispatchRaw chooses: http: URLs with no proxy come here; https and proxied ones go
// to undici).
//
// Why it exists: SPEC §13 wants a download at 0.9x `curl -o` or better. Through undici the
// receiving thread handles every 64 KiB socket read (Node's read size) with a fresh buffer, a
// copy into the WASM parser's memory and a callback; with the SHA-256 beside it that thread was
// the limit (0.77-0.86x). Here the socket reads straight into 1 MiB slabs (net's `onread`), the
// body goes to the caller as views of them, and a 1 GiB download costs ~1,000 callbacks instead of
// ~16,000 (docs/benchmarks.md § Download).
//
// What it speaks: one request per connection (`Connection: close`), HTTP/1.0 and 1.1 answers with
// a Content-Length body, a chunked body or a body up to the close; 1xx answers skipped. Timeouts
// as undici's: for the connection, for the response head, and for each pause in the body.

import * as net from 'node:net';
import { BodyFeed, describeNetworkError, type HttpSettings, type RawResponse } from './http';

/** Socket reads land in slabs of this size; a slab with less than MIN_READ left is replaced. */
const SLAB = 1 << 20;
const MIN_READ = 64 * 1024;
/** The response head (status line and headers) may not be longer. */
const MAX_HEAD = 64 * 1024;
/** A chunk-size line (with extensions) or trailer line may not be longer. */
const MAX_LINE = 4096;

/** An error with the code undici would give it, so describeNetworkError words it the same way. */
function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

export function plainGet(url: URL, s: HttpSettings, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => new PlainExchange(url, s, headers, resolve, reject).start());
}

class PlainExchange extends BodyFeed {
  private socket: net.Socket | null = null;
  private slab = Buffer.allocUnsafe(SLAB);
  private used = 0;
  private phase: 'connect' | 'head' | 'body' | 'done' = 'connect';
  private head: Buffer[] = [];
  private headBytes = 0;
  private framing: Framing = { kind: 'close' };
  private chunked = new ChunkedDecoder();

  constructor(
    private readonly url: URL,
    s: HttpSettings,
    private readonly headers: Record<string, string>,
    private readonly opened: (r: RawResponse) => void,
    private readonly failed: (e: unknown) => void,
  ) {
    super(s);
  }

  start(): void {
    const extra = Object.entries(this.headers);
    for (const [k, v] of extra) {
      if (/[\r\n\0]/.test(k + v)) return this.failed(describeNetworkError(new Error(`the request header '${k}' has a line break`), this.s));
    }
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(this.url.port || 80);
    const request =
      `GET ${this.url.pathname}${this.url.search} HTTP/1.1\r\nHost: ${this.url.host}\r\nUser-Agent: posh-containers\r\nConnection: close\r\n` +
      extra.map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      '\r\n';
    const socket = net.connect({
      host,
      port,
      onread: {
        buffer: () => {
          if (SLAB - this.used < MIN_READ) {
            this.slab = Buffer.allocUnsafe(SLAB);
            this.used = 0;
          }
          return this.slab.subarray(this.used);
        },
        callback: (n: number, buf: Uint8Array) => {
          // `buf` is the view handed out above, so the next one starts after these n bytes.
          this.used += n;
          this.received((buf as Buffer).subarray(0, n));
          return true; // pausing is done with socket.pause()
        },
      },
    });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.s.timeoutMs);
    socket.on('connect', () => {
      this.phase = 'head';
      // The head has timeoutMs from the request on, however it trickles in (as undici's headers
      // timeout); the socket's idle timer is for the connection and for pauses in the body.
      socket.setTimeout(0);
      this.startHeadTimer();
      socket.write(request);
    });
    socket.on('timeout', () => this.fail(coded(this.phase === 'connect' ? 'UND_ERR_CONNECT_TIMEOUT' : 'UND_ERR_BODY_TIMEOUT', 'timeout')));
    socket.on('error', (e) => this.fail(e));
    socket.on('end', () => this.closedByServer());
    socket.on('close', () => this.closedByServer());
  }

  private headTimer: NodeJS.Timeout | null = null;

  private startHeadTimer(): void {
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = setTimeout(() => this.fail(coded('UND_ERR_HEADERS_TIMEOUT', 'timeout')), this.s.timeoutMs);
  }

  private stopHeadTimer(): void {
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = null;
  }

  private received(data: Buffer): void {
    if (this.phase === 'done') return;
    if (this.phase === 'head') {
      // The bytes after the head, once it is whole and the response is open; else null.
      const rest = this.takeHead(data);
      if (rest && rest.length) this.body(rest);
      return;
    }
    this.body(data);
  }

  /** Collects the head; once it is whole, opens the response. Returns the bytes after it. */
  private takeHead(data: Buffer): Buffer | null {
    this.head.push(data);
    this.headBytes += data.length;
    const all = this.head.length === 1 ? data : Buffer.concat(this.head);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0 ? this.headBytes > MAX_HEAD : end + 4 > MAX_HEAD) {
      this.fail(new Error(`the response head is longer than ${MAX_HEAD} bytes`));
      return null;
    }
    if (end < 0) {
      if (this.head.length > 1) this.head = [all];
      return null;
    }
    this.head = [];
    this.headBytes = 0;
    const rest = all.subarray(end + 4);
    const parsed = parseHead(all.subarray(0, end).toString('latin1'));
    if (typeof parsed === 'string') {
      this.fail(new Error(parsed));
      return null;
    }
    if (parsed.statusCode < 200) {
      this.startHeadTimer(); // 1xx: the real answer follows, with a new timeout (as undici)
      return this.takeHead(rest);
    }
    this.stopHeadTimer();
    const te = String(parsed.headers['transfer-encoding'] ?? '').toLowerCase();
    const cl = parsed.headers['content-length'];
    if (parsed.statusCode === 204 || parsed.statusCode === 304) this.framing = { kind: 'length', left: 0 };
    else if (te !== '' && cl !== undefined) {
      // Either could be a lie (request smuggling's favourite); undici refuses it too.
      this.fail(new Error('the response has both a Content-Length and a Transfer-Encoding'));
      return null;
    } else if (te.split(',').some((x) => x.trim() === 'chunked')) this.framing = { kind: 'chunked' };
    else if (cl !== undefined) {
      const n = Array.isArray(cl) || !/^\d{1,15}$/.test(cl.trim()) ? NaN : Number(cl);
      if (!Number.isSafeInteger(n)) {
        this.fail(new Error(`the response has an invalid Content-Length (${String(cl)})`));
        return null;
      }
      this.framing = { kind: 'length', left: n };
    } else this.framing = { kind: 'close' };
    this.phase = 'body';
    // Nothing is read until the caller consumes (a caller that only wants the status never gets the body).
    this.pause();
    this.opened({
      statusCode: parsed.statusCode,
      headers: parsed.headers,
      url: this.url,
      consume: (onData) => this.consume(onData),
      resume: () => this.resume(),
      abort: (reason) => this.abort(reason),
    });
    if (this.framing.kind === 'length' && this.framing.left === 0) {
      this.end(null);
      return null;
    }
    return rest;
  }

  private body(data: Buffer): void {
    let pieces: Buffer[];
    let complete = false;
    if (this.framing.kind === 'length') {
      if (data.length >= this.framing.left) {
        data = data.subarray(0, this.framing.left);
        complete = true;
      }
      this.framing.left -= data.length;
      pieces = data.length ? [data] : [];
    } else if (this.framing.kind === 'chunked') {
      const r = this.chunked.feed(data);
      if (typeof r === 'string') return this.fail(new Error(r));
      pieces = r.pieces;
      complete = r.done;
    } else pieces = [data];
    for (const p of pieces) this.deliver(p);
    if (complete) this.end(null);
  }

  private deliver(chunk: Buffer): void {
    if (!this.feed(chunk)) this.pause();
  }

  /**
   * Stops reading while the caller cannot take more. The pause timer stops too: time the caller
   * spends writing is not the server's silence (undici's body timeout behaves the same).
   */
  private pause(): void {
    this.socket?.pause();
    this.socket?.setTimeout(0);
  }

  protected resumeTransport(): void {
    this.socket?.setTimeout(this.s.timeoutMs);
    this.socket?.resume();
  }

  protected stopTransport(): void {
    this.socket?.destroy();
  }

  private closedByServer(): void {
    if (this.phase === 'done') return;
    if (this.phase === 'body' && this.framing.kind === 'close') return this.end(null);
    this.fail(coded('UND_ERR_SOCKET', 'other side closed'));
  }

  private fail(e: unknown): void {
    if (this.phase === 'done') return;
    this.stopHeadTimer();
    if (this.phase !== 'body') {
      this.phase = 'done';
      this.socket?.destroy();
      this.failed(describeNetworkError(e, this.s));
      return;
    }
    this.end(e);
  }

  protected override end(error: unknown): void {
    this.stopHeadTimer();
    this.phase = 'done';
    this.socket?.destroy();
    super.end(error);
  }
}

/** The status and headers of a response head (names lower-cased; a repeated header becomes an array), or what is wrong with it. */
export function parseHead(text: string): { statusCode: number; headers: Record<string, string | string[] | undefined> } | string {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
  if (!m) return `the server's answer is not HTTP/1.x (${JSON.stringify(lines[0].slice(0, 40))})`;
  const headers: Record<string, string | string[] | undefined> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) return `the server sent a malformed header line (${JSON.stringify(line.slice(0, 40))})`;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return { statusCode: Number(m[1]), headers };
}

/**
 * Chunked transfer coding: feed() takes the bytes as they come and returns the data pieces in
 * them (views, no copy) and whether the last chunk and the trailers have been seen.
 */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private left = 0;

  feed(data: Buffer): { pieces: Buffer[]; done: boolean } | string {
    const pieces: Buffer[] = [];
    let i = 0;
    while (i < data.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, data.length - i);
        pieces.push(data.subarray(i, i + n));
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      // A line: the chunk size, the CRLF after a chunk's data, or a trailer line.
      const nl = data.indexOf(10, i);
      const upto = nl < 0 ? data.length : nl + 1;
      this.line += data.toString('latin1', i, upto);
      i = upto;
      if (this.line.length > MAX_LINE) return 'the chunked body has a line longer than 4096 bytes';
      if (nl < 0) break;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.state === 'data-end') {
        if (line !== '') return 'the chunked body has data beyond its chunk size';
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = /^([0-9A-Fa-f]{1,13})[ \t]*(;.*)?$/.exec(line);
        if (!m) return `the chunked body has an invalid chunk size (${JSON.stringify(line.slice(0, 40))})`;
        this.left = parseInt(m[1], 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') this.state = 'done'; // the empty line after the trailers
    }
    return { pieces, done: this.state === 'done' };
  }
}

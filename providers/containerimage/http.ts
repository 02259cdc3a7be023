// HTTP for feeds and archives, with undici (archive bodies over plain http without a proxy go
// through http1.ts instead, for speed): a connection pool per proxy that honours
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY (undici's ProxyAgent; NO_PROXY matched here), timeouts for the response head and
// for each pause in the body, redirects followed by hand (so a loop is reported as one), and
// retry with exponential back-off on network errors and 5xx answers.
//
// Tunables (environment; seconds or counts):
//   POSH_CONTAINERS_HTTP_TIMEOUT   seconds without progress before a request fails (default 30)
//   POSH_CONTAINERS_HTTP_RETRIES   extra attempts after a network error or 5xx (default 4)
//   POSH_CONTAINERS_HTTP_BACKOFF   first back-off delay in seconds, doubled each retry (default 0.5)

import type { Dispatcher } from 'undici';

export const MAX_REDIRECTS = 10;

export interface HttpSettings {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxRedirects: number;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function httpSettings(): HttpSettings {
  return {
    timeoutMs: Math.max(1, Math.round(envNumber('POSH_CONTAINERS_HTTP_TIMEOUT', 30) * 1000)),
    retries: Math.floor(envNumber('POSH_CONTAINERS_HTTP_RETRIES', 4)),
    backoffMs: Math.round(envNumber('POSH_CONTAINERS_HTTP_BACKOFF', 0.5) * 1000),
    maxRedirects: MAX_REDIRECTS,
  };
}

/** A failure with a user-facing cause; `retryable` for network errors and 5xx. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly statusCode: number | null = null,
  ) {
    super(message);
  }
}

const dispatchers = new Map<string, Dispatcher>();

function envValue(...names: string[]): string {
  for (const n of names) {
    const v = process.env[n];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return '';
}

/**
 * Whether NO_PROXY exempts a URL: `*`, or a comma/space separated list of host names (a leading
 * dot or `*.` matches subdomains too, a bare name matches itself and its subdomains), IP
 * addresses, each optionally with `:port` — the common curl/wget convention.
 */
export function noProxyMatches(url: URL, noProxy: string): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort = '';
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\]/, '$1') : entry);
    if (m && m[2] && !entry.includes('::')) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '');
    if (host === entry || host.endsWith('.' + entry)) return true;
  }
  return false;
}

/** The proxy a request should use (HTTPS_PROXY for https, HTTP_PROXY for http), or null. */
export function proxyFor(url: URL): string | null {
  const proxy = url.protocol === 'https:' ? envValue('HTTPS_PROXY', 'https_proxy') : envValue('HTTP_PROXY', 'http_proxy');
  if (!proxy) return null;
  if (noProxyMatches(url, envValue('NO_PROXY', 'no_proxy'))) return null;
  return proxy;
}

function getDispatcher(s: HttpSettings, url: URL): Dispatcher {
  const proxy = proxyFor(url);
  const key = `${s.timeoutMs}|${proxy ?? ''}`;
  let d = dispatchers.get(key);
  if (d) return d;
  const { Agent, ProxyAgent } = require('undici') as typeof import('undici');
  const opts = { connect: { timeout: s.timeoutMs }, headersTimeout: s.timeoutMs, bodyTimeout: s.timeoutMs, keepAliveTimeout: 4000 };
  d = proxy ? new ProxyAgent({ ...opts, uri: proxy }) : new Agent(opts);
  dispatchers.set(key, d);
  return d;
}

/** Turns undici/socket errors into one clear sentence. */
export function describeNetworkError(e: unknown, s: HttpSettings): HttpError {
  if (e instanceof HttpError) return e;
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const secs = s.timeoutMs / 1000;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new HttpError(`the server did not answer within ${secs} seconds (timeout)`, true);
    case 'UND_ERR_BODY_TIMEOUT':
      return new HttpError(`the server stopped sending data for ${secs} seconds (timeout)`, true);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new HttpError(`could not connect within ${secs} seconds (timeout)`, true);
    case 'ECONNREFUSED':
      return new HttpError('the connection was refused', true);
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new HttpError('the connection was closed before the transfer completed', true);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HttpError(`the host name could not be resolved (${code})`, code === 'EAI_AGAIN');
    case 'UND_ERR_ABORTED':
      return new HttpError('the request was cancelled', false);
  }
  const msg = err.cause?.message ?? err.message ?? String(e);
  if (/terminated|other side closed|premature close/i.test(msg)) return new HttpError('the connection was closed before the transfer completed', true);
  return new HttpError(msg, true);
}

const REDIRECTS = [301, 302, 303, 307, 308];

/**
 * Where a redirect from `current` leads: its Location resolved against `current`; refused when it
 * is missing, not http(s), loops back to a URL already visited, or goes past maxRedirects.
 */
function redirectTarget(current: URL, location: string | undefined, status: number, seen: Set<string>, hop: number, s: HttpSettings): URL {
  if (!location) throw new HttpError(`HTTP ${status} redirect without a Location header at ${current.href}`, false, status);
  const next = new URL(location, current);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new HttpError(`redirect to an unsupported location ${next.href}`, false, status);
  seen.add(current.href);
  if (hop + 1 > s.maxRedirects || seen.has(next.href)) {
    throw new HttpError(`too many redirects (redirect loop: ${current.href} -> ${next.href}; limit ${s.maxRedirects})`, false, status);
  }
  return next;
}

export interface OpenResult {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: URL;
}

/**
 * Sends a GET (or HEAD), following up to maxRedirects redirects. The caller consumes or
 * dumps `body`. Network errors are thrown as HttpError (retryable).
 */
export async function httpOpen(url: URL, s: HttpSettings, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<OpenResult> {
  const { request } = require('undici') as typeof import('undici');
  let current = url;
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(current, { method, headers: { 'user-agent': 'posh-containers', ...headers }, dispatcher: getDispatcher(s, current) });
    } catch (e) {
      throw describeNetworkError(e, s);
    }
    if (REDIRECTS.includes(res.statusCode)) {
      await res.body.dump().catch(() => undefined);
      const loc = res.headers.location;
      current = redirectTarget(current, Array.isArray(loc) ? loc[0] : loc, res.statusCode, seen, hop, s);
      continue;
    }
    return { statusCode: res.statusCode, headers: res.headers, body: res.body, url: current };
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 410: 'Gone', 416: 'Range Not Satisfiable',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** `HTTP 404 Not Found`; retryable for 5xx and 429. */
export function statusError(status: number): HttpError {
  return new HttpError(`the server answered HTTP ${status}${REASONS[status] ? ' ' + REASONS[status] : ''}`, status >= 500 || status === 429, status);
}

export function backoffDelay(s: HttpSettings, attempt: number): number {
  const base = s.backoffMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(10000, base) * (0.75 + Math.random() * 0.5);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function header(h: OpenResult['headers'], name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * An answer whose body has not been read yet: undici's parser is paused after the head, and
 * nothing is buffered until `consume` starts the body.
 */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  url: URL;
  /**
   * Feeds the body to `onData` straight from undici's parser (no stream, no promise per chunk).
   * When onData returns false the socket is not read until `resume()`. Resolves at the end of the
   * body; rejects with what onData threw, with the error given to `abort`, or with the network
   * error described (drop, timeout).
   */
  consume(onData: (chunk: Buffer) => boolean): Promise<void>;
  resume(): void;
  /** Drops the body and closes the connection (`reason` rejects a consume in progress). */
  abort(reason?: Error): void;
}

/**
 * The body half of a RawResponse, for both transports (undici's handler below, http1.ts's socket):
 * chunks that come before consume() are kept and handed over first; onData returning false pauses
 * the transport until resume(); the end or a failure settles consume(). Errors of the caller's own
 * (thrown by onData, given to abort) are passed on as they are, others worded by
 * describeNetworkError.
 */
export abstract class BodyFeed {
  private sink: ((chunk: Buffer) => boolean) | null = null;
  private early: Buffer[] = [];
  protected ended: { error: unknown } | null = null;
  private waiting: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  private own = new Set<unknown>();

  constructor(protected readonly s: HttpSettings) {}

  /** Lets the transport deliver again. */
  protected abstract resumeTransport(): void;
  /** Stops the transport for good: the caller gave up with `e`. */
  protected abstract stopTransport(e: Error): void;

  /** A chunk from the transport; false when it should pause (nobody consuming yet, or the consumer is full). */
  protected feed(chunk: Buffer): boolean {
    if (this.ended) return false;
    if (!this.sink) {
      this.early.push(chunk);
      return false;
    }
    try {
      return this.sink(chunk);
    } catch (e) {
      this.abort(e as Error);
      return false;
    }
  }

  consume(onData: (chunk: Buffer) => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sink = onData;
      const early = this.early;
      this.early = [];
      let more = true;
      for (const c of early) {
        // Bytes that came before a failure are dropped; a body that ended well is all delivered.
        if (this.ended && this.ended.error !== null) break;
        try {
          more = onData(c);
        } catch (e) {
          this.abort(e as Error);
          return;
        }
      }
      if (this.ended) this.settle();
      else if (more) this.resumeTransport();
    });
  }

  /** Never after the end: undici's connection may be carrying another request by then. */
  resume(): void {
    if (!this.ended) this.resumeTransport();
  }

  abort(reason?: Error): void {
    const e = reason ?? new Error('the transfer was abandoned');
    this.own.add(e);
    this.early = [];
    // A body that arrived whole before consume() was handed over can still be refused by the
    // caller while it is delivered: the consume then fails with the caller's error.
    if (this.ended?.error === null && this.waiting) this.ended = { error: e };
    if (this.ended) return this.settle();
    this.stopTransport(e);
    if (!this.ended) this.end(e);
  }

  protected end(error: unknown): void {
    if (this.ended) return;
    this.ended = { error };
    this.settle();
  }

  private settle(): void {
    const w = this.waiting;
    if (!w || !this.ended) return;
    this.waiting = null;
    const e = this.ended.error;
    if (e === null) w.resolve();
    else w.reject(this.own.has(e) ? e : describeNetworkError(e, this.s));
  }
}

/**
 * undici's dispatch handler behind RawResponse. The head resolves `opened`; returning false from
 * onHeaders pauses the parser until consume() resumes it, so a caller that only looks at the
 * status never receives the body.
 */
class RawHandler extends BodyFeed {
  private abortFn: ((e?: Error) => void) | null = null;
  private resumeFn: (() => void) | null = null;
  private head = false;

  constructor(
    private readonly url: URL,
    s: HttpSettings,
    private readonly opened: (r: RawResponse) => void,
    private readonly failed: (e: unknown) => void,
  ) {
    super(s);
  }

  onConnect(abort: (e?: Error) => void): void {
    this.abortFn = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    const { util } = require('undici') as typeof import('undici');
    this.resumeFn = resume;
    this.head = true;
    this.opened({
      statusCode,
      headers: util.parseHeaders(rawHeaders ?? []) as RawResponse['headers'],
      url: this.url,
      consume: (onData) => this.consume(onData),
      resume: () => this.resume(),
      abort: (reason) => this.abort(reason),
    });
    return false;
  }

  /** A caller's error thrown here aborts the request (as undici does with a throwing handler). */
  onData(chunk: Buffer): boolean {
    return this.feed(chunk);
  }

  onComplete(): void {
    this.end(null);
  }

  onError(err: Error): void {
    if (!this.head) {
      this.head = true;
      this.failed(describeNetworkError(err, this.s));
      return;
    }
    this.end(err);
  }

  protected resumeTransport(): void {
    this.resumeFn?.();
  }

  /** undici calls onError at once, which ends the body with `e`. */
  protected stopTransport(e: Error): void {
    this.abortFn?.(e);
  }
}

/**
 * One GET for a large body: plain http without a proxy on its own socket (http1.ts: reads in
 * 1 MiB slabs), anything else through undici.
 */
function dispatchRaw(url: URL, s: HttpSettings, headers: Record<string, string>): Promise<RawResponse> {
  if (url.protocol === 'http:' && !proxyFor(url)) {
    const { plainGet } = require('./http1') as typeof import('./http1');
    return plainGet(url, s, headers);
  }
  return new Promise<RawResponse>((resolve, reject) => {
    const handler = new RawHandler(url, s, resolve, reject);
    getDispatcher(s, url).dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: 'GET', headers: { 'user-agent': 'posh-containers', ...headers } },
      handler as unknown as Dispatcher.DispatchHandlers,
    );
  });
}

/**
 * GET with redirects followed as httpOpen does, for bodies that are large: the body is read by
 * RawResponse.consume from undici's dispatch callbacks, without a Readable in between (that
 * layer cost a third of the receiving thread's time on a 1 GiB download).
 */
export async function httpOpenRaw(url: URL, s: HttpSettings, headers: Record<string, string> = {}): Promise<RawResponse> {
  let current = url;
  const seen = new Set<string>();
  for (let hop = 0; ; hop++) {
    const res = await dispatchRaw(current, s, headers);
    if (!REDIRECTS.includes(res.statusCode)) return res;
    res.abort();
    current = redirectTarget(current, header(res.headers, 'location'), res.statusCode, seen, hop, s);
  }
}

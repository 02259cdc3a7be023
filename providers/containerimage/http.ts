// HTTP for feeds and archives, with undici: a connection pool per proxy that honours
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
    if ([301, 302, 303, 307, 308].includes(res.statusCode)) {
      await res.body.dump().catch(() => undefined);
      const loc = res.headers.location;
      const target = Array.isArray(loc) ? loc[0] : loc;
      if (!target) throw new HttpError(`HTTP ${res.statusCode} redirect without a Location header at ${current.href}`, false, res.statusCode);
      const next = new URL(target, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new HttpError(`redirect to an unsupported location ${next.href}`, false, res.statusCode);
      seen.add(current.href);
      if (hop + 1 > s.maxRedirects || seen.has(next.href)) {
        throw new HttpError(`too many redirects (redirect loop: ${current.href} -> ${next.href}; limit ${s.maxRedirects})`, false, res.statusCode);
      }
      current = next;
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

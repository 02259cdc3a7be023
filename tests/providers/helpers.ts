// Test peers for the ContainerImage provider: a real HTTP server on 127.0.0.1 (Node's http
// module) serving a feed directory, whose behaviour per request can be made to misbehave, and
// helpers to publish feeds and run posh with a store of its own.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { makeTempDir, removeTempDir, repoRoot, runPosh, type PoshResult } from '../helpers/posh';

export const galleryDir = path.join(repoRoot, 'gallery');
export const nanoWim = path.join(galleryDir, 'NanoServer-10.0.14300.1010.wim');
export const coreWim = path.join(galleryDir, 'WindowsServerCore-10.0.14300.1000.wim');

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** Returns true when it handled the request itself; otherwise the static handler answers. */
export type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse, count: number) => boolean;

export interface FeedServer {
  url: string;
  port: number;
  root: string;
  requests: SeenRequest[];
  /** Per path (e.g. '/feed.xml'): a behaviour that runs before the static handler. */
  behaviours: Map<string, Behaviour>;
  /** Forgets behaviours, recorded requests and per-path request counts. */
  reset(): void;
  close(): Promise<void>;
}

/** A static file server with ETag, Last-Modified, 304 and single Range support. */
export async function startFeedServer(root: string): Promise<FeedServer> {
  const requests: SeenRequest[] = [];
  const behaviours = new Map<string, Behaviour>();
  const counts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', url: url.pathname, headers: req.headers });
    const n = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, n);
    const b = behaviours.get(url.pathname);
    if (b && b(req, res, n)) return;
    serveStatic(root, url.pathname, req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    requests,
    behaviours,
    reset: () => {
      behaviours.clear();
      requests.length = 0;
      counts.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export function serveStatic(root: string, pathname: string, req: http.IncomingMessage, res: http.ServerResponse, extraHeaders: Record<string, string> = {}): void {
  const file = path.join(root, decodeURIComponent(pathname));
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  const st = fs.statSync(file);
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
  const common = { etag, 'last-modified': lastModified, 'accept-ranges': 'bytes', ...extraHeaders };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
    const start = Number(range[1]);
    const end = range[2] ? Number(range[2]) : st.size - 1;
    if (start >= st.size) {
      res.writeHead(416, { 'content-range': `bytes */${st.size}` });
      res.end();
      return;
    }
    res.writeHead(206, { ...common, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${st.size}` });
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...common, 'content-length': String(st.size), 'content-type': file.endsWith('.xml') ? 'application/xml' : 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file).pipe(res);
}

/** Env for posh runs against loopback servers: no proxy, short timeouts, quick retries. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    HTTP_PROXY: '',
    http_proxy: '',
    HTTPS_PROXY: '',
    https_proxy: '',
    POSH_CONTAINERS_HTTP_TIMEOUT: '2',
    POSH_CONTAINERS_HTTP_RETRIES: '3',
    POSH_CONTAINERS_HTTP_BACKOFF: '0.05',
    ...extra,
  };
}

/** Runs posh -NonInteractive -c in `cwd` with the store `<cwd>/.posh-home`. */
export function posh(cwd: string, script: string, env: Record<string, string> = {}, home?: string): Promise<PoshResult> {
  return runPosh(['-NonInteractive', '-c', script], { cwd, env: { ...testEnv(env), ...(home ? { POSH_CONTAINERS_HOME: home } : {}) } });
}

/** Whether a store root holds no image and no leftover download temp file. */
export function storeIsEmpty(home: string): { images: number; tmpFiles: string[] } {
  let images = 0;
  try {
    images = (JSON.parse(fs.readFileSync(path.join(home, 'catalog.json'), 'utf8')) as { images: unknown[] }).images.length;
  } catch {
    images = 0;
  }
  let tmpFiles: string[] = [];
  try {
    tmpFiles = fs.readdirSync(path.join(home, 'tmp'));
  } catch {
    tmpFiles = [];
  }
  return { images, tmpFiles };
}

/**
 * A proxy's CONNECT handler: tunnels the client to the host:port it names (undici's ProxyAgent
 * uses CONNECT for every proxied request). `onTunnel` sees each target and client socket.
 */
export function tunnelConnect(onTunnel: (target: string, client: net.Socket) => void = () => undefined) {
  return (req: http.IncomingMessage, client: net.Socket, head: Buffer): void => {
    onTunnel(String(req.url), client);
    const [host, port] = String(req.url).split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  };
}

export { makeTempDir, removeTempDir, runPosh, repoRoot };

// A Registry HTTP API v2 client (distribution spec) with undici: ping, basic and bearer-token
// auth, manifests (GET/HEAD/PUT with the right Accept and Content-Type), blobs (HEAD, streamed
// verified GET, monolithic and chunked uploads, cross-repository mounts), tags and catalog with
// Link pagination, and image push/pull on top. Credentials go only into Authorization headers
// sent to the registry's own origin (and its token realm); never into errors or logs.

import { PassThrough, Readable, Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import { RegistryError, parseErrorBody } from './errors';
import { parseChallenges, repositoryScope, type Challenge } from './auth';
import type { Credentials } from './credentials';
import { DEFAULT_REGISTRY, DOCKER_HUB_API } from './reference';
import { isDigest, sha256, verifyingStream, type Digest } from '../oci/digest';
import { OciError } from '../oci/errors';
import {
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  MediaType,
  parseImageConfig,
  parseIndex,
  parseManifest,
  type Descriptor,
} from '../oci/types';
import { JSON_LIMIT, buildImage, pickPlatform, writeOciLayout, type BlobSource, type BuiltImage, type ImageSpec, type ResolvedImage } from '../oci/layout';

/** Accept header for manifest requests: every manifest and index type we understand. */
export const MANIFEST_ACCEPT = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerManifestList].join(', ');

export interface RegistryClientOptions {
  /** host[:port], or a base URL with its scheme (`http://127.0.0.1:5000`). */
  registry: string;
  /**
   * Without a scheme in `registry`: https, except loopback hosts (localhost, 127.0.0.0/8, ::1),
   * which use plain http as docker does for them. `insecure: true` forces http.
   */
  insecure?: boolean;
  credentials?: Credentials;
  /** A dispatcher to use (tests, proxies); the client makes and closes its own otherwise. */
  dispatcher?: Dispatcher;
  /** Chunk size of chunked uploads (default 8 MiB; bounded memory: one chunk in flight). */
  chunkSize?: number;
  userAgent?: string;
  /** Response-head and body-idle timeout in ms (default 60 s). */
  timeoutMs?: number;
}

export interface ClientStats {
  requests: number;
  /** Blob bytes sent in upload bodies. */
  blobBytesSent: number;
  /** Blob bytes received in GET bodies. */
  blobBytesReceived: number;
}

export type BlobUploadStatus = 'exists' | 'mounted' | 'uploaded';

export interface PushResult {
  manifestDigest: Digest;
  manifestDescriptor: Descriptor;
  blobs: Array<{ digest: Digest; size: number; status: BlobUploadStatus }>;
}

type Body = Buffer | (() => Readable);

interface Req {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Body;
  scopes: string[];
  op: string;
  repository?: string;
  reference?: string;
  expect: number[];
  redirects?: number;
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

function wrap(r: Dispatcher.ResponseData): Res {
  return { status: r.statusCode, headers: r.headers, body: r.body };
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function header(res: Res, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

async function readText(res: Res, limit = 64 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of res.body) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      break;
    }
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

function nextLink(res: Res, base: string): string | undefined {
  const link = header(res, 'link');
  const m = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m ? new URL(m[1], base).toString() : undefined;
}

/** Re-chunks a byte stream into buffers of exactly `size` (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const c of source) {
    let b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    while (b.length > 0) {
      const take = Math.min(size - n, b.length);
      parts.push(b.subarray(0, take));
      n += take;
      b = b.subarray(take);
      if (n === size) {
        yield Buffer.concat(parts);
        parts = [];
        n = 0;
      }
    }
  }
  if (n > 0) yield Buffer.concat(parts);
}

/**
 * Yields what `source` yields, asking it for the next item as soon as the current one is handed
 * out: the producer (reading, tar generation) works while the consumer (an upload) sends.
 * At most two items are held.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => undefined); // surfaces when awaited on the next turn
      yield r.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}

export class RegistryClient {
  /** host[:port] as shown in messages. */
  readonly registry: string;
  readonly baseUrl: string;
  readonly stats: ClientStats = { requests: 0, blobBytesSent: 0, blobBytesReceived: 0 };
  private readonly credentials?: Credentials;
  private readonly chunkSize: number;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private dispatcher?: Dispatcher;
  private readonly ownDispatcher: boolean;
  private authScheme: 'none' | 'basic' | 'bearer' = 'none';
  private bearer?: { realm: string; service?: string };
  private readonly tokens = new Map<string, { token: string; expires: number }>();

  constructor(opts: RegistryClientOptions) {
    const m = /^(https?):\/\/([^/]+)\/?$/.exec(opts.registry);
    let host = m ? m[2] : opts.registry.replace(/\/+$/, '');
    if (host === DEFAULT_REGISTRY || host === 'index.docker.io') host = DOCKER_HUB_API;
    const scheme = m ? m[1] : opts.insecure || isLoopback(host) ? 'http' : 'https';
    this.registry = host === DOCKER_HUB_API ? DEFAULT_REGISTRY : host;
    this.baseUrl = `${scheme}://${host}`;
    this.credentials = opts.credentials;
    this.chunkSize = opts.chunkSize ?? 8 << 20;
    this.userAgent = opts.userAgent ?? 'posh-containers';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.dispatcher = opts.dispatcher;
    this.ownDispatcher = !opts.dispatcher;
  }

  private agent(): Dispatcher {
    if (!this.dispatcher) {
      const { Agent } = require('undici') as typeof import('undici');
      this.dispatcher = new Agent({ headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, connections: 8 });
    }
    return this.dispatcher;
  }

  /** Closes the connection pool the client made (not one passed in). */
  async close(): Promise<void> {
    if (this.ownDispatcher && this.dispatcher) await this.dispatcher.close();
    this.dispatcher = undefined;
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  private sameOrigin(url: string): boolean {
    return new URL(url).origin === new URL(this.baseUrl).origin;
  }

  private error(req: Pick<Req, 'op' | 'repository' | 'reference'>, extra: { status?: number; code?: string; registryMessage?: string; message?: string }): RegistryError {
    return new RegistryError({ registry: this.registry, repository: req.repository, reference: req.reference, operation: req.op, ...extra });
  }

  private async authorization(scopes: string[], req: Req): Promise<string | undefined> {
    if (this.authScheme === 'basic') return this.credentials?.basicAuthorization();
    if (this.authScheme === 'bearer') return `Bearer ${await this.token(scopes, req)}`;
    return undefined;
  }

  private async token(scopes: string[], req: Req): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now() + 5000) return cached.token;
    const b = this.bearer!;
    const u = new URL(b.realm);
    if (b.service) u.searchParams.set('service', b.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    if (this.credentials) u.searchParams.set('account', this.credentials.username);
    const { request } = require('undici') as typeof import('undici');
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (this.credentials) headers.authorization = this.credentials.basicAuthorization();
    this.stats.requests++;
    let res: Res;
    try {
      res = wrap(await request(u, { method: 'GET', headers, dispatcher: this.agent(), maxRedirections: 3 }));
    } catch (e) {
      throw this.error(req, { code: 'CONNECTION', message: `authentication at ${u.origin}${u.pathname} failed: ${(e as Error).message}` });
    }
    const text = await readText(res, JSON_LIMIT);
    if (res.status !== 200) {
      const pe = parseErrorBody(text);
      throw this.error(req, {
        status: res.status,
        code: res.status === 401 || res.status === 403 ? 'UNAUTHORIZED' : pe.code ?? 'TOKEN_ERROR',
        registryMessage: `token service ${u.origin}${u.pathname} refused: ${pe.message ?? 'no reason given'}`,
      });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw this.error(req, { code: 'TOKEN_ERROR', registryMessage: `token service ${u.origin}${u.pathname} answered with invalid JSON` });
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw this.error(req, { code: 'TOKEN_ERROR', registryMessage: `token service ${u.origin}${u.pathname} answered without a token` });
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(key, { token, expires: Date.now() + ttl * 1000 });
    return token;
  }

  private async once(req: Req): Promise<Res> {
    const { request } = require('undici') as typeof import('undici');
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...(req.headers ?? {}) };
    if (this.sameOrigin(req.url)) {
      const a = await this.authorization(req.scopes, req);
      if (a) headers.authorization = a;
    }
    let body: Buffer | Readable | undefined;
    if (Buffer.isBuffer(req.body)) body = req.body;
    else if (req.body) body = req.body();
    this.stats.requests++;
    try {
      return wrap(
        await request(req.url, {
          method: req.method,
          headers,
          body,
          dispatcher: this.agent(),
          maxRedirections: req.redirects ?? 0,
        }),
      );
    } catch (e) {
      if (body instanceof Readable) body.destroy();
      if (e instanceof RegistryError || e instanceof OciError) throw e; // e.g. the upload's source failed its digest
      throw this.error(req, { code: 'CONNECTION', message: `${req.op} ${this.registry}${req.repository ? `/${req.repository}` : ''}: ${(e as Error).message}` });
    }
  }

  /** Sends a request, answering one auth challenge, and checks the status. */
  private async send(req: Req): Promise<Res> {
    let res = await this.once(req);
    if (res.status === 401) {
      await res.body.dump();
      const challenges = parseChallenges(header(res, 'www-authenticate') ?? '');
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      if (bearer && bearer.params.realm) this.useBearer(bearer, req);
      else if (basic && this.credentials) this.authScheme = 'basic';
      else {
        throw this.error(req, {
          status: 401,
          code: 'UNAUTHORIZED',
          registryMessage: this.credentials ? 'authentication failed' : 'authentication required (no credentials for this registry)',
        });
      }
      res = await this.once(req);
      if (res.status === 401) {
        await res.body.dump();
        throw this.error(req, { status: 401, code: 'UNAUTHORIZED', registryMessage: this.credentials ? 'authentication failed' : 'authentication required (no credentials for this registry)' });
      }
    }
    if (!req.expect.includes(res.status) && res.status >= 300 && res.status < 400) {
      await res.body.dump();
      // undici hands back the last redirect once its limit is reached; its Location is not shown
      // (storage URLs may carry signed credentials)
      throw this.error(req, { status: res.status, code: 'TOO_MANY_REDIRECTS', registryMessage: req.redirects ? `more than ${req.redirects} redirects` : 'unexpected redirect' });
    }
    if (!req.expect.includes(res.status)) {
      const text = req.method === 'HEAD' ? '' : await readText(res);
      if (req.method === 'HEAD') await res.body.dump();
      const pe = parseErrorBody(text);
      throw this.error(req, {
        status: res.status,
        code: pe.code ?? (res.status === 404 ? 'NOT_FOUND' : res.status === 403 ? 'DENIED' : `HTTP_${res.status}`),
        registryMessage: pe.message ?? (res.status === 404 ? 'not found' : undefined),
      });
    }
    return res;
  }

  private useBearer(ch: Challenge, req: Req): void {
    const realm = ch.params.realm;
    try {
      const u = new URL(realm);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('bad scheme');
    } catch {
      throw this.error(req, { status: 401, code: 'UNAUTHORIZED', registryMessage: `unusable token realm ${JSON.stringify(realm)}` });
    }
    this.authScheme = 'bearer';
    this.bearer = { realm, service: ch.params.service };
    if (ch.params.scope) for (const s of ch.params.scope.split(' ')) if (s && !req.scopes.includes(s)) req.scopes.push(s);
  }

  private repoPath(repository: string, rest: string): string {
    return `/v2/${repository}/${rest}`;
  }

  // ------------------------------------------------------------------------------ base

  /** GET /v2/: checks the API is there and (with credentials) that they are accepted. */
  async ping(): Promise<{ apiVersion?: string }> {
    const res = await this.send({ method: 'GET', url: this.url('/v2/'), scopes: [], op: 'ping', expect: [200] });
    await res.body.dump();
    return { apiVersion: header(res, 'docker-distribution-api-version') };
  }

  /** Like ping, but fails unless the registry accepted our credentials (docker login). */
  async login(): Promise<void> {
    if (!this.credentials) throw this.error({ op: 'login' }, { code: 'UNAUTHORIZED', registryMessage: 'no credentials given' });
    await this.ping();
  }

  // ------------------------------------------------------------------------------ manifests

  /** GET a manifest or index: exact bytes, media type and digest (verified when `reference` is a digest). */
  async getManifest(repository: string, reference: string, accept = MANIFEST_ACCEPT): Promise<{ bytes: Buffer; mediaType: string; digest: Digest; descriptor: Descriptor }> {
    const req: Req = {
      method: 'GET',
      url: this.url(this.repoPath(repository, `manifests/${reference}`)),
      headers: { accept },
      scopes: [repositoryScope(repository, ['pull'])],
      op: 'GET manifest',
      repository,
      reference,
      expect: [200],
    };
    const res = await this.send(req);
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of res.body) {
      n += c.length;
      if (n > JSON_LIMIT) {
        res.body.destroy();
        throw this.error(req, { code: 'MANIFEST_INVALID', registryMessage: `manifest larger than ${JSON_LIMIT} bytes` });
      }
      parts.push(c as Buffer);
    }
    const bytes = Buffer.concat(parts);
    const digest = sha256(bytes);
    if (isDigest(reference) && digest !== reference)
      throw this.error(req, { code: 'DIGEST_MISMATCH', registryMessage: `manifest content hashes to ${digest}` });
    const claimed = header(res, 'docker-content-digest');
    if (claimed && isDigest(claimed) && claimed !== digest)
      throw this.error(req, { code: 'DIGEST_MISMATCH', registryMessage: `Docker-Content-Digest ${claimed} but the content hashes to ${digest}` });
    let mediaType = (header(res, 'content-type') ?? '').split(';')[0].trim();
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType) && !INDEX_MEDIA_TYPES.includes(mediaType)) {
      try {
        mediaType = String((JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType ?? '');
      } catch {
        /* checked below */
      }
    }
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType) && !INDEX_MEDIA_TYPES.includes(mediaType))
      throw this.error(req, { code: 'MANIFEST_INVALID', registryMessage: `unsupported manifest media type ${JSON.stringify(mediaType)}` });
    return { bytes, mediaType, digest, descriptor: { mediaType, digest, size: bytes.length } };
  }

  /** HEAD a manifest: its descriptor, or undefined when the registry has no such manifest. */
  async headManifest(repository: string, reference: string, accept = MANIFEST_ACCEPT): Promise<Descriptor | undefined> {
    const res = await this.send({
      method: 'HEAD',
      url: this.url(this.repoPath(repository, `manifests/${reference}`)),
      headers: { accept },
      scopes: [repositoryScope(repository, ['pull'])],
      op: 'HEAD manifest',
      repository,
      reference,
      expect: [200, 404],
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    const digest = header(res, 'docker-content-digest');
    const size = Number(header(res, 'content-length'));
    if (!isDigest(digest)) throw this.error({ op: 'HEAD manifest', repository, reference }, { code: 'MANIFEST_INVALID', registryMessage: 'no Docker-Content-Digest in the answer' });
    return { mediaType: (header(res, 'content-type') ?? '').split(';')[0].trim(), digest, size };
  }

  /** PUT a manifest under a tag or digest; returns its digest (checked against the registry's). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const req: Req = {
      method: 'PUT',
      url: this.url(this.repoPath(repository, `manifests/${reference}`)),
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: bytes,
      scopes: [repositoryScope(repository, ['pull', 'push'])],
      op: 'PUT manifest',
      repository,
      reference,
      expect: [201],
    };
    const res = await this.send(req);
    await res.body.dump();
    const digest = sha256(bytes);
    const claimed = header(res, 'docker-content-digest');
    if (claimed && claimed !== digest) throw this.error(req, { code: 'DIGEST_MISMATCH', registryMessage: `registry stored ${claimed}, we sent ${digest}` });
    return digest;
  }

  // ------------------------------------------------------------------------------ blobs

  /** Size of the blob when the repository has it, else undefined (HEAD /v2/<name>/blobs/<digest>). */
  async blobSize(repository: string, digest: Digest): Promise<number | undefined> {
    const res = await this.send({
      method: 'HEAD',
      url: this.url(this.repoPath(repository, `blobs/${digest}`)),
      scopes: [repositoryScope(repository, ['pull'])],
      op: 'HEAD blob',
      repository,
      reference: digest,
      expect: [200, 404],
      redirects: 3,
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    return Number(header(res, 'content-length'));
  }

  /**
   * The blob as a stream that errors unless it matches digest (and size, when given). `verify:
   * false` leaves that check to a caller that hashes the bytes itself (one pass fewer over them).
   */
  async openBlob(repository: string, desc: { digest: Digest; size?: number }, opts: { verify?: boolean } = {}): Promise<Readable> {
    const req: Req = {
      method: 'GET',
      url: this.url(this.repoPath(repository, `blobs/${desc.digest}`)),
      scopes: [repositoryScope(repository, ['pull'])],
      op: 'GET blob',
      repository,
      reference: desc.digest,
      expect: [200],
      redirects: 5,
    };
    const res = await this.send(req);
    const v = opts.verify === false ? new PassThrough() : verifyingStream(desc.digest, `GET blob ${this.registry}/${repository}@${desc.digest}`, desc.size);
    const stats = this.stats;
    const counter = new Transform({
      transform(chunk: Buffer, _e, cb) {
        stats.blobBytesReceived += chunk.length;
        cb(null, chunk);
      },
    });
    res.body.on('error', (e) =>
      v.destroy(
        e instanceof RegistryError || e instanceof OciError
          ? e
          : this.error(req, { code: 'CONNECTION', message: `GET blob ${this.registry}/${repository}@${desc.digest}: download interrupted: ${e.message}` }),
      ),
    );
    counter.on('error', (e) => v.destroy(e));
    return (res.body as unknown as Readable).pipe(counter).pipe(v);
  }

  /** Cross-repository mount: true when the registry mounted it (201), false when it did not (202; the session is cancelled). */
  async mountBlob(repository: string, digest: Digest, from: string): Promise<boolean> {
    const r = await this.startUpload(repository, digest, from);
    if (r.mounted) return true;
    await this.cancelUpload(repository, r.location, digest);
    return false;
  }

  private async startUpload(repository: string, digest: Digest, from?: string): Promise<{ mounted: boolean; location: string }> {
    const qs = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : '';
    const scopes = [repositoryScope(repository, ['pull', 'push'])];
    if (from) scopes.push(repositoryScope(from, ['pull']));
    const req: Req = {
      method: 'POST',
      url: this.url(this.repoPath(repository, `blobs/uploads/${qs}`)),
      headers: { 'content-length': '0' },
      scopes,
      op: from ? 'mount blob' : 'start blob upload',
      repository,
      reference: digest,
      expect: from ? [201, 202] : [202],
    };
    const res = await this.send(req);
    await res.body.dump();
    if (res.status === 201) return { mounted: true, location: '' };
    const loc = header(res, 'location');
    if (!loc) throw this.error(req, { code: 'BLOB_UPLOAD_INVALID', registryMessage: 'no Location for the upload session' });
    return { mounted: false, location: new URL(loc, this.baseUrl).toString() };
  }

  private async cancelUpload(repository: string, location: string, digest: Digest): Promise<void> {
    try {
      const res = await this.send({ method: 'DELETE', url: location, scopes: [repositoryScope(repository, ['pull', 'push'])], op: 'cancel upload', repository, reference: digest, expect: [204, 404] });
      await res.body.dump();
    } catch {
      /* the registry expires abandoned sessions */
    }
  }

  private counted(open: () => AsyncIterable<Uint8Array>): () => Readable {
    const stats = this.stats;
    return () =>
      Readable.from(
        (async function* () {
          for await (const c of open()) {
            stats.blobBytesSent += c.length;
            yield c;
          }
        })(),
      );
  }

  /**
   * Uploads a blob unless the repository has it already (HEAD first: a second push sends no
   * data). With `mountFrom`, a cross-repository mount is tried first. Monolithic (one PUT with the
   * body) by default; `chunked` sends PATCHes of `chunkSize` then a closing PUT.
   */
  async uploadBlob(repository: string, blob: BlobSource, opts: { chunked?: boolean; chunkSize?: number; mountFrom?: string; verify?: boolean } = {}): Promise<BlobUploadStatus> {
    if ((await this.blobSize(repository, blob.digest)) !== undefined) return 'exists';
    const start = await this.startUpload(repository, blob.digest, opts.mountFrom);
    if (start.mounted) return 'mounted';
    let location = start.location;
    const scopes = [repositoryScope(repository, ['pull', 'push'])];
    const verified = () => {
      const src = Readable.from(blob.open());
      // the registry checks the digest it is given when the upload closes; `verify: false` trusts that
      if (opts.verify === false) return src;
      const v = verifyingStream(blob.digest, `blob ${blob.digest}`, blob.size);
      src.on('error', (e) => v.destroy(e));
      return src.pipe(v);
    };
    const withDigest = (loc: string) => {
      const u = new URL(loc);
      u.searchParams.set('digest', blob.digest);
      return u.toString();
    };
    try {
      if (!opts.chunked) {
        const res = await this.send({
          method: 'PUT',
          url: withDigest(location),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
          body: this.counted(verified),
          scopes,
          op: 'upload blob',
          repository,
          reference: blob.digest,
          expect: [201],
        });
        await res.body.dump();
        return 'uploaded';
      }
      let offset = 0;
      for await (const chunk of readAhead(rechunk(verified(), opts.chunkSize ?? this.chunkSize))) {
        const res = await this.send({
          method: 'PATCH',
          url: location,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length), 'content-range': `${offset}-${offset + chunk.length - 1}` },
          body: this.counted(() => [chunk] as unknown as AsyncIterable<Uint8Array>),
          scopes,
          op: 'upload blob chunk',
          repository,
          reference: blob.digest,
          expect: [202],
        });
        await res.body.dump();
        offset += chunk.length;
        const loc = header(res, 'location');
        if (loc) location = new URL(loc, this.baseUrl).toString();
      }
      const res = await this.send({
        method: 'PUT',
        url: withDigest(location),
        headers: { 'content-length': '0' },
        scopes,
        op: 'finish blob upload',
        repository,
        reference: blob.digest,
        expect: [201],
      });
      await res.body.dump();
      return 'uploaded';
    } catch (e) {
      await this.cancelUpload(repository, location, blob.digest);
      throw e;
    }
  }

  // ------------------------------------------------------------------------------ listings

  private async paged(first: string, key: 'tags' | 'repositories', req: Omit<Req, 'url' | 'method' | 'expect'>): Promise<string[]> {
    const out: string[] = [];
    let url: string | undefined = first;
    for (let pages = 0; url && pages < 10_000; pages++) {
      const res = await this.send({ ...req, method: 'GET', url, expect: [200] });
      const text = await readText(res, JSON_LIMIT);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw this.error(req, { code: 'INVALID_RESPONSE', registryMessage: `${key} list is not valid JSON` });
      }
      const list = body[key];
      if (list !== null && list !== undefined) {
        if (!Array.isArray(list)) throw this.error(req, { code: 'INVALID_RESPONSE', registryMessage: `${key} is not a list` });
        for (const t of list) out.push(String(t));
      }
      url = nextLink(res, this.baseUrl);
    }
    return out;
  }

  /** Tags of a repository (all pages). */
  async listTags(repository: string, pageSize = 100): Promise<string[]> {
    return this.paged(this.url(this.repoPath(repository, `tags/list?n=${pageSize}`)), 'tags', {
      scopes: [repositoryScope(repository, ['pull'])],
      op: 'list tags',
      repository,
    });
  }

  /** Repositories of the registry (all pages). */
  async catalog(pageSize = 100): Promise<string[]> {
    return this.paged(this.url(`/v2/_catalog?n=${pageSize}`), 'repositories', { scopes: ['registry:catalog:*'], op: 'catalog' });
  }

  // ------------------------------------------------------------------------------ images

  /**
   * Pushes an image: every layer and the config (skipped when present, mounted from `mountFrom`
   * when possible), then the manifest under `tag`.
   */
  async pushImage(
    repository: string,
    tag: string,
    image: ImageSpec | BuiltImage,
    opts: { chunked?: boolean; chunkSize?: number; mountFrom?: string; onBlob?: (digest: Digest, status: BlobUploadStatus) => void } = {},
  ): Promise<PushResult> {
    const built = 'manifestBytes' in image ? image : buildImage(image);
    const blobs: PushResult['blobs'] = [];
    const configBlob: BlobSource = { mediaType: built.configDescriptor.mediaType, digest: built.configDescriptor.digest, size: built.configBytes.length, open: () => Readable.from([built.configBytes]) };
    for (const b of [...built.layers, configBlob]) {
      const status = await this.uploadBlob(repository, b, opts);
      blobs.push({ digest: b.digest, size: b.size, status });
      opts.onBlob?.(b.digest, status);
    }
    const mediaType = built.manifestDescriptor.mediaType;
    const manifestDigest = await this.putManifest(repository, tag, built.manifestBytes, mediaType);
    return { manifestDigest, manifestDescriptor: built.manifestDescriptor, blobs };
  }

  /**
   * Resolves `reference` (tag or digest) to one image manifest (an index is narrowed to
   * `platform`, by default linux/amd64 or the first entry) and fetches its verified config.
   */
  async resolveImage(repository: string, reference: string, platform?: { os?: string; architecture?: string }): Promise<ResolvedImage> {
    let m = await this.getManifest(repository, reference);
    for (let depth = 0; INDEX_MEDIA_TYPES.includes(m.mediaType); depth++) {
      if (depth > 4) throw this.error({ op: 'GET manifest', repository, reference }, { code: 'MANIFEST_INVALID', registryMessage: 'indexes nested too deeply' });
      const pick = pickPlatform(parseIndex(m.bytes, `index ${m.digest}`), platform);
      if (!pick) throw this.error({ op: 'GET manifest', repository, reference }, { code: 'MANIFEST_UNKNOWN', registryMessage: 'no manifest for the requested platform' });
      m = await this.getManifest(repository, pick.digest);
    }
    const manifest = parseManifest(m.bytes, `manifest ${m.digest}`);
    const parts: Buffer[] = [];
    if (manifest.config.size > JSON_LIMIT) throw this.error({ op: 'GET blob', repository, reference: manifest.config.digest }, { code: 'MANIFEST_INVALID', registryMessage: 'config too large' });
    for await (const c of await this.openBlob(repository, manifest.config)) parts.push(c as Buffer);
    const configBytes = Buffer.concat(parts);
    const config = parseImageConfig(configBytes, `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length)
      throw this.error({ op: 'GET manifest', repository, reference }, { code: 'MANIFEST_INVALID', registryMessage: `${manifest.layers.length} layers but the config lists ${config.rootfs.diff_ids.length} diff_ids` });
    return { manifestDescriptor: m.descriptor, manifestBytes: m.bytes, manifest, configBytes, config };
  }

  /** The layers of a resolved image as BlobSources that stream (verified) from the registry. */
  layerSources(repository: string, image: ResolvedImage, opts: { verify?: boolean } = {}): BlobSource[] {
    return image.manifest.layers.map((l) => ({
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      open: () => {
        const self = this;
        return (async function* () {
          yield* (await self.openBlob(repository, l, opts)) as AsyncIterable<Uint8Array>;
        })();
      },
    }));
  }

  /**
   * Pulls an image into an OCI layout directory, every blob verified. An OCI manifest is kept
   * byte for byte; a Docker schema-2 manifest is rewritten with the OCI media types (same config
   * and layer blobs, so a new manifest digest), as skopeo does, because OCI layouts hold OCI types.
   */
  async pullToLayout(repository: string, reference: string, dir: string, opts: { refName?: string; platform?: { os?: string; architecture?: string } } = {}): Promise<BuiltImage> {
    const image = await this.resolveImage(repository, reference, opts.platform);
    const layers = this.layerSources(repository, image);
    let built: BuiltImage;
    if (image.manifestDescriptor.mediaType === MediaType.OciManifest) {
      built = {
        manifest: image.manifest,
        manifestBytes: image.manifestBytes,
        manifestDescriptor: image.manifestDescriptor,
        configBytes: image.configBytes,
        configDescriptor: image.manifest.config,
        layers,
      };
    } else {
      built = buildImage({ config: image.configBytes, layers: layers.map((l) => ({ ...l, mediaType: toOciLayerType(l.mediaType) })) });
    }
    await writeOciLayout(dir, [{ built, refName: opts.refName ?? (isDigest(reference) ? undefined : reference) }]);
    return built;
  }
}

/** The OCI media type of a Docker layer type (gzip, plain, foreign). */
export function toOciLayerType(mediaType: string): string {
  switch (mediaType) {
    case MediaType.DockerLayerGzip:
      return MediaType.OciLayerGzip;
    case MediaType.DockerLayer:
      return MediaType.OciLayer;
    case MediaType.DockerLayerForeignGzip:
      return MediaType.OciLayerNondistributableGzip;
    default:
      return mediaType;
  }
}

// A registry that lies or misbehaves (an in-process fake on 127.0.0.1): wrong digests, truncated
// and dropped bodies, redirect loops, a redirect to another origin (no credentials may follow),
// a slow server, an oversized manifest. Every case ends in a clear error.

import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { RegistryClient, RegistryError, Credentials } from '../../core/registry';
import { DigestMismatchError, MediaType, type Digest } from '../../core/oci';

const sha = (b: Buffer | string): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

async function drain(s: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of s) void _;
}

const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: sha('{}'), size: 2 }, layers: [] }));
const blob = Buffer.alloc(100_000, 0x61);
const blobDigest = sha(blob);

let fake: { server: Server; host: string };
let other: { server: Server; host: string };
const otherSaw: Array<string | undefined> = [];

beforeAll(async () => {
  other = await serve((req, res) => {
    otherSaw.push(req.headers.authorization);
    res.writeHead(200, { 'content-length': String(blob.length) });
    res.end(blob);
  });
  fake = await serve((req, res) => {
    const url = req.url ?? '';
    const auth = req.headers.authorization;
    if (url === '/v2/') {
      res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' });
      res.end('{}');
    } else if (url === `/v2/lie/manifests/${sha('something else')}`) {
      res.writeHead(200, { 'content-type': MediaType.OciManifest });
      res.end(manifest); // not the content of the digest asked for
    } else if (url === '/v2/lie/manifests/tag') {
      res.writeHead(200, { 'content-type': MediaType.OciManifest, 'docker-content-digest': sha('other') });
      res.end(manifest);
    } else if (url === '/v2/huge/manifests/tag') {
      res.writeHead(200, { 'content-type': MediaType.OciManifest });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let n = 0;
      const pump = () => {
        while (n < 40) {
          n++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    } else if (url === `/v2/trunc/blobs/${blobDigest}`) {
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.write(blob.subarray(0, 40_000));
      setTimeout(() => res.destroy(), 20); // connection dropped mid-body
    } else if (url === `/v2/loop/blobs/${blobDigest}`) {
      res.writeHead(307, { location: `/v2/loop/blobs/${blobDigest}` });
      res.end();
    } else if (url === `/v2/away/blobs/${blobDigest}`) {
      if (auth !== new Credentials('u', 'p4ss').basicAuthorization()) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' });
        res.end();
        return;
      }
      res.writeHead(307, { location: `http://${other.host}/storage/blob` });
      res.end();
    } else if (url === '/v2/slow/manifests/tag') {
      // never answers
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
    }
  });
});
afterAll(async () => {
  await close(fake.server);
  await close(other.server);
});

describe('a lying or broken registry', () => {
  test('a manifest that does not hash to the digest asked for, or to its Docker-Content-Digest', async () => {
    const c = new RegistryClient({ registry: fake.host });
    const want = sha('something else');
    const e1 = await c.getManifest('lie', want).catch((e: unknown) => e as RegistryError);
    expect(e1.message).toBe(`GET manifest ${fake.host}/lie@${want}: DIGEST_MISMATCH: manifest content hashes to ${sha(manifest)}`);
    const e2 = await c.getManifest('lie', 'tag').catch((e: unknown) => e as RegistryError);
    expect(e2.message).toBe(`GET manifest ${fake.host}/lie:tag: DIGEST_MISMATCH: Docker-Content-Digest ${sha('other')} but the content hashes to ${sha(manifest)}`);
    await c.close();
  });

  test('an oversized manifest is refused without being buffered whole', async () => {
    const c = new RegistryClient({ registry: fake.host });
    const e = await c.getManifest('huge', 'tag').catch((x: unknown) => x as RegistryError);
    expect(e.message).toBe(`GET manifest ${fake.host}/huge:tag: MANIFEST_INVALID: manifest larger than 16777216 bytes`);
    await c.close();
  });

  test('a blob body cut off mid-way fails (never ends as if complete)', async () => {
    const c = new RegistryClient({ registry: fake.host });
    const s = await c.openBlob('trunc', { digest: blobDigest, size: blob.length });
    const e = await drain(s).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toMatch(new RegExp(`^GET blob ${fake.host}/trunc@${blobDigest}: download interrupted: (terminated|other side closed)`));
    await c.close();
  });

  test('a redirect loop ends in an error naming the operation', async () => {
    const c = new RegistryClient({ registry: fake.host });
    const e = await c.openBlob('loop', { digest: blobDigest }).catch((x: unknown) => x as RegistryError);
    expect(e.message).toBe(`GET blob ${fake.host}/loop@${blobDigest}: TOO_MANY_REDIRECTS: more than 5 redirects (HTTP 307)`);
    await c.close();
  });

  test('credentials are not sent to the other origin a blob redirects to', async () => {
    const c = new RegistryClient({ registry: fake.host, credentials: new Credentials('u', 'p4ss') });
    const s = await c.openBlob('away', { digest: blobDigest, size: blob.length });
    await drain(s);
    expect(otherSaw).toEqual([undefined]);
    await c.close();
  });

  test('a server that never answers times out with a clear error', async () => {
    const c = new RegistryClient({ registry: fake.host, timeoutMs: 300 });
    const t0 = Date.now();
    const e = await c.getManifest('slow', 'tag').catch((x: unknown) => x as RegistryError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(e.code).toBe('CONNECTION');
    expect(e.message).toMatch(new RegExp(`^GET manifest ${fake.host}/slow: Headers Timeout Error`));
    await c.close();
  });

  test('a digest-verified blob stream rejects wrong bytes even when the size is right', async () => {
    const c = new RegistryClient({ registry: `127.0.0.1:${other.host.split(':')[1]}` });
    const wrong = sha('not this');
    const e = await drain(await c.openBlob('any', { digest: wrong, size: blob.length })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DigestMismatchError);
    await c.close();
  });
});

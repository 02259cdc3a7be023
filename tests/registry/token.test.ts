// The bearer-token flow against the real registry: docker-registry configured with `auth.token`
// trusts a certificate made here (openssl); a loopback token service (this test) checks Basic
// credentials and issues RS256 JWTs for the scopes asked. Our client follows the challenge.

import { createServer, type Server } from 'node:http';
import { createPrivateKey, createPublicKey, createHash, sign, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RegistryClient, RegistryError, Credentials } from '../../core/registry';
import { makeImage, havePeer, rmrf, run, skopeoAsync, tempDir } from '../oci/helpers';
import { haveRegistryPeers, startRegistry, type RunningRegistry } from './helpers';

const peers = haveRegistryPeers() && havePeer('openssl', ['version'], 'openssl');
const d = peers ? describe : describe.skip;

const USER = 'tokenuser';
const PASSWORD = 'T0ken-pass!';
const SERVICE = 'posh-registry';
const ISSUER = 'posh-test-issuer';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** libtrust's key id: base32 of the first 240 bits of sha256(SPKI DER), in groups of 4. */
function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let s = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      s += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return s.match(/.{4}/g)!.join(':');
}

d('registry with bearer-token auth', () => {
  let work: string;
  let reg: RunningRegistry;
  let server: Server;
  const seen: Array<{ scopes: string[]; service: string | null; user?: string }> = [];

  beforeAll(async () => {
    work = tempDir('regtoken');
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', '1', '-subj', '/CN=posh-test-token']);
    const key = createPrivateKey(readFileSync(join(work, 'key.pem')));
    const kid = libtrustKeyId(createPublicKey(key).export({ type: 'spki', format: 'der' }));
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      const [user, pass] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
      const scopes = u.searchParams.getAll('scope');
      seen.push({ scopes, service: u.searchParams.get('service'), user });
      if (user !== USER || pass !== PASSWORD) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const access = scopes.map((s) => {
        const [type, ...rest] = s.split(':');
        const actions = rest.pop()!.split(',');
        return { type, name: rest.join(':'), actions };
      });
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
      const claims = b64url(JSON.stringify({ iss: ISSUER, sub: user, aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
      const sig = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `${header}.${claims}.${sig}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    reg = await startRegistry({ token: { realm, service: SERVICE, issuer: ISSUER, certFile: join(work, 'cert.pem') } });
  });
  afterAll(async () => {
    await reg?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmrf(work);
  });

  test('push and pull through the token flow; tokens are cached per scope; skopeo reads it with the same credentials', async () => {
    const img = await makeImage(work, 2, true, 'tok');
    const c = new RegistryClient({ registry: reg.host, credentials: new Credentials(USER, PASSWORD) });
    try {
      const r = await c.pushImage('tok/img', 'v1', { config: img.config, layers: img.layers });
      expect(r.blobs.map((b) => b.status)).toEqual(['uploaded', 'uploaded', 'uploaded']);
      const pushScopes = seen.filter((s) => s.scopes.includes('repository:tok/img:pull,push'));
      expect(pushScopes.length).toBe(1); // fetched once, then cached
      expect(seen.every((s) => s.service === SERVICE && s.user === USER)).toBe(true);
      const pulled = await c.pullToLayout('tok/img', 'v1', join(work, 'pulled'));
      expect(pulled.manifestDescriptor.digest).toBe(r.manifestDigest);
      expect(await c.listTags('tok/img')).toEqual(['v1']);
      expect(await c.catalog()).toEqual(['tok/img']);
      // mount needs pull on the source repository as well: both scopes go in one token request
      expect(await c.mountBlob('tok/other', img.layers[0].digest, 'tok/img')).toBe(true);
      expect(seen.some((s) => s.scopes.includes('repository:tok/other:pull,push') && s.scopes.includes('repository:tok/img:pull'))).toBe(true);
      const info = JSON.parse(await skopeoAsync(['inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${reg.host}/tok/img:v1`])) as { Digest: string };
      expect(info.Digest).toBe(r.manifestDigest);
    } finally {
      await c.close();
    }
  });

  test('the registry challenges with Bearer; refused credentials end in UNAUTHORIZED naming the token service, not the password', async () => {
    const { request } = await import('undici');
    const raw = await request(`${reg.url}/v2/tok/img/tags/list`);
    await raw.body.dump();
    expect(raw.statusCode).toBe(401);
    expect(String(raw.headers['www-authenticate'])).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="posh-registry",scope="repository:tok\/img:pull"/);
    const c = new RegistryClient({ registry: reg.host, credentials: new Credentials(USER, 'not-the-password') });
    const e = await c.listTags('tok/img').catch((x: unknown) => x as RegistryError);
    await c.close();
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toMatch(/^list tags 127\.0\.0\.1:\d+\/tok\/img: UNAUTHORIZED: token service http:\/\/127\.0\.0\.1:\d+\/token refused: bad credentials \(HTTP 401\)$/);
    expect(`${e.message}${e.stack}${JSON.stringify(e)}`).not.toContain('not-the-password');
  });
});

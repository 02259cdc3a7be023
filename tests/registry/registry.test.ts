// The registry client against a real registry (Debian's docker-registry on loopback) and skopeo:
// what we push skopeo reads, what skopeo pushes we pull with every digest verified.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient, RegistryError, Credentials } from '../../core/registry';
import { OciLayout, writeOciLayout, readLayer, MediaType, DigestMismatchError, parseImageConfig, type Digest } from '../../core/oci';
import { makeImage, rmrf, skopeo, tempDir, type TestImage } from '../oci/helpers';
import { countingProxy, haveRegistryPeers, startRegistry, type RunningRegistry } from './helpers';

const peers = haveRegistryPeers();
const d = peers ? describe : describe.skip;

function sha(file: string): Digest {
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

d('registry without auth', () => {
  let reg: RunningRegistry;
  let work: string;
  let img: TestImage;
  let client: RegistryClient;
  let pushedDigest: Digest;

  beforeAll(async () => {
    work = tempDir('regtest');
    reg = await startRegistry();
    img = await makeImage(work, 3, true, 'a');
    client = new RegistryClient({ registry: reg.host });
  });
  afterAll(async () => {
    await client?.close();
    await reg?.stop();
    rmrf(work);
  });

  test('push of an image made by our libraries; skopeo inspect reads it', async () => {
    const r = await client.pushImage('posh/one', 'v1', { config: img.config, layers: img.layers });
    expect(r.blobs.map((b) => b.status)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded']);
    const total = img.layers.reduce((n, l) => n + l.size, 0);
    expect(client.stats.blobBytesSent).toBe(total + r.blobs[3].size);
    pushedDigest = r.manifestDigest;
    const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/posh/one:v1`])) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
    expect(info.Digest).toBe(r.manifestDigest);
    expect(info.Layers).toEqual(img.layers.map((l) => l.digest));
    expect([info.Os, info.Architecture]).toEqual(['linux', 'amd64']);
    const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/posh/one:v1`]);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(r.manifestDigest);
    expect(JSON.parse(raw).mediaType).toBe(MediaType.OciManifest);
    // skopeo copies it out; every blob hashes to its name
    const out = join(work, 'skopeo-dir');
    skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/posh/one:v1`, `dir:${out}`]);
    for (const l of img.layers) expect(sha(join(out, l.digest.slice(7)))).toBe(l.digest);
  });

  test('a second push sends no blob data (counted on the wire by a proxy)', async () => {
    const proxy = await countingProxy(Number(reg.host.split(':')[1]));
    const c2 = new RegistryClient({ registry: `127.0.0.1:${proxy.port}` });
    try {
      const r = await c2.pushImage('posh/one', 'v1', { config: img.config, layers: img.layers });
      expect(r.blobs.map((b) => b.status)).toEqual(['exists', 'exists', 'exists', 'exists']);
      expect(r.manifestDigest).toBe(pushedDigest);
      expect(c2.stats.blobBytesSent).toBe(0);
      expect(c2.stats.requests).toBe(5); // 4 HEAD blob + 1 PUT manifest
      const layerBytes = img.layers.reduce((n, l) => n + l.size, 0);
      expect(layerBytes).toBeGreaterThan(100_000);
      expect(proxy.up()).toBeLessThan(5_000); // headers and the small manifest only
    } finally {
      await c2.close();
      await proxy.close();
    }
  });

  test('cross-repository mount answers 201; a push with mountFrom mounts every blob', async () => {
    expect(await client.mountBlob('posh/mounted', img.layers[0].digest, 'posh/one')).toBe(true);
    expect(await client.blobSize('posh/mounted', img.layers[0].digest)).toBe(img.layers[0].size);
    // a blob the source repository does not have: 202, not mounted
    const absent = `sha256:${'ab'.repeat(32)}` as Digest;
    expect(await client.mountBlob('posh/mounted2', absent, 'posh/one')).toBe(false);
    const before = client.stats.blobBytesSent;
    const r = await client.pushImage('posh/two', 'latest', { config: img.config, layers: img.layers }, { mountFrom: 'posh/one' });
    expect(r.blobs.map((b) => b.status)).toEqual(['mounted', 'mounted', 'mounted', 'mounted']);
    expect(client.stats.blobBytesSent).toBe(before);
    const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/posh/two:latest`])) as { Digest: string };
    expect(info.Digest).toBe(pushedDigest);
  });

  test('chunked upload (PATCH ranges) of a multi-chunk layer; skopeo reads the blob back intact', async () => {
    const big = await makeImage(work, 1, false, 'chunky');
    expect(big.layers[0].size).toBeGreaterThan(3 * 32 * 1024);
    const r = await client.pushImage('posh/chunked', 'c1', { config: big.config, layers: big.layers }, { chunked: true, chunkSize: 32 * 1024 });
    expect(r.blobs.map((b) => b.status)).toEqual(['uploaded', 'uploaded']);
    const out = join(work, 'chunked-dir');
    skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/posh/chunked:c1`, `dir:${out}`]);
    expect(sha(join(out, big.layers[0].digest.slice(7)))).toBe(big.layers[0].digest);
  });

  test('an image pushed by skopeo (from our OCI layout, as OCI and as Docker v2s2) pulls back with every digest verified', async () => {
    const src = await makeImage(work, 2, true, 'sk');
    const layout = join(work, 'our-layout');
    await writeOciLayout(layout, [{ config: src.config, layers: src.layers, refName: 'v7' }]);
    skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:v7`, `docker://${reg.host}/skopeo/oci:v7`]);
    skopeo(['copy', '--dest-tls-verify=false', '--format', 'v2s2', `oci:${layout}:v7`, `docker://${reg.host}/skopeo/v2s2:v7`]);
    for (const repo of ['skopeo/oci', 'skopeo/v2s2']) {
      const dest = join(work, `pulled-${repo.replace('/', '-')}`);
      const before = client.stats.blobBytesReceived;
      const remote = await client.resolveImage(repo, 'v7');
      expect(remote.manifestDescriptor.mediaType).toBe(repo === 'skopeo/oci' ? MediaType.OciManifest : MediaType.DockerManifest);
      const image = await client.pullToLayout(repo, 'v7', dest);
      expect(parseImageConfig(image.configBytes).rootfs.diff_ids).toEqual(src.diffIds);
      expect(image.configDescriptor.digest).toBe(remote.manifest.config.digest);
      expect(image.manifest.layers.map((l) => l.digest)).toEqual(src.layers.map((l) => l.digest));
      expect(image.manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerGzip, MediaType.OciLayerGzip]);
      if (repo === 'skopeo/oci') expect(image.manifestBytes.equals(remote.manifestBytes)).toBe(true);
      // config twice (resolveImage above and the pull), layers once
      expect(client.stats.blobBytesReceived - before).toBe(src.layers.reduce((n, l) => n + l.size, 0) + 2 * remote.manifest.config.size);
      // our layout holds exactly what the registry served, and skopeo accepts it
      const got = await OciLayout.open(dest);
      const again = await got.resolve('v7');
      expect(again.manifestDescriptor.digest).toBe(image.manifestDescriptor.digest);
      for (const l of image.manifest.layers) expect(sha(got.blobPath(l.digest))).toBe(l.digest);
      const info = JSON.parse(skopeo(['inspect', `oci:${dest}:v7`])) as { Layers: string[] };
      expect(info.Layers).toEqual(src.layers.map((l) => l.digest));
      // the layers decode to the entries we wrote
      const names: string[] = [];
      for await (const e of readLayer(await client.openBlob(repo, image.manifest.layers[0]))) names.push(`${e.type}:${e.path}`);
      expect(names).toEqual(['directory:Files', 'directory:Files/sk0', 'file:Files/sk0/f0.bin', 'file:Files/sk0/f1.bin', 'file:Files/sk0/f2.bin', 'file:Files/sk0/f3.bin', 'symlink:Files/sk0/link', 'whiteout:Files/sk0-deleted']);
    }
  });

  test('the registry answers an OCI manifest GET with 404 MANIFEST_UNKNOWN unless Accept names the OCI type', async () => {
    const err = await client.getManifest('posh/one', 'v1', MediaType.DockerManifest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('MANIFEST_UNKNOWN');
    expect((err as RegistryError).status).toBe(404);
    expect((err as Error).message).toBe(
      `GET manifest ${reg.host}/posh/one:v1: MANIFEST_UNKNOWN: OCI manifest found, but accept header does not support OCI manifests (HTTP 404)`,
    );
    const ok = await client.getManifest('posh/one', 'v1');
    expect(ok.digest).toBe(pushedDigest);
    expect(ok.mediaType).toBe(MediaType.OciManifest);
    const head = await client.headManifest('posh/one', 'v1');
    expect(head).toEqual({ mediaType: MediaType.OciManifest, digest: pushedDigest, size: ok.bytes.length });
    expect(await client.headManifest('posh/one', 'nope')).toBeUndefined();
    const byDigest = await client.getManifest('posh/one', pushedDigest);
    expect(byDigest.bytes.equals(ok.bytes)).toBe(true);
  });

  test('errors name registry, repository, reference and the registry code', async () => {
    const e1 = await client.resolveImage('posh/one', 'missing').catch((e: unknown) => e as RegistryError);
    expect(e1.message).toBe(`GET manifest ${reg.host}/posh/one:missing: MANIFEST_UNKNOWN: manifest unknown (HTTP 404)`);
    const e2 = await client.listTags('no/such').catch((e: unknown) => e as RegistryError);
    expect(e2.message).toBe(`list tags ${reg.host}/no/such: NAME_UNKNOWN: repository name not known to registry (HTTP 404)`);
    const absent = `sha256:${'cd'.repeat(32)}` as Digest;
    const e3 = await client.openBlob('posh/one', { digest: absent }).catch((e: unknown) => e as RegistryError);
    expect([e3.code, e3.status, e3.repository, e3.reference]).toEqual(['BLOB_UNKNOWN', 404, 'posh/one', absent]);
    const dead = new RegistryClient({ registry: '127.0.0.1:1' });
    const e4 = await dead.ping().catch((e: unknown) => e as RegistryError);
    await dead.close();
    expect(e4.code).toBe('CONNECTION');
    expect(e4.message).toMatch(/^ping 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  test('an upload whose bytes do not match the declared digest fails with DigestMismatchError; nothing is stored', async () => {
    const wrong = `sha256:${'ef'.repeat(32)}` as Digest;
    const blob = { mediaType: MediaType.OciLayer, digest: wrong, size: 5, open: () => [Buffer.from('hello')] as unknown as AsyncIterable<Uint8Array> };
    for (const chunked of [false, true]) {
      const err = await client.uploadBlob('posh/bad', blob, { chunked }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DigestMismatchError);
      expect((err as Error).message).toMatch(new RegExp(`^blob ${wrong}: digest mismatch: expected ${wrong}, got sha256:2cf24dba`));
    }
    expect(await client.blobSize('posh/bad', wrong)).toBeUndefined();
  });

  test('tags (paginated with Link) and catalog', async () => {
    for (const t of ['v2', 'v3']) await client.putManifest('posh/one', t, (await client.getManifest('posh/one', 'v1')).bytes, MediaType.OciManifest);
    expect((await client.listTags('posh/one', 1)).sort()).toEqual(['v1', 'v2', 'v3']);
    const repos = await client.catalog(2);
    expect(repos).toEqual(expect.arrayContaining(['posh/one', 'posh/two', 'posh/chunked', 'posh/mounted', 'skopeo/oci', 'skopeo/v2s2']));
  });

  test('a blob corrupted in the registry storage fails verification on pull', async () => {
    const layer = img.layers[1];
    const hex = layer.digest.slice(7);
    const file = join(reg.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const s = await client.openBlob('posh/one', layer);
    const err = await (async () => {
      for await (const _ of s) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as Error).message).toContain(`GET blob ${reg.host}/posh/one@${layer.digest}: digest mismatch: expected ${layer.digest}, got sha256:`);
    expect(readdirSync(join(reg.dir, 'data')).length).toBeGreaterThan(0);
  });
});

d('registry with htpasswd basic auth', () => {
  let reg: RunningRegistry;
  let work: string;
  const user = 'poshuser';
  const password = 'S3cret-pass-word!';

  beforeAll(async () => {
    work = tempDir('regauth');
    reg = await startRegistry({ htpasswd: { user, password } });
  });
  afterAll(async () => {
    await reg?.stop();
    rmrf(work);
  });

  test('the registry challenges with Basic realm; without credentials we get UNAUTHORIZED', async () => {
    const { request } = await import('undici');
    const r = await request(`${reg.url}/v2/`);
    await r.body.dump();
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="posh-test-realm"');
    const c = new RegistryClient({ registry: reg.host });
    const e = await c.ping().catch((x: unknown) => x as RegistryError);
    await c.close();
    expect(e.message).toBe(`ping ${reg.host}: UNAUTHORIZED: authentication required (no credentials for this registry) (HTTP 401)`);
  });

  test('a wrong password fails without showing it; the right one pushes, skopeo reads with the same credentials', async () => {
    const bad = new RegistryClient({ registry: reg.host, credentials: new Credentials(user, 'wrong-password-xyz') });
    const e = await bad.login().catch((x: unknown) => x as RegistryError);
    await bad.close();
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toBe(`ping ${reg.host}: UNAUTHORIZED: authentication failed (HTTP 401)`);
    expect(JSON.stringify(e) + e.message + String(e.stack)).not.toContain('wrong-password-xyz');

    const img = await makeImage(work, 2, true, 'auth');
    const c = new RegistryClient({ registry: reg.host, credentials: new Credentials(user, password) });
    try {
      await c.login();
      const r = await c.pushImage('secure/img', 'v1', { config: img.config, layers: img.layers });
      expect(r.blobs.map((b) => b.status)).toEqual(['uploaded', 'uploaded', 'uploaded']);
      const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--creds', `${user}:${password}`, `docker://${reg.host}/secure/img:v1`])) as { Digest: string };
      expect(info.Digest).toBe(r.manifestDigest);
      expect(() => skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/secure/img:v1`])).toThrow(/unauthorized|authentication required/i);
      // second push: nothing sent
      const before = c.stats.blobBytesSent;
      const again = await c.pushImage('secure/img', 'v1', { config: img.config, layers: img.layers });
      expect(again.blobs.map((b) => b.status)).toEqual(['exists', 'exists', 'exists']);
      expect(c.stats.blobBytesSent).toBe(before);
      // skopeo pushes with credentials; we pull it back
      const layout = join(work, 'auth-layout');
      await writeOciLayout(layout, [{ config: img.config, layers: img.layers, refName: 'x' }]);
      skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${user}:${password}`, `oci:${layout}:x`, `docker://${reg.host}/secure/by-skopeo:x`]);
      const pulled = await c.pullToLayout('secure/by-skopeo', 'x', join(work, 'auth-pulled'));
      expect(parseImageConfig(pulled.configBytes).rootfs.diff_ids).toEqual(img.diffIds);
    } finally {
      await c.close();
    }
  });
});

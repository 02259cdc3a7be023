// docker login / logout / push / pull against Debian's docker-registry on 127.0.0.1 (with and
// without htpasswd auth) and skopeo as the independent peer: what posh pushes skopeo reads, what
// skopeo pushes posh pulls, push → pull into another store keeps the ImageId, a second push sends
// no blob, and every failure leaves the store as it was. Pulls without a registry host come from
// the embedded gallery feed. In CI a missing peer fails the suite (havePeer throws).

import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Runspace } from '../../core/engine/runspace';
import { writeOciLayout } from '../../core/oci';
import { Credentials, CredentialsFile, RegistryClient, RegistryError } from '../../core/registry';
import { openStore } from '../../core/store';
import { CaptureHost, repoRoot } from '../helpers/posh';
import { haveDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { havePeer, makeImage, rmrf, skopeo, tempDir, run } from '../oci/helpers';
import { countingProxy, freePort, haveRegistryPeers, startRegistry, type RunningRegistry } from '../registry/helpers';

const peers = haveRegistryPeers();
const d = peers ? describe : describe.skip;

interface Result {
  lines: string[];
  errors: string[];
  warnings: string[];
  verbose: string[];
  all: string;
}

/** Runs a script in-process on the store at `store`, in the folder `work`. */
async function posh(work: string, store: string, script: string): Promise<Result> {
  const host = new CaptureHost();
  const rs = new Runspace(host, store);
  rs.session.cwd = work;
  await rs.run(script);
  const lines = host.output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const strip = (e: string) => e.replace(/^Invoke-Docker: /, '');
  return {
    lines,
    errors: host.errors.map((e) => strip(e.trimEnd())),
    warnings: host.warnings,
    verbose: host.verbose,
    all: [host.output, host.hostText, ...host.errors, ...host.warnings, ...host.verbose, ...host.debug, ...host.information].join('\n'),
  };
}

/** The store's images (ImageId, FullName, tags) for before/after comparisons. */
function catalog(store: string): string[] {
  if (!fs.existsSync(path.join(store, 'catalog.json'))) return [];
  return openStore(store)
    .listImages()
    .map((i) => `${i.imageId} ${i.publisher}_${i.name}_${i.version} ${(i.tags ?? []).join(',')}`)
    .sort();
}

const SHORT = /^([0-9a-f]{12}): /;

/** Two images in the store at `store`: NanoServer 10.0.14300.1000 (a 2 MiB random file) and App 1.0.0.0 over it. */
async function makeImages(work: string, store: string): Promise<void> {
  fs.mkdirSync(path.join(work, 'src', 'Windows'), { recursive: true });
  fs.writeFileSync(path.join(work, 'src', 'Windows', 'big.bin'), randomBytes(2 << 20));
  const r = await posh(
    work,
    store,
    `Set-Content src/Windows/kernel.txt 'nano kernel'
New-ContainerOSImage -SourcePath src -Name NanoServer -Version 10.0.14300.1000 -Publisher CN=Microsoft -WimPath n.wim | Out-Null
Install-ContainerOSImage -WimPath n.wim | Out-Null
$c = New-Container -Name c -ContainerImageName NanoServer
Set-Content (Join-Path $c.Path 'Windows/app.txt') 'app layer'
New-ContainerImage -Container $c -Name App -Publisher CN=Me -Version 1.0.0.0 | Out-Null
Remove-Container c -Force`,
  );
  expect(r.errors).toEqual([]);
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

d('docker push / pull with a registry without auth', () => {
  let reg: RunningRegistry;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let work: string;
  let storeA: string;
  let storeB: string;
  let host: string; // through the counting proxy
  const pushed: Record<string, string> = {};

  beforeAll(async () => {
    work = tempDir('docker-reg');
    storeA = path.join(work, 'storeA');
    storeB = path.join(work, 'storeB');
    reg = await startRegistry();
    proxy = await countingProxy(Number(reg.host.split(':')[1]));
    host = `127.0.0.1:${proxy.port}`;
    await makeImages(work, storeA);
    const r = await posh(work, storeA, `docker tag nanoserver:10.0.14300.1000 ${host}/nanoserver:10.0.14300.1000\ndocker tag app:1.0.0.0 ${host}/team/app:1.0`);
    expect(r.errors).toEqual([]);
  });
  afterAll(async () => {
    await proxy?.close();
    await reg?.stop();
    rmrf(work);
  });

  test('push sends the layer and prints the docker CLI lines; skopeo inspect and skopeo copy read the image', async () => {
    proxy.reset();
    const r = await posh(work, storeA, `docker push ${host}/nanoserver:10.0.14300.1000`);
    expect(r.errors).toEqual([]);
    expect(r.lines).toHaveLength(4);
    const id = SHORT.exec(r.lines[1])![1];
    const m = /^10\.0\.14300\.1000: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(r.lines[3])!;
    expect(m).not.toBeNull();
    expect(r.lines).toEqual([`The push refers to repository [${host}/nanoserver]`, `${id}: Preparing`, `${id}: Pushed`, `10.0.14300.1000: digest: ${m[1]} size: ${m[2]}`]);
    expect(proxy.up()).toBeGreaterThan(2 << 20); // the random file went up
    pushed.nano = m[1];

    const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/nanoserver:10.0.14300.1000`])) as { Digest: string; Layers: string[]; Os: string; Architecture: string };
    expect(info.Digest).toBe(m[1]);
    expect(info.Layers).toHaveLength(1);
    expect(info.Layers[0].slice(7, 19)).toBe(id);
    expect([info.Os, info.Architecture]).toEqual(['windows', 'amd64']);
    const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/nanoserver:10.0.14300.1000`]);
    expect(Buffer.byteLength(raw)).toBe(Number(m[2]));

    const oci = path.join(work, 'oci-copy');
    skopeo(['copy', '--src-tls-verify=false', `docker://${reg.host}/nanoserver:10.0.14300.1000`, `oci:${oci}:nano`]);
    // skopeo gzips uncompressed layers on their way into an OCI layout: the config's diff_id is our layer's digest
    const blob = (d: string) => path.join(oci, 'blobs', 'sha256', d.slice(7));
    const index = JSON.parse(fs.readFileSync(path.join(oci, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as { rootfs: { diff_ids: string[] } };
    expect(config.rootfs.diff_ids).toEqual(info.Layers);
    const layerFile = blob(manifest.layers[0].digest);
    expect(`sha256:${sha256File(layerFile)}`).toBe(manifest.layers[0].digest);
    expect(`sha256:${createHash('sha256').update(zlib.gunzipSync(fs.readFileSync(layerFile))).digest('hex')}`).toBe(info.Layers[0]);
    const names = run('tar', ['-tzf', layerFile]).split('\n');
    expect(names).toEqual(expect.arrayContaining(['Windows/kernel.txt', 'Windows/big.bin']));
    expect(run('tar', ['-xzOf', layerFile, 'Windows/kernel.txt'])).toBe('nano kernel\n');
  });

  test('a second push sends no blob: Layer already exists', async () => {
    proxy.reset();
    const r = await posh(work, storeA, `docker push ${host}/nanoserver:10.0.14300.1000`);
    expect(r.errors).toEqual([]);
    const id = SHORT.exec(r.lines[1])![1];
    expect(r.lines).toEqual([`The push refers to repository [${host}/nanoserver]`, `${id}: Preparing`, `${id}: Layer already exists`, `10.0.14300.1000: digest: ${pushed.nano} size: ${/size: (\d+)$/.exec(r.lines[3])![1]}`]);
    expect(proxy.up()).toBeLessThan(16_000); // requests only: HEADs and the manifest
  });

  test('the derived image: its new layer is pushed, the base layer mounted from the repository that has it', async () => {
    proxy.reset();
    const r = await posh(work, storeA, `docker push ${host}/team/app:1.0`);
    expect(r.errors).toEqual([]);
    expect(r.lines).toHaveLength(6);
    const top = SHORT.exec(r.lines[1])![1];
    const base = SHORT.exec(r.lines[2])![1];
    expect(r.lines.slice(0, 5)).toEqual([
      `The push refers to repository [${host}/team/app]`,
      `${top}: Preparing`,
      `${base}: Preparing`,
      `${top}: Pushed`,
      `${base}: Mounted from nanoserver`,
    ]);
    pushed.app = /^1\.0: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(r.lines[5])![1];
    expect(proxy.up()).toBeLessThan(1 << 20); // the 2 MiB base layer was not sent again
    const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/team/app:1.0`])) as { Digest: string; Layers: string[] };
    expect(info.Digest).toBe(pushed.app);
    expect(info.Layers.map((l) => l.slice(7, 19))).toEqual([base, top]);
  });

  test('push -a pushes every tag of the repository, in order', async () => {
    const r = await posh(work, storeA, `docker tag app:1.0.0.0 ${host}/multi:b\ndocker tag nanoserver:10.0.14300.1000 ${host}/multi:a\ndocker push -a ${host}/multi`);
    expect(r.errors).toEqual([]);
    expect(r.lines[0]).toBe(`The push refers to repository [${host}/multi]`);
    expect(r.lines.filter((l) => / digest: /.test(l)).map((l) => l.replace(/sha256:[0-9a-f]{64} size: \d+$/, 'D'))).toEqual(['a: digest: D', 'b: digest: D']);
    // a: the base layer mounted from a repository that has it; b: its own layer mounted from team/app (pushed there before), the base already there
    const statuses = r.lines.filter((l) => !/: Preparing$/.test(l) && SHORT.test(l)).map((l) => l.slice(14));
    expect(statuses[0]).toMatch(/^Mounted from (nanoserver|team\/app)$/);
    expect(statuses.slice(1)).toEqual(['Mounted from team/app', 'Layer already exists']);
    const tags = JSON.parse(skopeo(['list-tags', '--tls-verify=false', `docker://${reg.host}/multi`])) as { Tags: string[] };
    expect(tags.Tags.sort()).toEqual(['a', 'b']);
  });

  test('push of an image the store does not have, or of a tag it does not have', async () => {
    const before = catalog(storeA);
    const r = await posh(work, storeA, `docker push ${host}/nope:1\ndocker push ${host}/nanoserver\ndocker push ${host}/Upper:1`);
    expect(r.lines).toEqual([`The push refers to repository [${host}/nope]`, 'Using default tag: latest', `The push refers to repository [${host}/nanoserver]`]);
    expect(r.errors).toEqual([
      `An image does not exist locally with the tag: ${host}/nope`,
      `tag does not exist: ${host}/nanoserver:latest`,
      'invalid reference format: repository name must be lowercase',
    ]);
    expect(catalog(storeA)).toEqual(before);
  });

  test('push → pull into a second store gives the same ImageIds; a second pull is up to date', async () => {
    const r = await posh(work, storeB, `docker pull ${host}/team/app:1.0`);
    expect(r.errors).toEqual([]);
    const ids = r.lines.filter((l) => l.endsWith(': Pull complete')).map((l) => l.slice(0, 12));
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(r.lines).toEqual(expect.arrayContaining([`${id}: Pulling fs layer`, `${id}: Verifying Checksum`, `${id}: Download complete`]));
    }
    expect(r.lines[0]).toBe('1.0: Pulling from team/app');
    expect(r.lines.slice(-3)).toEqual([`Digest: ${pushed.app}`, `Status: Downloaded newer image for ${host}/team/app:1.0`, `${host}/team/app:1.0`]);
    const a = openStore(storeA).listImages();
    const b = openStore(storeB).listImages();
    const idOf = (list: typeof a, name: string) => list.find((i) => i.name === name)?.imageId;
    expect(idOf(b, 'App')).toBe(idOf(a, 'App'));
    expect(idOf(b, 'NanoServer')).toBe(idOf(a, 'NanoServer'));
    const shown = await posh(work, storeB, `docker images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' ${host}/team/app:1.0\n(Get-ContainerImage App).ImageId`);
    expect(shown.lines).toEqual([`${host}/team/app:1.0 sha256:${idOf(a, 'App')}`, idOf(a, 'App')]);

    const again = await posh(work, storeB, `docker pull ${host}/team/app:1.0`);
    expect(again.errors).toEqual([]);
    expect(again.lines).toEqual(['1.0: Pulling from team/app', `Digest: ${pushed.app}`, `Status: Image is up to date for ${host}/team/app:1.0`, `${host}/team/app:1.0`]);

    // the base alone: its layer is there already, the reference is new
    const base = await posh(work, storeB, `docker pull -q ${host}/nanoserver:10.0.14300.1000\ndocker pull ${host}/nanoserver:10.0.14300.1000`);
    expect(base.errors).toEqual([]);
    expect(base.lines).toEqual([`${host}/nanoserver:10.0.14300.1000`, '10.0.14300.1000: Pulling from nanoserver', `Digest: ${pushed.nano}`, `Status: Image is up to date for ${host}/nanoserver:10.0.14300.1000`, `${host}/nanoserver:10.0.14300.1000`]);
  });

  test('a pull whose base layer the store has: Already exists, then the new layer', async () => {
    const store = path.join(work, 'storeE');
    expect((await posh(work, store, `docker pull -q ${host}/nanoserver:10.0.14300.1000`)).lines).toEqual([`${host}/nanoserver:10.0.14300.1000`]);
    const r = await posh(work, store, `docker pull ${host}/team/app:1.0`);
    expect(r.errors).toEqual([]);
    const base = openStore(storeA).listImages().find((i) => i.name === 'NanoServer')!;
    const info = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/team/app:1.0`])) as { Layers: string[] };
    const [b, t] = info.Layers.map((l) => l.slice(7, 19));
    expect(r.lines).toEqual([
      '1.0: Pulling from team/app',
      `${b}: Already exists`,
      `${t}: Pulling fs layer`,
      `${t}: Verifying Checksum`,
      `${t}: Download complete`,
      `${t}: Pull complete`,
      `Digest: ${pushed.app}`,
      `Status: Downloaded newer image for ${host}/team/app:1.0`,
      `${host}/team/app:1.0`,
    ]);
    expect(openStore(store).listImages().find((i) => i.name === 'NanoServer')!.imageId).toBe(base.imageId);
  });

  test('an image pushed by skopeo pulls into posh and is listed by docker images and Get-ContainerImage', async () => {
    const layout = path.join(work, 'sk-layout');
    const img = await makeImage(work, 2, true, 'sk');
    await writeOciLayout(layout, [{ config: img.config, layers: img.layers, refName: 'v1' }]);
    skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/skopeo/img:v1`]);
    const digest = (JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/skopeo/img:v1`])) as { Digest: string }).Digest;
    const store = path.join(work, 'storeC');
    const r = await posh(work, store, `docker pull ${reg.host}/skopeo/img:v1`);
    expect(r.errors).toEqual([]);
    expect(r.lines[0]).toBe('v1: Pulling from skopeo/img');
    expect(r.lines.filter((l) => l.endsWith(': Pull complete'))).toEqual(img.layers.map((l) => `${l.digest.slice(7, 19)}: Pull complete`));
    expect(r.lines.slice(-3)).toEqual([`Digest: ${digest}`, `Status: Downloaded newer image for ${reg.host}/skopeo/img:v1`, `${reg.host}/skopeo/img:v1`]);
    const listed = await posh(work, store, `docker images --format '{{.Repository}}:{{.Tag}}'\n(Get-ContainerImage | Measure-Object).Count`);
    expect(listed.lines).toEqual([`${reg.host}/skopeo/img:v1`, '2']);
    // the same image as a Docker schema 2 manifest (skopeo --format v2s2): same layers, so Already exists
    skopeo(['copy', '--format', 'v2s2', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/skopeo/v2s2:v1`]);
    const raw = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/skopeo/v2s2:v1`])) as { mediaType: string };
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const v2 = await posh(work, store, `docker pull ${reg.host}/skopeo/v2s2:v1`);
    expect(v2.errors).toEqual([]);
    expect(v2.lines.filter((l) => /: (Already exists|Pull complete)$/.test(l))).toEqual(img.layers.map((l) => `${l.digest.slice(7, 19)}: Already exists`));
    expect(v2.lines[v2.lines.length - 2]).toBe(`Status: Downloaded newer image for ${reg.host}/skopeo/v2s2:v1`);
    // its files are in the store: a container made from it has them
    const c = await posh(work, store, `$c = New-Container -Name k -ContainerImage (Get-ContainerImage | Where-Object { $_.ParentImage })\nGet-Content (Join-Path $c.Path 'Files/sk1/f0.bin') -Raw | Out-Null; 'ok'`);
    expect(c.errors).toEqual([]);
  });

  test('uploads without the client-side hash (push) still cannot store a blob whose bytes lie: the registry checks the digest', async () => {
    const client = new RegistryClient({ registry: reg.host });
    try {
      const real = randomBytes(100_000);
      const lying = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${createHash('sha256').update(real).digest('hex')}` as const, size: real.length, open: () => [randomBytes(100_000)] as unknown as AsyncIterable<Uint8Array> };
      for (const chunked of [false, true]) {
        const err = await client.uploadBlob('lies/img', lying, { verify: false, chunked, chunkSize: 30_000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RegistryError);
        expect((err as RegistryError).code).toBe('DIGEST_INVALID');
      }
      expect(await client.blobSize('lies/img', lying.digest)).toBeUndefined();
      // chunked with read-ahead: the bytes arrive in order and whole
      const big = randomBytes(1_000_003);
      const blob = { mediaType: lying.mediaType, digest: `sha256:${createHash('sha256').update(big).digest('hex')}` as const, size: big.length, open: () => [big.subarray(0, 300_000), big.subarray(300_000)] as unknown as AsyncIterable<Uint8Array> };
      expect(await client.uploadBlob('lies/img', blob, { verify: false, chunked: true, chunkSize: 65_536 })).toBe('uploaded');
      const back: Buffer[] = [];
      for await (const c of await client.openBlob('lies/img', blob, { verify: false })) back.push(c as Buffer);
      expect(Buffer.concat(back).equals(big)).toBe(true);
    } finally {
      await client.close();
    }
  });

  test('failures: registry down, manifest unknown, a blob whose bytes do not match: clear errors, store unchanged', async () => {
    const before = catalog(storeB);
    const port = await freePort();
    const r = await posh(work, storeB, `docker pull 127.0.0.1:${port}/x:1\ndocker pull ${host}/nope:v1\ndocker tag ${host}/nanoserver:10.0.14300.1000 127.0.0.1:${port}/x:1\ndocker push 127.0.0.1:${port}/x:1`);
    expect(r.errors).toEqual([
      `Error response from daemon: Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      `Error response from daemon: manifest for ${host}/nope:v1 not found: manifest unknown: manifest unknown`,
      `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    ]);
    await posh(work, storeB, `docker rmi 127.0.0.1:${port}/x:1`);
    expect(catalog(storeB)).toEqual(before);

    // a layer blob corrupted in the registry's storage (same size, one byte changed)
    const layout = path.join(work, 'bad-layout');
    const img = await makeImage(work, 1, true, 'bad');
    await writeOciLayout(layout, [{ config: img.config, layers: img.layers, refName: 'v1' }]);
    skopeo(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${reg.host}/corrupt/img:v1`]);
    const layerDigest = (JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/corrupt/img:v1`])) as { Layers: string[] }).Layers[0];
    const hex = layerDigest.slice(7);
    const data = path.join(reg.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const bytes = fs.readFileSync(data);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(data, bytes);
    const store = path.join(work, 'storeD');
    const bad = await posh(work, store, `docker pull ${host}/corrupt/img:v1`);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/^Error response from daemon: /);
    expect(bad.errors[0]).toContain(layerDigest);
    expect(bad.lines.some((l) => l.endsWith('Pull complete'))).toBe(false);
    expect(catalog(store)).toEqual([]);
  });
});

d('docker login / logout and a registry with htpasswd auth', () => {
  const SECRET = 'S3cret-pw-' + randomBytes(6).toString('hex');
  let reg: RunningRegistry;
  let work: string;
  let store: string;
  let credFile: string;

  beforeAll(async () => {
    work = tempDir('docker-auth');
    store = path.join(work, 'store');
    credFile = path.join(store, 'credentials.json');
    reg = await startRegistry({ htpasswd: { user: 'poshuser', password: SECRET } });
    await makeImages(work, store);
    expect((await posh(work, store, `docker tag nanoserver:10.0.14300.1000 ${reg.host}/nanoserver:1`)).errors).toEqual([]);
  });
  afterAll(async () => {
    await reg?.stop();
    rmrf(work);
  });

  test('a wrong password is refused by the registry and nothing is stored', async () => {
    const wrong = 'Wrong-' + SECRET;
    const r = await posh(work, store, `$VerbosePreference = 'Continue'\ndocker login -u poshuser -p ${wrong} ${reg.host}\n$Error | Format-List * -Force | Out-String`);
    expect(r.errors).toEqual([`Error response from daemon: login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`]);
    expect(r.warnings).toEqual(['Using --password via the CLI is insecure. Use --password-stdin.']);
    expect(fs.existsSync(credFile)).toBe(false);
    expect(r.all).not.toContain(wrong);
  });

  test('without credentials: pull and push are refused with docker\'s texts', async () => {
    const before = catalog(store);
    const r = await posh(work, store, `docker pull ${reg.host}/nanoserver:1\ndocker push ${reg.host}/nanoserver:1`);
    expect(r.errors).toEqual([`Error response from daemon: Head "http://${reg.host}/v2/nanoserver/manifests/1": no basic auth credentials`, 'no basic auth credentials']);
    expect(catalog(store)).toEqual(before);
  });

  test('the right password from the pipeline: Login Succeeded, a 0600 file, the password shown nowhere', async () => {
    const r = await posh(work, store, `$VerbosePreference = 'Continue'\n'${SECRET}' | docker login -u poshuser --password-stdin ${reg.host}\n$Error | Format-List * -Force | Out-String\nGet-Variable | Out-String`);
    expect(r.errors).toEqual([]);
    expect(r.lines[0]).toBe('Login Succeeded');
    expect(r.warnings).toEqual([`Your password will be stored unencrypted in ${credFile}.`]);
    expect(fs.statSync(credFile).mode & 0o777).toBe(0o600);
    const stored = await new CredentialsFile(credFile).get(reg.host);
    expect(stored?.username).toBe('poshuser');
    expect(stored?.reveal()).toBe(SECRET);
    expect(r.all).not.toContain(SECRET);
    // stored credentials are re-checked when login gets none
    const again = await posh(work, store, `docker login ${reg.host}`);
    expect(again.lines).toEqual(['Authenticating with existing credentials...', 'Login Succeeded']);
  });

  test('push and pull use the stored credentials; wrong stored ones are unauthorized; logout forgets them', async () => {
    const r = await posh(work, store, `docker push ${reg.host}/nanoserver:1`);
    expect(r.errors).toEqual([]);
    expect(r.lines[r.lines.length - 1]).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/);
    const other = path.join(work, 'store2');
    fs.mkdirSync(other, { recursive: true });
    await new CredentialsFile(path.join(other, 'credentials.json')).set(reg.host, new Credentials('poshuser', SECRET));
    const p = await posh(work, other, `docker pull ${reg.host}/nanoserver:1`);
    expect(p.errors).toEqual([]);
    expect(p.lines[p.lines.length - 2]).toBe(`Status: Downloaded newer image for ${reg.host}/nanoserver:1`);

    await new CredentialsFile(path.join(other, 'credentials.json')).set(reg.host, new Credentials('poshuser', 'not-it'));
    expect((await posh(work, other, `docker rmi ${reg.host}/nanoserver:1`)).errors).toEqual([]);
    const before = catalog(other);
    const u = await posh(work, other, `docker pull ${reg.host}/nanoserver:1`);
    expect(u.errors).toEqual(['Error response from daemon: unauthorized: authentication required']);
    expect(catalog(other)).toEqual(before);

    const out = await posh(work, store, `docker logout ${reg.host}\ndocker logout ${reg.host}\ndocker pull ${reg.host}/nanoserver:1`);
    expect(out.lines).toEqual([`Removing login credentials for ${reg.host}`, `Removing login credentials for ${reg.host}`]);
    expect(out.errors).toEqual([`Error response from daemon: Head "http://${reg.host}/v2/nanoserver/manifests/1": no basic auth credentials`]);
    expect(await new CredentialsFile(credFile).get(reg.host)).toBeUndefined();
    expect(fs.statSync(credFile).mode & 0o777).toBe(0o600);
  });
});

d('docker pull without a registry host: the package sources\' feeds', () => {
  let work: string;
  let store: string;
  const feed = fs.readFileSync(path.join(repoRoot, 'gallery', 'feed.xml'), 'utf8');
  const shaOf = (href: string) => new RegExp(`href="${href.replace(/\./g, '\\.')}"[^>]*sha256="([0-9a-f]{64})"`).exec(feed)![1];

  beforeAll(() => {
    work = tempDir('docker-feed');
    store = path.join(work, 'store');
  });
  afterAll(() => rmrf(work));

  test('docker pull nanoserver installs the newest NanoServer of the embedded gallery as nanoserver:latest', async () => {
    const sha = shaOf('NanoServer-10.0.14300.1010.wim');
    const r = await posh(work, store, 'docker pull nanoserver');
    expect(r.errors).toEqual([]);
    expect(r.lines).toEqual([
      'Using default tag: latest',
      'latest: Pulling from nanoserver',
      `${sha.slice(0, 12)}: Pulling fs layer`,
      `${sha.slice(0, 12)}: Pull complete`,
      `Digest: sha256:${sha}`,
      'Status: Downloaded newer image for nanoserver:latest',
      'nanoserver:latest',
    ]);
    const again = await posh(work, store, "docker pull nanoserver:latest\ndocker images --format '{{.Repository}}:{{.Tag}}'\n(Get-ContainerImage NanoServer).Version.ToString()");
    expect(again.lines).toEqual([
      'latest: Pulling from nanoserver',
      `Digest: sha256:${sha}`,
      'Status: Image is up to date for nanoserver:latest',
      'nanoserver:latest',
      'nanoserver:10.0.14300.1010',
      'nanoserver:latest',
      '10.0.14300.1010',
    ]);
  });

  test('a tag is a version; unknown names and versions are docker\'s errors and change nothing', async () => {
    const sha = shaOf('WindowsServerCore-10.0.14300.1000.wim');
    const r = await posh(work, store, 'docker pull windowsservercore:10.0.14300.1000');
    expect(r.errors).toEqual([]);
    expect(r.lines.slice(0, 1)).toEqual(['10.0.14300.1000: Pulling from windowsservercore']);
    expect(r.lines.slice(-3)).toEqual([`Digest: sha256:${sha}`, 'Status: Downloaded newer image for windowsservercore:10.0.14300.1000', 'windowsservercore:10.0.14300.1000']);
    const before = catalog(store);
    const bad = await posh(work, store, 'docker pull nosuchimage\ndocker pull nanoserver:9.9\ndocker pull nanoserver:beta');
    expect(bad.errors).toEqual([
      "Error response from daemon: pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      'Error response from daemon: manifest for nanoserver:9.9 not found: manifest unknown: manifest unknown',
      'Error response from daemon: manifest for nanoserver:beta not found: manifest unknown: manifest unknown',
    ]);
    expect(catalog(store)).toEqual(before);
  });
});

const tokenPeers = peers && havePeer('openssl', ['version'], 'openssl');

(tokenPeers ? describe : describe.skip)('docker login / push / pull with bearer-token auth', () => {
  // a loopback token service: checks Basic credentials, issues RS256 JWTs the registry trusts
  const USER = 'tokuser';
  const PASSWORD = 'Tok-' + randomBytes(6).toString('hex');
  let work: string;
  let store: string;
  let reg: RunningRegistry;
  let server: Server;

  beforeAll(async () => {
    work = tempDir('docker-token');
    store = path.join(work, 'store');
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(work, 'key.pem'), '-out', path.join(work, 'cert.pem'), '-days', '1', '-subj', '/CN=posh-docker-token']);
    const key = createPrivateKey(fs.readFileSync(path.join(work, 'key.pem')));
    // libtrust's key id: base32 of the first 240 bits of sha256(SPKI DER), groups of 4
    const spki = createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
    let bits = '';
    for (const b of spki) bits += b.toString(2).padStart(8, '0');
    const kid = (bits.match(/.{5}/g) ?? []).map((g) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[parseInt(g, 2)]).join('').match(/.{4}/g)!.join(':');
    const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64url');
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      const [user, pass] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
      if (user !== USER || pass !== PASSWORD) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const access = u.searchParams.getAll('scope').map((s) => {
        const [type, ...rest] = s.split(':');
        const actions = rest.pop()!.split(',');
        return { type, name: rest.join(':'), actions };
      });
      const head = b64(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
      const claims = b64(JSON.stringify({ iss: 'posh-docker-issuer', sub: user, aud: 'posh-docker-registry', exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `${head}.${claims}.${b64(sign('sha256', Buffer.from(`${head}.${claims}`), key))}`, expires_in: 300 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    reg = await startRegistry({ token: { realm, service: 'posh-docker-registry', issuer: 'posh-docker-issuer', certFile: path.join(work, 'cert.pem') } });
    await makeImages(work, store);
  });
  afterAll(async () => {
    await reg?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmrf(work);
  });

  test('login is refused with the token service\'s reason, then accepted; push and pull go through the token flow', async () => {
    const bad = await posh(work, store, `'nope' | docker login -u ${USER} --password-stdin ${reg.host}`);
    expect(bad.errors).toEqual([`Error response from daemon: Get "http://${reg.host}/v2/": unauthorized: incorrect username or password`]);
    expect(fs.existsSync(path.join(store, 'credentials.json'))).toBe(false);
    const ok = await posh(work, store, `'${PASSWORD}' | docker login -u ${USER} --password-stdin ${reg.host}\ndocker tag app:1.0.0.0 ${reg.host}/tok/app:1\ndocker push ${reg.host}/tok/app:1`);
    expect(ok.errors).toEqual([]);
    expect(ok.lines[0]).toBe('Login Succeeded');
    expect(ok.lines[ok.lines.length - 1]).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/);
    expect(ok.all).not.toContain(PASSWORD);
    const other = path.join(work, 'store2');
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(store, 'credentials.json'), path.join(other, 'credentials.json'));
    const p = await posh(work, other, `docker pull ${reg.host}/tok/app:1\n(Get-ContainerImage App).ImageId`);
    expect(p.errors).toEqual([]);
    expect(p.lines[p.lines.length - 1]).toBe(openStore(store).listImages().find((i) => i.name === 'App')!.imageId);
  });
});

// The same commands through the real docker CLI (Debian's docker.io 20.10, /usr/bin/docker) and a
// real dockerd against the same registry: texts must be equal (ids, digests and sizes aside).
const engine = peers && haveDockerd();

(engine ? describe : describe.skip)('texts equal to the real docker CLI against the same registry', () => {
  const USER = 'cmpuser';
  const PASSWORD = 'Cmp-' + randomBytes(6).toString('hex');
  let reg: RunningRegistry;
  let dockerd: Dockerd;
  let work: string;
  let store: string;
  const cli = (args: string[], input?: string) => {
    const r = dockerd.docker(args, { input, env: { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_CONFIG: path.join(work, 'docker-config') } });
    return { stdout: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr.split('\n').filter((l) => l !== '') };
  };
  /**
   * Ids, digests and sizes out of the way; `Verifying Checksum` too: the engine's progress
   * broadcast keeps only the latest status of a layer for a slow reader, so it prints that line
   * for some pulls and not others (posh always prints it).
   */
  const shape = (lines: string[]) => lines.filter((l) => !l.endsWith(': Verifying Checksum')).map((l) => l.replace(/\b[0-9a-f]{12}:/, 'ID:').replace(/sha256:[0-9a-f]{64}/g, 'DIGEST').replace(/size: \d+$/, 'size: N'));

  beforeAll(async () => {
    work = tempDir('docker-cmp');
    store = path.join(work, 'store');
    reg = await startRegistry({ htpasswd: { user: USER, password: PASSWORD } });
    dockerd = await startDockerd();
    await makeImages(work, store);
    // an image of the engine: one file, imported from a tar
    fs.mkdirSync(path.join(work, 't'));
    fs.writeFileSync(path.join(work, 't', 'a.txt'), 'hello\n');
    run('tar', ['-C', path.join(work, 't'), '-cf', path.join(work, 't.tar'), '.']);
    expect(dockerd.docker(['import', path.join(work, 't.tar'), `${reg.host}/engine/one:v1`]).status).toBe(0);
    expect((await posh(work, store, `docker tag nanoserver:10.0.14300.1000 ${reg.host}/posh/one:v1`)).errors).toEqual([]);
  });
  afterAll(async () => {
    await dockerd?.stop();
    await reg?.stop();
    rmrf(work);
  });

  test('login refused, login accepted, logout', async () => {
    const real = cli(['login', '-u', USER, '-p', 'wrong', reg.host]);
    const ours = await posh(work, store, `docker login -u ${USER} -p wrong ${reg.host}`);
    expect(real.stderr).toEqual(['WARNING! Using --password via the CLI is insecure. Use --password-stdin.', ours.errors[0]]);
    expect(ours.warnings).toEqual([real.stderr[0].replace(/^WARNING! /, '')]);
    const realOk = cli(['login', '-u', USER, '--password-stdin', reg.host], PASSWORD);
    const oursOk = await posh(work, store, `'${PASSWORD}' | docker login -u ${USER} --password-stdin ${reg.host}`);
    expect(oursOk.lines).toEqual(realOk.stdout);
    expect(oursOk.lines).toEqual(['Login Succeeded']);
    const realOut = cli(['logout', reg.host]);
    const oursOut = await posh(work, store, `docker logout ${reg.host}`);
    expect(oursOut.lines).toEqual(realOut.stdout);
    const realAgain = cli(['logout', reg.host]);
    expect((await posh(work, store, `docker logout ${reg.host}`)).lines).toEqual(realAgain.stdout);
  });

  test('push and pull: lines of a first push, a second push, a fresh pull, an up-to-date pull; errors', async () => {
    cli(['login', '-u', USER, '--password-stdin', reg.host], PASSWORD);
    expect((await posh(work, store, `'${PASSWORD}' | docker login -u ${USER} --password-stdin ${reg.host}`)).errors).toEqual([]);
    const pair = async (realArgs: string[], ourScript: string) => {
      const real = cli(realArgs);
      const ours = await posh(work, store, ourScript);
      return { real, ours };
    };
    for (const [realRef, ourRef] of [[`${reg.host}/engine/one:v1`, `${reg.host}/posh/one:v1`]]) {
      let p = await pair(['push', realRef], `docker push ${ourRef}`);
      expect(shape(p.ours.lines)).toEqual(shape(p.real.stdout).map((l) => l.replace('engine/one', 'posh/one')));
      p = await pair(['push', realRef], `docker push ${ourRef}`);
      expect(shape(p.ours.lines)).toEqual(shape(p.real.stdout).map((l) => l.replace('engine/one', 'posh/one')));
      expect(p.ours.lines[2]).toMatch(/: Layer already exists$/);
      // a fresh pull: the engine's image removed first; ours into a new store
      expect(dockerd.docker(['rmi', realRef]).status).toBe(0);
      const fresh = path.join(work, 'fresh');
      fs.mkdirSync(fresh);
      fs.copyFileSync(path.join(store, 'credentials.json'), path.join(fresh, 'credentials.json'));
      const realPull = cli(['pull', realRef]);
      const oursPull = await posh(work, fresh, `docker pull ${ourRef}`);
      expect(shape(oursPull.lines)).toEqual(shape(realPull.stdout).map((l) => l.replace(/engine\/one/g, 'posh/one')));
      const realAgain = cli(['pull', realRef]);
      const oursAgain = await posh(work, fresh, `docker pull ${ourRef}`);
      expect(shape(oursAgain.lines)).toEqual(shape(realAgain.stdout).map((l) => l.replace(/engine\/one/g, 'posh/one')));
    }
    // what the engine pushed (a Docker schema 2 manifest, a gzip layer) pulls into posh, files and all
    const other = path.join(work, 'engine-pull');
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(store, 'credentials.json'), path.join(other, 'credentials.json'));
    const eng = await posh(work, other, `docker pull ${reg.host}/engine/one:v1\n$c = New-Container -Name e -ContainerImage (Get-ContainerImage)\nGet-Content (Join-Path $c.Path 'a.txt')`);
    expect(eng.errors).toEqual([]);
    expect(eng.lines.slice(-2)).toEqual([`${reg.host}/engine/one:v1`, 'hello']);

    const port = await freePort();
    // REPO: the engine's repository for the real CLI, ours for posh (each side has its own image there)
    for (const args of [
      ['push', `${reg.host}/nope:1`],
      ['push', `${reg.host}/REPO`],
      ['push', `${reg.host}/REPO:v9`],
      ['pull', `${reg.host}/nope:1`],
      ['pull', `${reg.host}/REPO`],
      ['pull', `127.0.0.1:${port}/x:1`],
      ['pull', `${reg.host}/Upper:1`],
    ]) {
      const real = cli(args.map((a) => a.replace('REPO', 'engine/one')));
      const ours = await posh(work, store, `docker ${args.map((a) => a.replace('REPO', 'posh/one')).join(' ')}`);
      const mine = (xs: string[]) => xs.map((l) => l.replace(/engine\/one/g, 'posh/one'));
      expect({ args, stdout: ours.lines, stderr: ours.errors }).toEqual({ args, stdout: mine(real.stdout), stderr: mine(real.stderr) });
    }
  });
});

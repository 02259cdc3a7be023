// The store ↔ OCI bridge (core/store-oci): a store image exported as an OCI image and imported
// into another store comes back with the same layer ids and ImageIds (so the same flattened tree,
// attributes, times and security descriptors); gzip layers; images made elsewhere (no posh
// labels); pulling what is already there creates nothing; bad layers change nothing.

import { linkSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, type ImageRecord, type ImageStore, type StoreInputEntry } from '../../core/store';
import { imageFromOci, imageToOci, filetimeToPax, paxToFiletime, LABELS } from '../../core/store-oci';
import { MediaType, buildImage, digestStream, parseImageConfig, readLayer, writeLayer, type BlobSource, type Digest, type ImageSpec } from '../../core/oci';
import { haveWimlib, makeWim, wimlib, writeTree } from '../store/helpers';

let dir: string;
beforeAll(() => {
  dir = makeTempDir('store-oci-');
});
afterAll(() => removeTempDir(dir));

/** Everything the store knows of an image's tree (flattened), blobs by hash. */
async function tree(store: ImageStore, image: ImageRecord): Promise<unknown[]> {
  return (await store.flatten(image.layers)).map(({ entry, sds }) => ({ ...entry, sd: entry.sd === undefined ? undefined : sds[entry.sd] }));
}

function chain(store: ImageStore, image: ImageRecord): ImageRecord[] {
  const all = store.listImages();
  const out: ImageRecord[] = [];
  for (let r: ImageRecord | undefined = image; r; r = all.find((x) => x.imageId === r!.parentImageId)) out.unshift(r);
  return out;
}

/** The spec's layers as OCI input, optionally gzip-compressed on the fly (digest from a first pass). */
async function asInput(spec: ImageSpec, gzip = false): Promise<{ config: Buffer; layers: Array<BlobSource> }> {
  const built = buildImage(spec);
  const layers: BlobSource[] = [];
  for (const l of spec.layers) {
    if (!gzip) {
      layers.push(l);
      continue;
    }
    const open = () => Readable.from(l.open()).pipe(createGzip({ level: 1 }));
    const { digest, size } = await digestStream(open());
    layers.push({ mediaType: MediaType.OciLayerGzip, digest, size, open });
  }
  return { config: built.configBytes, layers };
}

const FT = (s: string) => BigInt(s);
const SD_A = Buffer.from('010004800000000000000000000000001400000002001c000100000000001400ff011f00010100000000000512000000', 'hex');
const SD_B = Buffer.from('0100048000000000000000000000000014000000020034000200000000001400ff011f0001010000000000051200000000001800a9001200010200000000000520000000200200', 'hex');

/** A base image with everything a layer entry can carry: attributes, three FILETIMEs, SDs, links, hard links, empty files. */
async function richBase(store: ImageStore): Promise<ImageRecord> {
  const t = (n: number) => ({ creation: FT('132000000000000000') + BigInt(n), lastAccess: FT('132100000000000001') + BigInt(n), lastWrite: FT('132200000000000123') + BigInt(n) });
  const content = (s: string) => () => Readable.from([Buffer.from(s)]);
  const entries: StoreInputEntry[] = [
    { path: [], kind: 'directory', attributes: 0x10, times: t(0), securityDescriptor: SD_A },
    { path: ['Windows'], kind: 'directory', attributes: 0x10, times: t(1), securityDescriptor: SD_A },
    { path: ['Windows', 'System32'], kind: 'directory', attributes: 0x10 | 0x4, times: t(2), securityDescriptor: SD_B },
    { path: ['Windows', 'System32', 'kernel32.dll'], kind: 'file', size: 11, attributes: 0x20, times: t(3), securityDescriptor: SD_B, content: content('kernel v1.0'), hardLinkGroup: 'g1' },
    { path: ['Windows', 'System32', 'kernel-link.dll'], kind: 'file', size: 11, attributes: 0x20, times: t(3), securityDescriptor: SD_B, hardLinkGroup: 'g1' },
    { path: ['Windows', 'win.ini'], kind: 'file', size: 9, attributes: 0x21, times: t(4), content: content('[fonts]\r\n') },
    { path: ['empty.txt'], kind: 'file', size: 0, attributes: 0x80, times: t(5) },
    { path: ['ini-link'], kind: 'symlink', linkTarget: 'Windows/win.ini', linkIsDirectory: false, attributes: 0x400, times: t(6) },
    { path: ['sys-link'], kind: 'symlink', linkTarget: '/Windows/System32', linkIsDirectory: true, attributes: 0x410, times: t(7) },
    { path: ['Ünïcödé dir with a rather long name that does not fit the hundred bytes of a ustar header field'], kind: 'directory', times: t(8) },
    { path: ['Ünïcödé dir with a rather long name that does not fit the hundred bytes of a ustar header field', 'ε.txt'], kind: 'file', size: 3, times: { creation: -5n, lastAccess: 0n, lastWrite: 3n }, content: content('eps') },
  ];
  const r = await store.importEntries({ name: 'RichBase', publisher: 'CN=Test', version: '10.0.14300.1000', summary: 'a base', isOSImage: true }, entries);
  return r.image;
}

/** A derived image through a real container: a file deleted, one changed, one added. */
async function derive(store: ImageStore, base: ImageRecord, name: string, change: (root: string) => void): Promise<ImageRecord> {
  const ct = await store.createContainer({ name: `${name}-ct`, imageId: base.imageId });
  change(ct.path!);
  const d = await store.diffContainer(ct.containerId);
  const r = await store.importEntries({ name, publisher: 'CN=Test', version: '1.0.0.0', parentImageId: base.imageId, isOSImage: false }, d.entries);
  await store.removeContainer(ct.containerId);
  return r.image;
}

test('PAX times carry FILETIMEs exactly, before 1970 too', () => {
  for (const ft of ['0', '1', '116444736000000000', '116444735999999999', '132200000000000123', '-5', '2650467743999999999']) {
    expect(paxToFiletime(filetimeToPax(ft))).toBe(ft);
  }
  expect(filetimeToPax('116444736000000000')).toBe('0.0000000');
  expect(filetimeToPax('116444735999999999')).toBe('-0.0000001');
  expect(paxToFiletime('1.5')).toBe((116444736000000000n + 15000000n).toString());
  expect(paxToFiletime('x')).toBeNull();
});

test('store → OCI → another store: same layer ids and ImageIds, same flattened tree; again: nothing new', async () => {
  const a = openStore(join(dir, 'rt-a'));
  const base = await richBase(a);
  const derived = await derive(a, base, 'Derived', (root) => {
    unlinkSync(join(root, 'Windows', 'win.ini'));
    writeFileSync(join(root, 'empty.txt'), 'not empty any more');
    mkdirSync(join(root, 'Program Files'));
    writeFileSync(join(root, 'Program Files', 'app.exe'), 'MZ app');
  });
  const spec = await imageToOci(a, derived);
  const cfg = parseImageConfig(Buffer.isBuffer(spec.config) ? spec.config : JSON.stringify(spec.config));
  expect(cfg.os).toBe('windows');
  expect(cfg.architecture).toBe('amd64');
  expect(cfg['os.version']).toBe('10.0.14300.1000');
  expect(cfg.created).toBe(derived.created);
  expect(cfg.rootfs.diff_ids).toHaveLength(2);
  expect(cfg.history).toHaveLength(2);
  expect(cfg.config?.Labels?.[LABELS.name]).toBe('Derived');
  expect(cfg.config?.Labels?.[LABELS.isOSImage]).toBe('false');
  // The export is deterministic: a second export gives the same digests.
  const again = await imageToOci(a, derived);
  expect(again.layers.map((l) => l.digest)).toEqual(spec.layers.map((l) => l.digest));
  // The layer tar is an ordinary layer to other readers: our OCI reader sees the deletion as a whiteout.
  const seen: string[] = [];
  for await (const e of readLayer(spec.layers[1].open())) {
    seen.push(`${e.type}:${e.path}`);
    if (e.type === 'file') for await (const _ of e.content) void _;
  }
  expect(seen).toContain('whiteout:Windows/win.ini');
  expect(seen).toContain('file:Program Files/app.exe');

  const b = openStore(join(dir, 'rt-b'));
  const events: string[] = [];
  const r = await imageFromOci(b, await asInput(spec), { repository: 'localhost:5000/derived', tag: 'v1' }, { onLayer: (d, s) => events.push(`${d}:${s}`) });
  expect(r.created).toBe(true);
  expect(events).toEqual(spec.layers.map((l) => `${l.digest}:imported`));
  expect(r.image.imageId).toBe(derived.imageId);
  expect(r.image.layers).toEqual(derived.layers);
  expect(chain(b, r.image).map((i) => i.imageId)).toEqual([base.imageId, derived.imageId]);
  const bBase = chain(b, r.image)[0];
  expect({ ...bBase, implicitReference: undefined, diffId: undefined }).toEqual({ ...base, implicitReference: undefined, diffId: undefined });
  expect(bBase.implicitReference).toBe(false); // an intermediate: no reference in `docker images`
  expect(r.image.tags).toEqual(['localhost:5000/derived:v1']);
  expect(r.image.created).toBe(derived.created);
  expect(await tree(b, r.image)).toEqual(await tree(a, derived));
  expect(await b.check()).toEqual([]);

  // The same image again (a pull of what was pushed): nothing read, nothing new.
  const events2: string[] = [];
  const r2 = await imageFromOci(b, await asInput(spec), { repository: 'localhost:5000/derived', tag: 'v1' }, { onLayer: (d, s) => events2.push(s) });
  expect(r2.created).toBe(false);
  expect(events2).toEqual(['exists', 'exists']);
  expect(b.listImages()).toHaveLength(2);
  // Into the store it came from: the labels name installed images, verified by their export.
  const r3 = await imageFromOci(a, await asInput(spec), { repository: 'derived', tag: 'latest' });
  expect(r3.created).toBe(false);
  expect(r3.image.imageId).toBe(derived.imageId);
  expect(a.listImages().find((i) => i.imageId === derived.imageId)!.tags).toEqual(['derived:latest']);
  expect(await a.check()).toEqual([]);
});

test('gzip layers import the same as plain ones', async () => {
  const a = openStore(join(dir, 'gz-a'));
  const base = await richBase(a);
  const spec = await imageToOci(a, base);
  const c = openStore(join(dir, 'gz-c'));
  const r = await imageFromOci(c, await asInput(spec, true), { repository: 'richbase', tag: 'latest' });
  expect(r.image.imageId).toBe(base.imageId);
  expect(await tree(c, r.image)).toEqual(await tree(a, base));
  expect(await c.check()).toEqual([]);
});

const wimIt = haveWimlib() ? test : test.skip;
wimIt('a WIM captured by wimlib-imagex, and a derived image with a deletion, round-trip', async () => {
  const src = join(dir, 'wimsrc');
  writeTree(src, { 'Windows/System32/a.dll': 'aaa', 'Windows/System32/b.dll': 'bbbb', 'Windows/win.ini': '[x]', 'readme.txt': 'hello' });
  linkSync(join(src, 'readme.txt'), join(src, 'readme-hard.txt'));
  symlinkSync('Windows/win.ini', join(src, 'ini-link'));
  wimlib(['capture', src, join(dir, 'peer.wim'), 'NanoServer', '--compress=none']);
  const a = openStore(join(dir, 'wim-a'));
  const { image: base } = await a.importWim(join(dir, 'peer.wim'), { version: '10.0.10586.0', publisher: 'CN=Microsoft' });
  const derived = await derive(a, base, 'NanoApp', (root) => {
    rmSync(join(root, 'Windows', 'System32', 'b.dll'));
    writeFileSync(join(root, 'Windows', 'System32', 'a.dll'), 'changed');
  });
  const b = openStore(join(dir, 'wim-b'));
  const r = await imageFromOci(b, await asInput(await imageToOci(a, derived)), { repository: 'nanoapp', tag: '1.0' });
  expect(r.image.imageId).toBe(derived.imageId);
  expect(chain(b, r.image).map((i) => i.imageId)).toEqual([base.imageId, derived.imageId]);
  expect(await tree(b, r.image)).toEqual(await tree(a, derived));
  expect(await b.check()).toEqual([]);
  // Also makeWim (our writer) for a second base, exported on its own.
  writeTree(join(dir, 'ours'), { 'x.txt': 'x' });
  await makeWim(join(dir, 'ours'), join(dir, 'ours.wim'), 'Ours', '10.0.1.2');
  const { image: ours } = await a.importWim(join(dir, 'ours.wim'));
  const r2 = await imageFromOci(b, await asInput(await imageToOci(a, ours)), { repository: 'ours', tag: 'latest' });
  expect(r2.image.imageId).toBe(ours.imageId);
});

/** A foreign image: plain OCI layers from core/oci's writer, no posh labels. */
async function foreignImage(layers: Parameters<typeof writeLayer>[0][], labels?: Record<string, string>, gzip = false): Promise<{ config: Buffer; layers: BlobSource[] }> {
  const blobs: BlobSource[] = [];
  const diffIds: Digest[] = [];
  for (const entries of layers) {
    const bytes = await new Promise<Buffer>((res, rej) => {
      const parts: Buffer[] = [];
      writeLayer(entries, { mtime: 1700000000 }).on('data', (c: Buffer) => parts.push(c)).on('end', () => res(Buffer.concat(parts))).on('error', rej);
    });
    const { digest } = await digestStream([bytes]);
    diffIds.push(digest);
    const stored = gzip ? gzipSync(bytes) : bytes;
    blobs.push({ mediaType: gzip ? MediaType.OciLayerGzip : MediaType.OciLayer, digest: (await digestStream([stored])).digest, size: stored.length, open: () => Readable.from([stored]) });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-01-02T03:04:05Z', config: labels ? { Labels: labels } : {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
  return { config, layers: blobs };
}

test('a foreign image imports with a sensible name and version; shared base layers are shared images', async () => {
  const s = openStore(join(dir, 'foreign'));
  const baseLayer = [
    { type: 'directory' as const, path: 'etc' },
    { type: 'file' as const, path: 'etc/os-release', size: 9, content: 'ID=alpine' },
    { type: 'directory' as const, path: 'bin' },
    { type: 'file' as const, path: 'bin/busybox', size: 4, content: 'busy' },
    { type: 'hardlink' as const, path: 'bin/sh', target: 'bin/busybox' },
    { type: 'symlink' as const, path: 'bin/ls', target: '/bin/busybox' },
  ];
  const app = [
    { type: 'directory' as const, path: 'etc' },
    { type: 'opaque' as const, path: 'etc' },
    { type: 'file' as const, path: 'etc/app.conf', size: 3, content: 'a=1' },
    { type: 'whiteout' as const, path: 'bin/ls' },
    { type: 'file' as const, path: 'srv/deep/data.txt', size: 4, content: 'data' }, // no parent entries in the tar
    { type: 'directory' as const, path: 'srv' }, // a supplied parent arriving late, and a repeated directory
    { type: 'directory' as const, path: 'etc' },
  ];
  const alpine = await imageFromOci(s, await foreignImage([baseLayer]), { repository: 'docker.io/library/alpine', tag: '3.19' });
  expect(alpine.created).toBe(true);
  expect(alpine.image).toMatchObject({ name: 'alpine', version: '3.19.0.0', publisher: 'CN=docker.io', implicitReference: false, tags: ['docker.io/library/alpine:3.19'], created: '2024-01-02T03:04:05.000Z' });
  const appImg = await imageFromOci(s, await foreignImage([baseLayer, app], undefined, true), { repository: 'registry.example.com:5000/team/app', tag: 'latest' });
  expect(appImg.image).toMatchObject({ name: 'app', version: '0.0.0.0', publisher: 'CN=registry.example.com:5000', parentImageId: alpine.image.imageId });
  expect(s.listImages()).toHaveLength(2);
  const flat = (await s.flatten(appImg.image.layers)).map((x) => `${x.entry.kind}:${x.entry.path}`);
  expect(flat).toEqual([
    'directory:',
    'directory:bin',
    'file:bin/busybox',
    'file:bin/sh',
    'directory:etc',
    'file:etc/app.conf',
    'directory:srv',
    'directory:srv/deep',
    'file:srv/deep/data.txt',
  ].filter((p) => p !== 'directory:'));
  const sh = (await s.flatten(appImg.image.layers)).find((x) => x.entry.path === 'bin/sh')!.entry;
  const busybox = (await s.flatten(appImg.image.layers)).find((x) => x.entry.path === 'bin/busybox')!.entry;
  expect(sh.sha256).toBe(busybox.sha256);
  expect(sh.hardLinkGroup).toBe(busybox.hardLinkGroup);
  // A version label when the tag is not one.
  const v = await imageFromOci(s, await foreignImage([[{ type: 'file', path: 'v', size: 1, content: 'v' }]], { 'org.opencontainers.image.version': 'v2.1' }), { repository: 'tool', tag: 'stable' });
  expect(v.image).toMatchObject({ name: 'tool', version: '2.1.0.0' });
  expect(await s.check()).toEqual([]);
});

test('a layer that does not match its digest or diff_id, or is hostile, changes nothing', async () => {
  const s = openStore(join(dir, 'bad'));
  await imageFromOci(s, await foreignImage([[{ type: 'file', path: 'ok', size: 2, content: 'ok' }]]), { repository: 'ok', tag: 'latest' });
  const before = JSON.stringify(s.listImages());
  const good = await foreignImage([[{ type: 'file', path: 'a', size: 1, content: 'a' }], [{ type: 'file', path: 'b', size: 1, content: 'b' }]]);
  // the second layer's bytes are another valid tar: the digest fails at its end, after the first layer was stored
  const other = await foreignImage([[{ type: 'file', path: 'b', size: 1, content: 'c' }]]);
  const tampered = { ...good, layers: [good.layers[0], { ...good.layers[1], open: other.layers[0].open }] };
  await expect(imageFromOci(s, tampered, { repository: 'bad', tag: 'latest' })).rejects.toThrow(`layer ${good.layers[1].digest}: digest mismatch`);
  const wrongDiff = JSON.parse(good.config.toString());
  wrongDiff.rootfs.diff_ids[1] = wrongDiff.rootfs.diff_ids[0];
  await expect(imageFromOci(s, { ...good, config: Buffer.from(JSON.stringify(wrongDiff)) }, { repository: 'bad', tag: 'latest' })).rejects.toThrow(/is not the config's diff_id/);
  // a tar that climbs out of the root
  const evil = Buffer.concat([hdr('../evil', 1), Buffer.from('x'), Buffer.alloc(511), Buffer.alloc(1024)]);
  const evilDigest = (await digestStream([evil])).digest;
  const evilImg = { config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [evilDigest] } })), layers: [{ mediaType: MediaType.OciLayer, digest: evilDigest, size: evil.length, open: () => Readable.from([evil]) }] };
  await expect(imageFromOci(s, evilImg, { repository: 'evil', tag: 'latest' })).rejects.toThrow(/climbs out of the layer root/);
  // two regular files claiming one hard-link group: the second's content must not become the first's
  const aliased = await foreignImage([[
    { type: 'file', path: 'a', size: 1, content: 'a', pax: { 'POSHCONTAINERS.hardlinkgroup': 'g' } },
    { type: 'file', path: 'b', size: 1, content: 'b', pax: { 'POSHCONTAINERS.hardlinkgroup': 'g' } },
  ]]);
  await expect(imageFromOci(s, aliased, { repository: 'aliased', tag: 'latest' })).rejects.toThrow(/hard-link group "g" is already another file's/);
  expect(JSON.stringify(s.listImages())).toBe(before);
  expect(await s.check()).toEqual([]);
  const leftovers = await s.optimize();
  expect(leftovers.blobsRemoved).toBe(0);
  expect(leftovers.layersRemoved).toBe(0);
});

/** A raw ustar header for a regular file (written by hand: our writers refuse such names). */
function hdr(name: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  b.write('00000000000\0', 136);
  b.write('0', 156);
  b.write('ustar\u000000', 257, 'binary');
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return b;
}

test('through the cmdlets: New-ContainerOSImage, Install-ContainerOSImage, New-Container, a deleted file, New-ContainerImage → OCI → a fresh store', async () => {
  const { runInProcess } = await import('../helpers/posh');
  writeTree(join(dir, 'cmdlet-src'), { 'Windows/System32/a.dll': 'aaa', 'Windows/win.ini': '[x]', 'readme.txt': 'hello' });
  const root = join(dir, 'cmdlets-a');
  const { host, ok } = await runInProcess(
    [
      `New-ContainerOSImage -SourcePath '${join(dir, 'cmdlet-src')}' -Name NanoServer -Version 10.0.14300.1010 -Publisher CN=Microsoft -WimPath '${join(dir, 'cmdlet.wim')}' | Out-Null`,
      `Install-ContainerOSImage -WimPath '${join(dir, 'cmdlet.wim')}'`,
      '$c = New-Container -Name work -ContainerImageName NanoServer',
      `Remove-Item (Join-Path $c.Path 'readme.txt')`,
      `Set-Content (Join-Path $c.Path 'Windows/app.ini') 'app'`,
      'New-ContainerImage -ContainerName work -Name App -Publisher CN=Test -Version 1.0.0.0 | Out-Null',
    ].join('\n'),
    { storeRoot: root },
  );
  expect(host.errors).toEqual([]);
  expect(ok).toBe(true);
  const a = openStore(root);
  const app = a.listImages().find((i) => i.name === 'App')!;
  const b = openStore(join(dir, 'cmdlets-b'));
  const r = await imageFromOci(b, await asInput(await imageToOci(a, app)), { repository: 'app', tag: '1.0' });
  expect(r.image.imageId).toBe(app.imageId);
  expect(chain(b, r.image).map((i) => i.imageId)).toEqual(chain(a, app).map((i) => i.imageId));
  const paths = (await b.flatten(r.image.layers)).map((x) => x.entry.path);
  expect(paths).not.toContain('readme.txt');
  expect(paths).toContain('Windows/app.ini');
  expect(await tree(b, r.image)).toEqual(await tree(a, app));
  expect(await b.check()).toEqual([]);
});

test('a WIM image with named streams, a reparse point, security descriptors and hard links round-trips', async () => {
  const { createWim } = await import('../../core/wim');
  const wimPath = join(dir, 'streams.wim');
  const w = await createWim(wimPath, { compression: 'none', metadata: { name: 'StreamServer', version: '10.0.17763.1', publisher: 'CN=Microsoft' } });
  const c = (s: string) => () => Readable.from([Buffer.from(s)]);
  const t = { creation: 132000000000000000n, lastAccess: 132000000000000001n, lastWrite: 132000000000000002n };
  await w.addAll([
    { path: [], kind: 'directory', attributes: 0x10, times: t, securityDescriptor: SD_A },
    { path: ['Windows'], kind: 'directory', attributes: 0x10, times: t, securityDescriptor: SD_B },
    { path: ['Windows', 'data.bin'], kind: 'file', attributes: 0x20, times: t, size: 4, content: c('data'), streams: [{ name: 'Zone.Identifier', size: 9, content: c('[ZoneTra]') }, { name: 'empty', size: 0, content: c('') }] },
    { path: ['Windows', 'hard-a'], kind: 'file', size: 3, content: c('abc'), hardLinkGroup: 'h' },
    { path: ['Windows', 'hard-b'], kind: 'file', size: 3, content: c('abc'), hardLinkGroup: 'h' },
    { path: ['mount'], kind: 'file', attributes: 0x20, times: t, reparse: { tag: 0x8000001b, data: Buffer.from('0123456789abcdef', 'hex') } },
  ]);
  await w.finish();
  const a = openStore(join(dir, 'streams-a'));
  const { image } = await a.importWim(wimPath);
  const layer = await a.readLayer(image.layers[0]);
  // the fixture really has what this test is about
  expect(layer.entries.some((e) => e.streams?.length === 2)).toBe(true);
  expect(layer.entries.some((e) => e.reparse)).toBe(true);
  expect(layer.entries.filter((e) => e.hardLinkGroup).length).toBe(2);
  const spec = await imageToOci(a, image);
  // Other readers see the stream as a file beside its file, the reparse point as a plain file.
  const names: string[] = [];
  for await (const e of readLayer(spec.layers[0].open())) {
    names.push(`${e.type}:${e.path}`);
    if (e.type === 'file') for await (const _ of e.content) void _;
  }
  expect(names).toEqual(expect.arrayContaining(['file:Windows/data.bin:Zone.Identifier', 'file:mount', 'hardlink:Windows/hard-b']));
  const b = openStore(join(dir, 'streams-b'));
  const r = await imageFromOci(b, await asInput(spec), { repository: 'streamserver', tag: 'latest' });
  expect(r.image.layers).toEqual(image.layers);
  expect(r.image.imageId).toBe(image.imageId);
  expect(await b.check()).toEqual([]);
});

test('two imports of the same image at once: one stores it, the other finds it; the store stays consistent', async () => {
  const a = openStore(join(dir, 'conc-a'));
  const base = await richBase(a);
  const spec = await imageToOci(a, base);
  const b = openStore(join(dir, 'conc-b'));
  const [r1, r2] = await Promise.all([
    imageFromOci(b, await asInput(spec), { repository: 'rich', tag: 'one' }),
    imageFromOci(b, await asInput(spec, true), { repository: 'rich', tag: 'two' }),
  ]);
  expect([r1.created, r2.created].sort()).toEqual([false, true]);
  expect(r1.image.imageId).toBe(base.imageId);
  expect(r2.image.imageId).toBe(base.imageId);
  expect(b.listImages()).toHaveLength(1);
  expect(b.listImages()[0].tags!.sort()).toEqual(['rich:one', 'rich:two']);
  expect(await b.check()).toEqual([]);
});

// OCI layouts and image archives against skopeo: it accepts what we write (inspect, copy from
// oci:, oci-archive:, docker-archive:), and we read what it writes (oci:, oci-archive:,
// docker-archive:), plus the older Docker `<id>/layer.tar` layout, gzip layers and a gzip archive.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  OciLayout,
  ImageArchive,
  writeOciLayout,
  writeImageArchiveFile,
  gzipBlobToFile,
  readLayer,
  sha256,
  HostileEntryError,
  DigestMismatchError,
  OciFormatError,
  type Digest,
  type ImageConfig,
} from '../../core/oci';
import { tarStream, type TarWriteEntry } from '../../core/oci/tar';
import { havePeer, makeImage, rmrf, skopeo, tempDir, type TestImage } from './helpers';

const peer = havePeer('skopeo', ['--version'], 'skopeo');
const d = peer ? describe : describe.skip;

function sha(file: string): Digest {
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

async function drain(s: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of s) void _;
}

async function layerNames(s: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readLayer(s)) out.push(`${e.type}:${e.path}`);
  return out;
}

async function bytesOf(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const p: Buffer[] = [];
  for await (const c of s) p.push(Buffer.from(c));
  return Buffer.concat(p);
}

let work: string;
let plain: TestImage; // uncompressed layers (what `save` writes)
let gz: TestImage; // gzip layers

beforeAll(async () => {
  work = tempDir('oci-interop');
  plain = await makeImage(work, 2, false, 'p');
  gz = await makeImage(work, 2, true, 'g');
});
afterAll(() => rmrf(work));

d('skopeo reads what we write', () => {
  test('OCI layout: skopeo inspect and copy to dir: with every blob intact', async () => {
    const dir = join(work, 'layout1');
    const [built] = await writeOciLayout(dir, [{ config: gz.config, layers: gz.layers, refName: 'v1' }]);
    const info = JSON.parse(skopeo(['inspect', `oci:${dir}:v1`])) as { Digest: string; Layers: string[]; Os: string; Created: string };
    expect(info.Digest).toBe(built.manifestDescriptor.digest);
    expect(info.Layers).toEqual(gz.layers.map((l) => l.digest));
    expect(info.Created).toBe('2026-01-02T03:04:05Z');
    const cfg = JSON.parse(skopeo(['inspect', '--config', `oci:${dir}:v1`])) as ImageConfig;
    expect(cfg.rootfs.diff_ids).toEqual(gz.diffIds);
    const out = join(work, 'layout1-dir');
    skopeo(['copy', `oci:${dir}:v1`, `dir:${out}`]);
    for (const l of gz.layers) expect(sha(join(out, l.digest.slice(7)))).toBe(l.digest);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).config.digest).toBe(built.configDescriptor.digest);
    // a second image added to the same layout; the first stays
    await writeOciLayout(dir, [{ config: plain.config, layers: plain.layers, refName: 'v2' }]);
    expect((await OciLayout.open(dir)).index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual(['v1', 'v2']);
    expect((JSON.parse(skopeo(['inspect', `oci:${dir}:v2`])) as { Layers: string[] }).Layers).toEqual(plain.layers.map((l) => l.digest));
  });

  test('uncompressed layers gzipped for a push keep their diff_ids; skopeo reads the result', async () => {
    const dir = join(work, 'gz-layout');
    const layers = [];
    for (const [i, l] of plain.layers.entries()) layers.push(await gzipBlobToFile(l, join(work, `gz-${i}.tar.gz`)));
    expect(layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    expect(layers[0].size).toBeLessThan(plain.layers[0].size);
    await writeOciLayout(dir, [{ config: plain.config, layers, refName: 'gz' }]);
    const out = join(work, 'gz-dir');
    skopeo(['copy', `oci:${dir}:gz`, `dir:${out}`]);
    for (const l of layers) expect(sha(join(out, l.digest.slice(7)))).toBe(l.digest);
    const layout = await OciLayout.open(dir);
    const img = await layout.resolve('gz');
    expect(img.config.rootfs.diff_ids).toEqual(plain.diffIds);
    // a source that lies about its digest is refused
    const liar = { ...plain.layers[0], digest: plain.layers[1].digest, size: plain.layers[0].size };
    await expect(gzipBlobToFile(liar, join(work, 'liar.gz'))).rejects.toBeInstanceOf(DigestMismatchError);
  });

  test('image archive: one file is a docker-archive and an oci-archive for skopeo', async () => {
    const file = join(work, 'save.tar');
    const [built] = await writeImageArchiveFile(file, [{ config: plain.config, layers: plain.layers, repoTags: ['windowsservercore:latest', 'windowsservercore:10.0.14300.1000'] }]);
    const viaDocker = JSON.parse(skopeo(['inspect', `docker-archive:${file}:windowsservercore:10.0.14300.1000`])) as { Layers: string[] };
    expect(viaDocker.Layers).toEqual(plain.layers.map((l) => l.digest));
    const viaOci = JSON.parse(skopeo(['inspect', `oci-archive:${file}:latest`])) as { Digest: string; Layers: string[] };
    expect(viaOci.Digest).toBe(built.manifestDescriptor.digest);
    for (const [src, out] of [
      [`docker-archive:${file}:windowsservercore:latest`, join(work, 'save-d')],
      [`oci-archive:${file}:10.0.14300.1000`, join(work, 'save-o')],
    ]) {
      skopeo(['copy', src, `dir:${out}`]);
      for (const l of plain.layers) expect(sha(join(out, l.digest.slice(7)))).toBe(l.digest);
      expect(sha(join(out, built.configDescriptor.digest.slice(7)))).toBe(built.configDescriptor.digest);
    }
    // and we read our own archive back both ways
    const a = await ImageArchive.open(file);
    const [img] = await a.images();
    expect(img.repoTags).toEqual(['windowsservercore:latest', 'windowsservercore:10.0.14300.1000']);
    expect(img.configDigest).toBe(built.configDescriptor.digest);
    expect(img.layers.map((l) => [l.diffId, l.compression])).toEqual(plain.diffIds.map((dd) => [dd, 'none']));
    for (const l of img.layers) await drain(l.open());
    expect(a.fileNames().sort()).toEqual(['blobs/sha256/' + built.configDescriptor.digest.slice(7), 'blobs/sha256/' + built.manifestDescriptor.digest.slice(7), ...plain.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`), 'index.json', 'manifest.json', 'oci-layout', 'repositories'].sort());
    const a2 = await ImageArchive.open(file);
    expect(a2.fileNames()).toContain('manifest.json');
  });
});

d('we read what skopeo writes', () => {
  let source: string;
  beforeAll(async () => {
    source = join(work, 'skopeo-source');
    await writeOciLayout(source, [{ config: gz.config, layers: gz.layers, refName: 'src' }]);
  });

  test('skopeo copy to oci: — resolved, every blob verified, layers decode', async () => {
    const dir = join(work, 'sk-oci');
    skopeo(['copy', `oci:${source}:src`, `oci:${dir}:mytag`]);
    const layout = await OciLayout.open(dir);
    const img = await layout.resolve('mytag');
    expect(img.refName).toBe('mytag');
    expect(img.config.rootfs.diff_ids).toEqual(gz.diffIds);
    expect(img.manifest.layers.map((l) => l.digest)).toEqual(gz.layers.map((l) => l.digest));
    for (const l of img.manifest.layers) await drain(layout.openBlob(l));
    expect(await layerNames(layout.openBlob(img.manifest.layers[1]))).toEqual([
      'directory:Files',
      'directory:Files/g1',
      'file:Files/g1/f0.bin',
      'file:Files/g1/f1.bin',
      'file:Files/g1/f2.bin',
      'file:Files/g1/f3.bin',
      'symlink:Files/g1/link',
      'whiteout:Files/g1-deleted',
    ]);
  });

  test('skopeo copy to docker-archive: — RepoTags, legacy layer dirs, diff_ids verified while streaming', async () => {
    const file = join(work, 'sk-docker.tar');
    skopeo(['copy', `oci:${source}:src`, `docker-archive:${file}:team/app:1.2`]);
    const a = await ImageArchive.open(file);
    expect(a.fileNames().some((n) => n.endsWith('/layer.tar'))).toBe(false); // they are symlinks
    const [img] = await a.images();
    expect(img.source).toBe('docker');
    expect(img.repoTags).toEqual(['docker.io/team/app:1.2']); // skopeo writes the normalized name
    expect(img.config.rootfs.diff_ids).toEqual(gz.diffIds);
    // skopeo stores layers uncompressed in docker archives: each is named by its diff_id
    expect(img.layers.map((l) => [l.compression, l.path])).toEqual(gz.diffIds.map((dd) => ['none', `${dd.slice(7)}.tar`]));
    for (const l of img.layers) await drain(l.open());
    expect(await layerNames(img.layers[0].open())).toContain('file:Files/g0/f3.bin');
  });

  test('skopeo copy to oci-archive: (no manifest.json) is read through index.json', async () => {
    const file = join(work, 'sk-oci.tar');
    skopeo(['copy', `oci:${source}:src`, `oci-archive:${file}:t1`]);
    const a = await ImageArchive.open(file);
    const [img] = await a.images();
    expect(img.source).toBe('oci');
    expect(img.repoTags).toEqual(['t1']);
    expect(img.layers.map((l) => [l.compression, l.descriptor?.digest])).toEqual(gz.layers.map((l) => ['gzip', l.digest]));
    for (const l of img.layers) await drain(l.open());
    for (const l of img.layers) await drain(l.openStored());
  });
});

describe('older and odd archives', () => {
  /** The pre-Docker-25 layout: <config>.json, <id>/layer.tar (one gzip, one a symlink to a duplicate), <id>/json, VERSION. */
  async function legacyArchive(file: string, opts: { gzipFirst: boolean; hostileLayer?: string }): Promise<{ diffIds: Digest[]; configDigest: Digest }> {
    const layer0 = readFileSync(join(work, 'p-layer0.tar'));
    const layer1 = readFileSync(join(work, 'p-layer1.tar'));
    const diffIds = [sha256(layer0), sha256(layer1), sha256(layer0)];
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: diffIds } }));
    const configDigest = sha256(config);
    const ids = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
    const stored0 = opts.gzipFirst ? gzipSync(layer0) : layer0;
    const h = (name: string, type: 'file' | 'directory' | 'symlink', size = 0, linkname = '') => ({ name, type, mode: 0o644, uid: 0, gid: 0, size, mtime: 0, linkname, uname: '', gname: '' });
    const manifest = Buffer.from(JSON.stringify([{ Config: `${configDigest.slice(7)}.json`, RepoTags: ['nanoserver:10.0'], Layers: opts.hostileLayer ? [opts.hostileLayer, `${ids[1]}/layer.tar`, `${ids[2]}/layer.tar`] : ids.map((i) => `${i}/layer.tar`) }]));
    const entries: TarWriteEntry[] = [
      { header: h(`${ids[0]}/`, 'directory') },
      { header: h(`${ids[0]}/VERSION`, 'file', 3), content: Buffer.from('1.0') },
      { header: h(`${ids[0]}/layer.tar`, 'file', stored0.length), content: stored0 },
      { header: h(`${ids[1]}/`, 'directory') },
      { header: h(`${ids[1]}/layer.tar`, 'file', layer1.length), content: layer1 },
      { header: h(`${ids[2]}/`, 'directory') },
      { header: h(`${ids[2]}/layer.tar`, 'symlink', 0, `../${ids[0]}/layer.tar`) },
      { header: h(`${configDigest.slice(7)}.json`, 'file', config.length), content: config },
      { header: h('manifest.json', 'file', manifest.length), content: manifest },
      { header: h('repositories', 'file', 2), content: Buffer.from('{}') },
    ];
    writeFileSync(file, await bytesOf(tarStream(entries, 'legacy')));
    return { diffIds, configDigest };
  }

  test('the <id>/layer.tar layout with a gzip layer and a symlinked duplicate is read and verified', async () => {
    const file = join(work, 'legacy.tar');
    const { diffIds, configDigest } = await legacyArchive(file, { gzipFirst: true });
    const a = await ImageArchive.open(file);
    const [img] = await a.images();
    expect(img.repoTags).toEqual(['nanoserver:10.0']);
    expect(img.configDigest).toBe(configDigest);
    expect(img.layers.map((l) => [l.path, l.compression, l.diffId])).toEqual([
      [`${'a'.repeat(64)}/layer.tar`, 'gzip', diffIds[0]],
      [`${'b'.repeat(64)}/layer.tar`, 'none', diffIds[1]],
      [`${'a'.repeat(64)}/layer.tar`, 'gzip', diffIds[2]],
    ]);
    for (const l of img.layers) await drain(l.open());
    if (peer) {
      const info = JSON.parse(skopeo(['inspect', '--config', `docker-archive:${file}`])) as ImageConfig;
      expect(info.rootfs.diff_ids).toEqual(diffIds);
    }
  });

  test('a gzip-compressed archive is expanded to a temp file and read; the temp file goes on close', async () => {
    const file = join(work, 'save.tar');
    if (!existsSync(file)) await writeImageArchiveFile(file, [{ config: plain.config, layers: plain.layers, repoTags: ['x:1'] }]);
    writeFileSync(join(work, 'save.tar.gz'), gzipSync(readFileSync(file)));
    const a = await ImageArchive.open(join(work, 'save.tar.gz'));
    const [img] = await a.images();
    expect(img.config.rootfs.diff_ids).toEqual(plain.diffIds);
    for (const l of img.layers) await drain(l.open());
    const before = readdirSync((await import('node:os')).tmpdir()).filter((n) => n.startsWith('posh-archive-')).length;
    await a.close();
    expect(readdirSync((await import('node:os')).tmpdir()).filter((n) => n.startsWith('posh-archive-')).length).toBe(before - 1);
  });

  test('an archive read from a stream (docker load < file) is spooled, read, and the spool removed on close', async () => {
    const file = join(work, 'stream-src.tar');
    await writeImageArchiveFile(file, [{ config: plain.config, layers: plain.layers, repoTags: ['streamed:1'] }]);
    const { createReadStream } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('posh-load-')).length;
    const before = spools();
    const a = await ImageArchive.fromStream(createReadStream(file));
    expect(spools()).toBe(before + 1);
    const [img] = await a.images();
    expect(img.repoTags).toEqual(['streamed:1']);
    for (const l of img.layers) await drain(l.open());
    await a.close();
    expect(spools()).toBe(before);
  });

  test('a manifest.json naming a path outside the archive is refused; a corrupted layer fails its diff_id', async () => {
    const file = join(work, 'hostile.tar');
    await legacyArchive(file, { gzipFirst: false, hostileLayer: '../../etc/passwd' });
    const a = await ImageArchive.open(file);
    const err = await a.images().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostileEntryError);
    expect((err as Error).message).toBe(`refusing tar entry "../../etc/passwd": the path climbs out of the layer root with '..'`);

    const good = join(work, 'corrupt.tar');
    await legacyArchive(good, { gzipFirst: false });
    const bytes = readFileSync(good);
    const at = bytes.indexOf(Buffer.from('Files/p0/f1.bin')) + 2000; // inside a layer's file content
    bytes[at] ^= 0xff;
    writeFileSync(good, bytes);
    const [img] = await (await ImageArchive.open(good)).images();
    const e2 = await drain(img.layers[0].open()).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(DigestMismatchError);
    expect((e2 as Error).message).toContain(`${good}: layer ${'a'.repeat(64)}/layer.tar (uncompressed): digest mismatch: expected ${img.layers[0].diffId}`);
  });

  test('not an archive, empty, and pre-1.10 archives are refused clearly', async () => {
    const junk = join(work, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(1024, 0x41));
    await expect(ImageArchive.open(junk)).rejects.toBeInstanceOf(OciFormatError);
    const only = join(work, 'old.tar');
    const parts: Buffer[] = [];
    for await (const c of tarStream([{ header: { name: 'repositories', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 2, mtime: 0, linkname: '', uname: '', gname: '' }, content: Buffer.from('{}') }], 't')) parts.push(c as Buffer);
    writeFileSync(only, Buffer.concat(parts));
    await expect((await ImageArchive.open(only)).images()).rejects.toThrow(`${only}: a pre-Docker-1.10 archive (only 'repositories', no manifest.json) is not supported`);
  });
});

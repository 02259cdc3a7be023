// docker save / docker load against real peers: skopeo reads what save writes (as docker-archive
// and as oci-archive), load reads what skopeo writes (docker-archive, oci-archive), the older
// `<id>/layer.tar` layout with gzip layers, and a real Docker Engine (Debian's dockerd, started
// for the suite by tests/helpers/dockerd.ts) loads our archives and saves archives we load back.
// Corrupt and hostile archives end in a clear error with the store unchanged.
// Peers missing: skipped loudly on a developer machine, a failure when CI=true.

import { mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync, existsSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { copyDir, makeWim, posh, writeTree } from '../store/helpers';
import { havePeer, skopeo } from '../oci/helpers';
import { haveDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { openStore, type ImageRecord } from '../../core/store';
import { imageToOci } from '../../core/store-oci';
import { writeImageArchiveFile, sha256, type ImageConfig } from '../../core/oci';
import { BLOCK, encodeHeader, padding } from '../../core/oci/tar';

const haveSkopeo = havePeer('skopeo', ['--version'], 'skopeo');
const withDocker = haveDockerd();

let dir: string;
beforeAll(async () => {
  dir = makeTempDir('docker-save-load-');
  writeTree(join(dir, 'src'), { 'Windows/System32/kernel32.dll': 'kernel', 'Windows/win.ini': '[fonts]\r\n', 'readme.txt': 'hello', 'empty.txt': '' });
  symlinkSync('Windows/win.ini', join(dir, 'src', 'ini-link'));
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.14300.1010');
});
afterAll(() => removeTempDir(dir));

let n = 0;
function home(): string {
  return join(dir, `home-${++n}`);
}

/** Runs a script in-process against a store; errors without the `Invoke-Docker: ` decoration. */
async function run(root: string, script: string): Promise<{ out: string; errors: string[]; ok: boolean }> {
  const { host, ok } = await runInProcess(script, { storeRoot: root });
  return { out: host.output, errors: host.errors.map((e) => e.replace(/^Invoke-Docker: /, '').replace(/\n$/, '')), ok };
}

/**
 * A store with the base image (tagged nanoserver:latest) and a derived image `app:1.0` whose layer
 * deletes a file and adds one (New-Container / New-ContainerImage through the store API).
 */
async function seeded(): Promise<{ root: string; base: ImageRecord; app: ImageRecord }> {
  const root = home();
  const store = openStore(root);
  const { image: base } = await store.importWim(join(dir, 'nano.wim'));
  await store.tagImage(base.imageId, 'nanoserver:latest');
  const ct = await store.createContainer({ name: 'c', imageId: base.imageId });
  rmSync(join(ct.path!, 'readme.txt'));
  writeFileSync(join(ct.path!, 'Windows', 'app.exe'), 'MZ app');
  const d = await store.diffContainer(ct.containerId);
  const { image: app } = await store.importEntries({ name: 'App', publisher: 'CN=Test', version: '1.0.0.0', parentImageId: base.imageId }, d.entries);
  await store.removeContainer(ct.containerId);
  await store.tagImage(app.imageId, 'app:1.0', { dropImplicitReference: true });
  return { root, base: store.findImage(base.imageId)!, app: store.findImage(app.imageId)! };
}

async function flat(root: string, image: ImageRecord) {
  return (await openStore(root).flatten(image.layers)).map((x) => x.entry);
}

describe('docker save / load: the docker CLI texts', () => {
  test('save: usage, terminal, output path and unknown image errors, as the docker CLI words them', async () => {
    const { root } = await seeded();
    mkdirSync(join(dir, 'adir'), { recursive: true });
    writeFileSync(join(dir, 'afile'), '');
    const cases: Array<[string, string]> = [
      ['docker save', `"docker save" requires at least 1 argument.\nSee 'docker save --help'.`],
      // posh output is the object pipeline, never a byte stream: -o is required
      ['docker save nanoserver', 'cowardly refusing to save to a terminal. Use the -o flag or redirect'],
      [`docker save -o ${join(dir, 'nodir', 'x.tar')} nanoserver`, `failed to save image: invalid output path: stat ${join(dir, 'nodir')}: no such file or directory`],
      [`docker save -o ${join(dir, 'afile', 'x.tar')} nanoserver`, `failed to save image: invalid output path: stat ${join(dir, 'afile')}: not a directory`],
      [`docker save -o ${join(dir, 'adir')} nanoserver`, 'failed to save image: cannot write to a directory'],
      ['docker save -o /dev/null nanoserver', 'failed to save image: cannot write to a character device file'],
      [`docker save -o ${join(dir, 'x.tar')} nosuch`, 'Error response from daemon: No such image: nosuch:latest'],
      [`docker save --bogus -o ${join(dir, 'x.tar')} nanoserver`, `unknown flag: --bogus\nSee 'docker save --help'.`],
    ];
    for (const [script, message] of cases) {
      const r = await run(root, script);
      expect({ script, errors: r.errors }).toEqual({ script, errors: [message] });
    }
    expect(existsSync(join(dir, 'x.tar'))).toBe(false);
  });

  test('load: no input, a missing file, arguments, not an archive', async () => {
    const root = home();
    writeFileSync(join(dir, 'not-a-tar.txt'), 'hello, this is not a tar archive at all'.repeat(20));
    const cases: Array<[string, string | RegExp]> = [
      ['docker load', 'requested load from stdin, but stdin is empty'],
      ['docker load -i nope.tar', 'open nope.tar: no such file or directory'],
      ['docker load extra', `"docker load" accepts no arguments.\nSee 'docker load --help'.`],
      [`docker load -i ${join(dir, 'not-a-tar.txt')}`, /^Error response from daemon: .*not-a-tar\.txt.*(checksum|not a tar|archive)/],
    ];
    for (const [script, message] of cases) {
      const r = await run(root, script);
      expect(r.errors).toHaveLength(1);
      if (typeof message === 'string') expect(r.errors[0]).toBe(message);
      else expect(r.errors[0]).toMatch(message);
    }
    expect(openStore(root).listImages()).toEqual([]);
  });
});

describe('docker save / load round trip', () => {
  test('save then load into another store: the same ImageIds, tree and references; again: nothing new', async () => {
    const { root, base, app } = await seeded();
    const file = join(dir, 'both.tar');
    const s = await run(root, `docker save -o ${file} app:1.0 nanoserver:latest`);
    expect(s.errors).toEqual([]);
    expect(s.out).toBe('');
    // As the docker CLI writes it (a temp file from os.CreateTemp, renamed): owner only.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const names = (await import('node:child_process')).spawnSync('tar', ['tf', file], { encoding: 'utf8' }).stdout.split('\n');
    expect(names).toEqual(expect.arrayContaining(['oci-layout', 'index.json', 'manifest.json', 'repositories']));
    const manifest = JSON.parse((await import('node:child_process')).spawnSync('tar', ['xOf', file, 'manifest.json'], { encoding: 'utf8' }).stdout);
    expect(manifest.map((m: { RepoTags: string[] }) => m.RepoTags)).toEqual([['app:1.0'], ['nanoserver:latest']]);
    expect(manifest[0].Layers).toHaveLength(2);

    const other = home();
    const l = await run(other, `docker load -i ${file}`);
    expect(l.errors).toEqual([]);
    expect(l.out).toBe('Loaded image: app:1.0\nLoaded image: nanoserver:latest\n');
    const store = openStore(other);
    expect(store.listImages().map((i) => i.imageId).sort()).toEqual([base.imageId, app.imageId].sort());
    expect(await flat(other, store.findImage(app.imageId)!)).toEqual(await flat(root, app));
    expect(store.findImage(app.imageId)!.tags).toEqual(['app:1.0']);
    expect(store.findImage(base.imageId)!.tags).toEqual(['nanoserver:latest']);
    const images = await run(other, 'docker images --format "{{.Repository}}:{{.Tag}} {{.ID}}"');
    expect(images.out.split('\n').filter(Boolean).sort()).toEqual([`app:1.0 ${app.imageId.slice(0, 12)}`, `nanoserver:latest ${base.imageId.slice(0, 12)}`]);
    expect(await store.check()).toEqual([]);
    // Loading it again changes nothing.
    const catalog = readFileSync(join(other, 'catalog.json'), 'utf8');
    const again = await run(other, `docker load -q -i ${file}`);
    expect(again.out).toBe('Loaded image: app:1.0\nLoaded image: nanoserver:latest\n');
    expect(readFileSync(join(other, 'catalog.json'), 'utf8')).toBe(catalog);
  });

  test('an image saved by id has no tag: Loaded image ID', async () => {
    const { root, app } = await seeded();
    const file = join(dir, 'byid.tar');
    expect((await run(root, `docker save -o ${file} ${app.imageId.slice(0, 12)}`)).errors).toEqual([]);
    const l = await run(home(), `docker load -i ${file}`);
    expect(l.errors).toEqual([]);
    expect(l.out).toBe(`Loaded image ID: sha256:${app.imageId}\n`);
  });

  test('a tag that moves prints the engine\'s renaming line', async () => {
    const { root, app } = await seeded();
    const file = join(dir, 'retag.tar');
    await run(root, `docker tag app:1.0 moving:1; docker save -o ${file} moving:1`);
    // Another store with only the base image, where moving:1 names the base image first.
    const other = home();
    const { image: otherBase } = await openStore(other).importWim(join(dir, 'nano.wim'));
    await openStore(other).tagImage(otherBase.imageId, 'moving:1');
    const before = openStore(other).listImages().find((i) => i.tags?.includes('moving:1'))!;
    const l = await run(other, `docker load -i ${file}`);
    expect(l.errors).toEqual([]);
    expect(l.out).toBe(`The image moving:1 already exists, renaming the old one with ID sha256:${before.imageId} to empty string\nLoaded image: moving:1\n`);
    expect(openStore(other).listImages().find((i) => i.tags?.includes('moving:1'))!.imageId).toBe(app.imageId);
  });

  test('the older layout (<id>/layer.tar, <id>.json) with gzip layers, and a gzip archive', async () => {
    const { root, app } = await seeded();
    const spec = await imageToOci(openStore(root), app);
    const config = Buffer.from(JSON.stringify(spec.config));
    const files: Array<[string, Buffer]> = [];
    const layerNames: string[] = [];
    for (const [i, l] of spec.layers.entries()) {
      const parts: Buffer[] = [];
      for await (const c of l.open()) parts.push(Buffer.from(c));
      const id = `${String(i).repeat(64)}`.slice(0, 64);
      files.push([`${id}/layer.tar`, gzipSync(Buffer.concat(parts))], [`${id}/VERSION`, Buffer.from('1.0')]);
      layerNames.push(`${id}/layer.tar`);
    }
    const cfgName = `${sha256(config).slice(7)}.json`;
    files.push([cfgName, config]);
    files.push(['manifest.json', Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: ['legacy/app:2'], Layers: layerNames }]))]);
    const tar = Buffer.concat([
      ...files.flatMap(([name, data]) => [encodeHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, linkname: '', uname: '', gname: '' }), data, padding(data.length)]),
      Buffer.alloc(2 * BLOCK),
    ]);
    writeFileSync(join(dir, 'legacy.tar'), tar);
    writeFileSync(join(dir, 'legacy.tar.gz'), gzipSync(tar));
    for (const f of ['legacy.tar', 'legacy.tar.gz']) {
      const other = home();
      const l = await run(other, `docker load -i ${join(dir, f)}`);
      expect(l.errors).toEqual([]);
      expect(l.out).toBe('Loaded image: legacy/app:2\n');
      expect(openStore(other).listImages().find((i) => i.tags?.includes('legacy/app:2'))!.imageId).toBe(app.imageId);
      expect(await openStore(other).check()).toEqual([]);
    }
  });
});

const skopeoIt = haveSkopeo ? test : test.skip;
describe('skopeo interop', () => {
  skopeoIt('skopeo reads the saved archive as docker-archive and oci-archive; loads what skopeo writes', async () => {
    const { root, base, app } = await seeded();
    const file = join(dir, 'sk-app.tar');
    expect((await run(root, `docker save -o ${file} app:1.0`)).errors).toEqual([]);
    const spec = await imageToOci(openStore(root), app);
    const diffIds = spec.layers.map((l) => l.digest);

    const inspect = JSON.parse(skopeo(['inspect', `docker-archive:${file}`]));
    expect(inspect.Os).toBe('windows');
    expect(inspect.Architecture).toBe('amd64');
    expect(inspect.Layers).toEqual(diffIds);
    expect(inspect.Labels['io.posh-containers.image.name']).toBe('App');
    const raw = JSON.parse(skopeo(['inspect', '--config', `oci-archive:${file}`]));
    expect(raw.rootfs.diff_ids).toEqual(diffIds);

    skopeo(['copy', `docker-archive:${file}`, `oci:${join(dir, 'sk-oci')}:app`]);
    skopeo(['copy', `oci-archive:${file}`, `oci:${join(dir, 'sk-oci2')}:app`]);
    for (const d of ['sk-oci', 'sk-oci2']) {
      // skopeo may compress the layers on the way into a layout: the config's diff_ids name the tars
      const idx = JSON.parse(readFileSync(join(dir, d, 'index.json'), 'utf8'));
      const m = JSON.parse(readFileSync(join(dir, d, 'blobs', 'sha256', idx.manifests[0].digest.slice(7)), 'utf8'));
      expect(m.layers).toHaveLength(2);
      const cfg = JSON.parse(readFileSync(join(dir, d, 'blobs', 'sha256', m.config.digest.slice(7)), 'utf8'));
      expect(cfg.rootfs.diff_ids).toEqual(diffIds);
      expect(cfg.config.Labels['io.posh-containers.image.name']).toBe('App');
    }

    // skopeo writes archives of its own; load takes them.
    skopeo(['copy', `oci:${join(dir, 'sk-oci')}:app`, `docker-archive:${join(dir, 'sk-docker.tar')}:skopeo/app:v2`]);
    skopeo(['copy', `oci:${join(dir, 'sk-oci')}:app`, `oci-archive:${join(dir, 'sk-ociarch.tar')}:v3`]);
    skopeo(['copy', '--dest-compress', `oci:${join(dir, 'sk-oci')}:app`, `oci:${join(dir, 'sk-gz')}:gz`]);
    const other = home();
    const l1 = await run(other, `docker load -i ${join(dir, 'sk-docker.tar')}`);
    expect(l1.errors).toEqual([]);
    expect(l1.out).toBe('Loaded image: skopeo/app:v2\n');
    // an OCI ref.name that is only a tag names no repository: loaded untagged
    const l2 = await run(other, `docker load -i ${join(dir, 'sk-ociarch.tar')}`);
    expect(l2.errors).toEqual([]);
    expect(l2.out).toBe(`Loaded image ID: sha256:${app.imageId}\n`);
    const store = openStore(other);
    expect(store.listImages().map((i) => i.imageId).sort()).toEqual([base.imageId, app.imageId].sort());
    expect(await flat(other, store.findImage(app.imageId)!)).toEqual(await flat(root, app));
    expect(await store.check()).toEqual([]);
    // gzip layers (skopeo compressed them) in an oci-archive made with tar from the layout
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync('tar', ['cf', join(dir, 'sk-gz.tar'), '-C', join(dir, 'sk-gz'), '.']).status).toBe(0);
    const third = home();
    const l3 = await run(third, `docker load -i ${join(dir, 'sk-gz.tar')}`);
    expect(l3.errors).toEqual([]);
    expect(openStore(third).listImages().map((i) => i.imageId)).toContain(app.imageId);
  });
});

describe('corrupt and hostile archives', () => {
  /** A docker archive (manifest.json, config, one layer) from raw layer bytes. */
  function archiveWithLayer(layer: Buffer, diffId = sha256(layer), extra: Array<[string, Buffer]> = []): Buffer {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: [diffId] } }));
    const files: Array<[string, Buffer]> = [
      ['layer.tar', layer],
      ['config.json', config],
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: ['evil:latest'], Layers: ['layer.tar'] }]))],
      ...extra,
    ];
    return Buffer.concat([
      ...files.flatMap(([name, data]) => [encodeHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, linkname: '', uname: '', gname: '' }), data, padding(data.length)]),
      Buffer.alloc(2 * BLOCK),
    ]);
  }

  function rawEntry(name: string, body: string, type = '0', linkname = ''): Buffer {
    const b = Buffer.alloc(512);
    b.write(name, 0);
    b.write('0000644\0', 100);
    b.write('0000000\0', 108);
    b.write('0000000\0', 116);
    b.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    b.write('00000000000\0', 136);
    b.write(type, 156);
    b.write(linkname, 157);
    b.write('ustar\u000000', 257, 'binary');
    b.fill(' ', 148, 156);
    let sum = 0;
    for (const x of b) sum += x;
    b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    return Buffer.concat([b, Buffer.from(body), padding(body.length)]);
  }

  test('each ends in a clear error; the store is unchanged and consistent', async () => {
    const { root } = await seeded();
    const store = openStore(root);
    const catalog = readFileSync(join(root, 'catalog.json'), 'utf8');
    const good = Buffer.concat([rawEntry('a.txt', 'a'), Buffer.alloc(1024)]);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['climbs out', archiveWithLayer(Buffer.concat([rawEntry('../evil', 'x'), Buffer.alloc(1024)])), /climbs out of the layer root/],
      ['absolute', archiveWithLayer(Buffer.concat([rawEntry('/etc/passwd', 'x'), Buffer.alloc(1024)])), /absolute paths are not allowed/],
      ['symlink escape', archiveWithLayer(Buffer.concat([rawEntry('l', '', '2', '../../etc'), Buffer.alloc(1024)])), /escapes the layer root/],
      ['through a symlink', archiveWithLayer(Buffer.concat([rawEntry('d', '', '2', 'x'), rawEntry('d/f', 'x'), Buffer.alloc(1024)])), /is a symlink in the same layer/],
      ['wrong diff_id', archiveWithLayer(good, sha256('something else')), /digest mismatch|diff_id/],
      ['truncated', archiveWithLayer(good).subarray(0, 1500), /truncated|unexpected end|not in the archive/],
      ['manifest names a missing layer', Buffer.concat([
        rawEntry('manifest.json', JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['nope.tar'] }])),
        rawEntry('c.json', JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: [sha256('')] } })),
        Buffer.alloc(1024),
      ]), /"nope.tar" is not in the archive/],
      ['archive path escapes', Buffer.concat([rawEntry('manifest.json', JSON.stringify([{ Config: '../../etc/passwd', Layers: [] }])), Buffer.alloc(1024)]), /climbs out/],
    ];
    for (const [what, bytes, message] of cases) {
      const f = join(dir, `bad-${what.replace(/ /g, '-')}.tar`);
      writeFileSync(f, bytes);
      const r = await run(root, `docker load -i ${f}`);
      expect({ what, errors: r.errors.length }).toEqual({ what, errors: 1 });
      expect(r.errors[0]).toMatch(/^Error response from daemon: /);
      expect({ what, error: r.errors[0] }).toEqual({ what, error: expect.stringMatching(message) });
      expect(readFileSync(join(root, 'catalog.json'), 'utf8')).toBe(catalog);
    }
    expect(await store.check()).toEqual([]);
    const t = await run(root, 'Test-ContainerImageStore');
    expect(t.errors).toEqual([]);
    // nothing half-written was left behind either
    expect(await store.optimize()).toMatchObject({ blobsRemoved: 0, layersRemoved: 0 });
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });
});

describe('crash safety', () => {
  test('SIGKILL at spread durable steps of docker load leaves a consistent store; the load then completes', async () => {
    const { root, base, app } = await seeded();
    const file = join(dir, 'crash.tar');
    expect((await run(root, `docker save -o ${file} app:1.0 nanoserver:latest`)).errors).toEqual([]);
    // Two starting points: an empty store (both images new) and one with the base (reused).
    const withBase = home();
    await openStore(withBase).importWim(join(dir, 'nano.wim'));
    const expected = 'Loaded image: app:1.0\nLoaded image: nanoserver:latest\n';
    for (const [tag, template] of [['empty', null], ['with-base', withBase]] as const) {
      const countHome = join(dir, `count-${tag}`);
      if (template) copyDir(template, countHome);
      const trace = join(dir, `trace-${tag}`);
      const counted = await posh(`docker load -i ${file}`, dir, countHome, { POSH_STORE_TRACE: trace });
      expect(counted).toMatchObject({ code: 0, stderr: '', stdout: expected });
      const n = readFileSync(trace, 'utf8').trim().split('\n').length;
      expect(n).toBeGreaterThan(6);
      const points = [...new Set(Array.from({ length: 8 }, (_, i) => 1 + Math.round((i * (n - 1)) / 7)))];
      await Promise.all(points.map(async (point) => {
        const h = join(dir, `kill-${tag}-${point}`);
        if (template) copyDir(template, h);
        const killed = await posh(`docker load -i ${file}`, dir, h, { POSH_STORE_FAILPOINT: String(point) });
        expect({ point, code: killed.code }).toEqual({ point, code: null });
        const check = await posh([
          '"problems: $(@(Test-ContainerImageStore).Count)"',
          `docker load -i ${file}`,
          '"problems after: $(@(Test-ContainerImageStore).Count)"',
          '"unreferenced: $((Optimize-ContainerImageStore).BlobsRemoved)"',
        ].join('\n'), dir, h);
        expect({ point, stderr: check.stderr, out: check.stdout }).toEqual({ point, stderr: '', out: `problems: 0\n${expected}problems after: 0\nunreferenced: 0\n` });
        expect(openStore(h).listImages().map((i) => i.imageId).sort()).toEqual([base.imageId, app.imageId].sort());
      }));
    }
  }, 180000);
});

const dockerIt = withDocker ? test : test.skip;
describe('a real Docker Engine', () => {
  let d: Dockerd | undefined;
  beforeAll(async () => {
    if (withDocker) d = await startDockerd();
  }, 60000);
  afterAll(async () => {
    await d?.stop();
  }, 60000);

  dockerIt('refuses our windows/amd64 archive on Linux with the engine\'s own error', async () => {
    const { root } = await seeded();
    const file = join(dir, 'engine-win.tar');
    expect((await run(root, `docker save -o ${file} app:1.0`)).errors).toEqual([]);
    const r = d!.docker(['load', '-i', file]);
    // Docker 20.10's tar loader (image/tarexport/load.go: image.CheckOS) refuses other OSes.
    expect(r).toMatchObject({ status: 1, stdout: '' });
    expect(r.stderr.trim()).toBe('cannot load windows image on linux');
  });

  dockerIt('loads our archive format (config marked linux), and its own save loads back to the same images', async () => {
    const { root, base, app } = await seeded();
    const spec = await imageToOci(openStore(root), app);
    const config = { ...(spec.config as ImageConfig), os: 'linux' };
    delete config['os.version'];
    const file = join(dir, 'engine-linux.tar');
    await writeImageArchiveFile(file, [{ config, layers: spec.layers, repoTags: ['posh/app:linux'] }]);
    const l = d!.docker(['load', '-i', file]);
    expect(l).toMatchObject({ status: 0, stderr: '' });
    expect(l.stdout).toBe('Loaded image: posh/app:linux\n');
    const ins = JSON.parse(d!.docker(['image', 'inspect', 'posh/app:linux']).stdout);
    expect(ins[0].RootFS.Layers).toEqual(spec.layers.map((x) => x.digest));
    expect(ins[0].Os).toBe('linux');
    expect(ins[0].Config.Labels['io.posh-containers.image.name']).toBe('App');

    // The engine's own save (the older <id>/layer.tar layout; layers rebuilt from its tar-split
    // data, so byte-identical) loads back into a fresh store as the same images.
    const back = join(dir, 'engine-save.tar');
    const s = d!.docker(['save', '-o', back, 'posh/app:linux']);
    expect(s).toMatchObject({ status: 0, stderr: '' });
    const other = home();
    const r = await run(other, `docker load -i ${back}`);
    expect(r.errors).toEqual([]);
    expect(r.out).toBe('Loaded image: posh/app:linux\n');
    const store = openStore(other);
    expect(store.listImages().map((i) => i.imageId).sort()).toEqual([base.imageId, app.imageId].sort());
    expect(await flat(other, store.findImage(app.imageId)!)).toEqual(await flat(root, app));
    expect(await store.check()).toEqual([]);

    // The engine applies our layers as we do: the deleted file is gone, the added one there.
    const created = d!.docker(['create', 'posh/app:linux', '/none']);
    expect(created).toMatchObject({ status: 0, stderr: '' });
    const exported = join(dir, 'engine-export.tar');
    expect(d!.docker(['export', '-o', exported, created.stdout.trim()])).toMatchObject({ status: 0 });
    const { spawnSync } = await import('node:child_process');
    const listing = spawnSync('tar', ['tf', exported], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['Windows/app.exe', 'Windows/win.ini', 'empty.txt', 'ini-link']));
    expect(listing).not.toContain('readme.txt');
    expect(spawnSync('tar', ['xOf', exported, 'Windows/app.exe'], { encoding: 'utf8' }).stdout).toBe('MZ app');
    d!.docker(['rm', created.stdout.trim()]);
  });

  dockerIt('an image the engine built (linux, several layers) loads into the store, and saved from it loads back into the engine with the same files', async () => {
    const ctxDir = join(dir, 'build-ctx');
    writeTree(ctxDir, { 'a.txt': 'first', 'dir/one.txt': 'one', 'b.txt': 'second', 'a2.txt': 'replaced' });
    writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nCOPY dir /dir\nCOPY b.txt /dir/b.txt\nCOPY a2.txt /a.txt\n');
    const b = d!.docker(['build', '-q', '-t', 'built/app:1.2', ctxDir], { env: { DOCKER_BUILDKIT: '0' } });
    expect({ status: b.status, stderr: b.stderr }).toMatchObject({ status: 0 });
    const engineFile = join(dir, 'engine-built.tar');
    expect(d!.docker(['save', '-o', engineFile, 'built/app:1.2'])).toMatchObject({ status: 0, stderr: '' });

    const root = home();
    const l = await run(root, `docker load -i ${engineFile}`);
    expect(l.errors).toEqual([]);
    expect(l.out).toBe('Loaded image: built/app:1.2\n');
    const store = openStore(root);
    const top = store.listImages().find((i) => i.tags?.includes('built/app:1.2'))!;
    // Named after the repository's last part; the tag as its version; the engine's platform kept.
    expect(top).toMatchObject({ name: 'app', version: '1.2.0.0', publisher: 'CN=docker.io', os: 'linux', architecture: 'amd64' });
    expect(top.layers).toHaveLength(4);
    const files = (await flat(root, top)).filter((e) => e.kind === 'file').map((e) => e.path).sort();
    expect(files).toEqual(['a.txt', 'dir/b.txt', 'dir/one.txt']);
    expect(readFileSync(store.blobPath((await flat(root, top)).find((e) => e.path === 'a.txt')!.sha256!), 'utf8')).toBe('replaced');
    expect(await store.check()).toEqual([]);

    // Saved by posh (our layer tars, the image's linux platform), loaded back by the engine.
    const ours = join(dir, 'posh-built.tar');
    expect((await run(root, `docker tag built/app:1.2 again/app:1.2; docker save -o ${ours} again/app:1.2`)).errors).toEqual([]);
    const back = d!.docker(['load', '-i', ours]);
    expect(back).toMatchObject({ status: 0, stderr: '', stdout: 'Loaded image: again/app:1.2\n' });
    const c = d!.docker(['create', 'again/app:1.2', '/none']);
    expect(c).toMatchObject({ status: 0 });
    const exported = join(dir, 'engine-again.tar');
    expect(d!.docker(['export', '-o', exported, c.stdout.trim()])).toMatchObject({ status: 0 });
    const { spawnSync } = await import('node:child_process');
    const names = spawnSync('tar', ['tf', exported], { encoding: 'utf8' }).stdout.split('\n').filter((x) => x && !x.endsWith('/') && !/^(dev|proc|sys|etc)\b/.test(x) && x !== '.dockerenv');
    expect(names.sort()).toEqual(['a.txt', 'dir/b.txt', 'dir/one.txt']);
    expect(spawnSync('tar', ['xOf', exported, 'a.txt'], { encoding: 'utf8' }).stdout).toBe('replaced');
    d!.docker(['rm', c.stdout.trim()]);
  });
});

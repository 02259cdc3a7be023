// The store API as the PackageManagement provider and the container cmdlets use it.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, StoreInputError, StoreError, fullNameOf } from '../../core/store';
import { openWim } from '../../core/wim';
import { makeWim, sampleTree } from './helpers';

let dir: string;
beforeAll(async () => {
  dir = makeTempDir('store-api-');
  sampleTree(join(dir, 'src'), 3, 10_000, 2);
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.14300.1010', 'CN=Microsoft', 'Nano Server');
});
afterAll(() => removeTempDir(dir));

test('importWim takes an open reader (left open for the caller), overrides and reports exists/replaced', async () => {
  const store = openStore(join(dir, 'home1'));
  const reader = await openWim(join(dir, 'nano.wim'));
  try {
    const r = await store.importWim(reader, { name: 'Nano', summary: 'from the feed' });
    expect(r.status).toBe('installed');
    expect(fullNameOf(r.image)).toBe('CN=Microsoft_Nano_10.0.14300.1010');
    expect(r.image.summary).toBe('from the feed');
    expect(reader.images[0].name).toBe('NanoServer'); // still open and usable
    expect((await store.importWim(reader, { name: 'Nano' })).status).toBe('exists');
    expect((await store.importWim(reader, { name: 'Nano', force: true })).status).toBe('replaced');
  } finally {
    await reader.close();
  }
  const id = store.listImages()[0].imageId;
  expect(store.findImage(id.slice(0, 12))?.name).toBe('Nano');
  expect(store.findImage(`sha256:${id}`)?.name).toBe('Nano');
  expect(store.findImage('cn=microsoft_nano_10.0.14300.1010')?.imageId).toBe(id);
  expect(store.findImage('CN=Microsoft_Nano_1.0.0.0')).toBeNull();
  expect(await store.check()).toEqual([]);
});

test('importEntries refuses paths that escape the image and links pointing outside, before writing anything', async () => {
  const home = join(dir, 'home2');
  const store = openStore(home);
  const content = async function* () { yield Buffer.from('x'); };
  await expect(store.importEntries({ name: 'Bad', publisher: 'CN=Test', version: '1.0.0.0' }, [
    { path: [], kind: 'directory' },
    { path: ['..', 'etc'], kind: 'file', size: 1, content },
  ])).rejects.toThrow(new StoreInputError("Bad: entry '/../etc': the name '..' is not allowed."));
  await expect(store.importEntries({ name: 'Bad', publisher: 'CN=Test', version: '1.0.0.0' }, [
    { path: [], kind: 'directory' },
    { path: ['a'], kind: 'directory' },
    { path: ['a', 'l'], kind: 'symlink', linkTarget: '../../etc/passwd' },
  ])).rejects.toThrow("Bad: the link '/a/l' points outside the image.");
  await expect(store.importEntries({ name: 'Bad', publisher: 'CN=Test', version: '1.0.0.0' }, [
    { path: [], kind: 'directory' },
    { path: ['a\\b'], kind: 'file', size: 1, content },
  ])).rejects.toThrow('contains a path separator or NUL');
  await expect(store.importEntries({ name: 'Bad', publisher: 'CN=Test', version: '1.0' }, [])).rejects.toThrow(StoreError);
  expect(existsSync(join(home, 'blobs')) ? readdirSync(join(home, 'blobs')) : []).toEqual([]);
  expect(store.listImages()).toEqual([]);
});

test('a file whose content is shorter than declared is refused and leaves nothing', async () => {
  const home = join(dir, 'home3');
  const store = openStore(home);
  await expect(store.importEntries({ name: 'Short', publisher: 'CN=Test', version: '1.0.0.0' }, [
    { path: [], kind: 'directory' },
    { path: ['f'], kind: 'file', size: 10, content: async function* () { yield Buffer.from('abc'); } },
  ])).rejects.toThrow('/f: content has 3 bytes, expected 10.');
  expect(readdirSync(join(home, 'tmp'))).toEqual([]);
  expect(readdirSync(join(home, 'blobs'))).toEqual([]);
  expect(existsSync(join(home, 'pending'))).toBe(false);
  expect(await store.check()).toEqual([]);
});

test('tagImage moves a reference between images, untagImage removes it; both commit the catalog and keep the store healthy', async () => {
  const store = openStore(join(dir, 'home-tags'));
  const a = (await store.importWim(join(dir, 'nano.wim'), { name: 'NanoA' })).image;
  const b = (await store.importWim(join(dir, 'nano.wim'), { name: 'NanoB' })).image;
  expect(a.tags).toBeUndefined();
  await store.tagImage(a.imageId, 'nano:latest');
  await store.tagImage(a.imageId, 'nano:latest');
  await store.tagImage(a.imageId, 'nano:v1');
  expect(openStore(join(dir, 'home-tags')).findImage(a.imageId)?.tags).toEqual(['nano:latest', 'nano:v1']);
  await store.tagImage(b.imageId, 'nano:latest');
  expect(store.findImage(a.imageId)?.tags).toEqual(['nano:v1']);
  expect(store.findImage(b.imageId)?.tags).toEqual(['nano:latest']);
  expect((await store.untagImage('nano:latest'))?.imageId).toBe(b.imageId);
  expect(store.findImage(b.imageId)?.tags).toBeUndefined();
  expect(await store.untagImage('nano:latest')).toBeNull();
  await expect(store.tagImage('0'.repeat(64), 'x:y')).rejects.toThrow(StoreError);
  expect(store.findImage(a.imageId)?.implicitReference).toBeUndefined();
  expect((await store.tagImage(a.imageId, 'nano:v2', { dropImplicitReference: true })).implicitReference).toBe(false);
  expect(store.findImage(a.imageId)?.tags).toEqual(['nano:v1', 'nano:v2']);
  expect(await store.check()).toEqual([]);
});

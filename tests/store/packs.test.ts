// Pack files beside the rest of the store: readers without the lock keep reading while
// Optimize-ContainerImageStore rewrites a pack under them (the export and layer-tar snapshots),
// content already in a pack is not stored a second time as a file of its own, and layer
// manifests keep their own schema (layer ids do not change with the store layout).

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, type ImageRecord } from '../../core/store';
import { layerTarEntries } from '../../core/store-oci/layer-tar';
import { tarChunks } from '../../core/oci/tar';
import { makeWim, sampleTree } from './helpers';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('store-packs-');
});
afterEach(() => removeTempDir(dir));

/** b shares 6 files with a; a removed: a's pack holds b's 6 blobs and 4 dead ones. */
async function sharedPack(): Promise<{ store: ReturnType<typeof openStore>; b: ImageRecord }> {
  sampleTree(join(dir, 'a'), 10, 100_000, 1);
  sampleTree(join(dir, 'b'), 6, 100_000, 1);
  sampleTree(join(dir, 'b', 'iis'), 2, 100_000, 2);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'WindowsServerCore', '10.0.14300.1000');
  await makeWim(join(dir, 'b'), join(dir, 'b.wim'), 'WindowsServerCoreIIS', '1.0.0.0', 'CN=Demo');
  const store = openStore(join(dir, 'home'));
  const { image: a } = await store.importWim(join(dir, 'a.wim'));
  const { image: b } = await store.importWim(join(dir, 'b.wim'));
  await store.removeImage(a);
  return { store, b };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('an export started before Optimize rewrites its pack reads every blob from its snapshot', async () => {
  const { store, b } = await sharedPack();
  const packsBefore = readdirSync(store.packsDir).sort();
  // What Export-ContainerImage does, with the rewrite between the snapshot and the reads.
  const blobs = new Set<string>();
  for (const { entry } of await store.flatten(b.layers)) if (entry.sha256) blobs.add(entry.sha256);
  const snapshot = store.openBlobSnapshot(blobs);
  try {
    expect((await store.optimize()).bytesFreed).toBe(409600);
    expect(readdirSync(store.packsDir).sort()).not.toEqual(packsBefore); // the old pack is gone
    let files = 0;
    for await (const e of store.exportEntries(b, snapshot.locate)) {
      if (!e.content || !e.size) continue;
      const parts: Buffer[] = [];
      for await (const p of await e.content()) parts.push(Buffer.from(p));
      const data = Buffer.concat(parts);
      expect(data.length).toBe(e.size);
      expect(createHash('sha1').update(data).digest('hex')).toBe(e.sha1);
      files++;
    }
    expect(files).toBe(10); // 6 + 2 dll files, two win.ini
  } finally {
    snapshot.close();
  }
  expect(await store.check()).toEqual([]);
});

test('a layer tar (docker save / push) started before Optimize rewrites its pack completes', async () => {
  const { store, b } = await sharedPack();
  const m = await store.readLayer(b.layers[0]);
  const it = layerTarEntries(store, m);
  const first = await it.next(); // the snapshot is taken here
  await store.optimize();
  const got = new Map<string, string>();
  for (let r = first; !r.done; r = await it.next()) {
    const c = r.value.content;
    if (!c || Buffer.isBuffer(c)) continue;
    const parts: Buffer[] = [];
    for await (const p of c as AsyncIterable<Buffer>) parts.push(p);
    got.set(r.value.header.name, sha256(Buffer.concat(parts)));
  }
  for (const e of m.entries) if (e.kind === 'file' && e.sha256) expect(got.get(e.path)).toBe(e.sha256);
});

test('content that is already in a pack is not stored again as a file of its own; a leftover copy goes on Optimize', async () => {
  sampleTree(join(dir, 'a'), 3, 100_000, 1);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'Base', '1.0.0.0');
  const store = openStore(join(dir, 'home'));
  const { image: a } = await store.importWim(join(dir, 'a.wim'));
  const data = readFileSync(join(dir, 'a/Windows/System32/f001.dll'));
  const blobFiles = (): string[] => (existsSync(store.blobsDir) ? readdirSync(store.blobsDir).flatMap((p) => readdirSync(join(store.blobsDir, p))) : []);
  await store.importEntries({ name: 'Child', publisher: 'CN=X', version: '1.0.0.0', parentImageId: a.imageId }, [
    { path: [], kind: 'directory' },
    { path: ['copy.dll'], kind: 'file', size: data.length, content: async function* () { yield data; } },
  ]);
  expect(blobFiles()).toEqual([]);
  expect(store.readCatalog().blobs[sha256(data)]).toHaveLength(5); // still the packed record
  // A copy such a store may hold from before (same content as a packed blob) is removed.
  mkdirSync(join(store.blobsDir, sha256(data).slice(0, 2)), { recursive: true });
  writeFileSync(store.blobPath(sha256(data)), data);
  expect((await store.optimize()).blobsRemoved).toBe(1);
  expect(blobFiles()).toEqual([]);
  expect(await store.check()).toEqual([]);
});

test('layer manifests keep schema 1: the layer id of a tree does not depend on the store layout', async () => {
  sampleTree(join(dir, 'a'), 2, 1000, 1);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'Base', '1.0.0.0');
  const store = openStore(join(dir, 'home'));
  const { image } = await store.importWim(join(dir, 'a.wim'));
  const text = readFileSync(store.layerPath(image.layers[0]), 'utf8');
  expect(JSON.parse(text).schema).toBe(1);
  expect(sha256(Buffer.from(text))).toBe(image.layers[0]);
  expect(store.readCatalog().schema).toBe(2);
});

test('a layer tar abandoned in the middle of a packed blob hands the pack descriptors back once, and only after its reads', async () => {
  sampleTree(join(dir, 'a'), 3, 4_000_000, 1);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'Base', '1.0.0.0');
  const store = openStore(join(dir, 'home'));
  const { image } = await store.importWim(join(dir, 'a.wim'));
  const m = await store.readLayer(image.layers[0]);
  const it = tarChunks(layerTarEntries(store, m), 'layer');
  let bytes = 0;
  while (bytes < 2_000_000) {
    const r = await it.next(); // into the first 4 MB blob
    expect(r.done).toBe(false);
    bytes += (r.value as Buffer).length;
  }
  await it.return(undefined); // the consumer goes away (a client disconnects, a gzip fails)
  // Descriptors opened now get the numbers just freed; nothing of the abandoned tar may close them.
  const mine = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r'), openSync('/dev/null', 'r')];
  await new Promise((r) => setTimeout(r, 200));
  const closedUnderUs = mine.filter((fd) => {
    try {
      fstatSync(fd);
      return false;
    } catch {
      return true;
    }
  });
  for (const fd of mine) closeSync(fd);
  expect(closedUnderUs).toEqual([]);
});

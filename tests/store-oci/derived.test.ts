// A layer's OCI tar digest is derived once and kept in the store's catalog (LayerRecord.derived):
// another process pushing or saving the same layer takes it from there without reading the layer,
// and remembering it never waits for the store lock.

import { createHash } from 'node:crypto';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, StoreLockedError } from '../../core/store';
import { acquireStoreLock } from '../../core/store/lock';
import { makeWim, sampleTree } from '../store/helpers';

type StoreOci = typeof import('../../core/store-oci');

/** A fresh copy of core/store-oci, as another process would have (no in-process memo). */
function freshStoreOci(): StoreOci {
  let m: StoreOci | undefined;
  jest.isolateModules(() => {
    m = require('../../core/store-oci');
  });
  return m!;
}

let dir: string;
beforeEach(() => {
  dir = makeTempDir('store-oci-derived-');
});
afterEach(() => removeTempDir(dir));

test('the tar digest is kept in the catalog and used by the next process without reading the layer', async () => {
  sampleTree(join(dir, 'a'), 3, 50_000, 1);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'Base', '1.0.0.0');
  const store = openStore(join(dir, 'home'));
  const { image } = await store.importWim(join(dir, 'a.wim'));
  const layerId = image.layers[0];

  const first = await freshStoreOci().layerBlob(store, layerId);
  const h = createHash('sha256');
  let size = 0;
  for await (const c of first.open()) {
    h.update(c);
    size += c.length;
  }
  expect(first.digest).toBe(`sha256:${h.digest('hex')}`);
  expect(first.size).toBe(size);
  expect(store.readCatalog().layers[layerId].derived).toEqual({ 'oci-layer-tar/1': `${first.digest} ${size}` });
  expect(await store.check()).toEqual([]);

  // With the layer's content out of reach, another process still gets the digest: it did not read it.
  renameSync(store.packsDir, `${store.packsDir}.away`);
  try {
    const again = await freshStoreOci().layerBlob(store, layerId);
    expect({ digest: again.digest, size: again.size }).toEqual({ digest: first.digest, size });
  } finally {
    renameSync(`${store.packsDir}.away`, store.packsDir);
  }
});

test('remembering never waits for the lock: a locked store refuses at once, and the value is derived again later', async () => {
  sampleTree(join(dir, 'a'), 2, 10_000, 1);
  await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'Base', '1.0.0.0');
  const store = openStore(join(dir, 'home'));
  const { image } = await store.importWim(join(dir, 'a.wim'));
  const layerId = image.layers[0];
  const lock = await acquireStoreLock(store.root);
  try {
    await expect(store.rememberDerived(layerId, 'test/1', 'x')).rejects.toBeInstanceOf(StoreLockedError);
    // layerBlob goes on without it.
    const b = await freshStoreOci().layerBlob(store, layerId);
    expect(b.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  } finally {
    await lock.release();
  }
  expect(store.readCatalog().layers[layerId].derived).toBeUndefined();
  await store.rememberDerived(layerId, 'test/1', 'x');
  expect(store.derivedOf(layerId, 'test/1')).toBe('x');
  // A layer no longer in the store is left alone.
  await store.rememberDerived('0'.repeat(64), 'test/1', 'x');
  expect(store.readCatalog().layers['0'.repeat(64)]).toBeUndefined();
});

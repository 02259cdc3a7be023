// docker rmi of an image a load brought in with untagged parents: the engine deletes the image,
// then each parent left with no reference, child or container, one `Deleted:` line each;
// --no-prune keeps them.

import { join } from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { makeImage } from '../oci/helpers';
import { openStore } from '../../core/store';
import { writeImageArchiveFile } from '../../core/oci';

let dir: string;
let archive: string;
beforeAll(async () => {
  dir = makeTempDir('docker-rmi-');
  const img = await makeImage(dir, 3, false, 'app');
  archive = join(dir, 'foreign.tar');
  await writeImageArchiveFile(archive, [{ config: img.config, layers: img.layers, repoTags: ['foreign/app:2'] }]);
});
afterAll(() => removeTempDir(dir));

async function run(root: string, script: string): Promise<{ out: string[]; errors: string[] }> {
  const { host } = await runInProcess(script, { storeRoot: root });
  return { out: host.output.split('\n').filter(Boolean), errors: host.errors };
}

test('rmi deletes the untagged parents a load made, top first; the store is then empty and consistent', async () => {
  const root = join(dir, 'prune');
  expect((await run(root, `docker load -i ${archive}`)).errors).toEqual([]);
  const store = openStore(root);
  const loaded = store.listImages();
  expect(loaded).toHaveLength(3);
  const top = loaded.find((i) => i.tags?.includes('foreign/app:2'))!;
  const chain = [top.imageId, top.parentImageId!, loaded.find((i) => i.imageId === top.parentImageId)!.parentImageId!];

  const r = await run(root, 'docker rmi foreign/app:2');
  expect(r.errors).toEqual([]);
  expect(r.out).toEqual(['Untagged: foreign/app:2', ...chain.map((id) => `Deleted: sha256:${id}`)]);
  expect(store.listImages()).toEqual([]);
  expect(await store.check()).toEqual([]);
});

test('--no-prune deletes only the named image; a parent with a container stops the pruning', async () => {
  const root = join(dir, 'noprune');
  await run(root, `docker load -i ${archive}`);
  const store = openStore(root);
  const top = store.listImages().find((i) => i.tags?.includes('foreign/app:2'))!;
  const r = await run(root, 'docker rmi --no-prune foreign/app:2');
  expect(r.out).toEqual(['Untagged: foreign/app:2', `Deleted: sha256:${top.imageId}`]);
  expect(store.listImages().map((i) => i.imageId).sort()).toHaveLength(2);

  // Load again (the parents are reused), give the middle image a container, remove the top.
  await run(root, `docker load -i ${archive}`);
  const middle = top.parentImageId!;
  await store.createContainer({ name: 'keep', imageId: middle });
  const again = await run(root, 'docker rmi foreign/app:2');
  expect(again.out).toEqual(['Untagged: foreign/app:2', `Deleted: sha256:${top.imageId}`]);
  expect(store.listImages().map((i) => i.imageId)).toContain(middle);
  expect(await store.check()).toEqual([]);
});

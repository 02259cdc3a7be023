// Containers in the store: materialised roots that never share a writable inode with a blob,
// the diff New-ContainerImage commits (added, changed, deleted, kind changes), chains of derived
// images, and the flattened WIM export of a derived image checked with wimlib-imagex.

import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, StoreDependencyError, StoreError, type ImageRecord } from '../../core/store';
import { haveWimlib, makeWim, wimlib, writeTree } from '../store/helpers';

let dir: string;
beforeAll(async () => {
  dir = makeTempDir('containers-store-');
  writeTree(join(dir, 'src'), {
    'Windows/System32/kernel.dll': 'kernel v1',
    'Windows/System32/drivers/etc/hosts': '127.0.0.1 localhost',
    'Windows/win.ini': '[fonts]',
    'Program Files/app/app.exe': 'app',
    'Program Files/app/data/a.dat': 'aaaa',
    'Program Files/app/data/b.dat': 'bbbb',
    'readme.txt': 'readme',
    'empty.txt': '',
    'dir-to-file/x.txt': 'x',
    'file-to-dir': 'was a file',
  });
  symlinkSync('Windows/win.ini', join(dir, 'src', 'ini-link'));
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.10586.0');
});
afterAll(() => removeTempDir(dir));

/** path → 'd' | 'l:<target>' | file content, for a directory tree (root-relative paths). */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(root, p);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[rel] = `l:${readlinkSync(p).startsWith(root) ? '/' + relative(root, readlinkSync(p)) : readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = 'd';
        walk(p);
      } else out[rel] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

async function freshStore(tag: string): Promise<{ store: ReturnType<typeof openStore>; base: ImageRecord }> {
  const store = openStore(join(dir, `home-${tag}`));
  const { image } = await store.importWim(join(dir, 'nano.wim'));
  return { store, base: image };
}

test('a container root is the image tree; its files are not the blobs (other inodes) and writes stay in it', async () => {
  const { store, base } = await freshStore('materialise');
  const a = await store.createContainer({ name: 'a', imageId: base.imageId });
  const b = await store.createContainer({ name: 'b', imageId: base.imageId });
  expect(a.path).toBe(join(store.root, 'containers', a.containerId));
  expect(a.containerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(a.state).toBe('Off');
  expect(snapshot(a.path!)).toEqual(snapshot(join(dir, 'src')));
  // Every materialised file is its own inode, never a blob file's or a pack's (this archive is
  // uncompressed, so its blobs are in packs).
  const blobInodes = new Set<number>();
  const stored = (d: string): string[] => (existsSync(d) ? readdirSync(d) : []);
  for (const pre of stored(store.blobsDir)) for (const f of readdirSync(join(store.blobsDir, pre))) blobInodes.add(statSync(join(store.blobsDir, pre, f)).ino);
  for (const f of stored(store.packsDir)) blobInodes.add(statSync(join(store.packsDir, f)).ino);
  expect(blobInodes.size).toBeGreaterThan(0);
  const kernel = join(a.path!, 'Windows/System32/kernel.dll');
  expect(statSync(kernel).nlink).toBe(1);
  expect(blobInodes.has(statSync(kernel).ino)).toBe(false);
  // Writing in place (not replacing the file) changes only this container.
  writeFileSync(kernel, 'patched in a', { flag: 'r+' });
  chmodSync(join(a.path!, 'readme.txt'), 0o600);
  writeFileSync(join(a.path!, 'readme.txt'), 'changed');
  expect(readFileSync(join(b.path!, 'Windows/System32/kernel.dll'), 'utf8')).toBe('kernel v1');
  expect(readFileSync(join(b.path!, 'readme.txt'), 'utf8')).toBe('readme');
  expect(await store.check()).toEqual([]); // every blob still has its hashes
  const c = await store.createContainer({ name: 'c', imageId: base.imageId });
  expect(snapshot(c.path!)).toEqual(snapshot(join(dir, 'src')));
  await expect(store.createContainer({ name: 'A', imageId: base.imageId })).rejects.toThrow("A container named 'A' already exists.");
});

test('the diff of a container: added, changed, deleted (one whiteout per deleted directory) and kind changes', async () => {
  const { store, base } = await freshStore('diff');
  const ct = await store.createContainer({ name: 'c', imageId: base.imageId });
  const p = ct.path!;
  writeFileSync(join(p, 'Windows/System32/kernel.dll'), 'kernel v2'); // changed, same size
  writeFileSync(join(p, 'Windows/System32/new.dll'), 'new'); // added
  mkdirSync(join(p, 'Logs/2024'), { recursive: true }); // added directories
  writeFileSync(join(p, 'Logs/2024/log.txt'), 'log');
  rmSync(join(p, 'Program Files/app/data'), { recursive: true }); // deleted directory
  rmSync(join(p, 'readme.txt')); // deleted file
  rmSync(join(p, 'dir-to-file'), { recursive: true });
  writeFileSync(join(p, 'dir-to-file'), 'now a file'); // directory → file
  rmSync(join(p, 'file-to-dir'));
  mkdirSync(join(p, 'file-to-dir'));
  writeFileSync(join(p, 'file-to-dir/inner.txt'), 'inner'); // file → directory
  rmSync(join(p, 'ini-link'));
  symlinkSync('empty.txt', join(p, 'ini-link')); // link retargeted
  const d = await store.diffContainer(ct.containerId);
  const show = d.entries.map((e) => `${e.kind} ${e.path.join('/')}`);
  expect(show).toEqual([
    'whiteout Program Files/app/data',
    'whiteout dir-to-file',
    'whiteout file-to-dir',
    'whiteout readme.txt',
    'directory Logs',
    'directory Logs/2024',
    'file Logs/2024/log.txt',
    'directory Windows',
    'directory Windows/System32',
    'file Windows/System32/kernel.dll',
    'file Windows/System32/new.dll',
    'file dir-to-file',
    'directory file-to-dir',
    'file file-to-dir/inner.txt',
    'symlink ini-link',
  ]);
  expect({ added: d.added, changed: d.changed, deleted: d.deleted }).toEqual({ added: 5, changed: 4, deleted: 2 });
  const r = await store.importEntries({ name: 'Derived', publisher: 'CN=Demo', version: '1.0.0.0', parentImageId: base.imageId, isOSImage: false }, d.entries);
  expect(r.image.layers.slice(0, -1)).toEqual(base.layers);
  expect(r.image.parentImageId).toBe(base.imageId);
  // A container of the derived image has exactly the first container's tree.
  const again = await store.createContainer({ name: 'again', imageId: r.image.imageId });
  expect(snapshot(again.path!)).toEqual(snapshot(p));
  // An unchanged container diffs to nothing.
  expect((await store.diffContainer(again.containerId)).entries).toEqual([]);
});

test('dependents: containers (even stopped) and child images block removal; removing them lets it go', async () => {
  const { store, base } = await freshStore('deps');
  const ct = await store.createContainer({ name: 'c', imageId: base.imageId });
  const e1 = await store.removeImage(base).catch((e: unknown) => e);
  expect(e1).toBeInstanceOf(StoreDependencyError);
  expect((e1 as StoreDependencyError).containers.map((c) => c.name)).toEqual(['c']);
  const child = (await store.importEntries({ name: 'Child', publisher: 'CN=Demo', version: '1.0.0.0', parentImageId: base.imageId }, (await store.diffContainer(ct.containerId)).entries)).image;
  await store.removeContainer(ct.containerId);
  expect(existsSync(ct.path!)).toBe(false);
  const e2 = await store.removeImage(base).catch((e: unknown) => e);
  expect((e2 as Error).message).toBe("The image 'CN=Microsoft_NanoServer_10.0.10586.0' cannot be removed because child image 'CN=Demo_Child_1.0.0.0' depends on it.");
  await store.removeImage(child);
  await store.removeImage(base);
  expect(store.listImages()).toEqual([]);
  await expect(store.removeContainer(ct.containerId)).rejects.toBeInstanceOf(StoreError);
});

test('a root directory no record names (a create that died) is swept by the next mutation', async () => {
  const { store, base } = await freshStore('sweep');
  const keep = await store.createContainer({ name: 'keep', imageId: base.imageId });
  mkdirSync(join(store.containersDir, 'deadbeef.partial', 'x'), { recursive: true });
  writeFileSync(join(store.root, 'pending'), '1\n');
  await store.createContainer({ name: 'next', imageId: base.imageId });
  expect(existsSync(join(store.containersDir, 'deadbeef.partial'))).toBe(false);
  expect(existsSync(keep.path!)).toBe(true);
  rmSync(keep.path!, { recursive: true });
  expect((await store.check()).map((p) => `${p.kind} ${p.id}`)).toEqual(['Container keep']);
});

test('a three-deep chain exports as one flattened WIM image that wimlib-imagex applies to the merged tree', async () => {
  const { store, base } = await freshStore('chain');
  let parent = base;
  const edits: ((p: string) => void)[] = [
    (p) => {
      writeFileSync(join(p, 'one.txt'), 'one');
      rmSync(join(p, 'readme.txt'));
    },
    (p) => {
      writeFileSync(join(p, 'one.txt'), 'one, changed');
      rmSync(join(p, 'Program Files'), { recursive: true });
    },
    (p) => {
      mkdirSync(join(p, 'Program Files'));
      writeFileSync(join(p, 'Program Files/back.txt'), 'back');
    },
  ];
  let last = '';
  for (let i = 0; i < edits.length; i++) {
    const ct = await store.createContainer({ name: `c${i}`, imageId: parent.imageId });
    edits[i](ct.path!);
    last = ct.path!;
    const d = await store.diffContainer(ct.containerId);
    parent = (await store.importEntries({ name: `Level${i + 1}`, publisher: 'CN=Demo', version: '1.0.0.0', parentImageId: parent.imageId, isOSImage: false }, d.entries)).image;
  }
  expect(parent.layers.length).toBe(4);
  const merged = snapshot(last);
  expect(merged['Program Files/back.txt']).toBe('back');
  expect(merged['Program Files/app']).toBeUndefined();
  expect(merged['readme.txt']).toBeUndefined();
  const tip = await store.createContainer({ name: 'tip', imageId: parent.imageId });
  expect(snapshot(tip.path!)).toEqual(merged);
  const wim = join(dir, 'level3.wim');
  await store.exportWim(parent, wim);
  if (!haveWimlib()) return;
  const out = join(dir, 'applied');
  wimlib(['apply', wim, '1', out]);
  const applied = snapshot(out);
  // wimlib applies image-rooted links as absolute paths under the target; compare link targets by name.
  const norm = (s: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.startsWith('l:') ? v.replace(/^l:.*\//, 'l:') : v]));
  expect(norm(applied)).toEqual(norm(merged));
});

// Identical content in different images is stored once: two images sharing most files take
// little more space than one (measured on disk).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore } from '../../core/store';
import { makeWim, posh, sampleTree } from './helpers';

test('two images sharing 20 of 21 large files take little more space than one', async () => {
  const dir = makeTempDir('store-dedup-');
  const home = join(dir, 'home');
  try {
    sampleTree(join(dir, 'a'), 20, 100_000, 1);
    sampleTree(join(dir, 'b'), 20, 100_000, 1);
    sampleTree(join(dir, 'b', 'iis'), 1, 100_000, 2);
    await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'WindowsServerCore', '10.0.14300.1000');
    await makeWim(join(dir, 'b'), join(dir, 'b.wim'), 'WindowsServerCoreIIS', '1.0.0.0', 'CN=Demo');
    const store = openStore(home);
    expect((await posh('Install-ContainerOSImage a.wim', dir, home)).code).toBe(0);
    const one = await store.diskUsage();
    expect((await posh('Install-ContainerOSImage b.wim', dir, home)).code).toBe(0);
    const two = await store.diskUsage();
    // 2,000,000 bytes of content in the first image; the second adds one 100,000-byte file.
    expect(one).toBeGreaterThan(2_000_000);
    expect(two - one).toBeLessThan(130_000);
    expect(two / one).toBeLessThan(1.07);
    const c = store.readCatalog();
    expect(Object.keys(c.blobs)).toHaveLength(22); // 20 shared + win.ini + the IIS file
    expect(Object.values(c.blobs).filter((b) => b[2] === 2)).toHaveLength(21);
    // Removing one image keeps the shared blobs and frees only its own.
    const r = await posh('Remove-ContainerImage -Name WindowsServerCoreIIS -Force -Verbose', dir, home);
    expect(r).toEqual({ stdout: "VERBOSE: Removed the container image 'CN=Demo_WindowsServerCoreIIS_1.0.0.0'; 100000 bytes freed.\n", stderr: '', code: 0 });
    expect(await store.diskUsage()).toBe(one);
  } finally {
    removeTempDir(dir);
  }
});

test('blobs of a removed image that share a pack file with a live image go when Optimize-ContainerImageStore rewrites the pack', async () => {
  const dir = makeTempDir('store-repack-');
  const home = join(dir, 'home');
  try {
    // a: 10 files; b: the first 6 of them plus 2 of its own. b's install stores only its own 2
    // (its other blobs are in a's pack), so removing a leaves a's pack with 4 dead blobs.
    sampleTree(join(dir, 'a'), 10, 100_000, 1);
    sampleTree(join(dir, 'b'), 6, 100_000, 1);
    sampleTree(join(dir, 'b', 'iis'), 2, 100_000, 2);
    await makeWim(join(dir, 'a'), join(dir, 'a.wim'), 'WindowsServerCore', '10.0.14300.1000');
    await makeWim(join(dir, 'b'), join(dir, 'b.wim'), 'WindowsServerCoreIIS', '1.0.0.0', 'CN=Demo');
    const store = openStore(home);
    expect((await posh('Install-ContainerOSImage a.wim; Install-ContainerOSImage b.wim', dir, home)).code).toBe(0);
    const packs = () => readdirSync(join(home, 'packs')).sort();
    expect(packs()).toHaveLength(2);
    const packOf = (c: ReturnType<typeof store.readCatalog>) => new Set(Object.values(c.blobs).map((b) => b[3]));
    const r = await posh('Uninstall-ContainerOSImage -FullName CN=Microsoft_WindowsServerCore_10.0.14300.1000 -Force -Verbose', dir, home);
    // No pack became empty: nothing freed on disk yet (the 4 blobs only a used are dead space in its pack).
    expect(r).toEqual({ stdout: "VERBOSE: Uninstalled the container OS image 'CN=Microsoft_WindowsServerCore_10.0.14300.1000'; 0 bytes freed.\n", stderr: '', code: 0 });
    expect(packs()).toHaveLength(2);
    const packBytes = () => readdirSync(join(home, 'packs')).reduce((n, f) => n + statSync(join(home, 'packs', f)).size, 0);
    const before = packBytes();
    const oldPacks = packOf(store.readCatalog());
    // 4 blobs of 100,000 bytes, each padded to a 4 KiB boundary in the pack (the last one not).
    const o = await posh('Optimize-ContainerImageStore | ForEach-Object { "$($_.BlobsRemoved) $($_.LayersRemoved) $($_.TempFilesRemoved) $($_.BytesFreed)" }; Test-ContainerImageStore', dir, home);
    expect(o).toEqual({ stdout: '0 0 0 409600\n', stderr: '', code: 0 });
    expect(packs()).toHaveLength(2);
    const after = store.readCatalog();
    expect([...packOf(after)].filter((p) => oldPacks.has(p))).toHaveLength(1); // b's own pack is untouched
    expect(before - packBytes()).toBe(409600);
    // b's content is whole: exported and applied, it equals b's tree.
    const { openWim, extractImage } = await import('../../core/wim');
    expect((await posh('Export-ContainerImage WindowsServerCoreIIS -WimPath out.wim | Out-Null', dir, home)).code).toBe(0);
    const w = await openWim(join(dir, 'out.wim'));
    await extractImage(w, 1, join(dir, 'applied'));
    await w.close();
    for (const f of ['Windows/System32/f005.dll', 'iis/Windows/System32/f001.dll', 'Windows/win.ini']) {
      expect(readFileSync(join(dir, 'applied', f)).equals(readFileSync(join(dir, 'b', f)))).toBe(true);
    }
    // A second run finds nothing to rewrite.
    expect((await posh('(Optimize-ContainerImageStore).BytesFreed', dir, home)).stdout).toBe('0\n');
  } finally {
    removeTempDir(dir);
  }
});

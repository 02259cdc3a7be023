// Identical content in different images is stored once: two images sharing most files take
// little more space than one (measured on disk).

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

// The failure path of every state-changing cmdlet, the dependency rule, a newer store schema,
// corruption found by Test-ContainerImageStore, and lock recovery after a dead holder.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeFileSync, writeSync, closeSync, existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { openStore, type ImageRecord } from '../../core/store';
import { makeWim, posh, sampleTree, writeTree } from './helpers';

let dir: string;
let home: string;

beforeEach(async () => {
  dir = makeTempDir('store-fail-');
  home = join(dir, 'home');
  sampleTree(join(dir, 'nano'), 4, 20_000, 1);
  await makeWim(join(dir, 'nano'), join(dir, 'nano.wim'), 'NanoServer', '10.0.10586.0');
});
afterEach(() => removeTempDir(dir));

async function install(): Promise<ImageRecord> {
  expect((await posh('Install-ContainerOSImage nano.wim', dir, home)).code).toBe(0);
  return openStore(home).listImages()[0];
}

/** A derived image (as New-ContainerImage will make): NanoServerIIS on NanoServer. */
async function child(parent: ImageRecord): Promise<ImageRecord> {
  const r = await openStore(home).importEntries(
    { name: 'NanoServerIIS', publisher: 'CN=Demo', version: '1.0.0.0', parentImageId: parent.imageId },
    [
      { path: [], kind: 'directory' },
      { path: ['inetpub'], kind: 'directory' },
      { path: ['inetpub', 'index.html'], kind: 'file', size: 5, content: async function* () { yield Buffer.from('hello'); } },
      { path: ['Windows', 'win.ini'], kind: 'whiteout' },
    ],
  );
  return r.image;
}

function blobFiles(): string[] {
  const root = join(home, 'blobs');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((p) => readdirSync(join(root, p)));
}

function packFiles(): string[] {
  return existsSync(join(home, 'packs')) ? readdirSync(join(home, 'packs')) : [];
}

type BlobRec = [string, number, number] | [string, number, number, string, number];

function catalogBlobs(): Record<string, BlobRec> {
  return JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8')).blobs;
}

/** Installs nano.wim as an uncompressed archive (blobs packed) or XPRESS-compressed (a file per blob). */
async function installAs(compression: 'none' | 'xpress'): Promise<void> {
  if (compression === 'xpress') {
    // Compressible contents: an archive whose every blob is stored raw installs packed, whatever its compression.
    const files: Record<string, string> = { 'Windows/win.ini': '[fonts]\r\n' };
    for (let i = 0; i < 4; i++) files[`Windows/System32/f${i}.dll`] = `file ${i}, `.repeat(2500); // 20,000 bytes
    writeTree(join(dir, 'nanox'), files);
    await makeWim(join(dir, 'nanox'), join(dir, 'nano.wim'), 'NanoServer', '10.0.10586.0', 'CN=Microsoft', '', 'xpress');
  }
  await install();
  expect(packFiles().length > 0).toBe(compression === 'none');
  expect(blobFiles().length > 0).toBe(compression === 'xpress');
}

test('a corrupt archive (a flipped byte in a file) installs nothing and leaves no blob behind', async () => {
  const wim = readFileSync(join(dir, 'nano.wim'));
  const at = wim.indexOf(Buffer.from(readFileSync(join(dir, 'nano', 'Windows', 'System32', 'f002.dll')).subarray(0, 64)));
  expect(at).toBeGreaterThan(0);
  const fd = openSync(join(dir, 'nano.wim'), 'r+');
  writeSync(fd, Buffer.from([wim[at + 10] ^ 0xff]), 0, 1, at + 10);
  closeSync(fd);
  const r = await posh('Install-ContainerOSImage nano.wim', dir, home);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Install-ContainerOSImage: Failed to install OS image from '.*nano\.wim' with error: Invalid WIM archive: content has SHA-1 [0-9a-f]{40}, expected [0-9a-f]{40}\n$/);
  expect(blobFiles()).toEqual([]);
  expect(packFiles()).toEqual([]);
  expect(readdirSync(join(home, 'tmp'))).toEqual([]);
  expect(existsSync(join(home, 'pending'))).toBe(false);
  expect(await posh('Get-ContainerImage; Test-ContainerImageStore', dir, home)).toEqual({ stdout: '', stderr: '', code: 0 });
});

test('an image with a child image cannot be uninstalled, removed or replaced, even with -Force; the error names the child', async () => {
  const base = await install();
  await child(base);
  const msg = "The image 'CN=Microsoft_NanoServer_10.0.10586.0' cannot be removed because child image 'CN=Demo_NanoServerIIS_1.0.0.0' depends on it.";
  expect(await posh('Uninstall-ContainerOSImage -FullName CN=Microsoft_NanoServer_10.0.10586.0 -Force', dir, home)).toEqual({
    stdout: '', code: 1,
    stderr: `Uninstall-ContainerOSImage: Failed to uninstall OS image 'CN=Microsoft_NanoServer_10.0.10586.0' with error: ${msg}\n`,
  });
  expect(await posh('Remove-ContainerImage -Name NanoServer -Force', dir, home)).toEqual({ stdout: '', code: 1, stderr: `Remove-ContainerImage: ${msg}\n` });
  expect(await posh('Install-ContainerOSImage nano.wim -Force', dir, home)).toEqual({
    stdout: '', code: 1,
    stderr: `Install-ContainerOSImage: Failed to install OS image from '${join(dir, 'nano.wim')}' with error: ${msg}\n`,
  });
  // The child itself is not an OS image: Uninstall-ContainerOSImage refuses, Remove-ContainerImage removes it.
  expect(await posh('Get-ContainerImage -Name NanoServerIIS | Uninstall-ContainerOSImage -Force', dir, home)).toEqual({
    stdout: '', code: 1,
    stderr: "Uninstall-ContainerOSImage: Failed to uninstall OS image 'CN=Demo_NanoServerIIS_1.0.0.0' with error: The image is not a container OS image; use Remove-ContainerImage to remove it.\n",
  });
  expect(await posh('Get-ContainerImage -Name NanoServerIIS | Remove-ContainerImage -Force; (Get-ContainerImage).Name; Test-ContainerImageStore', dir, home)).toEqual({ stdout: 'NanoServer\n', stderr: '', code: 0 });
});

test('containers (stopped and running) block removal; the error names them', async () => {
  const base = await install();
  const store = openStore(home);
  await store.addContainer({ containerId: '6c3e9a0e-0000-4000-8000-000000000001', name: 'web', imageId: base.imageId, state: 'Off', runtimeType: 'Default', created: new Date().toISOString() });
  await store.addContainer({ containerId: '6c3e9a0e-0000-4000-8000-000000000002', name: 'db', imageId: base.imageId, state: 'Running', runtimeType: 'HyperV', created: new Date().toISOString() });
  expect(await posh('Get-ContainerImage | Remove-ContainerImage -Force; (Get-ContainerImage).Name', dir, home)).toEqual({
    stdout: 'NanoServer\n', code: 0, // a non-terminating error; the last statement succeeded
    stderr: "Remove-ContainerImage: The image 'CN=Microsoft_NanoServer_10.0.10586.0' cannot be removed because containers 'web' (stopped), 'db' (running) depend on it.\n",
  });
  await store.removeContainer('6c3e9a0e-0000-4000-8000-000000000002');
  await store.removeContainer('6c3e9a0e-0000-4000-8000-000000000001');
  expect(await posh('Get-ContainerImage | Remove-ContainerImage -Force; Get-ContainerImage', dir, home)).toEqual({ stdout: '', stderr: '', code: 0 });
});

test('Get-ContainerImage | select Name, ParentImage shows the parent as TP5 does', async () => {
  const base = await install();
  await child(base);
  sampleTree(join(dir, 'core'), 2, 1000, 5);
  await makeWim(join(dir, 'core'), join(dir, 'core.wim'), 'WindowsServerCore', '10.0.10586.0');
  expect((await posh('Install-ContainerOSImage core.wim', dir, home)).code).toBe(0);
  const r = await posh('Get-ContainerImage | select Name, ParentImage', dir, home);
  // Rows in install order (the TP5 seed lists NanoServerIIS first; its order is the host's, not a rule).
  expect(r).toEqual({
    stdout: [
      '',
      'Name              ParentImage',
      '----              -----------',
      'NanoServer',
      "NanoServerIIS     ContainerImage (Name = 'NanoServer') [Publisher = 'CN=Microsoft', Version = '10.0.10586.0']",
      'WindowsServerCore',
      '',
      '',
    ].join('\n'),
    stderr: '',
    code: 0,
  });
  // The derived image flattens on export: the whiteout removed win.ini, index.html was added.
  const e = await posh('Export-ContainerImage NanoServerIIS -WimPath iis.wim | Out-Null; Install-ContainerOSImage iis.wim -Force; Get-ContainerImage -Name NanoServerIIS | ForEach-Object { "$($_.IsOSImage) $($_.Size)" }', dir, home);
  expect(e.stderr).toBe('');
  const { openWim } = await import('../../core/wim');
  const w = await openWim(join(dir, 'iis.wim'));
  const paths = (await w.entryList(1)).map((x) => x.path.join('/'));
  await w.close();
  expect(paths).toContain('inetpub/index.html');
  expect(paths).toContain('Windows/System32/f000.dll');
  expect(paths).not.toContain('Windows/win.ini');
});

test.each(['none', 'xpress'] as const)('Export-ContainerImage into a missing folder, and with blob data gone, fails and leaves no file (archive compression %s)', async (compression) => {
  await installAs(compression);
  expect(await posh('Export-ContainerImage NanoServer -WimPath nofolder/x.wim', dir, home)).toEqual({
    stdout: '', code: 1, stderr: `Export-ContainerImage: Cannot find the path '${join(dir, 'nofolder')}' because it does not exist.\n`,
  });
  // Packed: the one pack file goes, and every blob in it is reported. Loose: one blob file goes.
  const blobs = catalogBlobs();
  let victim: string;
  let expected: string;
  if (compression === 'none') {
    expect(packFiles()).toHaveLength(1);
    victim = join(home, 'packs', packFiles()[0]);
    expected = Object.keys(blobs).map((b) => `Blob|${b}|The pack file '${victim}' is missing.\n`).join('');
  } else {
    const prefix = readdirSync(join(home, 'blobs'))[0];
    victim = join(home, 'blobs', prefix, readdirSync(join(home, 'blobs', prefix))[0]);
    expected = `Blob|${victim.split('/').pop()}|The blob file '${victim}' is missing.\n`;
  }
  unlinkSync(victim);
  const r = await posh('Export-ContainerImage NanoServer -WimPath x.wim', dir, home);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^Export-ContainerImage: Failed to export the image 'CN=Microsoft_NanoServer_10.0.10586.0' to '.*x\.wim': ENOENT: no such file or directory, open '.*'\n$/);
  expect(readdirSync(dir).filter((f) => f.startsWith('x.wim'))).toEqual([]);
  // Test-ContainerImageStore reports each missing blob as one object.
  const t = await posh('Test-ContainerImageStore | ForEach-Object { "$($_.Kind)|$($_.Id)|$($_.Problem)" }', dir, home);
  expect(t).toEqual({ stdout: expected, stderr: '', code: 0 });
});

test.each(['none', 'xpress'] as const)('Test-ContainerImageStore reports a corrupted blob and a tampered catalog count, one object per problem (archive compression %s)', async (compression) => {
  await installAs(compression);
  const c = JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8'));
  const [sha, rec] = Object.entries(c.blobs as Record<string, BlobRec>).find(([, v]) => v[1] === 20_000)!;
  const [p, at] = rec.length === 5 ? [join(home, 'packs', `${rec[3]}.pack`), rec[4]] : [join(home, 'blobs', sha.slice(0, 2), sha), 0];
  const fd = openSync(p, 'r+');
  writeSync(fd, Buffer.from('X'), 0, 1, at + 100);
  closeSync(fd);
  c.blobs[sha][2] = 5;
  writeFileSync(join(home, 'catalog.json'), JSON.stringify(c));
  const t = await posh('Test-ContainerImageStore | ForEach-Object { "$($_.Kind)|$($_.Problem)" }', dir, home);
  const lines = t.stdout.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe("Blob|The blob's reference count is 5, expected 1.");
  expect(lines[1]).toMatch(/^Blob\|The blob's content has SHA-256 [0-9a-f]{64}\.$/);
  expect(rec[0]).toMatch(/^[0-9a-f]{40}$/);
});

test('a store written by a newer posh is refused with a clear error; nothing is changed', async () => {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'store.json'), JSON.stringify({ format: 'posh-containers-store', schema: 7 }));
  const msg = `The image store '${home}' has schema version 7, but this version of posh-containers understands schema 2 at most. Upgrade posh-containers to use this store.`;
  expect(await posh('Get-ContainerImage', dir, home)).toEqual({ stdout: '', code: 1, stderr: `Get-ContainerImage: ${msg}\n` });
  expect(await posh('Install-ContainerOSImage nano.wim', dir, home)).toEqual({
    stdout: '', code: 1, stderr: `Install-ContainerOSImage: Failed to install OS image from '${join(dir, 'nano.wim')}' with error: ${msg}\n`,
  });
  expect(existsSync(join(home, 'catalog.json'))).toBe(false);
  expect(existsSync(join(home, 'blobs'))).toBe(false);
});

test("a lock left by a dead process is recovered at once, not after the stale timeout", async () => {
  mkdirSync(join(home, 'store.lock.lock'), { recursive: true });
  writeFileSync(join(home, 'store.lock.lock', 'owner'), `${require('node:os').hostname()}\n999999\n`);
  const t0 = Date.now();
  expect(await posh('Install-ContainerOSImage nano.wim; (Get-ContainerImage).Name', dir, home)).toEqual({ stdout: 'NanoServer\n', stderr: '', code: 0 });
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(existsSync(join(home, 'store.lock.lock'))).toBe(false);
  expect(statSync(join(home, 'catalog.json')).size).toBeGreaterThan(0);
});

test('Optimize-ContainerImageStore removes unreferenced blobs and stale temp files and reports the bytes', async () => {
  await install();
  writeFileSync(join(home, 'tmp', `blob-${deadPid()}-0123456789ab-1.tmp`), Buffer.alloc(1000));
  mkdirSync(join(home, 'blobs', 'ab'), { recursive: true });
  writeFileSync(join(home, 'blobs', 'ab', 'ab'.padEnd(64, '0')), Buffer.alloc(2345));
  expect(await posh('Optimize-ContainerImageStore | ForEach-Object { "$($_.BlobsRemoved) $($_.LayersRemoved) $($_.TempFilesRemoved) $($_.BytesFreed)" }; Test-ContainerImageStore; (Get-ContainerImage).Name', dir, home))
    .toEqual({ stdout: '1 0 1 3345\nNanoServer\n', stderr: '', code: 0 });
});

/** The pid of a process that has exited (and been reaped), so kill(pid, 0) fails with ESRCH. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  expect(r.status).toBe(0);
  return r.pid!;
}

test("the temp sweep keeps a live process's temp files (a download in progress) and removes a dead process's and long-idle ones", async () => {
  await install();
  const live = spawn('sleep', ['120'], { stdio: 'ignore' });
  try {
    const tmp = join(home, 'tmp');
    const download = `download-${live.pid}-aaaaaaaaaaaa.wim`;
    writeFileSync(join(tmp, download), Buffer.alloc(700));
    writeFileSync(join(tmp, `blob-${deadPid()}-bbbbbbbbbbbb-1.tmp`), Buffer.alloc(1000));
    // A live pid's file nobody has written for two days: stale all the same (the pid may be reused).
    const idle = join(tmp, `blob-${live.pid}-cccccccccccc-2.tmp`);
    writeFileSync(idle, Buffer.alloc(300));
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(idle, twoDaysAgo, twoDaysAgo);
    // No owner in the name: kept until idle that long.
    writeFileSync(join(tmp, 'leftover.tmp'), Buffer.alloc(50));
    expect(await posh('Optimize-ContainerImageStore | ForEach-Object { "$($_.TempFilesRemoved) $($_.BytesFreed)" }', dir, home))
      .toEqual({ stdout: '2 1300\n', stderr: '', code: 0 });
    expect(readdirSync(tmp).sort()).toEqual([download, 'leftover.tmp']);
    // The sweep a mutation runs after a crash (the `pending` marker left behind) keeps it too.
    writeFileSync(join(home, 'pending'), '1\n');
    writeFileSync(join(tmp, `rec-${deadPid()}-dddddddddddd-3.tmp`), Buffer.alloc(10));
    expect((await posh('Install-ContainerOSImage nano.wim -Force', dir, home)).code).toBe(0);
    expect(existsSync(join(home, 'pending'))).toBe(false);
    expect(readdirSync(tmp).sort()).toEqual([download, 'leftover.tmp']);
    expect((await posh('Test-ContainerImageStore', dir, home)).stdout).toBe('');
  } finally {
    live.kill();
  }
});

test('a schema 1 store (a file per blob, written before pack files) is read as it is and moves to schema 2 at its next commit', async () => {
  await installAs('xpress');
  const c = JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8'));
  c.schema = 1;
  writeFileSync(join(home, 'catalog.json'), JSON.stringify(c));
  writeFileSync(join(home, 'store.json'), JSON.stringify({ format: 'posh-containers-store', schema: 1 }) + '\n');
  expect(await posh('(Get-ContainerImage).Name; Test-ContainerImageStore', dir, home)).toEqual({ stdout: 'NanoServer\n', stderr: '', code: 0 });
  sampleTree(join(dir, 'other'), 3, 30_000, 9);
  await makeWim(join(dir, 'other'), join(dir, 'other.wim'), 'Other', '1.0.0.0');
  expect(await posh('Install-ContainerOSImage other.wim; (Get-ContainerImage).Name; Test-ContainerImageStore', dir, home)).toEqual({ stdout: 'NanoServer\nOther\n', stderr: '', code: 0 });
  expect(JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8')).schema).toBe(2);
  expect(packFiles()).toHaveLength(1);
  expect(blobFiles().length).toBeGreaterThan(0);
});

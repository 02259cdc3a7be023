// Install-ContainerOSImage against archives made by wimlib-imagex (the independent peer), and
// Export-ContainerImage output that wimlib-imagex applies back to the same tree.

import { linkSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { bytes, haveWimlib, posh, wimlib, writeTree } from './helpers';

const peer = haveWimlib();
const maybe = peer ? describe : describe.skip;

function props(version: string, publisher: string): string[] {
  const [a, b, c, d] = version.split('.');
  return [
    '--image-property', `WINDOWS/VERSION/MAJOR=${a}`, '--image-property', `WINDOWS/VERSION/MINOR=${b}`,
    '--image-property', `WINDOWS/VERSION/BUILD=${c}`, '--image-property', `WINDOWS/VERSION/SPBUILD=${d}`,
    '--image-property', `PUBLISHER=${publisher}`,
  ];
}

maybe('store with wimlib-imagex archives', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = makeTempDir('store-wimlib-');
    home = join(dir, 'home');
    writeTree(join(dir, 'src'), {
      'Windows/System32/ntdll.dll': bytes(200_000, 1),
      'Windows/System32/kernel32.dll': bytes(70_000, 2),
      'Windows/System32/copy.dll': bytes(70_000, 2),
      'Windows/win.ini': '[fonts]\r\n',
      'Program Files/': '',
      'empty.txt': '',
    });
    symlinkSync('System32/ntdll.dll', join(dir, 'src', 'Windows', 'link.dll'));
    linkSync(join(dir, 'src', 'Windows', 'win.ini'), join(dir, 'src', 'Windows', 'system.ini'));
    wimlib(['capture', join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', 'Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server',
      '--compress=lzx', ...props('10.0.14300.1010', 'CN=Microsoft')]);
  });
  afterEach(() => removeTempDir(dir));

  test('a WIM captured with --image-property metadata installs with its Name, Version, Publisher and Summary', async () => {
    const r = await posh('Install-ContainerOSImage -WimPath nano.wim; Get-ContainerImage | ForEach-Object { "$($_.Name)|$($_.Version)|$($_.Publisher)|$($_.IsOSImage)|$($_.FullName)|$($_.Size)" }; Test-ContainerImageStore', dir, home);
    expect(r).toEqual({ stdout: 'NanoServer|10.0.14300.1010|CN=Microsoft|True|CN=Microsoft_NanoServer_10.0.14300.1010|340018\n', stderr: '', code: 0 });
    const catalog = JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8'));
    expect(catalog.images[0].summary).toBe('Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server');
  });

  test('twice without -Force: a warning and nothing changes; with -Force the image is replaced', async () => {
    expect((await posh('Install-ContainerOSImage nano.wim', dir, home)).code).toBe(0);
    const before = readFileSync(join(home, 'catalog.json'));
    const again = await posh('Install-ContainerOSImage nano.wim', dir, home);
    expect(again).toEqual({ stdout: "WARNING: The container OS image 'CN=Microsoft_NanoServer_10.0.14300.1010' is already installed. Use -Force to replace it.\n", stderr: '', code: 0 });
    expect(readFileSync(join(home, 'catalog.json')).equals(before)).toBe(true);
    // A changed archive under the same FullName replaces the installed image with -Force.
    writeTree(join(dir, 'src'), { 'Windows/new.txt': 'added' });
    wimlib(['capture', join(dir, 'src'), join(dir, 'nano2.wim'), 'NanoServer', '--compress=none', ...props('10.0.14300.1010', 'CN=Microsoft')]);
    const forced = await posh('Install-ContainerOSImage nano2.wim -Force; @(Get-ContainerImage).Count; (Get-ContainerImage).Size; Test-ContainerImageStore', dir, home);
    expect(forced).toEqual({ stdout: '1\n340023\n', stderr: '', code: 0 });
    const after = JSON.parse(readFileSync(join(home, 'catalog.json'), 'utf8'));
    expect(after.generation).toBe(2);
    expect(Object.keys(after.layers)).toHaveLength(1);
  });

  test('a utility-VM image at index 2 is ignored; three images are refused', async () => {
    writeTree(join(dir, 'uvm'), { 'Windows/uvm.sys': bytes(5000, 9) });
    wimlib(['append', join(dir, 'uvm'), join(dir, 'nano.wim'), 'UtilityVM']);
    const ok = await posh('Install-ContainerOSImage nano.wim; (Get-ContainerImage).Name; (Get-ContainerImage).Size', dir, home);
    expect(ok).toEqual({ stdout: 'NanoServer\n340018\n', stderr: '', code: 0 });
    wimlib(['append', join(dir, 'uvm'), join(dir, 'nano.wim'), 'Third']);
    const bad = await posh('Install-ContainerOSImage nano.wim -Force', dir, home);
    expect(bad.stderr).toBe(`Install-ContainerOSImage: Failed to install OS image from '${join(dir, 'nano.wim')}' with error: '${join(dir, 'nano.wim')}' contains an unexpected number of images (3).\n`);
    expect(bad.code).toBe(1);
  });

  test('Export-ContainerImage writes a WIM that wimlib-imagex applies to the same tree (None and Xpress)', async () => {
    const r = await posh('Install-ContainerOSImage nano.wim; Export-ContainerImage -Name NanoServer -WimPath out.wim | Out-Null; Export-ContainerImage NanoServer -Version 10.0.14300.1010 -WimPath outx.wim -Compression Xpress | Out-Null', dir, home);
    expect(r).toEqual({ stdout: '', stderr: '', code: 0 });
    for (const f of ['out.wim', 'outx.wim']) {
      wimlib(['verify', join(dir, f)]);
      const dest = join(dir, `applied-${f}`);
      wimlib(['apply', join(dir, f), dest]);
      const d = spawnSync('diff', ['-r', '--no-dereference', join(dir, 'src'), dest], { encoding: 'utf8' });
      expect(d.stdout + d.stderr).toBe('');
      expect(d.status).toBe(0);
      const info = wimlib(['info', join(dir, f)]);
      expect(info).toMatch(/Name:\s+NanoServer\n/);
      expect(info).toMatch(/Major Version:\s+10\n/);
      expect(info).toMatch(/Build:\s+14300\n/);
      // The hard link survives the round trip.
      expect(statSync(join(dest, 'Windows', 'win.ini')).ino).toBe(statSync(join(dest, 'Windows', 'system.ini')).ino);
      rmSync(dest, { recursive: true });
    }
    // Uncompressed: identical file contents stored once in the archive too.
    expect(statSync(join(dir, 'out.wim')).size).toBeLessThan(200_000 + 70_000 + 20_000);
  });
});

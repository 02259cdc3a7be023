// The seeds' offline path: Save-ContainerImage on a connected host, then, on another host (a
// second, separate store with no package source registered and no provider installed),
// Install-ContainerOSImage -WimPath … -Force, verified with Get-ContainerImage (no docker).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, nanoWim, posh, removeTempDir, storeIsEmpty } from './helpers';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('posh-offline-');
});
afterEach(() => removeTempDir(dir));

test('Save-ContainerImage, copy, then Install-ContainerOSImage in a separate store', async () => {
  const online = path.join(dir, 'online-home');
  const offline = path.join(dir, 'offline-home');
  const saved = await posh(dir, `Install-PackageProvider ContainerImage -Force | Out-Null
Find-ContainerImage
Save-ContainerImage -Name NanoServer -Path ./container-image -Force | Out-Null`, {}, online);
  expect(saved).toEqual({
    stdout: `
Name                           Version          Source           Summary
----                           -------          ------           -------
NanoServer                     10.0.14300.1010  ContainerImag... Container OS Image of Windows Server 2016 Technical...
WindowsServerCore              10.0.14300.1000  ContainerImag... Container OS Image of Windows Server 2016 Technical...

`,
    stderr: '',
    code: 0,
  });
  // The archive as the feed serves it, verified; nothing was installed on the connected host.
  expect(fs.readFileSync(path.join(dir, 'container-image', 'NanoServer.wim')).equals(fs.readFileSync(nanoWim))).toBe(true);
  expect(storeIsEmpty(online).images).toBe(0);

  // "Copy it to the offline host": a different folder and a store that has never seen a source.
  const media = path.join(dir, 'usb');
  fs.mkdirSync(media);
  fs.copyFileSync(path.join(dir, 'container-image', 'NanoServer.wim'), path.join(media, 'NanoServer.wim'));
  const before = await posh(dir, 'Get-PackageSource; Find-ContainerImage', {}, offline);
  expect(before.code).toBe(1);
  expect(before.stdout).toBe('');
  expect(before.stderr).toContain("Find-ContainerImage: The term 'Find-ContainerImage' is not recognized");

  const installed = await posh(dir, 'Install-ContainerOSImage -WimPath ./usb/NanoServer.wim -Force', {}, offline);
  expect(installed).toEqual({ stdout: '', stderr: '', code: 0 });
  const list = await posh(dir, 'Get-ContainerImage', {}, offline);
  expect(list).toEqual({
    stdout: `
Name       Publisher    Version         IsOSImage
----       ---------    -------         ---------
NanoServer CN=Microsoft 10.0.14300.1010 True

`,
    stderr: '',
    code: 0,
  });
  const same = await posh(dir, 'Get-ContainerImage | Select-Object -ExpandProperty FullName', {}, offline);
  expect(same.stdout).toBe('CN=Microsoft_NanoServer_10.0.14300.1010\n');
  expect(fs.existsSync(path.join(offline, 'packagemanagement'))).toBe(false);
});

test('the image installed online and offline has the same ImageId', async () => {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const online = await posh(dir, `Install-PackageProvider ContainerImage -Force | Out-Null
Install-ContainerImage -Name NanoServer | Out-Null
Save-ContainerImage -Name NanoServer -Path ./saved -Force | Out-Null
Get-ContainerImage | Select-Object -ExpandProperty ImageId`, {}, a);
  const offline = await posh(dir, 'Install-ContainerOSImage -WimPath ./saved/NanoServer.wim -Force; Get-ContainerImage | Select-Object -ExpandProperty ImageId', {}, b);
  expect(online.stderr).toBe('');
  expect(offline.stderr).toBe('');
  expect(online.stdout).toMatch(/^[0-9a-f]{64}\n$/);
  expect(offline.stdout).toBe(online.stdout);
});

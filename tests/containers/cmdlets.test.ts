// The container cmdlets in-process: Uptime while Running, objects and ids from the pipeline,
// New-ContainerImage's verbose counts, and Remove-Container confirmation answered by a user.

import { join } from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { makeWim, writeTree } from '../store/helpers';

let dir: string;
let home: string;
beforeAll(async () => {
  dir = makeTempDir('containers-cmdlets-');
  writeTree(join(dir, 'src'), { 'Windows/win.ini': '[fonts]', 'a.txt': 'a', 'b.txt': 'b' });
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.10586.0');
});
afterAll(() => removeTempDir(dir));
beforeEach(() => {
  home = join(dir, `home-${Math.random().toString(36).slice(2)}`);
});

test('Uptime counts from Start-Container while Running and is zero when Off', async () => {
  const { host, ok } = await runInProcess(`Install-ContainerOSImage '${join(dir, 'nano.wim')}'
New-Container -Name u -ContainerImageName NanoServer | Out-Null
(Get-Container u).Uptime.ToString()
Start-Container u
Start-Sleep -Milliseconds 1100
$t = (Get-Container u).Uptime
$t.TotalSeconds -ge 1
$t.TotalSeconds -lt 30
(Stop-Container u -PassThru).Uptime.TotalSeconds`, { storeRoot: home });
  expect(host.errors).toEqual([]);
  expect(ok).toBe(true);
  expect(host.output).toBe('00:00:00\nTrue\nTrue\n0\n');
});

test('New-Container takes an ImageId or FullName as -ContainerImage; New-ContainerImage -Verbose counts the changes', async () => {
  const { host } = await runInProcess(`Install-ContainerOSImage '${join(dir, 'nano.wim')}'
$id = (Get-ContainerImage NanoServer).ImageId
$a = New-Container -Name a -ContainerImage $id
$b = 'CN=Microsoft_NanoServer_10.0.10586.0' | New-Container -Name b
$b.ParentImageName
Set-Content (Join-Path $a.Path 'new.txt') 'new'
Set-Content (Join-Path $a.Path 'a.txt') 'A2'
Remove-Item (Join-Path $a.Path 'b.txt')
$i = New-ContainerImage -Container $a -Name D -Publisher CN=Demo -Version 2.1 -Verbose
$i.FullName
$i.IsOSImage
$i.ParentImage.FullName
New-Container -Name c -ContainerImage 'nope'`, { storeRoot: home });
  expect(host.output).toBe('NanoServer\nCN=Demo_D_2.1.0.0\nFalse\nCN=Microsoft_NanoServer_10.0.10586.0\n');
  expect(host.verbose).toContain("Container 'a': 1 added, 1 changed, 1 deleted.");
  expect(host.errors.length).toBe(1);
  expect(host.errors[0]).toMatch(/\| No container image with the ImageId or FullName 'nope' was found\.$/);
});

test('Remove-Container -Confirm asks; a "no" keeps the container and its root', async () => {
  const script = `Install-ContainerOSImage '${join(dir, 'nano.wim')}'
$c = New-Container -Name k -ContainerImageName NanoServer
Remove-Container k -Confirm
@(Get-Container).Count
Test-Path $c.Path
Remove-Container k -Confirm
@(Get-Container).Count
Test-Path $c.Path`;
  const { host } = await runInProcess(script, { storeRoot: home, interactive: true, answers: ['N', 'Y'] });
  expect(host.errors).toEqual([]);
  expect(host.output).toContain('1\nTrue\n');
  expect(host.output.endsWith('0\nFalse\n')).toBe(true);
});

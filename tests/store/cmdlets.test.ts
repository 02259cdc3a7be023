// The store cmdlets in-process: progress records, filters, and confirmation answered by a user.

import { join } from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { makeWim, sampleTree } from './helpers';

let dir: string;
let home: string;
beforeAll(async () => {
  dir = makeTempDir('store-cmdlets-');
  sampleTree(join(dir, 'src'), 3, 50_000, 4);
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.14300.1010');
  await makeWim(join(dir, 'src'), join(dir, 'nano-old.wim'), 'NanoServer', '10.0.10586.0');
  await makeWim(join(dir, 'src'), join(dir, 'demo.wim'), 'DemoImage', '1.0.0.0', 'CN=Demo');
});
afterAll(() => removeTempDir(dir));
beforeEach(() => {
  home = join(dir, `home-${Math.random().toString(36).slice(2)}`);
});

test('Install-ContainerOSImage reports progress under "Expanding..." from 0 to 100 and completes it', async () => {
  const { host, ok } = await runInProcess(`Install-ContainerOSImage '${join(dir, 'nano.wim')}'`, { storeRoot: home });
  expect(ok).toBe(true);
  const p = host.progress.filter((r) => r.activity === 'Expanding...');
  expect(p[0]).toMatchObject({ activityId: 1, percentComplete: 0 });
  expect(p.some((r) => r.percentComplete === 100)).toBe(true);
  expect(p[p.length - 1]).toMatchObject({ activityId: 1, completed: true });
  const pcts = p.filter((r) => !r.completed).map((r) => r.percentComplete!);
  expect([...pcts].sort((a, b) => a - b)).toEqual(pcts);
});

test('Get-ContainerImage filters by wildcard name, publisher and version', async () => {
  const install = ['nano.wim', 'nano-old.wim', 'demo.wim'].map((f) => `Install-ContainerOSImage '${join(dir, f)}'`).join('; ');
  const { host, ok } = await runInProcess(`${install}
(Get-ContainerImage -Name nano* | ForEach-Object { $_.Version.ToString() }) -join ','
(Get-ContainerImage -Publisher CN=Demo).Name
(Get-ContainerImage -Name NanoServer -Version 10.0.10586.0).FullName
(Get-ContainerImage -Publisher 'CN=M*' | Measure-Object).Count
@(Get-ContainerImage -Name Zzz*).Count`, { storeRoot: home });
  expect(host.errors).toEqual([]);
  expect(ok).toBe(true);
  expect(host.output).toBe('10.0.14300.1010,10.0.10586.0\nDemoImage\nCN=Microsoft_NanoServer_10.0.10586.0\n2\n0\n');
});

test('Uninstall-ContainerOSImage and Remove-ContainerImage ask; N keeps the image, Y removes it', async () => {
  const setup = `Install-ContainerOSImage '${join(dir, 'nano.wim')}'; Install-ContainerOSImage '${join(dir, 'demo.wim')}'`;
  const no = await runInProcess(`${setup}; Uninstall-ContainerOSImage CN=Microsoft_NanoServer_10.0.14300.1010; Remove-ContainerImage DemoImage; @(Get-ContainerImage).Count`, { storeRoot: home, interactive: true, answers: ['N', 'N'] });
  expect(no.host.errors).toEqual([]);
  expect(no.host.output).toBe('2\n');
  expect(no.host.hostText).toBe(
    'Uninstall container OS image\n' +
    "Are you sure you want to uninstall the container OS image 'CN=Microsoft_NanoServer_10.0.14300.1010'?\n" +
    '[Y] Yes  [N] No  [S] Suspend  [?] Help (default is "Y"): ' +
    'Remove container image\n' +
    "Are you sure you want to remove the container image 'CN=Demo_DemoImage_1.0.0.0'?\n" +
    '[Y] Yes  [N] No  [S] Suspend  [?] Help (default is "Y"): ',
  );
  const yes = await runInProcess('Uninstall-ContainerOSImage CN=Microsoft_NanoServer_10.0.14300.1010; Remove-ContainerImage DemoImage; @(Get-ContainerImage).Count', { storeRoot: home, interactive: true, answers: ['Y', 'Y'] });
  expect(yes.host.errors).toEqual([]);
  expect(yes.host.output).toBe('0\n');
});

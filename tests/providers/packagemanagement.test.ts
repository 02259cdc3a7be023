// PackageManagement with a third-party provider loaded by Import-PackageProvider from a path,
// and the generic cmdlets' behaviour (untrusted confirmation, errors, version parameters).

import * as path from 'node:path';
import { makeTempDir, posh, removeTempDir } from './helpers';

const demo = path.join(__dirname, 'fixtures', 'demo-provider.js');
let dir: string;
beforeEach(() => {
  dir = makeTempDir('posh-pm-');
});
afterEach(() => removeTempDir(dir));

test('Import-PackageProvider from a path, then Find/Install/Get/Uninstall-Package through it', async () => {
  const imp = `Import-PackageProvider '${demo}' | Out-Null`;
  const a = await posh(dir, `${imp}; Get-PackageProvider`);
  expect(a).toEqual({ stdout: `
Name Version DynamicOptions
---- ------- --------------
Demo 2.0.0.0 Flavor

`, stderr: '', code: 0 });
  const b = await posh(dir, `${imp}; Find-Package -ProviderName Demo -AllVersions | Select-Object Name, Version, Source`);
  expect(b.stdout).toBe(`
Name     Version  Source
----     -------  ------
DemoTool 1.2.0.0  DemoSource
DemoTool 1.10.0.0 DemoSource
DemoLib  0.9.0.0  DemoSource

`);
  const c = await posh(dir, `${imp}; Find-Package -ProviderName Demo -Name DemoTool | Install-Package -Force | Select-Object Name, Version, Status`);
  expect(c).toEqual({ stdout: `
Name     Version  Status
----     -------  ------
DemoTool 1.10.0.0 Installed

`, stderr: '', code: 0 });
  const d = await posh(dir, `${imp}; Get-Package -ProviderName Demo | Select-Object -ExpandProperty Version; Uninstall-Package -Name DemoTool -ProviderName Demo -Force | Out-Null; Get-Package -ProviderName Demo -Name DemoTool`);
  expect(d.stdout).toBe('1.10.0.0\n');
  expect(d.stderr).toBe("Get-Package: No package found for 'DemoTool'.\n");
});

test('an untrusted source without -Force: the non-interactive host cannot ask', async () => {
  const r = await posh(dir, `Import-PackageProvider '${demo}' | Out-Null; Install-Package -Name DemoLib -ProviderName Demo`);
  expect(r).toEqual({ stdout: '', stderr: 'Install-Package: PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.\n', code: 1 });
});

test('unknown providers, unknown sources and PackageManagement version-parameter messages', async () => {
  const r = await posh(dir, `Find-Package -ProviderName Nope
Install-PackageProvider ContainerImage -Force | Out-Null
Find-Package -Name NanoServer -Source Nowhere
Find-Package -Name NanoServer -AllVersions -RequiredVersion 1.0.0
Find-Package -Name NanoServer -MinimumVersion 2.0.0 -MaximumVersion 1.0.0
Get-PackageProvider -Name Nope
Import-PackageProvider ./missing-provider.js`);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => /^ {5}\| [^~ ]/.test(l) || /^[A-Za-z-]+: \S/.test(l)).map((l) => l.replace(/^ {5}\| /, ''));
  expect(lines).toEqual([
    'Find-Package: Unable to find package providers (Nope).',
    "Unable to find package source 'Nowhere'. Use Get-PackageSource to see all available package sources.",
    'You cannot use the parameter AllVersions with RequiredVersion, MinimumVersion or MaximumVersion in the same command.',
    "The specified MinimumVersion '2.0.0' is greater than the specified MaximumVersion '1.0.0'",
    "Unable to find package provider 'Nope'. It may not be imported yet. Try 'Get-PackageProvider -ListAvailable'.",
    `The specified file '${path.join(dir, 'missing-provider.js')}' is not found.`,
  ]);
});

test('Save-Package through the ContainerImage provider', async () => {
  const r = await posh(dir, `Install-PackageProvider ContainerImage -Force | Out-Null
Save-Package -Name WindowsServerCore -ProviderName ContainerImage -Path ./out -Force | Select-Object Name, Version, Status
Get-ChildItem ./out | Select-Object -ExpandProperty Name`);
  expect(r).toEqual({
    stdout: `
Name              Version         Status
----              -------         ------
WindowsServerCore 10.0.14300.1000 Downloaded
WindowsServerCore.wim

`,
    stderr: '',
    code: 0,
  });
});

test('Install-Package / Get-Package / Uninstall-Package for container images', async () => {
  const first = await posh(dir, `Install-PackageProvider ContainerImage -Force | Out-Null
Install-Package -Name NanoServer -ProviderName ContainerImage | Select-Object Name, Version, Status, FullName`);
  expect(first).toEqual({ stdout: `
Name       Version         Status    FullName
----       -------         ------    --------
NanoServer 10.0.14300.1010 Installed CN=Microsoft_NanoServer_10.0.14300.1010

`, stderr: '', code: 0 });
  const again = await posh(dir, 'Install-Package -Name NanoServer -ProviderName ContainerImage | Select-Object -ExpandProperty Status');
  expect(again).toEqual({ stdout: 'WARNING: Skipping installed package NanoServer 10.0.14300.1010. Use -Force to reinstall.\nInstalled\n', stderr: '', code: 0 });
  const got = await posh(dir, 'Get-Package -ProviderName ContainerImage | Select-Object Name, Version, Status, FullName');
  expect(got.stdout).toBe(`
Name       Version         Status    FullName
----       -------         ------    --------
NanoServer 10.0.14300.1010 Installed CN=Microsoft_NanoServer_10.0.14300.1010

`);
  const un = await posh(dir, 'Get-Package -Name NanoServer | Uninstall-Package | Out-Null; Get-ContainerImage | Measure-Object | Select-Object -ExpandProperty Count');
  expect(un).toEqual({ stdout: '0\n', stderr: '', code: 0 });
});

test('Install-ContainerImage reports download and install progress through Write-Progress', async () => {
  const { runInProcess } = await import('../helpers/posh');
  const r = await runInProcess('Install-PackageProvider ContainerImage -Force | Out-Null; Install-ContainerImage -Name NanoServer', { storeRoot: path.join(dir, 'home') });
  expect(r.host.errors).toEqual([]);
  expect(r.host.output).toBe('Downloaded in 0 hours, 0 minutes, 0 seconds.\n');
  const acts = r.host.progress.map((p) => `${p.activity}|${p.completed ? 'done' : p.percentComplete}`);
  expect(acts[0]).toBe('Downloading NanoServer 10.0.14300.1010 from ContainerImageGallery|100');
  expect(acts).toContain('Downloading NanoServer 10.0.14300.1010 from ContainerImageGallery|done');
  expect(acts[acts.length - 1]).toBe('Installing NanoServer 10.0.14300.1010|done');
  expect(r.host.progress[0].status).toBe('164.43 KB of 164.43 KB');
});

test('Import-PackageProvider by npm package name (resolved from the current folder)', async () => {
  const pkg = path.join(dir, 'node_modules', 'posh-demo-provider');
  require('node:fs').mkdirSync(pkg, { recursive: true });
  require('node:fs').writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'posh-demo-provider', version: '2.0.0', main: 'provider.js' }));
  require('node:fs').copyFileSync(demo, path.join(pkg, 'provider.js'));
  const r = await posh(dir, 'Import-PackageProvider posh-demo-provider | Select-Object Name, ProviderPath; Import-PackageProvider no-such-provider-package');
  expect(r.stdout).toBe(`
Name ProviderPath
---- ------------
Demo ${path.join(pkg, 'provider.js')}

`);
  expect(r.stderr).toBe("Import-PackageProvider: No match was found for the specified search criteria and provider name 'no-such-provider-package'. Try 'Get-PackageProvider -ListAvailable' to see if the provider exists on the system.\n");
});

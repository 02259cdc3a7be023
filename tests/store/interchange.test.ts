// ContainerImage objects crossing a process boundary as CLIXML (SPEC §3):
// `posh -OutputFormat Xml Get-ContainerImage | posh -InputFormat Xml Remove-ContainerImage -Force`.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, poshBin, removeTempDir } from '../helpers/posh';
import { makeWim, posh, sampleTree } from './helpers';

test('deserialized ContainerImage objects remove and uninstall the images they describe', async () => {
  const dir = makeTempDir('store-xml-');
  const home = join(dir, 'home');
  try {
    sampleTree(join(dir, 'src'), 2, 1000, 3);
    await makeWim(join(dir, 'src'), join(dir, 'a.wim'), 'NanoServer', '10.0.14300.1010');
    await makeWim(join(dir, 'src'), join(dir, 'b.wim'), 'WindowsServerCore', '10.0.14300.1000');
    expect((await posh('Install-ContainerOSImage a.wim; Install-ContainerOSImage b.wim', dir, home)).code).toBe(0);
    const env = { ...process.env, POSH_CONTAINERS_HOME: home };
    const p = `'${process.execPath}' '${poshBin}'`;
    const r = spawnSync('sh', ['-c', `${p} -OutputFormat Xml Get-ContainerImage -Name NanoServer | ${p} -InputFormat Xml Remove-ContainerImage -Force`], { cwd: dir, env, encoding: 'utf8' });
    expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ stdout: '', stderr: '', status: 0 });
    const u = spawnSync('sh', ['-c', `${p} -OutputFormat Xml Get-ContainerImage | ${p} -InputFormat Xml -c '$input | Uninstall-ContainerOSImage -Force'`], { cwd: dir, env, encoding: 'utf8' });
    expect({ stdout: u.stdout, stderr: u.stderr, status: u.status }).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(await posh('Get-ContainerImage; Test-ContainerImageStore', dir, home)).toEqual({ stdout: '', stderr: '', code: 0 });
  } finally {
    removeTempDir(dir);
  }
});

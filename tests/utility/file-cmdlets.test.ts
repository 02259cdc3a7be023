// The file cmdlets in-process: Get-ChildItem's Unix table view (pwsh 7.4's childrenWithUnixStat
// in FileSystem_format_ps1xml.cs), read-only files, encodings, and the helpers behind them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluate, makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { joinTwo } from '../../cmdlets/utility/Join-Path';
import { splitLines } from '../../cmdlets/utility/Get-Content';
import { decodeText, encodeText, unixMode } from '../../cmdlets/utility/filesystem';
import { PSObject } from '../../core/engine/values';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => removeTempDir(dir));

const q = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** Runs a script with the location set to the test's directory. */
async function run(script: string) {
  return runInProcess(`Set-Location ${q(dir)}\n${script}`);
}

describe('Get-ChildItem output on Unix', () => {
  test('the UnixMode/User/Group/LastWriteTime/Size/Name table grouped by directory', async () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'b.txt'), 'hello');
    fs.writeFileSync(path.join(dir, 'a.log'), '');
    fs.chmodSync(path.join(dir, 'b.txt'), 0o640);
    fs.chmodSync(path.join(dir, 'a.log'), 0o644);
    fs.chmodSync(path.join(dir, 'sub'), 0o755);
    const when = new Date(2026, 2, 5, 7, 8, 9);
    for (const n of ['sub', 'b.txt', 'a.log']) fs.utimesSync(path.join(dir, n), when, when);
    const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    const dirSize = fs.statSync(path.join(dir, 'sub')).size;
    const { host, ok } = await run('Get-ChildItem');
    expect(ok).toBe(true);
    expect(host.errors).toEqual([]);
    const row = (mode: string, size: number, name: string) =>
      `${mode.padEnd(10)} ${user.padStart(10)} ${group.padEnd(10)} ${'03/05/2026 07:08'.padStart(16)} ${String(size).padStart(12)} ${name}`;
    expect(host.output).toBe(
      [
        '',
        `    Directory: ${dir}`,
        '',
        'UnixMode         User Group         LastWriteTime         Size Name',
        '--------         ---- -----         -------------         ---- ----',
        row('drwxr-xr-x', dirSize, 'sub'),
        row('-rw-r--r--', 0, 'a.log'),
        row('-rw-r-----', 5, 'b.txt'),
        '',
        '',
      ].join('\n'),
    );
  });

  test('-Recurse prints one group per directory', async () => {
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'd', 'x.txt'), 'x');
    fs.writeFileSync(path.join(dir, 'top.txt'), 'top');
    const { host } = await run('Get-ChildItem -Recurse');
    const headers = host.output.split('\n').filter((l) => l.startsWith('    Directory: '));
    expect(headers).toEqual([`    Directory: ${dir}`, `    Directory: ${path.join(dir, 'd')}`]);
  });

  test('FileInfo and DirectoryInfo carry the provider properties', async () => {
    fs.writeFileSync(path.join(dir, 'f.txt'), 'abc');
    const [f] = (await evaluate(`Get-ChildItem -LiteralPath ${q(path.join(dir, 'f.txt'))}`)) as PSObject[];
    expect(f.typeNames).toEqual(['System.IO.FileInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object']);
    expect(f.get('PSPath')).toBe(`Microsoft.PowerShell.Core\\FileSystem::${path.join(dir, 'f.txt')}`);
    expect(f.get('PSParentPath')).toBe(`Microsoft.PowerShell.Core\\FileSystem::${dir}`);
    expect(f.get('PSChildName')).toBe('f.txt');
    expect(f.get('PSProvider')).toBe('Microsoft.PowerShell.Core\\FileSystem');
    expect(f.get('Length')).toBe(3);
    expect((f.get('LastWriteTime') as Date).getTime()).toBe(Math.trunc(fs.statSync(path.join(dir, 'f.txt')).mtimeMs));
    expect(String(f)).toBe(path.join(dir, 'f.txt'));
  });
});

describe('read-only files', () => {
  test('a read-only file shows in IsReadOnly and Mode; Export-Clixml overwrites it only with -Force, and it stays read-only', async () => {
    const ro = path.join(dir, 'ro.txt');
    fs.writeFileSync(ro, 'old\n');
    fs.chmodSync(ro, 0o444);
    const { host } = await run("(Get-ChildItem ro.txt).IsReadOnly; (Get-ChildItem ro.txt).Mode\n1 | Export-Clixml ro.txt\n2 | Export-Clixml ro.txt -Force\nImport-Clixml ro.txt");
    expect(host.output).toBe('True\n--r--\n2\n');
    // As pwsh's PathUtils/CleanUp: -Force clears the read-only state to write and sets it again.
    expect(fs.statSync(ro).mode & 0o777).toBe(0o444);
    expect(host.errors).toEqual([
      `Export-Clixml: \nLine |\n   3 |  1 | Export-Clixml ro.txt\n     |      ~~~~~~~~~~~~~~~~~~~~\n     | Access to the path '${ro}' is denied.`,
    ]);
  });
});

test('Set-Content -Force and Add-Content -Force write a read-only file and leave it read-only', async () => {
  const ro = path.join(dir, 'ro.txt');
  fs.writeFileSync(ro, 'old\n');
  fs.chmodSync(ro, 0o444);
  fs.writeFileSync(path.join(dir, 'rw.txt'), '');
  const { host, ok } = await run('Set-Content ro.txt new -Force; Add-Content ro.txt more -Force; Get-Content ro.txt; Get-ChildItem -ReadOnly -Name');
  expect(ok).toBe(true);
  expect(host.output).toBe('new\nmore\nro.txt\n');
  expect(fs.statSync(ro).mode & 0o777).toBe(0o444);
});

describe('Export-Clixml -Depth and Import-Clixml of a file pwsh wrote', () => {
  test('-Depth is passed to the serializer', async () => {
    const { convertToClixml } = await import('../../core/serialization');
    // Objects standing for .NET objects (adapted properties) are cut off at the depth.
    const typed = (name: string, entries: [string, unknown][]) => {
      const o = PSObject.fromEntries(entries, [name, 'System.Object']);
      o.toStringFn = () => `${name} instance`;
      return o;
    };
    const make = () => typed('T.A', [['Inner', typed('T.B', [['Deep', typed('T.C', [['X', 1]])]])]]);
    const { runspace } = await runInProcess('');
    runspace.session.global.setLocal('obj', make());
    const ok = await runspace.run(`Set-Location ${q(dir)}; $obj | Export-Clixml d1.xml -Depth 1; $obj | Export-Clixml d3.xml -Depth 3; $obj | Export-Clixml d.xml`);
    expect(ok).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'd1.xml'), 'utf8')).toBe(convertToClixml([make()], { depth: 1 }));
    expect(fs.readFileSync(path.join(dir, 'd3.xml'), 'utf8')).toBe(convertToClixml([make()], { depth: 3 }));
    expect(fs.readFileSync(path.join(dir, 'd.xml'), 'utf8')).toBe(convertToClixml([make()], { depth: 2 }));
    expect(fs.readFileSync(path.join(dir, 'd1.xml'), 'utf8')).toContain('<S N="Inner">T.B instance</S>');
    expect(fs.readFileSync(path.join(dir, 'd1.xml'), 'utf8')).not.toBe(fs.readFileSync(path.join(dir, 'd3.xml'), 'utf8'));
  });

  test('-Depth below 1 is refused', async () => {
    const { host, ok } = await runInProcess('1 | Export-Clixml x.xml -Depth 0');
    expect(ok).toBe(false);
    expect(host.errors).toEqual([
      "Export-Clixml: Cannot validate argument on parameter 'Depth'. The 0 argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.",
    ]);
  });

  test('the hand-written pwsh Export-Clixml fixture imports with its types (UTF-16 too)', async () => {
    const fixture = fs.readFileSync(path.join(__dirname, '..', 'serialization', 'fixtures', 'pwsh-export.clixml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'p.xml'), fixture);
    fs.writeFileSync(path.join(dir, 'p16.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixture, 'utf16le')]));
    for (const file of ['p.xml', 'p16.xml']) {
      const { host, ok } = await run(
        `$o = Import-Clixml ${file} -First 1; $o.Name; $o.Version.GetType().FullName; $o.Version.Build; $o.Size.GetType().FullName; $o.Layers + 1; $o.Ratio; $o.Pulled; $null -eq $o.Parent; $o.Tags -join ','; $o.Labels.os; $o.Labels.arch -join ','; $o.pstypenames[0]`,
      );
      expect(ok).toBe(true);
      expect(host.output).toBe(
        'nanoserver\nSystem.Version\n20348\nSystem.Int64\n4\n0.75\nTrue\nTrue\nlatest,ltsc2022,2022\nwindows\namd64,arm64\nDeserialized.System.Management.Automation.PSCustomObject\n',
      );
    }
  });
});

describe('helpers', () => {
  test('Join-Path joins as the FileSystem provider does on Unix', () => {
    expect(joinTwo('a', 'b')).toBe('a/b');
    expect(joinTwo('a/', '/b')).toBe('a/b');
    expect(joinTwo('a\\b', 'c')).toBe('a/b/c');
    expect(joinTwo('', 'c')).toBe('c');
  });

  test('Get-Content line splitting', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a')).toEqual(['a']);
    expect(splitLines('a\n')).toEqual(['a']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
    expect(splitLines('a\r\nb\rc\n')).toEqual(['a', 'b', 'c']);
  });

  test('encodings round-trip and a byte-order mark wins over -Encoding', () => {
    for (const enc of ['utf8', 'utf8BOM', 'unicode', 'bigendianunicode', 'utf32', 'bigendianutf32']) {
      expect(decodeText(encodeText('hé€', enc, true), enc)).toBe('hé€');
    }
    expect(decodeText(encodeText('hé', 'latin1', true), 'latin1')).toBe('hé');
    expect(decodeText(encodeText('x', 'unicode', true), 'ascii')).toBe('x');
    expect(encodeText('hé', 'unicode', true)).toEqual(Buffer.from([0xff, 0xfe, 0x68, 0, 0xe9, 0]));
    expect(encodeText('hé', 'bigendianunicode', false)).toEqual(Buffer.from([0, 0x68, 0, 0xe9]));
    expect(encodeText('hé', 'ascii', true)).toEqual(Buffer.from('h?'));
  });

  test('UnixMode strings', () => {
    const f = path.join(dir, 'm');
    fs.writeFileSync(f, '');
    fs.chmodSync(f, 0o4755);
    expect(unixMode(fs.statSync(f))).toBe('-rwsr-xr-x');
    fs.chmodSync(f, 0o1644);
    expect(unixMode(fs.statSync(f))).toBe('-rw-r--r-T');
    expect(unixMode(fs.statSync(dir))).toMatch(/^d/);
  });
});

describe('Get-Content -Wait', () => {
  test('writes lines added to the file until the pipeline has what it needs', async () => {
    const { runPosh } = await import('../helpers/posh');
    const log = path.join(dir, 'log.txt');
    fs.writeFileSync(log, 'one\ntwo\n');
    const appender = (async () => {
      await new Promise((r) => setTimeout(r, 600));
      fs.appendFileSync(log, 'three\n');
      await new Promise((r) => setTimeout(r, 300));
      fs.appendFileSync(log, 'four\nfive\n');
    })();
    const r = await runPosh(['-c', "Get-Content log.txt -Wait | Select-Object -First 4; 'done'"], { cwd: dir, timeoutMs: 15000 });
    await appender;
    expect(r).toEqual({ stdout: 'one\ntwo\nthree\nfour\ndone\n', stderr: '', code: 0 });
  });

  test('a line still being written waits for its end (in-process)', async () => {
    const log = path.join(dir, 'log.txt');
    fs.writeFileSync(log, 'one\n');
    const appender = (async () => {
      await new Promise((r) => setTimeout(r, 400));
      fs.appendFileSync(log, 'two\nthr');
      await new Promise((r) => setTimeout(r, 400));
      fs.appendFileSync(log, 'ee\nfour\n');
    })();
    const out = await evaluate(`Get-Content -LiteralPath '${log}' -Wait | Select-Object -First 3`);
    await appender;
    expect(out).toEqual(['one', 'two', 'three']);
  });

  test('-Tail 0 -Wait writes only new lines', async () => {
    const { runPosh } = await import('../helpers/posh');
    const log = path.join(dir, 'log.txt');
    fs.writeFileSync(log, 'old\n');
    const appender = new Promise((r) => setTimeout(r, 600)).then(() => fs.appendFileSync(log, 'new\n'));
    const r = await runPosh(['-c', 'Get-Content log.txt -Tail 0 -Wait | Select-Object -First 1'], { cwd: dir, timeoutMs: 15000 });
    await appender;
    expect(r).toEqual({ stdout: 'new\n', stderr: '', code: 0 });
  });
});

describe('Start-Sleep', () => {
  test('waits about as long as asked', async () => {
    const t = Date.now();
    const { ok } = await runInProcess('Start-Sleep -Milliseconds 120; Start-Sleep -Seconds 0.1');
    const elapsed = Date.now() - t;
    expect(ok).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(215);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('New-Item (Pester New-Item.Tests.ps1)', () => {
  test('files, folders, -Type alias, several paths, -Value, ni', async () => {
    const { host, ok } = await run(
      "New-Item -Name testfile.txt -Path . -ItemType file | Out-Null; ni -Name t2.txt -Path . -Type file | Out-Null; New-Item -Name newDirectory -Path . -ItemType directory | Out-Null; New-Item -ItemType file -Path a.txt, b.txt | Out-Null; New-Item -Name v.txt -Path . -ItemType file -Value 'This is test string' | Out-Null; Test-Path testfile.txt, t2.txt, newDirectory, a.txt, b.txt; Get-Content v.txt; $f = Get-ChildItem testfile.txt; $null -eq $f.Target; $null -eq $f.LinkType",
    );
    expect(ok).toBe(true);
    expect(host.output).toBe('True\nTrue\nTrue\nTrue\nTrue\nThis is test string\nTrue\nTrue\n');
  });

  test('a hard link has LinkType HardLink and no Target', async () => {
    const { host } = await run("New-Item -Name testfile.txt -Path . -ItemType file | Out-Null; $l = New-Item -ItemType HardLink -Target ./testfile.txt -Name testlink -Path .; $l.LinkType; $null -eq $l.Target");
    expect(host.output).toBe('HardLink\nTrue\n');
  });

  test('a symbolic link without a target is ArgumentNull (parameter content)', async () => {
    const { host, ok, runspace } = await run('New-Item -Name testfile.txt -Path . -ItemType SymbolicLink');
    expect(ok).toBe(false);
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe('ArgumentNull,Microsoft.PowerShell.Commands.NewItemCommand');
    expect(host.errors).toEqual(["New-Item: \nLine |\n   2 |  New-Item -Name testfile.txt -Path . -ItemType SymbolicLink\n     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | Value cannot be null. (Parameter 'content')"]);
  });

  test('symbolic links keep a relative target as given, with / as separator; to a missing file too', async () => {
    const { host } = await run("New-Item -Type Directory someDir | Out-Null; (New-Item -Type SymbolicLink dirLink -Target .\\someDir).GetType().FullName; (New-Item -Type SymbolicLink bogus -Target ./nothere.tmp).Target; (New-Item -Type SymbolicLink lit -Target './file[1].txt').Target");
    expect(host.output).toBe('System.IO.DirectoryInfo\n./nothere.tmp\n./file[1].txt\n');
  });

  test('-WhatIf creates nothing', async () => {
    const { host } = await run('New-Item -Name testfile.txt -Path . -ItemType file -WhatIf; Test-Path testfile.txt');
    expect(host.hostText).toBe(`What if: Performing the operation "Create File" on target "Destination: ${dir}/testfile.txt".\n`);
    expect(host.output).toBe('False\n');
  });
});

describe('Remove-Item (Pester Remove-Item.Tests.ps1)', () => {
  test('a read-only file needs -Force', async () => {
    const f = path.join(dir, 'testfile.txt');
    fs.writeFileSync(f, 'lorem ipsum');
    fs.chmodSync(f, 0o444);
    const { host, runspace } = await run('Remove-Item testfile.txt -ErrorAction SilentlyContinue; Test-Path testfile.txt; Remove-Item testfile.txt -Force; Test-Path testfile.txt');
    expect(host.output).toBe('True\nFalse\n');
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe('RemoveFileSystemItemUnAuthorizedAccess,Microsoft.PowerShell.Commands.RemoveItemCommand');
    expect(runspace.session.errors[0].message).toBe(`Cannot remove item ${f}: You do not have sufficient access rights to perform this operation or the item is hidden, system, or read only.`);
  });

  test('-Include and -Exclude with a wildcard path; a name with escaped brackets', async () => {
    for (const n of ['file1.txt', 'file2.txt', 'file1.wav', 'keep.txt', '[testfile].txt']) fs.writeFileSync(path.join(dir, n), 'x');
    const { host } = await run("Remove-Item (Join-Path -Path . -ChildPath 'file*') -Exclude *.wav -Include *.txt; Get-ChildItem -Name; Remove-Item -Path '`[testfile`].txt'; Test-Path -LiteralPath '[testfile].txt'");
    expect(host.output).toBe('[testfile].txt\nfile1.wav\nkeep.txt\nFalse\n');
  });

  test('a directory, and subfolders with -Recurse', async () => {
    fs.mkdirSync(path.join(dir, 'testdir', 'subd'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'testdir', 'subd', 'testfile.txt'), 'lorem ipsum');
    fs.mkdirSync(path.join(dir, 'empty'));
    const { host, ok } = await run('Remove-Item empty; Remove-Item testdir -Recurse; Test-Path empty, testdir');
    expect(ok).toBe(true);
    expect(host.output).toBe('False\nFalse\n');
  });
});

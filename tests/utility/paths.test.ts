// Split-Path, Join-Path and Test-Path against PowerShell's own Pester expectations:
// test/powershell/Modules/Microsoft.PowerShell.Management/Split-Path.Tests.ps1 (Unix results).
import { evaluate, runInProcess } from '../helpers/posh';

describe('Split-Path (Pester Split-Path.Tests.ps1)', () => {
  test('returns strings', async () => {
    expect(await evaluate('(Split-Path .).GetType().Name; (Split-Path . -Leaf).GetType().Name; (Split-Path . -Resolve).GetType().Name')).toEqual(['String', 'String', 'String']);
  });

  test('-Qualifier returns the drive; -NoQualifier the rest', async () => {
    expect(await evaluate('Split-Path -Qualifier env:; Split-Path -Qualifier env:PATH; Split-Path env:PATH -NoQualifier')).toEqual(['env:', 'env:', 'PATH']);
  });

  test('-Qualifier with no qualifier in the path is an error', async () => {
    for (const p of ['/Users', 'abcdef']) {
      const { host, ok } = await runInProcess(`Split-Path -Qualifier -ErrorAction Stop ${p}`);
      expect(ok).toBe(false);
      expect(host.errors).toEqual([`Split-Path: Cannot parse path because path '${p}' does not have a qualifier specified.`]);
    }
  });

  test.each([
    ['/usr/bin', 'bin'],
    ['fs:/usr/local/bin', 'bin'],
    ['usr/bin', 'bin'],
    ['./bin', 'bin'],
    ['bin', 'bin'],
    ['C:\\Temp\\Folder1', 'Folder1'],
    ['C:\\Temp', 'Temp'],
    ['\\\\server1\\share1\\folder', 'folder'],
    ['\\\\server1\\share1', 'share1'],
  ])('-Leaf %s', async (p, leaf) => {
    expect(await evaluate(`Split-Path -Leaf '${p}'`)).toEqual([leaf]);
  });

  test.each([
    ['fs:/usr/bin', true],
    ['..', false],
    ['/usr/..', true],
    ['fs:/usr/../', true],
    ['../', false],
    ['.', false],
    ['~/', false],
    ['~/..', false],
    ['~/../..', false],
  ])('-IsAbsolute %s', async (p, absolute) => {
    expect(await evaluate(`Split-Path -IsAbsolute '${p}'`)).toEqual([absolute]);
  });

  test('piping', async () => {
    expect(await evaluate("'usr/bin' | Split-Path")).toEqual(['usr']);
  });

  test.each([
    ['fs:/usr/bin', 'fs:/usr'],
    ['/usr/bin', '/usr'],
    ['/usr/local/bin', '/usr/local'],
    ['usr/local/bin', 'usr/local'],
    ['C:\\Temp\\Folder1', 'C:/Temp'],
    ['C:\\Temp', 'C:/'],
    ['\\\\server1\\share1\\folder', '//server1/share1'],
    ['\\\\server1\\share1', '//server1'],
    ['C:\\', ''],
  ])('-Parent %s', async (p, parent) => {
    expect(await evaluate(`Split-Path -Parent '${p}'`)).toEqual([parent]);
  });
});

describe('Join-Path (Pester Join-Path.Tests.ps1)', () => {
  test('several -Path values with -Resolve give several paths', async () => {
    const { makeTempDir, removeTempDir } = await import('../helpers/posh');
    const dir = makeTempDir();
    try {
      const out = await evaluate(`New-Item -ItemType Directory '${dir}/SubDir1' | Out-Null; (Join-Path -Path '${dir}', '${dir}/' -ChildPath SubDir1 -Resolve).Length`);
      expect(out).toEqual([2]);
    } finally {
      removeTempDir(dir);
    }
  });

  test('-Resolve of an item that does not exist is PathNotFound', async () => {
    const { runspace } = await runInProcess('Join-Path Bogus Path -Resolve');
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe('PathNotFound,Microsoft.PowerShell.Commands.JoinPathCommand');
  });

  test('drive-like names and remaining arguments', async () => {
    expect(await evaluate("Join-Path 'Variable:' foo; Join-Path 'Alias:' foo; Join-Path 'Env:' foo; Join-Path one two three four five")).toEqual([
      'Variable:/foo',
      'Alias:/foo',
      'Env:/foo',
      'one/two/three/four/five',
    ]);
  });
});

describe('Test-Path (Pester Test-Path.Tests.ps1)', () => {
  const { makeTempDir, removeTempDir } = require('../helpers/posh') as typeof import('../helpers/posh');
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir();
    const fs = require('node:fs') as typeof import('node:fs');
    for (const d of ['WildCardCommandA', '[', 'goose]', 'du[[ck', 'du][ck', 'duck]]', 'usr']) fs.mkdirSync(`${dir}/${d}`);
    for (const f of ['testfile.txt', 'datestfile', 'gatestfile']) fs.writeFileSync(`${dir}/${f}`, '1');
  });
  afterAll(() => removeTempDir(dir));

  test('piping, missing paths, empty and blank strings', async () => {
    expect(await evaluate(`'${dir}' | Test-Path; '${dir}/usr/bin' | Test-Path; Test-Path -Path '${dir}/usr/bin/error'; Test-Path -Path ''; Test-Path -Path '  '`)).toEqual([true, false, false, false, false]);
  });

  test('$null, an array of $null and an empty array are NullPathNotPermitted, non-terminating', async () => {
    const { host, ok, runspace } = await runInProcess("Test-Path -Path $null; Test-Path -Path $null, $null; Test-Path @(); 'after'");
    expect(ok).toBe(true);
    expect(host.output).toBe('after\n');
    expect(runspace.session.errors.map((e) => e.fullyQualifiedErrorId)).toEqual(Array(4).fill('NullPathNotPermitted,Microsoft.PowerShell.Commands.TestPathCommand'));
    expect(host.errors[0]).toBe("Test-Path: Value cannot be null. (Parameter 'The provided Path argument was null or an empty collection.')");
  });

  test('wildcards are case-sensitive on Unix', async () => {
    expect(await evaluate(`Test-Path -Path '${dir}/u*'; Test-Path -Path '${dir}/u[a-z]*'; Test-Path -Path '${dir}/aoeu*'; Test-Path -Path '${dir}/u[A-Z]'`)).toEqual([true, true, false, false]);
  });

  test('-PathType, -Type, -Include, -Exclude', async () => {
    expect(
      await evaluate(
        `Test-Path -Path '${dir}' -PathType Leaf; Test-Path -Path '${dir}/testfile.txt' -PathType Leaf; Test-Path -Path aoeu -PathType Leaf; Test-Path -Path '${dir}/testfile.txt' -Type Leaf; Test-Path -Path '${dir}/*' -Include t*; Test-Path -Path '${dir}/*' -Exclude v*; Test-Path -Path '${dir}/testfile.txt' -Exclude d*, g*`,
      ),
    ).toEqual([false, true, false, true, true, true, true]);
  });

  test('-IsValid', async () => {
    expect(await evaluate(`Test-Path -Path '${dir}/usr/bin/error' -IsValid; Test-Path -Path ' :;!@#$%^&*(){}?+|_-' -IsValid; Test-Path -Path '/totally a valid/path' -IsValid; Test-Path -Path '/a path / with/funkyspaces' -IsValid`)).toEqual([
      true,
      false,
      true,
      true,
    ]);
  });

  test('-LiteralPath and its alias PSPath take wildcards literally', async () => {
    expect(await evaluate(`Test-Path -LiteralPath '${dir}/testfile.txt'; Test-Path -LiteralPath '${dir}/u*'; Test-Path -LiteralPath '${dir}/u[a-z]r'; Test-Path -PSPath '${dir}/u*'`)).toEqual([true, false, false, false]);
  });

  test('the session drives', async () => {
    expect(await evaluate('Test-Path Alias:\\gci; Test-Path Env:\\PATH; Test-Path Env:\\NO_SUCH_VARIABLE_X; Test-Path nodrive:\\x')).toEqual([true, true, false, false]);
  });

  test('incomplete brackets are literal', async () => {
    const exist = ['WildCardCommandA', '[', 'goose]', 'du[[ck', 'du][ck', 'duck]]'];
    const missing = ['WildCardCommand', ']', 'goos]e', 'du[ck', 'du]ck', 'du]]ck', 'duc]k]'];
    const script = [...exist, ...missing].map((n) => `Test-Path -Path '${dir}/${n}'`).join('; ');
    expect(await evaluate(script)).toEqual([...exist.map(() => true), ...missing.map(() => false)]);
  });
});

describe('Set-Location (Pester Set-Location.Tests.ps1)', () => {
  const { makeTempDir, removeTempDir } = require('../helpers/posh') as typeof import('../helpers/posh');
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeTempDir(dir));

  test('the location history is limited to 20 and its ends are InvalidOperationException', async () => {
    const tmp = require('node:os').tmpdir() as string;
    const script = [
      `Set-Location '${dir}'`,
      `foreach ($i in 1..20) { Set-Location '${tmp}' }`,
      `foreach ($i in 1..20) { Set-Location - }`,
      '(Get-Location).Path',
      'try { Set-Location - } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }',
      'foreach ($i in 1..20) { Set-Location + }',
      '(Get-Location).Path',
      'try { Set-Location + } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }',
    ].join('\n');
    expect(await evaluate(script)).toEqual([
      dir,
      'System.InvalidOperationException,Microsoft.PowerShell.Commands.SetLocationCommand',
      'There is no location history left to navigate backwards.',
      tmp,
      'System.InvalidOperationException,Microsoft.PowerShell.Commands.SetLocationCommand',
      'There is no location history left to navigate forwards.',
    ]);
  });

  test('minus, plus and minus again; minus twice', async () => {
    const fs = require('node:fs') as typeof import('node:fs');
    fs.mkdirSync(`${dir}/one`);
    fs.mkdirSync(`${dir}/two`);
    expect(await evaluate(`Set-Location '${dir}'; cd one; cd -; (pwd).Path; cd +; (pwd).Path; cd -; (pwd).Path; cd '${dir}/one'; cd '${dir}/two'; cd -; (pwd).Path; cd -; (pwd).Path`)).toEqual([
      dir,
      `${dir}/one`,
      dir,
      `${dir}/one`,
      dir,
    ]);
  });

  test.each(['-', '+'])('-LiteralPath %s is a folder of that name', async (name) => {
    require('node:fs').mkdirSync(`${dir}/${name}`);
    expect(await evaluate(`Set-Location '${dir}'; Set-Location -LiteralPath '${name}'; (Get-Location).Path`)).toEqual([`${dir}/${name}`]);
  });

  test('the actual casing of folders on a case-sensitive file system', async () => {
    const fs = require('node:fs') as typeof import('node:fs');
    fs.mkdirSync(`${dir}/test`);
    fs.mkdirSync(`${dir}/TEST`);
    const { host, runspace } = await runInProcess(`Set-Location '${dir}/test'; (Get-Location).Path; Set-Location '${dir}/TEST'; (Get-Location).Path; Set-Location '${dir}/teST'`);
    expect(host.output).toBe(`${dir}/test\n${dir}/TEST\n`);
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe('PathNotFound,Microsoft.PowerShell.Commands.SetLocationCommand');
  });

  test('-PassThru gives a PathInfo; with no path the location is the home folder', async () => {
    expect(await evaluate(`(Set-Location / -PassThru).GetType().FullName; Set-Location; (Get-Location).Path`)).toEqual([
      'System.Management.Automation.PathInfo',
      require('node:os').homedir(),
    ]);
  });
});

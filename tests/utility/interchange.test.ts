// Objects across processes (SPEC §3, issue 3): `posh -OutputFormat Xml|Json -c … | posh
// -InputFormat Xml|Json -c '$input | …'` with two real bin/posh processes and an OS pipe between
// them, and malformed input on stdin giving a clear error that names the position.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { makeTempDir, poshBin, removeTempDir, runPosh } from '../helpers/posh';

interface Piped {
  stdout: string;
  stderr: string;
  codes: [number | null, number | null];
}

/** Runs `posh <left> | posh <right>` with the first process's stdout piped into the second's stdin. */
function pipePosh(left: string[], right: string[], cwd: string): Promise<Piped> {
  const env = { ...process.env, POSH_CONTAINERS_HOME: path.join(cwd, '.posh-home'), COLUMNS: '120' };
  return new Promise((resolve, reject) => {
    const a = spawn(process.execPath, [poshBin, ...left], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = spawn(process.execPath, [poshBin, ...right], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    a.stdout.pipe(b.stdin);
    let stdout = '';
    let stderr = '';
    b.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    b.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    a.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let codeA: number | null | undefined;
    let codeB: number | null | undefined;
    const done = () => {
      if (codeA !== undefined && codeB !== undefined) resolve({ stdout, stderr, codes: [codeA, codeB] });
    };
    a.on('error', reject);
    b.on('error', reject);
    a.on('close', (c) => {
      codeA = c;
      done();
    });
    b.on('close', (c) => {
      codeB = c;
      done();
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

const producer =
  "[pscustomobject]@{Name='nanoserver'; Version=[version]'10.0.14300.1010'; Size=5368709120; Tags='a','b'; Pulled=$true}, " +
  "[pscustomobject]@{Name='servercore'; Version=[version]'10.0.14300.1000'; Size=12; Tags=@(); Pulled=$false}";

describe('objects piped between two posh processes', () => {
  test('-OutputFormat Xml | -InputFormat Xml: types and values survive', async () => {
    const r = await pipePosh(
      ['-OutputFormat', 'Xml', '-c', producer],
      ['-InputFormat', 'Xml', '-c', "$input | ForEach-Object { '{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $_.Name, $_.Version.Build, $_.Version.GetType().FullName, ($_.Size + 1), $_.Tags.Count, $_.Pulled, $_.pstypenames[0] }"],
      dir,
    );
    expect(r).toEqual({
      stdout:
        'nanoserver|14300|System.Version|5368709121|2|True|Deserialized.System.Management.Automation.PSCustomObject\n' +
        'servercore|14300|System.Version|13|0|False|Deserialized.System.Management.Automation.PSCustomObject\n',
      stderr: '',
      codes: [0, 0],
    });
  });

  test('-OutputFormat Xml | the objects flow into the first command', async () => {
    const r = await pipePosh(['-OutputFormat', 'Xml', '-c', producer], ['-InputFormat', 'Xml', '-c', 'Select-Object -Property Name, Size'], dir);
    expect(r).toEqual({ stdout: '\nName             Size\n----             ----\nnanoserver 5368709120\nservercore         12\n\n', stderr: '', codes: [0, 0] });
  });

  test('-OutputFormat Xml writes the stream pwsh writes', async () => {
    const r = await runPosh(['-OutputFormat', 'Xml', '-c', "1, 'two'"], { cwd: dir });
    expect(r.stdout).toBe(
      '#< CLIXML\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><I32>1</I32><S>two</S></Objs>\n',
    );
    expect(r.code).toBe(0);
  });

  test('-OutputFormat Json | -InputFormat Json', async () => {
    const r = await pipePosh(
      ['-OutputFormat', 'Json', '-c', producer],
      ['-InputFormat', 'Json', '-c', "$input | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Name, $_.Version.Build, $_.Tags.Count, $_.Pulled }"],
      dir,
    );
    expect(r).toEqual({ stdout: 'nanoserver|14300|2|True\nservercore|14300|0|False\n', stderr: '', codes: [0, 0] });
  });

  test('-OutputFormat Json writes one compressed document per line', async () => {
    const r = await runPosh(['-OutputFormat', 'Json', '-c', "[pscustomobject]@{a=1; b='x'}, 2"], { cwd: dir });
    expect(r.stdout).toBe('{"a":1,"b":"x"}\n2\n');
  });

  test('files written by Export-Clixml in one process import in another', async () => {
    const w = await runPosh(['-c', "[pscustomobject]@{Name='n'; When=[datetime]'2026-11-23T15:03:38'} | Export-Clixml x.xml"], { cwd: dir });
    expect(w).toEqual({ stdout: '', stderr: '', code: 0 });
    const r = await runPosh(['-c', "$o = Import-Clixml x.xml; $o.Name; $o.When.ToString('yyyy-MM-dd HH:mm:ss')"], { cwd: dir });
    expect(r).toEqual({ stdout: 'n\n2026-11-23 15:03:38\n', stderr: '', code: 0 });
  });
});

describe('malformed objects on stdin', () => {
  const header = '#< CLIXML\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">';

  test.each([
    [
      'unclosed CLIXML',
      'Xml',
      header + '<I32>1</I32><Obj RefId="0"><MS>',
      'Cannot read -InputFormat Xml objects from standard input: at line 2, column 112 (object 2): Invalid CLIXML stream: input ended before </Objs>\n',
    ],
    [
      // column 98 is where the bad value `x` starts
      'a CLIXML value that is not an integer',
      'Xml',
      header + '<I32>1</I32><I32>x</I32><I32>3</I32></Objs>',
      "Cannot read -InputFormat Xml objects from standard input: at line 2, column 98 (object 2): Invalid CLIXML: <I32> holds 'x', not an integer\n",
    ],
    [
      'JSON with a bad value on the third line',
      'Json',
      '{"a":1}\n[2,3]\n{"a": tru}\n',
      "Cannot read -InputFormat Json objects from standard input: line 3 (object 4): Conversion from JSON failed with error: Unexpected character encountered while parsing value: t. Path 'a', line 3, position 6.\n",
    ],
  ])('%s: one clear line naming the position, exit 1, no stack trace', async (_name, format, stdin, message) => {
    const r = await runPosh(['-InputFormat', format, '-c', '$input; "ran"'], { cwd: dir, stdin });
    expect(r).toEqual({ stdout: '', stderr: message, code: 1 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a producer whose output is cut short', async () => {
    const r = await pipePosh(['-c', "'#< CLIXML'; '<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S>a</S>'"], ['-InputFormat', 'Xml', '-c', '$input'], dir);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Cannot read -InputFormat Xml objects from standard input: at line 3, column 1 (object 2): Invalid CLIXML stream: input ended before </Objs>\n');
    expect(r.codes).toEqual([0, 1]);
  });
});

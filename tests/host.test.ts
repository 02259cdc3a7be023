// The posh host as a user meets it: argv forms, stdin scripts, script files with arguments,
// exit codes, the interactive prompt (on a real pseudo-terminal) and Tab completion.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { completeInput } from '../core/host/completion';
import { Runspace } from '../core/engine/runspace';
import { CaptureHost, makeTempDir, poshBin, removeTempDir, runPosh } from './helpers/posh';

let dir: string;
beforeEach(() => (dir = makeTempDir()));
afterEach(() => removeTempDir(dir));

describe('command-line forms', () => {
  test('-Command and its alias -c run the rest of argv as one script', async () => {
    expect((await runPosh(['-Command', 'Write-Output', 'a;', 'Write-Output', 'b'], { cwd: dir })).stdout).toBe('a\nb\n');
    expect((await runPosh(['-c', '1 + 1'], { cwd: dir })).stdout).toBe('2\n');
  });

  test('a command name first makes the rest of argv its command line', async () => {
    const r = await runPosh(['Write-Output', 'two words', "it's"], { cwd: dir });
    expect(r).toEqual({ stdout: "two words\nit's\n", stderr: '', code: 0 });
  });

  test('a script on stdin runs when no command is given', async () => {
    const r = await runPosh([], { cwd: dir, stdin: "$x = 2\nif ($x -eq 2) {\n  'multi-line'\n}\n" });
    expect(r).toEqual({ stdout: 'multi-line\n', stderr: '', code: 0 });
  });

  test('-File binds arguments to the script param() block', async () => {
    const file = path.join(dir, 'greet.ps1');
    fs.writeFileSync(file, "param([string]$Name, [int]$Times = 1)\nforeach ($i in 1..$Times) { \"hello $Name\" }\n");
    expect((await runPosh(['-File', file, 'world', '2'], { cwd: dir })).stdout).toBe('hello world\nhello world\n');
    expect((await runPosh(['-File', file, '-Times', '1', '-Name', 'named'], { cwd: dir })).stdout).toBe('hello named\n');
  });

  test('-Version, -NoProfile and -NonInteractive are accepted', async () => {
    expect((await runPosh(['-Version'], { cwd: dir })).stdout).toMatch(/^posh \d+\.\d+\.\d+ \(PowerShell language 7\.4\.0\)\n$/);
    expect((await runPosh(['-NoProfile', '-NonInteractive', '-c', "'ok'"], { cwd: dir })).stdout).toBe('ok\n');
  });

  test('an unknown switch is a usage error with exit code 64, as pwsh', async () => {
    const r = await runPosh(['-Bogus'], { cwd: dir });
    expect(r.code).toBe(64);
    expect(r.stderr).toBe("The argument '-Bogus' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\n");
  });
});

describe('objects across processes', () => {
  test('-InputFormat objects flow into the first command and are in $input', async () => {
    const produced = await runPosh(['-OutputFormat', 'Xml', '-c', '1..3 | ForEach-Object { [pscustomobject]@{ N = $_ } }'], { cwd: dir });
    expect(produced.stdout.startsWith('#< CLIXML\n')).toBe(true);
    const consumed = await runPosh(['-InputFormat', 'Xml', '-c', 'ForEach-Object { $_.N * 10 }; "count=$($input.Count)"'], { cwd: dir, stdin: produced.stdout });
    expect(consumed).toEqual({ stdout: '10\n20\n30\ncount=3\n', stderr: '', code: 0 });
  });
});

describe('exit codes', () => {
  test('0 when the last statement succeeded, 1 after a failure or a terminating error', async () => {
    expect((await runPosh(['-c', "Write-Error x -ErrorAction SilentlyContinue; 'ok'"], { cwd: dir })).code).toBe(0);
    expect((await runPosh(['-c', 'Write-Error x'], { cwd: dir })).code).toBe(1);
    expect((await runPosh(['-c', "Get-Command -Bogus; 'ok'"], { cwd: dir })).code).toBe(1);
    expect((await runPosh(['-c', "throw 'x'"], { cwd: dir })).code).toBe(1);
    expect((await runPosh(['-c', 'if ('], { cwd: dir })).code).toBe(1);
  });

  test('a missing script file is reported without a stack trace', async () => {
    const r = await runPosh(['-File', path.join(dir, 'nope.ps1')], { cwd: dir });
    expect(r.code).toBe(64);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('interactive prompt', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const run = hasScript ? test : test.skip;
  if (!hasScript) {
    if (process.env.CI === 'true') throw new Error('util-linux `script` is needed for the REPL test');
    console.warn('SKIPPED: the interactive prompt test needs util-linux `script` for a pseudo-terminal');
  }

  run('shows PS <cwd>>, runs lines, continues incomplete ones and keeps history in the store root', async () => {
    const home = path.join(dir, 'home');
    const child = spawn('script', ['-qfec', `${process.execPath} ${poshBin}`, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, POSH_CONTAINERS_HOME: home, TERM: 'dumb' },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 400 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      if (!out.includes(text)) throw new Error(`no "${text}" in:\n${out}`);
    };
    await waitFor(`PS ${dir}> `);
    child.stdin.write("Write-Output ('in' + 'teractive')\r");
    await waitFor('interactive\r\n');
    child.stdin.write('if ($true) {\r');
    await waitFor('>> ');
    child.stdin.write("'continued' }\r");
    await waitFor('continued\r\n');
    child.stdin.write('exit\r');
    await new Promise((r) => child.on('close', r));
    expect(fs.readFileSync(path.join(home, 'history.txt'), 'utf8')).toBe("Write-Output ('in' + 'teractive')\nif ($true) { 'continued' }\n");
  });
});

describe('Tab completion', () => {
  const session = new Runspace(new CaptureHost(), '/tmp/posh-completion').session;

  test('completes command names and aliases at the start of a command', () => {
    const [hits, word] = completeInput(session, 'Get-Var');
    expect(word).toBe('Get-Var');
    expect(hits).toEqual(['Get-Variable']);
    expect(completeInput(session, '1..3 | Where-O')[0]).toEqual(['Where-Object']);
  });

  test('completes parameter names of the command being typed', () => {
    expect(completeInput(session, 'Get-Command -No')[0]).toEqual(['-Noun']);
    expect(completeInput(session, 'gcm -Ve')[0]).toEqual(['-Verb', '-Verbose']);
  });
});

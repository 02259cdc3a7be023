// Get-Content against the expectations of PowerShell's own Pester tests:
// test/powershell/Modules/Microsoft.PowerShell.Management/Get-Content.Tests.ps1
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { Runspace } from '../../core/engine/runspace';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => removeTempDir(dir));

/** Runs a script in the test directory; returns the output objects and the errors' ids. */
async function run(script: string): Promise<{ out: unknown[]; ids: string[]; messages: string[] }> {
  const { runspace, host } = await runInProcess(`Set-Location '${dir}'`);
  const out: unknown[] = [];
  await (runspace as Runspace).run(script, { sink: (v) => void out.push(v) });
  return { out, ids: runspace.session.errors.map((e) => e.fullyQualifiedErrorId).reverse(), messages: host.errors };
}

const testContent = ['AA', 'BB', 'CC', 'DD'];
const testDelimiterContent = ['Hello1,World1', 'Hello2,World2', 'Hello3,World3', 'Hello4,World4'];

test.each([
  ['negative readcount', '-ReadCount -1 -Tail 5', ['AA', 'BB', 'CC', 'DD']],
  ['readcount=0', '-ReadCount 0 -Tail 3', [['BB', 'CC', 'DD']]],
  ['readcount=1', '-ReadCount 1 -Tail 3', ['BB', 'CC', 'DD']],
  ['high readcount', '-ReadCount 99999 -Tail 3', [['BB', 'CC', 'DD']]],
  // Pester compares unrolled values; a last, shorter block still goes down as an array here.
  ['readcount=2 tail=3', '-ReadCount 2 -Tail 3', [['BB', 'CC'], ['DD']]],
  ['readcount=2 tail=2', '-ReadCount 2 -Tail 2', [['CC', 'DD']]],
])('-Tail and -ReadCount: %s', async (_name, args, expected) => {
  fs.writeFileSync(path.join(dir, 't.txt'), testContent.join('\n') + '\n');
  expect((await run(`Get-Content t.txt ${args}`)).out).toEqual(expected);
});

test.each([
  [', as delimiter', ',', 2, ['World3\nHello4', 'World4\n']],
  ['o as delimiter', 'o', 3, ['rld3\nHell', '4,W', 'rld4\n']],
])('-Delimiter and -Tail: %s', async (_name, delimiter, tail, expected) => {
  fs.writeFileSync(path.join(dir, 't.txt'), testDelimiterContent.join('\n') + '\n');
  expect((await run(`Get-Content t.txt -Delimiter '${delimiter}' -Tail ${tail}`)).out).toEqual(expected);
});

test('-Delimiter that matches the input string', async () => {
  const { out } = await run("Set-Content t.txt 'Hello,llllWorlld','Hello2,llllWorlld2'; Get-Content t.txt -Delimiter 'll'");
  expect(out).toEqual(['He', 'o,', '', 'Wor', 'd\nHe', 'o2,', '', 'Wor', 'd2\n']);
});

test('-Tail with -AsByteStream counts bytes', async () => {
  const { out } = await run(`Set-Content t.txt ${testContent.map((s) => `'${s}'`).join(',')}; Get-Content t.txt -Tail 10 -AsByteStream`);
  expect(out).toEqual([10, 66, 66, 10, 67, 67, 10, 68, 68, 10]);
});

test('-TotalCount 0 returns nothing; -TotalCount with -ReadCount', async () => {
  fs.writeFileSync(path.join(dir, 't.txt'), 'Hello,World\nHello2,World2\nHello3,World3\nHello4,World4\n');
  expect((await run('Get-Content t.txt -TotalCount 0')).out).toEqual([]);
  expect((await run('Get-Content t.txt -TotalCount 3 -ReadCount 2')).out).toEqual([['Hello,World', 'Hello2,World2'], ['Hello3,World3']]);
});

test.each([
  ['a directory', 'Get-Content .', 'GetContainerContentException,Microsoft.PowerShell.Commands.GetContentCommand'],
  ['-Tail with -TotalCount', 'Set-Content t.txt x; Get-Content t.txt -Tail 1 -TotalCount 1', 'TailAndHeadCannotCoexist,Microsoft.PowerShell.Commands.GetContentCommand'],
  ['-Tail with -Raw', 'Set-Content t.txt x; Get-Content t.txt -Tail 1 -Raw', 'InvalidOperation,Microsoft.PowerShell.Commands.GetContentCommand'],
  ['a wildcard that matches no file', 'Get-Content /DoesNotExist*.txt', 'ItemNotFound,Microsoft.PowerShell.Commands.GetContentCommand'],
  ['a wildcard that matches no file, with -Raw', 'Get-Content /DoesNotExist*.txt -Raw', 'ItemNotFound,Microsoft.PowerShell.Commands.GetContentCommand'],
])('error id for %s', async (_name, script, id) => {
  expect((await run(script)).ids).toEqual([id]);
});

test('an empty set of paths with -Raw returns nothing', async () => {
  expect((await run("Get-ChildItem . -Filter '*.raw' | Get-Content -Raw")).out).toEqual([]);
});

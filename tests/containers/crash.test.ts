// Crash safety of New-Container and New-ContainerImage: posh is killed with SIGKILL at durable
// steps spread over each operation (POSH_STORE_FAILPOINT, core/store/durable.ts). After each kill
// the store checks clean, the container or image is there whole or not at all, the next mutation
// leaves no root directory that no record names, and the operation succeeds when run again.
// Also: concurrent New-Container runs against one store all land.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { copyDir, makeWim, posh, sampleTree } from '../store/helpers';

jest.setTimeout(120_000);

let dir: string;
/** A store with NanoServer and a container `c1` with changes (an added and a deleted file). */
let template: string;

beforeAll(async () => {
  dir = makeTempDir('containers-crash-');
  sampleTree(join(dir, 'nano'), 8, 20_000, 3);
  await makeWim(join(dir, 'nano'), join(dir, 'nano.wim'), 'NanoServer', '10.0.10586.0');
  template = join(dir, 'template');
  const r = await posh([
    'Install-ContainerOSImage nano.wim',
    '$c = New-Container -Name c1 -ContainerImageName NanoServer',
    "Set-Content (Join-Path $c.Path 'added.txt') 'added'",
    "Remove-Item (Join-Path $c.Path 'Windows/win.ini')",
  ].join('\n'), dir, template);
  expect(r).toMatchObject({ code: 0, stderr: '' });
});
afterAll(() => removeTempDir(dir));

function spread(n: number, count: number): number[] {
  const pts = new Set<number>();
  for (let i = 0; i < count; i++) pts.add(1 + Math.round((i * (n - 1)) / Math.max(1, count - 1)));
  return [...pts];
}

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const scenarios = [
  { tag: 'new-container', script: 'New-Container -Name c2 -ContainerImageName NanoServer | Out-Null', listed: '@(Get-Container -Name c2 -ErrorAction SilentlyContinue).Count -eq 1', containers: 2 },
  { tag: 'new-image', script: 'New-ContainerImage -ContainerName c1 -Publisher Demo -Name Derived -Version 1.0 | Out-Null', listed: '@(Get-ContainerImage -Name Derived -ErrorAction SilentlyContinue).Count -eq 1', containers: 1 },
];

test('SIGKILL during New-Container and New-ContainerImage leaves a consistent store; the operation then succeeds', async () => {
  const cases: { s: (typeof scenarios)[number]; point: number }[] = [];
  for (const s of scenarios) {
    const home = join(dir, `count-${s.tag}`);
    copyDir(template, home);
    const trace = join(dir, `trace-${s.tag}`);
    expect(await posh(s.script, dir, home, { POSH_STORE_TRACE: trace })).toMatchObject({ code: 0, stderr: '' });
    const n = readFileSync(trace, 'utf8').trim().split('\n').length;
    expect(n).toBeGreaterThan(8);
    for (const point of spread(n, 8)) cases.push({ s, point });
  }
  const outcomes: string[] = [];
  await pool(cases, 4, async ({ s, point }) => {
    const home = join(dir, `kill-${s.tag}-${point}`);
    copyDir(template, home);
    const killed = await posh(s.script, dir, home, { POSH_STORE_FAILPOINT: String(point) });
    expect({ point, code: killed.code }).toEqual({ point, code: null });
    const check = await posh([
      '$p = @(Test-ContainerImageStore | ForEach-Object { "$($_.Kind) $($_.Id) $($_.Problem)" })',
      '"problems: $($p -join \'; \')"',
      `$done = ${s.listed}`,
      '"done: $done"',
      `if (-not $done) { ${s.script} }`,
      'Optimize-ContainerImageStore | Out-Null',
      '"problems after: $(@(Test-ContainerImageStore).Count)"',
      `"listed after: $(${s.listed})"`,
      '"roots: $(@(Get-ChildItem (Join-Path $env:POSH_CONTAINERS_HOME containers)).Count) containers: $(@(Get-Container).Count)"',
      "\"c1 unchanged: $((Get-Content (Join-Path (Get-Container c1).Path 'added.txt')) -eq 'added')\"",
    ].join('\n'), dir, home);
    const out = check.stdout.split('\n');
    expect({ point, tag: s.tag, stderr: check.stderr, code: check.code, problems: out[0] }).toEqual({ point, tag: s.tag, stderr: '', code: 0, problems: 'problems: ' });
    outcomes.push(`${s.tag}@${point}:${out[1] === 'done: True' ? 'done' : 'not-done'}`);
    expect({ point, tag: s.tag, rest: out.slice(2) }).toEqual({
      point,
      tag: s.tag,
      rest: ['problems after: 0', 'listed after: True', `roots: ${s.containers} containers: ${s.containers}`, 'c1 unchanged: True', ''],
    });
    removeTempDir(home);
  });
  for (const s of scenarios) {
    expect(outcomes.some((o) => o.startsWith(`${s.tag}@`) && o.endsWith(':done'))).toBe(true);
    expect(outcomes.some((o) => o.startsWith(`${s.tag}@`) && o.endsWith(':not-done'))).toBe(true);
  }
});

test('concurrent New-Container and New-ContainerImage runs against one store all land', async () => {
  const home = join(dir, 'concurrent');
  copyDir(template, home);
  const runs = await Promise.all([
    ...Array.from({ length: 6 }, (_, i) => posh(`New-Container -Name p${i} -ContainerImageName NanoServer | Out-Null`, dir, home)),
    posh('New-ContainerImage -ContainerName c1 -Publisher Demo -Name Derived -Version 1.0 | Out-Null', dir, home),
  ]);
  for (const r of runs) expect(r).toMatchObject({ code: 0, stderr: '' });
  const r = await posh('(Get-Container).Name -join ","; @(Test-ContainerImageStore).Count; (Get-ContainerImage Derived).ParentImage.Name', dir, home);
  const [names, problems, parent] = r.stdout.trim().split('\n');
  expect(names.split(',').sort()).toEqual(['c1', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  expect({ problems, parent }).toEqual({ problems: '0', parent: 'NanoServer' });
  expect(readdirSync(join(home, 'containers')).length).toBe(7);
});

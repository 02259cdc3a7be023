// Crash safety: posh is killed with SIGKILL at many durable steps of Install-ContainerOSImage,
// Uninstall-ContainerOSImage and Remove-ContainerImage (the store's failpoint,
// POSH_STORE_FAILPOINT=<n>: see core/store/durable.ts). After each kill the store must check
// clean (Test-ContainerImageStore prints nothing), list either no image or the whole image,
// and the interrupted operation must succeed when run again.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/posh';
import { copyDir, makeWim, posh, sampleTree } from './helpers';

jest.setTimeout(120_000);

let dir: string;
/** A store with NanoServer installed, and one with NanoServer plus newimage (sharing most files). */
let withNano: string;
let withBoth: string;

beforeAll(async () => {
  dir = makeTempDir('store-crash-');
  sampleTree(join(dir, 'nano'), 10, 40_000, 1);
  sampleTree(join(dir, 'newimage'), 10, 40_000, 1);
  sampleTree(join(dir, 'newimage', 'extra'), 3, 10_000, 7);
  await makeWim(join(dir, 'nano'), join(dir, 'nano.wim'), 'NanoServer', '10.0.14300.1010');
  await makeWim(join(dir, 'newimage'), join(dir, 'newimage.wim'), 'newimage', '1.0.0.0', 'CN=Demo');
  withNano = join(dir, 'with-nano');
  expect((await posh('Install-ContainerOSImage nano.wim', dir, withNano)).code).toBe(0);
  withBoth = join(dir, 'with-both');
  copyDir(withNano, withBoth);
  expect((await posh('Install-ContainerOSImage newimage.wim', dir, withBoth)).code).toBe(0);
});

afterAll(() => removeTempDir(dir));

/** How many durable steps the operation takes when nothing goes wrong. */
async function countSteps(script: string, template: string | null, tag: string): Promise<number> {
  const home = join(dir, `count-${tag}`);
  if (template) copyDir(template, home);
  const trace = join(dir, `trace-${tag}`);
  const r = await posh(script, dir, home, { POSH_STORE_TRACE: trace });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return readFileSync(trace, 'utf8').trim().split('\n').length;
}

/** `count` points spread over 1..n, always including the first and the last. */
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

interface Scenario {
  tag: string;
  template: () => string | null;
  script: string;
  /** The image the operation installs or removes. */
  image: string;
  /** Whether the image is listed once the operation has completed. */
  listedAfter: boolean;
  /** The command that completes the operation when run again. */
  rerun: string;
}

const scenarios: Scenario[] = [
  {
    tag: 'install',
    template: () => null,
    script: 'Install-ContainerOSImage nano.wim',
    image: 'CN=Microsoft_NanoServer_10.0.14300.1010',
    listedAfter: true,
    rerun: 'Install-ContainerOSImage nano.wim',
  },
  {
    tag: 'install-shared',
    template: () => withNano,
    script: 'Install-ContainerOSImage newimage.wim',
    image: 'CN=Demo_newimage_1.0.0.0',
    listedAfter: true,
    rerun: 'Install-ContainerOSImage newimage.wim',
  },
  {
    tag: 'uninstall',
    template: () => withBoth,
    script: 'Uninstall-ContainerOSImage -FullName CN=Microsoft_NanoServer_10.0.14300.1010 -Force',
    image: 'CN=Microsoft_NanoServer_10.0.14300.1010',
    listedAfter: false,
    rerun: 'Uninstall-ContainerOSImage -FullName CN=Microsoft_NanoServer_10.0.14300.1010 -Force',
  },
  {
    tag: 'remove',
    template: () => withBoth,
    script: 'Get-ContainerImage -Name newimage | Remove-ContainerImage -Force',
    image: 'CN=Demo_newimage_1.0.0.0',
    listedAfter: false,
    rerun: 'Get-ContainerImage -Name newimage | Remove-ContainerImage -Force',
  },
];

test('SIGKILL at 36+ points of Install, Uninstall and Remove leaves a consistent store; the operation then succeeds', async () => {
  const cases: { s: Scenario; point: number; n: number }[] = [];
  for (const s of scenarios) {
    const n = await countSteps(s.script, s.template(), s.tag);
    expect(n).toBeGreaterThan(8);
    for (const point of spread(n, 10)) cases.push({ s, point, n });
  }
  expect(cases.length).toBeGreaterThanOrEqual(36);
  const outcomes: string[] = [];
  await pool(cases, 4, async ({ s, point, n }) => {
    const home = join(dir, `kill-${s.tag}-${point}`);
    const t = s.template();
    if (t) copyDir(t, home);
    const killed = await posh(s.script, dir, home, { POSH_STORE_FAILPOINT: String(point) });
    // The process died at the failpoint (no exit code), never finishing normally.
    expect({ point, n, code: killed.code }).toEqual({ point, n, code: null });
    // One run: check and list; complete the operation if it did not happen; check again.
    const cond = s.listedAfter ? `$l -notcontains '${s.image}'` : `$l -contains '${s.image}'`;
    const check = await posh([
      '$p = @(Test-ContainerImageStore | ForEach-Object { "$($_.Kind) $($_.Id) $($_.Problem)" })',
      '$l = @(Get-ContainerImage | ForEach-Object { $_.FullName })',
      '"problems: $($p -join \'; \')"',
      `"done: $(-not (${cond}))"`,
      `if (${cond}) { ${s.rerun} }`,
      '"problems after: $(@(Test-ContainerImageStore).Count)"',
      `"listed after: $(@(Get-ContainerImage | ForEach-Object { $_.FullName }) -contains '${s.image}')"`,
      '"unreferenced: $((Optimize-ContainerImageStore).BlobsRemoved)"',
    ].join('\n'), dir, home);
    const out = check.stdout.split('\n');
    expect({ point, stderr: check.stderr, code: check.code, problems: out[0] }).toEqual({ point, stderr: '', code: 0, problems: 'problems: ' });
    outcomes.push(`${s.tag}@${point}:${out[1] === 'done: True' ? 'done' : 'not-done'}`);
    expect({ point, rest: out.slice(2) }).toEqual({
      point,
      rest: ['problems after: 0', `listed after: ${s.listedAfter ? 'True' : 'False'}`, 'unreferenced: 0', ''],
    });
    removeTempDir(home);
  });
  // Kills landed both before and after the commit point of every operation.
  for (const s of scenarios) {
    expect(outcomes.some((o) => o.startsWith(`${s.tag}@`) && o.endsWith(':done'))).toBe(true);
    expect(outcomes.some((o) => o.startsWith(`${s.tag}@`) && o.endsWith(':not-done'))).toBe(true);
  }
});

test('SIGKILL at 10 points of an Optimize-ContainerImageStore that rewrites a pack leaves every blob of the live image readable', async () => {
  // newimage installed first, NanoServer (all of whose files newimage has) second, newimage
  // removed: NanoServer's blobs sit in newimage's pack beside the 3 dead ones of newimage's extras.
  const template = join(dir, 'repack');
  const setup = 'Install-ContainerOSImage newimage.wim; Install-ContainerOSImage nano.wim; Uninstall-ContainerOSImage -FullName CN=Demo_newimage_1.0.0.0 -Force';
  expect((await posh(setup, dir, template)).code).toBe(0);
  const n = await countSteps('Optimize-ContainerImageStore | Out-Null', template, 'repack');
  expect(n).toBeGreaterThan(8);
  await pool(spread(n, 10), 4, async (point) => {
    const home = join(dir, `kill-repack-${point}`);
    copyDir(template, home);
    const killed = await posh('Optimize-ContainerImageStore | Out-Null', dir, home, { POSH_STORE_FAILPOINT: String(point) });
    expect({ point, code: killed.code }).toEqual({ point, code: null });
    const check = await posh([
      '"problems: $(@(Test-ContainerImageStore).Count)"',
      '"listed: $((Get-ContainerImage).FullName)"',
      "Export-ContainerImage NanoServer -WimPath 'out-" + point + ".wim' | Out-Null",
      'Optimize-ContainerImageStore | Out-Null',
      '"problems after: $(@(Test-ContainerImageStore).Count)"',
      '"freed again: $((Optimize-ContainerImageStore).BytesFreed)"',
    ].join('\n'), dir, home);
    expect({ point, ...check }).toEqual({ point, stdout: 'problems: 0\nlisted: CN=Microsoft_NanoServer_10.0.14300.1010\nproblems after: 0\nfreed again: 0\n', stderr: '', code: 0 });
    removeTempDir(home);
  });
});

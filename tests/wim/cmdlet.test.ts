// New-ContainerOSImage driven through a minimal CmdletContext (the engine's binder is exercised
// by the engine's own tests; here: the cmdlet's behaviour, output object and errors).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cmdlet from '../../cmdlets/containers/New-ContainerOSImage';
import type { CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { PSObject, PSVersion } from '../../core/engine/values';
import { openWim } from '../../core/wim';
import { rmrf, tempDir } from './helpers';

let work: string;
beforeAll(() => {
  work = tempDir('cmdlet');
  mkdirSync(join(work, 'tree', 'Windows'), { recursive: true });
  writeFileSync(join(work, 'tree', 'Windows', 'notepad.exe'), 'MZ not really\n'.repeat(5000));
});
afterAll(() => rmrf(work));

async function run(params: Record<string, unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  const ctx = {
    params,
    boundParameters: new Set(Object.keys(params)),
    parameterSetName: '__AllParameterSets',
    commandName: 'New-ContainerOSImage',
    session: { cwd: work },
    stopping: false,
    write: (v: unknown) => void out.push(v),
    writeAll: (vs: Iterable<unknown>) => void out.push(...vs),
    writeError: () => undefined,
    writeWarning: () => undefined,
    writeVerbose: () => undefined,
    writeDebug: () => undefined,
    writeInformation: () => undefined,
    writeHost: () => undefined,
    writeProgress: () => undefined,
    shouldProcess: async () => true,
    shouldContinue: async () => true,
    throwTerminating: (r: ErrorRecord): never => {
      throw r;
    },
  } as unknown as CmdletContext;
  await cmdlet.end!(ctx);
  return out;
}

test('declaration', () => {
  expect(`${cmdlet.verb}-${cmdlet.noun}`).toBe('New-ContainerOSImage');
  expect(cmdlet.module).toBe('Containers');
  const names = cmdlet.parameters.map((p) => p.name);
  expect(names).toEqual(['SourcePath', 'Name', 'Version', 'Publisher', 'Summary', 'WimPath', 'Compression']);
  expect(cmdlet.parameters.find((p) => p.name === 'Compression')!.validateSet).toEqual(['None', 'Xpress']);
  expect(cmdlet.parameters.filter((p) => p.mandatory).map((p) => p.name)).toEqual(['SourcePath', 'Name', 'Version', 'WimPath']);
});

test('captures a tree (relative paths resolve against the session location) and writes a result object', async () => {
  const [o] = await run({ SourcePath: 'tree', Name: 'NanoServer', Version: new PSVersion(10, 0, 14300), Publisher: 'CN=Microsoft', Summary: 'Nano', WimPath: 'nano.wim', Compression: 'Xpress' });
  expect(o).toBeInstanceOf(PSObject);
  const p = o as PSObject;
  expect(p.propertyNames()).toEqual(['Name', 'Version', 'Publisher', 'WimPath', 'Size']);
  expect(String(p.get('Version'))).toBe('10.0.14300.0');
  expect(p.get('WimPath')).toBe(join(work, 'nano.wim'));
  const r = await openWim(join(work, 'nano.wim'));
  expect(r.images[0]).toMatchObject({ name: 'NanoServer', version: '10.0.14300.0', publisher: 'CN=Microsoft', description: 'Nano' });
  expect(r.header.compression).toBe('xpress');
  expect(p.get('Size')).toBe(r.fileSize);
  await r.close();
});

test('defaults: no compression, publisher CN=Unknown', async () => {
  const [o] = await run({ SourcePath: join(work, 'tree'), Name: 'X', Version: '1.2', WimPath: join(work, 'x.wim') });
  expect((o as PSObject).get('Publisher')).toBe('CN=Unknown');
  const r = await openWim(join(work, 'x.wim'));
  expect(r.header.compression).toBe('none');
  await r.close();
});

test('a missing source is SourcePathNotFound', async () => {
  await expect(run({ SourcePath: 'nope', Name: 'X', Version: '1.0', WimPath: 'y.wim' })).rejects.toMatchObject({
    fullyQualifiedErrorId: 'SourcePathNotFound',
    category: 'ObjectNotFound',
    message: `Cannot find path '${join(work, 'nope')}' because it does not exist.`,
  });
});

test('a missing destination folder is PathNotFound', async () => {
  await expect(run({ SourcePath: 'tree', Name: 'X', Version: '1.0', WimPath: 'no/such/dir/y.wim' })).rejects.toMatchObject({ fullyQualifiedErrorId: 'PathNotFound' });
});

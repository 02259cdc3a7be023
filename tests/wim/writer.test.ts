// The writer's own input checks, and a round trip through our reader (no peer needed).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createWim, extractImage, openWim } from '../../core/wim';
import { prng, rmrf, tempDir } from './helpers';

let work: string;
beforeAll(() => {
  work = tempDir('writer');
});
afterAll(() => rmrf(work));

const meta = { name: 'T', version: '1.2.3.4' };

test('metadata that XML cannot hold, and malformed versions, are refused', async () => {
  await expect(createWim(join(work, 'a.wim'), { metadata: { name: 'bad\u0001name' } })).rejects.toThrow(/control character/);
  await expect(createWim(join(work, 'a.wim'), { metadata: { name: 'x', version: '1.2.x' } })).rejects.toThrow(/MAJOR.MINOR/);
  expect(readdirSync(work)).toEqual([]);
});

test('entries are checked: names, parents, duplicates, symlinks out of the image', async () => {
  const w = await createWim(join(work, 'b.wim'), { metadata: meta });
  await expect(w.add({ path: ['..'], kind: 'directory' })).rejects.toThrow(/not allowed/);
  await expect(w.add({ path: ['a', 'b'], kind: 'directory' })).rejects.toThrow(/parent directory/);
  await expect(w.add({ path: ['l'], kind: 'symlink', linkTarget: '../../etc/passwd' })).rejects.toThrow(/outside the image/);
  await w.add({ path: ['d'], kind: 'directory' });
  await expect(w.add({ path: ['d'], kind: 'file', size: 0 })).rejects.toThrow(/duplicate/);
  await expect(w.add({ path: ['f'], kind: 'file', size: 3 })).rejects.toThrow(/content is required/);
  await w.abort();
  expect(readdirSync(work).filter((n) => n.startsWith('b.wim'))).toEqual([]);
});

test('round trip through our reader: hard links, named streams, security descriptors, times', async () => {
  for (const compression of ['none', 'xpress'] as const) {
    const wim = join(work, `rt-${compression}.wim`);
    const w = await createWim(wim, { compression, metadata: meta, integrity: true });
    const data = Buffer.concat([prng(50_000, 1), Buffer.alloc(50_000, 0x41)]);
    const sd = Buffer.from('01000480' + '00'.repeat(16), 'hex');
    const t = { creation: 132000000000000000n, lastAccess: 132000000010000000n, lastWrite: 132000000020000000n };
    await w.add({ path: ['dir'], kind: 'directory', securityDescriptor: sd, times: t });
    await w.add({ path: ['dir', 'a'], kind: 'file', size: data.length, hardLinkGroup: 'g', content: async function* () { yield data; }, streams: [{ name: 'Zone.Identifier', size: 5, content: async function* () { yield Buffer.from('zone!'); } }] });
    await w.add({ path: ['b'], kind: 'file', size: data.length, hardLinkGroup: 'g', times: t });
    await w.add({ path: ['empty'], kind: 'file', size: 0, securityDescriptor: sd });
    const res = await w.finish();
    expect(res.fileCount).toBe(3);
    const r = await openWim(wim, { checkIntegrity: true });
    const es = await r.entryList();
    const by = new Map(es.map((e) => [e.path.join('/'), e]));
    expect(by.get('dir')!.securityDescriptor!.equals(sd)).toBe(true);
    expect(by.get('dir')!.times).toEqual(t);
    expect(by.get('empty')!.securityDescriptor!.equals(sd)).toBe(true);
    expect(by.get('empty')!.sha1).toBeNull();
    const a = by.get('dir/a')!;
    const b = by.get('b')!;
    expect(a.hardLinkGroup).toBeDefined();
    expect(a.hardLinkGroup).toBe(b.hardLinkGroup);
    expect(a.streams).toEqual([{ name: 'Zone.Identifier', size: 5, sha1: expect.any(String) }]);
    const chunks: Buffer[] = [];
    for await (const p of r.openBlob(a.sha1!)) chunks.push(p as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    const out = join(work, `out-${compression}`);
    const x = await extractImage(r, 1, out);
    expect(x).toMatchObject({ files: 3, skippedStreams: 1 });
    await expect(extractImage(r, 1, out)).rejects.toThrow(/not empty/);
    await r.close();
  }
});

test('pinned guid and time give byte-identical archives', async () => {
  const make = async (name: string): Promise<Buffer> => {
    const file = join(work, name);
    const w = await createWim(file, { compression: 'xpress', metadata: meta, guid: Buffer.alloc(16, 7), time: 131000000000000000n });
    await w.add({ path: ['d'], kind: 'directory' });
    await w.add({ path: ['d', 'f'], kind: 'file', size: 70_000, content: async function* () { yield prng(70_000, 3); } });
    await w.finish();
    return require('node:fs').readFileSync(file);
  };
  const a = await make('rep-a.wim');
  const b = await make('rep-b.wim');
  expect(a.equals(b)).toBe(true);
  expect(a.subarray(24, 40).equals(Buffer.alloc(16, 7))).toBe(true);
  const r = await openWim(join(work, 'rep-a.wim'));
  expect(r.images[0].creationTime).toBe(131000000000000000n);
  expect((await r.entryList()).find((e) => e.path.join('/') === 'd/f')!.times.lastWrite).toBe(131000000000000000n);
  await r.close();
});

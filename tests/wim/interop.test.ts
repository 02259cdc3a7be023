// Interop with the independent peer, wimlib-imagex: we read what it writes, it reads what we write.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureDirectory, createWim, extractImage, openWim, type WimEntry } from '../../core/wim';
import { describeTree, diffTrees, havePeer, makeTree, rmrf, tempDir, wimlib, wimlibXml, prng } from './helpers';

const peer = havePeer();
const d = peer ? describe : describe.skip;

let work: string;
let src: string;

beforeAll(() => {
  work = tempDir('interop');
  src = join(work, 'src');
  require('node:fs').mkdirSync(src);
  makeTree(src);
});
afterAll(() => rmrf(work));

async function readAll(wimPath: string, index = 1): Promise<{ entries: WimEntry[]; content: Map<string, string> }> {
  const r = await openWim(wimPath);
  try {
    const entries = await r.entryList(index);
    const content = new Map<string, string>();
    for (const e of entries) {
      if (!e.sha1) continue;
      const h = createHash('sha1');
      for await (const p of r.openBlob(e.sha1)) h.update(p as Buffer);
      content.set(e.path.join('/'), h.digest('hex'));
    }
    return { entries, content };
  } finally {
    await r.close();
  }
}

/** Entry-for-entry, byte-for-byte comparison of an archive's image with the source tree. */
function expectMatchesSource(entries: WimEntry[], content: Map<string, string>): void {
  const want = describeTree(src);
  const got = new Map(entries.filter((e) => e.path.length > 0).map((e) => [e.path.join('/'), e]));
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  const groups = new Map<number, string>();
  for (const [p, w] of want) {
    const e = got.get(p)!;
    expect({ p, kind: e.kind }).toEqual({ p, kind: w.kind });
    // Files and links keep their last write time (directories' change as the tree is built).
    if (w.kind !== 'directory') expect({ p, lastWrite: e.times.lastWrite }).toEqual({ p, lastWrite: w.mtime });
    if (w.kind === 'file') {
      expect({ p, size: e.size }).toEqual({ p, size: w.size });
      expect({ p, sha1: e.sha1 ?? undefined }).toEqual({ p, sha1: w.sha1 });
      if (w.sha1) expect({ p, content: content.get(p) }).toEqual({ p, content: w.sha1 });
      if (w.ino !== undefined) {
        expect(e.hardLinkGroup).toBeDefined();
        const g = groups.get(w.ino);
        if (g === undefined) groups.set(w.ino, e.hardLinkGroup!);
        else expect(e.hardLinkGroup).toBe(g);
      } else expect(e.hardLinkGroup).toBeUndefined();
    }
    if (w.kind === 'symlink') expect({ p, target: e.linkTarget }).toEqual({ p, target: w.target });
  }
}

d('reading archives written by wimlib-imagex', () => {
  for (const [label, args] of [
    ['uncompressed', ['--compress=none']],
    ['XPRESS', ['--compress=XPRESS']],
    ['LZX (default)', []],
  ] as const) {
    test(`${label}: entries and bytes equal the source tree, extraction equals it too`, async () => {
      const wim = join(work, `peer-${label.replace(/\W/g, '')}.wim`);
      wimlib(['capture', src, wim, 'Peer image', 'made by wimlib', ...args]);
      const { entries, content } = await readAll(wim);
      expectMatchesSource(entries, content);
      const r = await openWim(wim);
      expect(r.images).toHaveLength(1);
      expect(r.images[0].name).toBe('Peer image');
      expect(r.images[0].description).toBe('made by wimlib');
      expect(r.images[0].publisher).toBe('CN=Unknown');
      const out = join(work, `x-${label.replace(/\W/g, '')}`);
      const res = await extractImage(r, 1, out);
      await r.close();
      expect(res.symlinks).toBe(2);
      expect(diffTrees(src, out)).toBe('');
      // Timestamps are restored (to within the microsecond a double of seconds carries).
      const before = describeTree(src);
      for (const [p, w] of describeTree(out)) {
        const delta = w.mtime! - before.get(p)!.mtime!;
        expect({ p, close: delta >= -10n && delta <= 10n }).toEqual({ p, close: true });
      }
    });
  }

  test('several images in one file: the caller picks the index', async () => {
    const wim = join(work, 'multi.wim');
    const other = join(work, 'other');
    require('node:fs').mkdirSync(other);
    writeFileSync(join(other, 'only-in-two.txt'), 'second image\n');
    wimlib(['capture', src, wim, 'One', '--compress=XPRESS']);
    wimlib(['append', other, wim, 'Two']);
    const r = await openWim(wim);
    expect(r.images.map((i) => i.name)).toEqual(['One', 'Two']);
    const two = await r.entryList(2);
    expect(two.map((e) => e.path.join('/'))).toEqual(['', 'only-in-two.txt']);
    const one = await r.entryList(); // index 1 by default
    expect(one.length).toBeGreaterThan(10);
    await expect(r.entryList(3)).rejects.toThrow(RangeError);
    await r.close();
  });
});

d('archives we write, read by wimlib-imagex', () => {
  for (const compression of ['none', 'xpress'] as const) {
    test(`${compression}: verify passes, apply restores the tree, info shows our metadata`, async () => {
      const wim = join(work, `ours-${compression}.wim`);
      const res = await captureDirectory(src, wim, {
        compression,
        integrity: compression === 'xpress',
        metadata: { name: 'NanoServer', description: 'Nano & <friends>', version: '10.0.14300.1010', publisher: 'CN=Microsoft' },
      });
      expect(res.size).toBe(readFileSync(wim).length);
      const verify = wimlib(['verify', wim]);
      expect(verify).toMatch(/successfully verified/);
      const out = join(work, `applied-${compression}`);
      wimlib(['apply', wim, '1', out]);
      expect(diffTrees(src, out)).toBe('');
      const xml = wimlibXml(wim);
      expect(xml).toContain('<NAME>NanoServer</NAME>');
      expect(xml).toContain('<DESCRIPTION>Nano &amp; &lt;friends&gt;</DESCRIPTION>');
      expect(xml).toContain('<PUBLISHER>CN=Microsoft</PUBLISHER>');
      expect(xml).toMatch(/<VERSION><MAJOR>10<\/MAJOR><MINOR>0<\/MINOR><BUILD>14300<\/BUILD><SPBUILD>1010<\/SPBUILD><\/VERSION>/);
      expect(xml).toMatch(/<DIRCOUNT>6<\/DIRCOUNT>/);
      // And our own reader agrees, entry for entry.
      const { entries, content } = await readAll(wim);
      expectMatchesSource(entries, content);
      const r = await openWim(wim, { checkIntegrity: true });
      expect(r.images[0]).toMatchObject({ name: 'NanoServer', version: '10.0.14300.1010', publisher: 'CN=Microsoft', dirCount: 6 });
      await r.close();
    });
  }

  test('XPRESS compresses compressible data and stores random chunks raw', async () => {
    const none = readFileSync(join(work, 'ours-none.wim')).length;
    const xp = readFileSync(join(work, 'ours-xpress.wim')).length;
    expect(xp).toBeLessThan(none * 0.75);
  });

  test('writing from an async iterable of entries (no tree on disk), deduplicating blobs', async () => {
    const wim = join(work, 'from-entries.wim');
    const w = await createWim(wim, { compression: 'xpress', metadata: { name: 'Synthetic', version: '1.2' } });
    const big = prng(200_000, 9);
    const gen = async function* () {
      yield { path: ['a'], kind: 'directory' as const };
      yield { path: ['a', 'one'], kind: 'file' as const, size: big.length, content: async function* () { yield big.subarray(0, 70_000); yield big.subarray(70_000); } };
      yield { path: ['a', 'two'], kind: 'file' as const, size: big.length, content: async function* () { yield Buffer.from(big); } };
      yield { path: ['three'], kind: 'file' as const, size: big.length, sha1: createHash('sha1').update(big).digest('hex'), content: () => { throw new Error('must not be read'); } };
      yield { path: ['link'], kind: 'symlink' as const, linkTarget: 'a/one' };
    };
    await w.addAll(gen());
    const res = await w.finish();
    expect(res.blobCount).toBe(2); // the content once, plus the symlink's reparse data
    expect(wimlib(['verify', wim])).toMatch(/successfully verified/);
    const out = join(work, 'from-entries-applied');
    wimlib(['apply', wim, out]);
    expect(readFileSync(join(out, 'a', 'two')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'three')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'link')).equals(big)).toBe(true);
    const xml = wimlibXml(wim);
    expect(xml).toMatch(/<MAJOR>1<\/MAJOR><MINOR>2<\/MINOR><BUILD>0<\/BUILD><SPBUILD>0<\/SPBUILD>/);
    expect(xml).toContain('<PUBLISHER>CN=Unknown</PUBLISHER>');
  });

  test('a failed write leaves no archive behind', async () => {
    const wim = join(work, 'failed.wim');
    const w = await createWim(wim, { compression: 'none', metadata: { name: 'x' } });
    await expect(w.add({ path: ['f'], kind: 'file', size: 10, content: async function* () { yield Buffer.alloc(5); } })).rejects.toThrow(/expected 10/);
    await w.abort();
    expect(existsSync(wim)).toBe(false);
    expect(require('node:fs').readdirSync(work).filter((n: string) => n.startsWith('failed.wim'))).toEqual([]);
  });
});

// The compiled library compresses in worker threads (the TypeScript sources under ts-jest use
// the calling thread); `npm test` builds dist/ first, so CI always checks that path too.
const distIndex = join(__dirname, '..', '..', 'dist', 'core', 'wim', 'index.js');
const haveDist = existsSync(distIndex) && existsSync(join(__dirname, '..', '..', 'dist', 'core', 'wim', 'xpress-pool.js'));
if (!haveDist && process.env.CI === 'true') throw new Error('dist/ is missing: run `npm run build` before the tests');
(peer && haveDist ? describe : describe.skip)('compiled library (XPRESS in worker threads)', () => {
  test('an XPRESS archive compressed by the worker pool passes verify and apply', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const lib = require(distIndex) as typeof import('../../core/wim');
    const wim = join(work, 'workers.wim');
    await lib.captureDirectory(src, wim, { compression: 'xpress', metadata: { name: 'W', version: '1.0' } });
    expect(wimlib(['verify', wim])).toMatch(/successfully verified/);
    const out = join(work, 'workers-applied');
    wimlib(['apply', wim, out]);
    expect(diffTrees(src, out)).toBe('');
  });

  test('wimlib LZX and XPRESS archives decompressed by the worker pool extract identically', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const lib = require(distIndex) as typeof import('../../core/wim');
    for (const [tag, args] of [['lzx', []], ['xpress', ['--compress=XPRESS']]] as const) {
      const wim = join(work, `w-peer-${tag}.wim`);
      wimlib(['capture', src, wim, ...args]);
      const r = await lib.openWim(wim);
      const out = join(work, `w-peer-${tag}-out`);
      await lib.extractImage(r, 1, out);
      await r.close();
      expect(diffTrees(src, out)).toBe('');
    }
  });
});

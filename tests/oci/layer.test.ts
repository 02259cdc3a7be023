// Layer tarballs: deterministic writing, reading back (plain and gzip, ours and GNU tar's), and
// hostile archives refused with an error naming the entry.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  writeLayer,
  readLayer,
  digestStream,
  writeLayerFile,
  gzipStream,
  HostileEntryError,
  OciFormatError,
  sha256,
  type LayerEntry,
  type ReadLayerEntry,
} from '../../core/oci';
import { encodeHeader, padding, endOfArchive, type TarHeader } from '../../core/oci/tar';
import { havePeer, rmrf, run, tempDir } from './helpers';

const gnuTar = havePeer('tar', ['--version'], 'tar');

async function collect(source: AsyncIterable<Uint8Array>): Promise<Array<Omit<ReadLayerEntry, 'content'> & { data?: string }>> {
  const out: Array<Omit<ReadLayerEntry, 'content'> & { data?: string }> = [];
  for await (const e of readLayer(source)) {
    if (e.type === 'file') {
      const parts: Buffer[] = [];
      for await (const c of e.content) parts.push(c);
      const { content: _c, ...rest } = e;
      void _c;
      out.push({ ...rest, data: Buffer.concat(parts).toString('latin1') });
    } else out.push(e);
  }
  return out;
}

function raw(headers: Array<{ h: Partial<TarHeader> & { name: string }; body?: Buffer; typeflag?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const { h, body, typeflag } of headers) {
    const full: TarHeader = { type: 'file', mode: 0o644, uid: 0, gid: 0, size: body?.length ?? 0, mtime: 0, linkname: '', uname: '', gname: '', ...h };
    const block = encodeHeader(full);
    if (typeflag) {
      // rewrite the type flag of the (last) ustar block and fix its checksum
      const off = block.length - 512;
      block.write(typeflag, off + 156, 1, 'binary');
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[off + i];
      block.write(sum.toString(8).padStart(6, '0') + '\0 ', off + 148, 8, 'ascii');
    }
    parts.push(block);
    if (body) parts.push(body, padding(body.length));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

const sample = (): LayerEntry[] => [
  { type: 'directory', path: 'Windows' },
  { type: 'directory', path: 'Windows/System32', mode: 0o700 },
  { type: 'file', path: 'Windows/System32/hello.txt', size: 5, content: 'hello' },
  { type: 'file', path: 'Windows/big.bin', size: 300_000, content: Buffer.alloc(300_000, 7) },
  { type: 'file', path: 'empty', size: 0, content: Buffer.alloc(0) },
  { type: 'symlink', path: 'Windows/link', target: 'System32/hello.txt' },
  { type: 'hardlink', path: 'Windows/hard', target: 'Windows/System32/hello.txt' },
  { type: 'whiteout', path: 'Windows/old.dll' },
  { type: 'opaque', path: 'Windows/Temp' },
];

describe('writing layers', () => {
  test('the same entries give the same bytes, however the content is chunked', async () => {
    const a = await digestStream(writeLayer(sample()));
    const chunked = sample().map((e) =>
      e.type === 'file' && e.size > 0
        ? { ...e, content: Readable.from((function* () { const b = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content as string); for (let i = 0; i < b.length; i += 1000) yield b.subarray(i, i + 1000); })()) }
        : e,
    );
    const b = await digestStream(writeLayer(chunked as LayerEntry[]));
    expect(b).toEqual(a);
    expect(a.size % 512).toBe(0);
    // gzip of the same tar is deterministic too
    const g1 = await digestStream(gzipStream(writeLayer(sample())));
    const g2 = await digestStream(gzipStream(writeLayer(sample())));
    expect(g1).toEqual(g2);
    // a different mtime is a different layer
    const c = await digestStream(writeLayer(sample(), { mtime: 1 }));
    expect(c.digest).not.toBe(a.digest);
  });

  test('round trip: entries, modes, fixed times and owners, whiteouts and opaque markers', async () => {
    const got = await collect(writeLayer(sample(), { mtime: 1700000000 }));
    expect(got.map((e) => `${e.type}:${e.path}`)).toEqual([
      'directory:Windows',
      'directory:Windows/System32',
      'file:Windows/System32/hello.txt',
      'file:Windows/big.bin',
      'file:empty',
      'symlink:Windows/link',
      'hardlink:Windows/hard',
      'whiteout:Windows/old.dll',
      'opaque:Windows/Temp',
    ]);
    expect(got[1]).toEqual({ type: 'directory', path: 'Windows/System32', mode: 0o700, mtime: 1700000000, uid: 0, gid: 0 });
    expect(got[2]).toEqual({ type: 'file', path: 'Windows/System32/hello.txt', size: 5, mode: 0o644, mtime: 1700000000, uid: 0, gid: 0, data: 'hello' });
    expect(got[3].type === 'file' && got[3].data === Buffer.alloc(300_000, 7).toString('latin1')).toBe(true);
    expect(got[5]).toEqual({ type: 'symlink', path: 'Windows/link', target: 'System32/hello.txt', mtime: 1700000000 });
    expect(got[6]).toEqual({ type: 'hardlink', path: 'Windows/hard', target: 'Windows/System32/hello.txt' });
  });

  test('long and non-ASCII names (ustar prefix and PAX) round-trip and GNU tar reads them', async () => {
    const deep = Array.from({ length: 12 }, (_, i) => `directory-number-${i}`).join('/'); // > 256 bytes: PAX
    const mid = `${'p'.repeat(120)}/${'n'.repeat(90)}`; // ustar prefix + name
    const entries: LayerEntry[] = [
      { type: 'file', path: `${deep}/file.txt`, size: 3, content: 'abc' },
      { type: 'file', path: mid, size: 1, content: 'x' },
      { type: 'file', path: 'Ünïcödé/文件.txt', size: 2, content: 'hi' },
      { type: 'symlink', path: 'longlink', target: `${deep}/file.txt` },
    ];
    const got = await collect(writeLayer(entries));
    expect(got.map((e) => e.path)).toEqual([`${deep}/file.txt`, mid, 'Ünïcödé/文件.txt', 'longlink']);
    expect(got[3]).toMatchObject({ type: 'symlink', target: `${deep}/file.txt` });
    if (!gnuTar) return;
    const dir = tempDir('tarx');
    try {
      const file = join(dir, 'l.tar');
      await writeLayerFile(entries, file);
      mkdirSync(join(dir, 'x'));
      run('tar', ['-xf', file, '-C', join(dir, 'x')]);
      expect(readFileSync(join(dir, 'x', deep, 'file.txt'), 'utf8')).toBe('abc');
      expect(readFileSync(join(dir, 'x', mid), 'utf8')).toBe('x');
      expect(readFileSync(join(dir, 'x', 'Ünïcödé/文件.txt'), 'utf8')).toBe('hi');
      expect(readFileSync(join(dir, 'x', 'longlink'), 'utf8')).toBe('abc');
      const listing = run('tar', ['--numeric-owner', '-tvf', file]).split('\n')[0];
      expect(listing).toMatch(/^-rw-r--r-- 0\/0 +3 1970-01-01 00:00 /);
    } finally {
      rmrf(dir);
    }
  });

  test('per-entry mtime and PAX records (Windows layers: MSWINDOWS.fileattr / rawsd) round-trip, deterministically', async () => {
    const entries = (): LayerEntry[] => [
      { type: 'directory', path: 'Files', pax: { 'MSWINDOWS.fileattr': '16' } },
      { type: 'file', path: 'Files/a.txt', size: 2, content: 'hi', mtime: 1460000000, pax: { 'MSWINDOWS.rawsd': 'AQAEgBQAAAAkAAAAAAAAADAAAAA=', 'MSWINDOWS.fileattr': '32' } },
      { type: 'directory', path: 'Hives' },
    ];
    const got = await collect(writeLayer(entries()));
    expect(got[0]).toEqual({ type: 'directory', path: 'Files', mode: 0o755, mtime: 0, uid: 0, gid: 0, pax: { 'MSWINDOWS.fileattr': '16' } });
    expect(got[1]).toEqual({
      type: 'file', path: 'Files/a.txt', size: 2, mode: 0o644, mtime: 1460000000, uid: 0, gid: 0, data: 'hi',
      pax: { 'MSWINDOWS.fileattr': '32', 'MSWINDOWS.rawsd': 'AQAEgBQAAAAkAAAAAAAAADAAAAA=' },
    });
    expect(got[2]).toEqual({ type: 'directory', path: 'Hives', mode: 0o755, mtime: 0, uid: 0, gid: 0 });
    const reordered = entries();
    const f = reordered[1] as { pax: Record<string, string> };
    f.pax = { 'MSWINDOWS.fileattr': '32', 'MSWINDOWS.rawsd': 'AQAEgBQAAAAkAAAAAAAAADAAAAA=' };
    expect((await digestStream(writeLayer(reordered))).digest).toBe((await digestStream(writeLayer(entries()))).digest);
    await expect(digestStream(writeLayer([{ type: 'directory', path: 'x', pax: { 'a=b': '1' } }]))).rejects.toThrow('x: invalid PAX record "a=b"');
  });

  test('writer refuses hostile names and wrong sizes', async () => {
    const drain = async (e: LayerEntry[]) => {
      for await (const _ of writeLayer(e)) void _;
    };
    await expect(drain([{ type: 'file', path: '../x', size: 0, content: '' }])).rejects.toThrow(`refusing tar entry "../x": the path climbs out of the layer root with '..'`);
    await expect(drain([{ type: 'symlink', path: 'a/l', target: '../../etc' }])).rejects.toThrow(`refusing tar entry "a/l": symlink target "../../etc" escapes the layer root`);
    await expect(drain([{ type: 'file', path: 'f', size: 4, content: 'abc' }])).rejects.toThrow('layer: f: declared 4 bytes, content has 3');
  });
});

describe('reading layers', () => {
  test('gzip layers are read like plain ones; a GNU tar archive (gnu format, long names) is read', async () => {
    const plain = Buffer.concat(await (async () => { const p: Buffer[] = []; for await (const c of writeLayer(sample())) p.push(c as Buffer); return p; })());
    const a = await collect(Readable.from([plain]));
    const b = await collect(Readable.from([gzipSync(plain)]));
    expect(b).toEqual(a);
    if (!gnuTar) return;
    const dir = tempDir('gnutar');
    try {
      const long = 'L'.repeat(150);
      mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'src', 'sub', long), randomBytes(70_000));
      symlinkSync('sub', join(dir, 'src', 'lnk'));
      run('tar', ['--format=gnu', '--sort=name', '-C', join(dir, 'src'), '-czf', join(dir, 'g.tgz'), '.']);
      const got = await collect(Readable.from([readFileSync(join(dir, 'g.tgz'))]));
      expect(got.map((e) => `${e.type}:${e.path}`)).toEqual(['symlink:lnk', 'directory:sub', `file:sub/${long}`]);
      const f = got[2] as { data: string };
      expect(sha256(Buffer.from(f.data, 'latin1'))).toBe(sha256(readFileSync(join(dir, 'src', 'sub', long))));
    } finally {
      rmrf(dir);
    }
  });

  test('content left unread is skipped; the next entry is still found', async () => {
    const names: string[] = [];
    for await (const e of readLayer(writeLayer(sample()))) names.push(e.path);
    expect(names).toHaveLength(9);
  });

  test('large content streams through with bounded memory', async () => {
    const size = 96 << 20;
    const chunk = Buffer.alloc(1 << 16, 0x5a);
    const entries: LayerEntry[] = [{ type: 'file', path: 'big', size, content: () => Readable.from((function* () { for (let i = 0; i < size; i += chunk.length) yield chunk; })()) }];
    const before = process.memoryUsage().rss;
    let peak = before;
    const h = createHash('sha256');
    for await (const e of readLayer(writeLayer(entries))) {
      if (e.type !== 'file') continue;
      let n = 0;
      for await (const c of e.content) {
        h.update(c);
        n += c.length;
        if ((n & ((8 << 20) - 1)) === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      expect(n).toBe(size);
    }
    expect(peak - before).toBeLessThan(48 << 20);
  });

  const hostile: Array<[string, Buffer, string]> = [
    ['dot-dot path', raw([{ h: { name: '../evil' }, body: Buffer.from('x') }]), `refusing tar entry "../evil": the path climbs out of the layer root with '..'`],
    ['inner dot-dot', raw([{ h: { name: 'a/../../b' }, body: Buffer.from('x') }]), `refusing tar entry "a/../../b": the path climbs out of the layer root with '..'`],
    ['absolute path', raw([{ h: { name: '/etc/passwd' }, body: Buffer.from('x') }]), `refusing tar entry "/etc/passwd": absolute paths are not allowed in a layer`],
    ['escaping symlink', raw([{ h: { name: 'a/link', type: 'symlink', linkname: '../../etc' } }]), `refusing tar entry "a/link": symlink target "../../etc" escapes the layer root`],
    [
      'write through a symlink',
      raw([{ h: { name: 'link', type: 'symlink', linkname: '/etc' } }, { h: { name: 'link/passwd' }, body: Buffer.from('root') }]),
      `refusing tar entry "link/passwd": its parent "link" is a symlink in the same layer`,
    ],
    ['hard link out', raw([{ h: { name: 'h', type: 'hardlink', linkname: '../../etc/shadow' } }]), `refusing tar entry "h": the path climbs out of the layer root with '..'`],
    ['hard link to nothing', raw([{ h: { name: 'h', type: 'hardlink', linkname: 'etc/shadow' } }]), `refusing tar entry "h": hard link target "etc/shadow" is not an earlier entry of the layer`],
    ['PAX path', raw([{ h: { name: '../../pax-evil'.padEnd(300, 'x') }, body: Buffer.from('x') }]), `refusing tar entry "${'../../pax-evil'.padEnd(300, 'x')}": the path climbs out of the layer root with '..'`],
    [
      'GNU long name',
      (() => {
        const name = Buffer.from('../gnu-evil\0');
        return raw([{ h: { name: '././@LongLink', size: name.length }, body: name, typeflag: 'L' }, { h: { name: 'innocent' }, body: Buffer.from('x') }]);
      })(),
      `refusing tar entry "../gnu-evil": the path climbs out of the layer root with '..'`,
    ],
    ['whiteout of ..', raw([{ h: { name: 'a/.wh..' }, body: Buffer.alloc(0) }]), `refusing tar entry "a/.wh..": whiteout of an invalid name`],
  ];
  test.each(hostile)('hostile tar refused: %s', async (_label, tar, message) => {
    const err = await collect(Readable.from([tar])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostileEntryError);
    expect((err as Error).message).toBe(message);
    // gzip-wrapped: the same
    const err2 = await collect(Readable.from([gzipSync(tar)])).catch((e: unknown) => e);
    expect((err2 as Error).message).toBe(message);
  });

  test('absolute symlinks are reported by default and refused on request; relative inside links pass', async () => {
    const tar = raw([{ h: { name: 'bin/sh', type: 'symlink', linkname: '/usr/bin/dash' } }, { h: { name: 'd/l', type: 'symlink', linkname: '../x' } }]);
    expect((await collect(Readable.from([tar]))).map((e) => (e as { target: string }).target)).toEqual(['/usr/bin/dash', '../x']);
    const err = await (async () => { for await (const _ of readLayer(Readable.from([tar]), { absoluteSymlinks: 'reject' })) void _; })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('refusing tar entry "bin/sh": symlink to the absolute path "/usr/bin/dash"');
  });

  test('corrupt and truncated tars fail with a format error', async () => {
    const good = raw([{ h: { name: 'f' }, body: Buffer.alloc(2000, 1) }]);
    const bad = Buffer.from(good);
    bad[10] ^= 1;
    await expect(collect(Readable.from([bad]))).rejects.toThrow(/tar header checksum mismatch/);
    await expect(collect(Readable.from([good.subarray(0, 1200)]))).rejects.toThrow('layer: unexpected end of archive inside entry "f"');
    await expect(collect(Readable.from([gzipSync(good).subarray(0, 40)]))).rejects.toBeInstanceOf(OciFormatError);
    await expect(collect(Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])]))).rejects.toThrow('layer: zstd-compressed layers are not supported');
  });
});

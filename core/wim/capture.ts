// Capturing a directory tree into an archive: a depth-first walk producing writer entries.
// Names are read as raw bytes (Node's string readdir would silently rewrite invalid UTF-8).

import { lstat, open, opendir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { msToFiletime } from './reader';
import type { WimWriteEntry, CreateWimOptions, WimWriteResult } from './writer';
import { createWim } from './writer';

const READ_PIECE = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a file in fresh pieces, the next read overlapping the consumer's work on the current one. */
export async function* readFilePieces(path: string, piece = READ_PIECE): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const next = (): Promise<Buffer> => {
      const b = Buffer.allocUnsafe(piece);
      return fh.read(b, 0, piece, null).then(({ bytesRead }) => b.subarray(0, bytesRead));
    };
    let cur = next();
    while (true) {
      const b = await cur;
      if (b.length === 0) return;
      cur = next();
      yield b;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Walks `srcDir` and yields writer entries, a directory before its contents, children in
 * byte order of their names. Hard links (same device and inode) become one hard-link group.
 * Sockets, FIFOs and devices cannot be represented and are refused.
 */
export async function* walkDirectory(srcDir: string): AsyncGenerator<WimWriteEntry> {
  const rootSt = await stat(srcDir);
  if (!rootSt.isDirectory()) throw new Error(`${srcDir} is not a directory`);
  yield {
    path: [],
    kind: 'directory',
    times: { creation: msToFiletime(rootSt.birthtimeMs || rootSt.mtimeMs), lastAccess: msToFiletime(rootSt.atimeMs), lastWrite: msToFiletime(rootSt.mtimeMs) },
  };
  const stack: { fs: string; segs: string[] }[] = [{ fs: srcDir, segs: [] }];
  while (stack.length) {
    const dir = stack.pop()!;
    const names: { raw: Buffer; name: string }[] = [];
    const dh = await opendir(dir.fs, { encoding: 'buffer' as BufferEncoding });
    for await (const ent of dh) {
      const raw = ent.name as unknown as Buffer;
      let name: string;
      try {
        name = utf8.decode(raw);
      } catch {
        throw new Error(`${join(dir.fs, raw.toString('latin1'))}: file name is not valid UTF-8 and cannot be stored in a WIM archive`);
      }
      names.push({ raw, name });
    }
    names.sort((a, b) => Buffer.compare(a.raw, b.raw));
    const subdirs: { fs: string; segs: string[] }[] = [];
    for (const { name } of names) {
      const fsPath = join(dir.fs, name);
      const segs = [...dir.segs, name];
      const st = await lstat(fsPath);
      const times = {
        creation: msToFiletime(st.birthtimeMs || st.mtimeMs),
        lastAccess: msToFiletime(st.atimeMs),
        lastWrite: msToFiletime(st.mtimeMs),
      };
      if (st.isDirectory()) {
        yield { path: segs, kind: 'directory', times };
        subdirs.push({ fs: fsPath, segs });
      } else if (st.isSymbolicLink()) {
        let target = await readlink(fsPath);
        if (target.startsWith('/')) {
          // An absolute link into the captured tree becomes image-rooted; others keep their path.
          const root = srcDir.endsWith('/') ? srcDir : srcDir + '/';
          if (target.startsWith(root)) target = '/' + target.slice(root.length);
        }
        const isDir = await stat(fsPath).then((s) => s.isDirectory(), () => false);
        yield { path: segs, kind: 'symlink', linkTarget: target, linkIsDirectory: isDir, times };
      } else if (st.isFile()) {
        yield {
          path: segs,
          kind: 'file',
          size: st.size,
          times,
          hardLinkGroup: st.nlink > 1 ? `${st.dev}:${st.ino}` : undefined,
          content: () => readFilePieces(fsPath),
        };
      } else {
        throw new Error(`${fsPath}: sockets, FIFOs and device files cannot be stored in a WIM archive`);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

/** Captures `srcDir` as image 1 of a new archive at `wimPath`. */
export async function captureDirectory(srcDir: string, wimPath: string, opts: CreateWimOptions): Promise<WimWriteResult> {
  const w = await createWim(wimPath, opts);
  try {
    await w.addAll(walkDirectory(srcDir));
  } catch (e) {
    await w.abort();
    throw e;
  }
  return w.finish();
}

// Capturing a directory tree into an archive: a depth-first walk producing writer entries.
// Names are read as raw bytes (Node's string readdir would silently rewrite invalid UTF-8).

import { close as closeCb, closeSync, openSync, readSync, lstatSync, open as openCb, read as readCb, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
const FILETIME_EPOCH_OFFSET = 116444736000000000n;
const nsToFiletime = (ns: bigint): bigint => ns / 100n + FILETIME_EPOCH_OFFSET;
import type { ContentSource, WimWriteEntry, CreateWimOptions, WimWriteResult } from './writer';
import { createWim } from './writer';

const READ_PIECE = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a file (or `range` of it) in fresh pieces, the next read overlapping the consumer's work
 * on the current one. With `range.fd` the file is that open descriptor (left open).
 */
export async function* readFilePieces(path: string, piece = READ_PIECE, range?: FileRange): AsyncGenerator<Buffer> {
  const own = range?.fd === undefined ? openSync(path, 'r') : null;
  const fd = own ?? range!.fd!;
  const release = own === null ? range?.borrow?.() : undefined;
  let cur: Promise<Buffer> | null = null;
  try {
    let at = range?.offset ?? 0;
    const end = range ? range.offset + range.size : Infinity;
    // Each read starts where the previous one ended (a short read leaves no gap).
    const next = (): Promise<Buffer> => {
      const want = Math.min(piece, end - at);
      if (want <= 0) return Promise.resolve(Buffer.alloc(0));
      const b = Buffer.allocUnsafe(want);
      return new Promise((resolve, reject) =>
        readCb(fd, b, 0, want, at, (e, n) => {
          if (e) return reject(e);
          at += n;
          resolve(b.subarray(0, n));
        }),
      );
    };
    cur = next();
    while (true) {
      const b = await cur;
      if (b.length === 0) return;
      cur = next();
      yield b;
    }
  } finally {
    // A consumer that stops early leaves the read ahead in flight: the descriptor is closed (or
    // handed back) only once it is done.
    await cur?.catch(() => undefined);
    if (own !== null) closeSync(own);
    release?.();
  }
}

/**
 * A byte range of a file. `fd`, when given, is the file open already: the reader neither opens nor
 * closes it, and calls `borrow` (if given) before its first read and what that returns after its
 * last, so the descriptor's owner keeps it open in between.
 */
export interface FileRange {
  offset: number;
  size: number;
  fd?: number;
  borrow?: () => () => void;
}

/**
 * The content of a file on disk (or of `range` of it) as a writer ContentSource. Unlike
 * `() => readFilePieces(p)`, the writer's addAll() recognises it and reads small files ahead,
 * several at a time.
 */
export function fileContent(path: string, range?: FileRange): ContentSource {
  return Object.assign(() => readFilePieces(path, READ_PIECE, range), { fsPath: path, fsRange: range });
}

/** Reads exactly `size` bytes from `offset` (fewer if the file shrank) synchronously; `fd` is the file when open already. */
function readSmallFileSync(path: string, size: number, offset: number, fd?: number): Buffer {
  const own = fd === undefined ? openSync(path, 'r') : null;
  try {
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(own ?? fd!, buf, got, size - got, offset + got);
      if (n === 0) return buf.subarray(0, got);
      got += n;
    }
    return buf;
  } finally {
    if (own !== null) closeSync(own);
  }
}

/** Reads exactly `size` bytes of a file from `offset` (fewer if it shrank) with callback I/O: 3 pool round trips (1 with `fd`). */
function readSmallFile(path: string, size: number, offset: number, openFd?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const run = (fd: number, own: boolean): void => {
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      const finish = (e: Error | null, data?: Buffer): void => {
        if (!own) return e ? reject(e) : resolve(data!);
        closeCb(fd, (e2) => (e || e2 ? reject(e || e2) : resolve(data!)));
      };
      const step = (): void => {
        readCb(fd, buf, got, size - got, offset + got, (e, n) => {
          if (e) return finish(e);
          got += n;
          if (n === 0 || got === size) return finish(null, got === size ? buf : buf.subarray(0, got));
          step();
        });
      };
      if (size === 0) finish(null, buf);
      else step();
    };
    if (openFd !== undefined) return run(openFd, false);
    openCb(path, 'r', (err, fd) => (err ? reject(err) : run(fd, true)));
  });
}

/**
 * Walks `srcDir` and yields writer entries, a directory before its contents, children in
 * byte order of their names. Hard links (same device and inode) become one hard-link group.
 * Sockets, FIFOs and devices cannot be represented and are refused. Directory listing and
 * stat calls are synchronous: each is a short system call, cheaper than a thread-pool trip.
 */
export async function* walkDirectory(srcDir: string): AsyncGenerator<WimWriteEntry> {
  const rootSt = statSync(srcDir, { bigint: true });
  if (!rootSt.isDirectory()) throw new Error(`${srcDir} is not a directory`);
  yield {
    path: [],
    kind: 'directory',
    times: { creation: nsToFiletime(rootSt.birthtimeNs || rootSt.mtimeNs), lastAccess: nsToFiletime(rootSt.atimeNs), lastWrite: nsToFiletime(rootSt.mtimeNs) },
  };
  const stack: { fs: string; segs: string[] }[] = [{ fs: srcDir, segs: [] }];
  while (stack.length) {
    const dir = stack.pop()!;
    const names: { raw: Buffer; name: string }[] = [];
    for (const raw of readdirSync(dir.fs, { encoding: 'buffer' })) {
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
      // Nanosecond stat: FILETIME has 100 ns resolution, which a float of milliseconds loses.
      const st = lstatSync(fsPath, { bigint: true });
      const times = {
        creation: nsToFiletime(st.birthtimeNs || st.mtimeNs),
        lastAccess: nsToFiletime(st.atimeNs),
        lastWrite: nsToFiletime(st.mtimeNs),
      };
      if (st.isDirectory()) {
        yield { path: segs, kind: 'directory', times };
        subdirs.push({ fs: fsPath, segs });
      } else if (st.isSymbolicLink()) {
        let target = readlinkSync(fsPath);
        if (target.startsWith('/')) {
          // An absolute link into the captured tree becomes image-rooted; others keep their path.
          const root = srcDir.endsWith('/') ? srcDir : srcDir + '/';
          if (target.startsWith(root)) target = '/' + target.slice(root.length);
        }
        let isDir = false;
        try {
          isDir = statSync(fsPath).isDirectory();
        } catch {
          // a dangling link: a file link
        }
        yield { path: segs, kind: 'symlink', linkTarget: target, linkIsDirectory: isDir, times };
      } else if (st.isFile()) {
        yield {
          path: segs,
          kind: 'file',
          size: Number(st.size),
          times,
          hardLinkGroup: st.nlink > 1n ? `${st.dev}:${st.ino}` : undefined,
          content: fileContent(fsPath),
        };
      } else {
        throw new Error(`${fsPath}: sockets, FIFOs and device files cannot be stored in a WIM archive`);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

const SYNC_READ_MAX = 1 << 20;
const PREFETCH_MAX_FILE = 4 << 20;
const PREFETCH_BYTES = 64 << 20;
const PREFETCH_FILES = 32;

/**
 * For fileContent() sources: files up to 1 MiB are read synchronously when the writer needs
 * them (cheaper than thread-pool trips); files up to 4 MiB are read ahead, several at a time, so
 * the thread pool reads while the writer hashes and writes; larger files are streamed.
 */
export async function* prefetch(entries: AsyncIterable<WimWriteEntry> | Iterable<WimWriteEntry>): AsyncGenerator<WimWriteEntry> {
  const queue: { e: WimWriteEntry; bytes: number }[] = [];
  let bytes = 0;
  const it = Symbol.asyncIterator in entries ? (entries as AsyncIterable<WimWriteEntry>)[Symbol.asyncIterator]() : (async function* () { yield* entries as Iterable<WimWriteEntry>; })();
  let done = false;
  const fill = async (): Promise<void> => {
    while (!done && queue.length < PREFETCH_FILES && bytes < PREFETCH_BYTES) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const e = r.value;
      let b = 0;
      if (e.kind === 'file' && e.content && e.size !== undefined && e.size > 0 && e.size <= PREFETCH_MAX_FILE) {
        const src = e.content;
        const { fsPath, fsRange } = src as unknown as { fsPath?: string; fsRange?: FileRange };
        const offset = fsRange?.offset ?? 0;
        if (fsPath && e.size <= SYNC_READ_MAX) {
          const size = e.size;
          e.content = async function* () {
            yield readSmallFileSync(fsPath, size, offset, fsRange?.fd);
          };
        } else if (fsPath) {
          const release = fsRange?.fd !== undefined ? fsRange.borrow?.() : undefined;
          const data = readSmallFile(fsPath, e.size, offset, fsRange?.fd).finally(() => release?.());
          data.catch(() => undefined); // observed when the writer asks for the content
          e.content = async function* () {
            yield await data;
          };
          b = e.size;
        }
      }
      bytes += b;
      queue.push({ e, bytes: b });
    }
  };
  while (true) {
    await fill();
    const next = queue.shift();
    if (!next) return;
    bytes -= next.bytes;
    yield next.e;
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

// Extracting an image to a directory. The whole tree is validated (by the reader) before the
// first byte is written (content hashes are checked as it streams: on a mismatch the error comes
// with a partial tree, so callers extract into a staging directory they remove on failure); the destination must be empty or absent, every file is created with
// O_EXCL inside directories we created ourselves, and symlinks are created last, so nothing an
// archive says can redirect a write outside the destination.

import { constants } from 'node:fs';
import { close as closeCb, open as openCb, write as writeCb, writeSync, closeSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { open as openAsync, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { WimFormatError } from './errors';
import type { WimEntry, WimReader } from './reader';

const FILETIME_EPOCH_OFFSET = 116444736000000000n;

export interface ExtractResult {
  directories: number;
  /** File entries, hard links included. */
  files: number;
  symlinks: number;
  /** Bytes of file content written (hard links counted once). */
  bytes: number;
  /** Named data streams that were not extracted (Linux file systems have no place for them). */
  skippedStreams: number;
  /** Reparse points other than symlinks/junctions, extracted as plain files. */
  skippedReparsePoints: number;
}

export interface ExtractOptions {
  /** Set file and directory times from the archive (default true). */
  setTimes?: boolean;
  /**
   * Refuse (WimFormatError, before anything is written) an image whose files would take more
   * than this many bytes — compressed archives can expand a hundredfold.
   */
  maxBytes?: number;
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Relative link text for an image-rooted target ('/a/b') seen from the directory `dir`. */
function linkText(dir: string[], target: string): string {
  if (!target.startsWith('/')) return target;
  const rel = posix.relative('/' + dir.join('/'), '/' + target.replace(/^\/+/, ''));
  return rel === '' ? '.' : rel;
}

/**
 * Creates a file holding `data` with callback I/O (open, write, close: three thread-pool trips,
 * no FileHandle objects to allocate and collect).
 */
function createWithContent(path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    openCb(path, CREATE_FLAGS, 0o644, (err, fd) => {
      if (err) return reject(err);
      let done = 0;
      const finish = (e: Error | null): void => closeCb(fd, (e2) => (e || e2 ? reject(e || e2) : resolve()));
      const step = (): void => {
        writeCb(fd, data, done, data.length - done, done, (e, n) => {
          if (e) return finish(e);
          done += n;
          if (done >= data.length) finish(null);
          else step();
        });
      };
      step();
    });
  });
}

/** Files up to this size are written synchronously: three thread-pool trips cost more. */
const SYNC_WRITE_MAX = 1 << 20;

function writeSmallSync(path: string, data: Buffer): void {
  const fd = openSync(path, CREATE_FLAGS, 0o644);
  try {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, done);
  } finally {
    closeSync(fd);
  }
}

/** Bounds the data handed to the thread pool and not yet written. */
const MAX_INFLIGHT_BYTES = 32 << 20;
const MAX_INFLIGHT_OPS = 32;

export async function extractImage(reader: WimReader, imageIndex: number, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const entries = await reader.entryList(imageIndex);
  if (opts.maxBytes !== undefined) {
    let total = 0;
    const seen = new Set<string>();
    for (const e of entries) {
      if (e.kind !== 'file' || (e.hardLinkGroup && seen.has(e.hardLinkGroup))) continue;
      if (e.hardLinkGroup) seen.add(e.hardLinkGroup);
      total += e.size;
    }
    if (total > opts.maxBytes) throw new WimFormatError(`image ${imageIndex} expands to ${total} bytes, more than the allowed ${opts.maxBytes}`);
  }
  mkdirSync(destDir, { recursive: true });
  if (!statSync(destDir).isDirectory()) throw new Error(`${destDir} is not a directory`);
  if (readdirSync(destDir).length > 0) throw new Error(`${destDir} is not empty; extract into an empty directory`);
  const result: ExtractResult = { directories: 0, files: 0, symlinks: 0, bytes: 0, skippedStreams: 0, skippedReparsePoints: 0 };
  const fsPath = (e: WimEntry): string => join(destDir, ...e.path);

  // 1. Directories, parents first (entries are in directory order). Metadata operations are
  //    synchronous: each is a quick system call, and a thread-pool round trip would cost more.
  for (const e of entries) {
    if (e.kind !== 'directory' || e.path.length === 0) continue;
    mkdirSync(fsPath(e));
    result.directories++;
  }
  // 2. Files: each blob read once, in archive order, and written to every file holding it;
  //    further members of a hard-link group become links to the first.
  const byBlob = new Map<string, string[]>();
  const linkFirst = new Map<string, WimEntry>();
  const links: [WimEntry, WimEntry][] = [];
  for (const e of entries) {
    if (e.kind !== 'file') continue;
    result.files++;
    if (e.hardLinkGroup) {
      const first = linkFirst.get(e.hardLinkGroup);
      if (first) {
        links.push([e, first]);
        continue;
      }
      linkFirst.set(e.hardLinkGroup, e);
    }
    // Per file, not per link: the streams belong to the file.
    result.skippedStreams += e.streams.length;
    if (e.reparse) result.skippedReparsePoints++;
    if (!e.sha1) {
      closeSync(openSync(fsPath(e), CREATE_FLAGS, 0o644));
      continue;
    }
    let l = byBlob.get(e.sha1);
    if (!l) byBlob.set(e.sha1, (l = []));
    l.push(fsPath(e));
  }
  const order = [...byBlob.keys()].sort((a, b) => reader.blob(a)!.res.offset - reader.blob(b)!.res.offset);

  // Writes run in the thread pool while this thread reads and hashes the next blobs.
  const inflight = new Set<Promise<void>>();
  let inflightBytes = 0;
  let failure: unknown = null;
  const track = (p: Promise<void>, bytes: number): void => {
    inflightBytes += bytes;
    const t = p.then(
      () => { inflightBytes -= bytes; inflight.delete(t); },
      (e) => { inflightBytes -= bytes; inflight.delete(t); failure ??= e; },
    );
    inflight.add(t);
  };
  const room = async (bytes: number): Promise<void> => {
    while (inflight.size > 0 && (inflightBytes + bytes > MAX_INFLIGHT_BYTES || inflight.size >= MAX_INFLIGHT_OPS)) await Promise.race(inflight);
    if (failure) throw failure;
  };
  // Open files of the blob being streamed (blobs larger than one piece).
  let open: { sha1: string; fds: FileHandle[]; at: number; writes: Promise<void>[] } | null = null;
  const writeAll = async (fh: FileHandle, data: Buffer, at: number): Promise<void> => {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, at + done);
      done += bytesWritten;
    }
  };
  await reader.forEachBlob(order, async (sha1, piece, last) => {
    const paths = byBlob.get(sha1)!;
    if (!open && last) {
      // Whole blob in one piece (verified): one write per target file.
      for (const p of paths) {
        if (piece.length <= SYNC_WRITE_MAX) {
          writeSmallSync(p, piece);
          continue;
        }
        await room(piece.length);
        track(createWithContent(p, piece), piece.length);
      }
      result.bytes += piece.length * paths.length;
      return;
    }
    if (!open) open = { sha1, fds: await Promise.all(paths.map((p) => openAsync(p, CREATE_FLAGS, 0o644))), at: 0, writes: [] };
    const o = open;
    for (const fd of o.fds) {
      await room(piece.length);
      const w = writeAll(fd, piece, o.at);
      o.writes.push(w.catch(() => undefined));
      track(w, piece.length);
    }
    o.at += piece.length;
    if (last) {
      open = null;
      result.bytes += o.at * paths.length;
      // Close once this blob's writes are done, without holding up the next blob.
      track(Promise.all(o.writes).then(() => Promise.all(o.fds.map((f) => f.close()))).then(() => undefined), 0);
    }
  }).catch(async (e) => {
    await Promise.allSettled(inflight);
    const o = open as { fds: FileHandle[] } | null;
    if (o) await Promise.allSettled(o.fds.map((f) => f.close()));
    throw e;
  });
  await Promise.all(inflight);
  if (failure) throw failure;
  for (const [e, first] of links) linkSync(fsPath(first), fsPath(e));
  // 3. Symlinks, last: no later write goes through them.
  for (const e of entries) {
    if (e.kind !== 'symlink') continue;
    symlinkSync(linkText(e.path.slice(0, -1), e.linkTarget!), fsPath(e));
    result.symlinks++;
  }
  // 4. Times, deepest first so creating children does not disturb a directory's times.
  if (opts.setTimes !== false) {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      // Seconds as a double keep sub-microsecond precision, which a Date (milliseconds) would not.
      const at = Number(e.times.lastAccess - FILETIME_EPOCH_OFFSET) / 1e7;
      const mt = Number(e.times.lastWrite - FILETIME_EPOCH_OFFSET) / 1e7;
      if (!(Number.isFinite(at) && Number.isFinite(mt))) continue;
      try {
        if (e.kind === 'symlink') lutimesSync(fsPath(e), at, mt);
        else utimesSync(e.path.length ? fsPath(e) : destDir, at, mt);
      } catch {
        // Times outside what the file system can store are not worth failing the extraction.
      }
    }
  }
  return result;
}

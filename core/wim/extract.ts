// Extracting an image to a directory. The whole tree is validated (by the reader) before the
// first byte is written; the destination must be empty or absent, every file is created with
// O_EXCL inside directories we created ourselves, and symlinks are created last, so nothing an
// archive says can redirect a write outside the destination.

import { constants } from 'node:fs';
import { link, lutimes, mkdir, open, readdir, stat, symlink, utimes, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { filetimeToDate, type WimEntry, type WimReader } from './reader';

export interface ExtractResult {
  directories: number;
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
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Relative link text for an image-rooted target ('/a/b') seen from the directory `dir`. */
function linkText(dir: string[], target: string): string {
  if (!target.startsWith('/')) return target;
  const rel = posix.relative('/' + dir.join('/'), '/' + target.replace(/^\/+/, ''));
  return rel === '' ? '.' : rel;
}

export async function extractImage(reader: WimReader, imageIndex: number, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const entries = await reader.entryList(imageIndex);
  await mkdir(destDir, { recursive: true });
  const st = await stat(destDir);
  if (!st.isDirectory()) throw new Error(`${destDir} is not a directory`);
  if ((await readdir(destDir)).length > 0) throw new Error(`${destDir} is not empty; extract into an empty directory`);
  const result: ExtractResult = { directories: 0, files: 0, symlinks: 0, bytes: 0, skippedStreams: 0, skippedReparsePoints: 0 };
  const fsPath = (e: WimEntry): string => join(destDir, ...e.path);

  // 1. Directories, parents first (entries are in directory order).
  for (const e of entries) {
    if (e.kind !== 'directory' || e.path.length === 0) continue;
    await mkdir(fsPath(e));
    result.directories++;
  }
  // 2. Files: each blob read once, in archive order, and written to every file holding it;
  //    further members of a hard-link group become links to the first.
  const byBlob = new Map<string, WimEntry[]>();
  const linkFirst = new Map<string, WimEntry>();
  const links: [WimEntry, WimEntry][] = [];
  for (const e of entries) {
    if (e.kind !== 'file') continue;
    result.skippedStreams += e.streams.length;
    if (e.reparse) result.skippedReparsePoints++;
    if (e.hardLinkGroup) {
      const first = linkFirst.get(e.hardLinkGroup);
      if (first) {
        links.push([e, first]);
        continue;
      }
      linkFirst.set(e.hardLinkGroup, e);
    }
    result.files++;
    if (!e.sha1) {
      const fh = await open(fsPath(e), CREATE_FLAGS, 0o644);
      await fh.close();
      continue;
    }
    let l = byBlob.get(e.sha1);
    if (!l) byBlob.set(e.sha1, (l = []));
    l.push(e);
  }
  const order = [...byBlob.keys()].sort((a, b) => reader.blob(a)!.res.offset - reader.blob(b)!.res.offset);
  for (const sha1 of order) {
    const targets = byBlob.get(sha1)!;
    const fhs: FileHandle[] = [];
    try {
      for (const t of targets) fhs.push(await open(fsPath(t), CREATE_FLAGS, 0o644));
      let at = 0;
      const inflight: Promise<unknown>[] = [];
      for await (const piece of reader.blobPieces(sha1, '/' + targets[0].path.join('/'))) {
        // Keep a couple of pieces in flight so the thread pool writes while we read and hash.
        while (inflight.length >= 2 * fhs.length) await inflight.shift();
        for (const fh of fhs) {
          const w = fh.write(piece, 0, piece.length, at);
          w.catch(() => undefined); // observed when awaited
          inflight.push(w);
        }
        at += piece.length;
      }
      await Promise.all(inflight);
      result.bytes += at * targets.length;
    } finally {
      await Promise.all(fhs.map((f) => f.close()));
    }
  }
  for (const [e, first] of links) await link(fsPath(first), fsPath(e));
  // 3. Symlinks, last: no later write goes through them.
  for (const e of entries) {
    if (e.kind !== 'symlink') continue;
    await symlink(linkText(e.path.slice(0, -1), e.linkTarget!), fsPath(e));
    result.symlinks++;
  }
  // 4. Times, deepest first so creating children does not disturb a directory's times.
  if (opts.setTimes !== false) {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      const at = filetimeToDate(e.times.lastAccess);
      const mt = filetimeToDate(e.times.lastWrite);
      if (!(Number.isFinite(at.getTime()) && Number.isFinite(mt.getTime()))) continue;
      if (e.kind === 'symlink') await lutimes(fsPath(e), at, mt).catch(() => undefined);
      else await utimes(e.path.length ? fsPath(e) : destDir, at, mt).catch(() => undefined);
    }
  }
  return result;
}

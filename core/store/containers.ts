// Containers' writable roots: materialising an image's tree into a directory, and the diff of
// such a directory against its image (the layer New-ContainerImage commits).
//
// Materialisation copies each file from its blob with copyFile(COPYFILE_FICLONE): on a file
// system with reflinks (btrfs, XFS, bcachefs, APFS) no file data is copied and the file system
// itself copies a block up when the container writes it; elsewhere Node falls back to a plain
// copy. Either way a container's file is never the blob's inode, so no write through a
// container (not even by root, whom read-only modes do not stop) can change a blob, the image,
// or another container. Hard links were rejected for that reason. A blob kept in a pack file
// (installed from an uncompressed archive) is copied from its byte range of the pack.

import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, lutimes, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyRange, step } from './durable';
import type { BlobLocation, StoreInputEntry } from './store';
import type { LayerEntry } from './types';

const FILETIME_EPOCH_OFFSET = 116444736000000000n;

/** FILETIME (decimal string) → seconds since 1970, for utimes. */
function filetimeSeconds(ft: string | undefined): number | null {
  if (!ft) return null;
  try {
    const s = Number(BigInt(ft) - FILETIME_EPOCH_OFFSET) / 1e7;
    return Number.isFinite(s) && s > 0 ? s : null;
  } catch {
    return null;
  }
}

/**
 * Writes a flattened image tree (parents before children) into `dest`, which must not exist.
 * `locate` maps a SHA-256 to where the blob's bytes are. Image-rooted link targets ('/…') become absolute
 * paths inside `dest` (the capture walk turns them back into image-rooted ones).
 */
export async function materializeTree(dest: string, flat: LayerEntry[], locate: (sha256: string) => BlobLocation): Promise<void> {
  await mkdir(dest);
  const dirTimes: { path: string; t: number }[] = [];
  // Files are copied COPY_WIDTH at a time (their folders exist already: parents come first), so
  // one file's read waits overlap another's write.
  const copying = new Set<Promise<void>>();
  let failure: unknown = null;
  try {
    for (const e of flat) {
      if (failure) break;
      const p = e.path === '' ? dest : join(dest, ...e.path.split('/'));
      const t = filetimeSeconds(e.times?.[2]);
      step('materialize', p);
      if (e.kind === 'directory') {
        if (e.path !== '') await mkdir(p);
        if (t !== null) dirTimes.push({ path: p, t });
      } else if (e.kind === 'file') {
        const copy = (async () => {
          if (e.sha256) await copyBlob(locate(e.sha256), p);
          else await writeFile(p, '');
          if (t !== null) await utimes(p, t, t);
        })().catch((err: unknown) => {
          failure ??= err;
        });
        const settled = copy.finally(() => copying.delete(settled));
        copying.add(settled);
        if (copying.size >= COPY_WIDTH) await Promise.race(copying);
      } else if (e.kind === 'symlink') {
        const target = e.linkTarget ?? '';
        await symlink(target.startsWith('/') ? join(dest, ...target.split('/').filter(Boolean)) : target, p);
        if (t !== null) await lutimes(p, t, t).catch(() => undefined);
      }
    }
  } finally {
    // No copy may outlive the call: the caller's clean-up removes the folder right after a failure.
    await Promise.all(copying);
  }
  if (failure) throw failure;
  // Directory times last (creating their children changed them), deepest first.
  for (let i = dirTimes.length - 1; i >= 0; i--) await utimes(dirTimes[i].path, dirTimes[i].t, dirTimes[i].t);
}

const COPY_WIDTH = 4;

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

function compareSegs(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length - b.length;
}

/**
 * The changes of the directory `root` against the flattened image tree `flat`: added and
 * changed files, links and directories (with the directories above them, so the layer is a
 * tree), and a 'whiteout' per deleted path (one for a deleted directory, not one per file in
 * it). A path whose kind changed is a whiteout followed by the new entry. Whiteouts come first.
 */
export async function diffTree(root: string, flat: LayerEntry[]): Promise<{ entries: StoreInputEntry[]; added: number; changed: number; deleted: number }> {
  const { walkDirectory, readFilePieces } = await import('../wim');
  const base = new Map<string, LayerEntry>();
  for (const e of flat) base.set(e.path, e);
  const seen = new Set<string>();
  const dirs = new Map<string, StoreInputEntry>();
  const out = new Map<string, StoreInputEntry>();
  const whiteouts: StoreInputEntry[] = [];
  /** Paths whose kind changed: everything below them is new. */
  const replaced: string[] = [];
  let added = 0;
  let changed = 0;
  for await (const w of walkDirectory(root)) {
    if (w.path.length === 0) continue;
    const p = w.path.join('/');
    seen.add(p);
    const times = w.times && w.times.creation !== undefined && w.times.lastAccess !== undefined && w.times.lastWrite !== undefined
      ? { creation: w.times.creation, lastAccess: w.times.lastAccess, lastWrite: w.times.lastWrite }
      : undefined;
    const entry: StoreInputEntry = { path: w.path, kind: w.kind as StoreInputEntry['kind'], times };
    if (w.kind === 'file') {
      entry.size = w.size ?? 0;
      const fsPath = join(root, ...w.path);
      entry.content = () => readFilePieces(fsPath);
    } else if (w.kind === 'symlink') {
      entry.linkTarget = w.linkTarget;
      entry.linkIsDirectory = w.linkIsDirectory;
    }
    if (w.kind === 'directory') dirs.set(p, entry);
    const under = replaced.some((r) => p.startsWith(r + '/'));
    const b = under ? undefined : base.get(p);
    if (!b) {
      out.set(p, entry);
      added++;
      continue;
    }
    if (b.kind !== w.kind) {
      whiteouts.push({ path: w.path, kind: 'whiteout' });
      replaced.push(p);
      out.set(p, entry);
      changed++;
      continue;
    }
    if (w.kind === 'file') {
      const size = w.size ?? 0;
      const fsPath = join(root, ...w.path);
      const differs = size !== (b.size ?? 0) || (size > 0 && (await sha256OfFile(fsPath)) !== b.sha256);
      if (differs) {
        out.set(p, entry);
        changed++;
      }
    } else if (w.kind === 'symlink') {
      if ((w.linkTarget ?? '') !== (b.linkTarget ?? '')) {
        out.set(p, entry);
        changed++;
      }
    }
  }
  let deleted = 0;
  // A deleted or replaced path's whiteout covers everything below it.
  const gone = new Set<string>(replaced);
  for (const e of flat) {
    if (e.path === '' || seen.has(e.path)) continue;
    const segs = e.path.split('/');
    let covered = false;
    for (let i = 1; i < segs.length && !covered; i++) covered = gone.has(segs.slice(0, i).join('/'));
    gone.add(e.path);
    if (covered) continue;
    whiteouts.push({ path: segs, kind: 'whiteout' });
    deleted++;
  }
  // The directories above every new entry, so the layer's tree is whole.
  for (const p of [...out.keys()]) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) {
      const a = segs.slice(0, i).join('/');
      if (!out.has(a)) out.set(a, dirs.get(a)!);
    }
  }
  const tree = [...out.values()].sort((x, y) => compareSegs(x.path, y.path));
  whiteouts.sort((x, y) => compareSegs(x.path, y.path));
  return { entries: [...whiteouts, ...tree], added, changed, deleted };
}

/**
 * A blob of its own is copied with FICLONE (a reflink where the file system has them, else the
 * kernel's copy); a packed one is copied from its range of the pack.
 */
async function copyBlob(at: BlobLocation, dest: string): Promise<void> {
  if (!at.packed) return copyFile(at.path, dest, constants.COPYFILE_FICLONE);
  const src = await open(at.path, 'r');
  try {
    const out = await open(dest, 'wx');
    try {
      await copyRange(src, at.offset, at.size, out, 0);
    } finally {
      await out.close();
    }
  } finally {
    await src.close();
  }
}

// `docker save`: images of the store as one tar archive — an OCI image layout plus Docker's
// manifest.json and repositories, layers uncompressed — so `docker load`, skopeo's
// `docker-archive:` and `oci-archive:` all read it (core/oci writeImageArchiveFile; the layers come
// from core/store-oci's imageToOci).

import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { ImageRecord } from '../../../core/store';
import { dockerError, readList, referencesOf, resolveImage, splitReference, storeOf } from '../common';
import { resolveHere } from '../../containers/images';
import { daemonError } from './load';

/** Go's error text for a failed stat (os.PathError), as the docker CLI prints it. */
function goStatError(op: string, path: string, e: NodeJS.ErrnoException): string {
  const why: Record<string, string> = { ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied' };
  return `${op} ${path}: ${why[e.code ?? ''] ?? e.message}`;
}

/** Go's filepath.Dir of the path as typed ('.' for a bare name). */
function goDir(p: string): string {
  return dirname(p);
}

/**
 * The docker CLI's check of `-o` before anything is saved (moby/sys atomicwriter): the folder must
 * exist, and an existing target must be a regular file. Returns the error text or null.
 */
function outputProblem(given: string, full: string): string | null {
  const dir = goDir(given);
  if (dir !== '' && dir !== '.' && dir !== '..') {
    try {
      if (!statSync(dirname(full)).isDirectory()) return `invalid output path: stat ${dir}: not a directory`;
    } catch (e) {
      return `invalid output path: ${goStatError('stat', dir, e as NodeJS.ErrnoException)}`;
    }
  }
  let st;
  try {
    st = lstatSync(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `failed to stat output path: ${goStatError('lstat', given, e as NodeJS.ErrnoException)}`;
  }
  if (st.isFile()) {
    if (st.mode & 0o4000) return 'cannot write to a setuid file';
    if (st.mode & 0o2000) return 'cannot write to a setgid file';
    if (st.mode & 0o1000) return 'cannot write to a sticky bit file';
    return null;
  }
  if (st.isDirectory()) return 'cannot write to a directory';
  if (st.isSymbolicLink()) return 'cannot write to a symbolic link directly';
  if (st.isFIFO()) return 'cannot write to a named pipe (FIFO)';
  if (st.isSocket()) return 'cannot write to a socket';
  if (st.isCharacterDevice()) return 'cannot write to a character device file';
  return 'cannot write to a block device file';
}

/** `docker save -o FILE IMAGE [IMAGE...]`. */
export default async function save(ctx: CmdletContext, args: string[]): Promise<void> {
  let output: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-o' || a === '--output') {
      if (i + 1 >= args.length) ctx.throwTerminating(dockerError(ctx, `flag needs an argument: '${a === '-o' ? 'o' : '-output'}' in ${a}\nSee 'docker save --help'.`, 'DockerUsage'));
      output = args[++i];
    } else if (a.startsWith('--output=')) output = a.slice('--output='.length);
    else if (a.startsWith('-o') && a.length > 2 && !a.startsWith('--')) output = a.slice(a[2] === '=' ? 3 : 2);
    else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker save --help'.`, 'DockerUsage'));
    else names.push(a);
  }
  if (names.length === 0) ctx.throwTerminating(dockerError(ctx, `"docker save" requires at least 1 argument.\nSee 'docker save --help'.`, 'DockerUsage'));
  // The docker CLI streams the archive to standard output only when that is not a terminal; in
  // posh the output is the object pipeline, where a tar is of no use, so -o is required.
  if (output === undefined || output === '') {
    ctx.throwTerminating(dockerError(ctx, 'cowardly refusing to save to a terminal. Use the -o flag or redirect', 'DockerSaveToTerminal'));
  }
  const full = resolveHere(ctx, output);
  const problem = outputProblem(output, full);
  if (problem) ctx.throwTerminating(dockerError(ctx, `failed to save image: ${problem}`, 'DockerSaveOutput', 'WriteError'));

  // Which images, with which RepoTags: a reference names that tag; an image id, none (docker
  // saves an image named by id untagged); a repository without a tag, every tag of it.
  const list = readList(ctx);
  const chosen = new Map<string, { image: ImageRecord; tags: string[] }>();
  const add = (image: ImageRecord, tag?: string) => {
    const e = chosen.get(image.imageId) ?? { image, tags: [] };
    if (tag && !e.tags.includes(tag)) e.tags.push(tag);
    chosen.set(image.imageId, e);
  };
  for (const n of names) {
    const byId = /^(?:sha256:)?([0-9a-f]{12,64})$/.exec(n);
    const idHits = byId ? list.filter((r) => r.imageId.startsWith(byId[1])) : [];
    if (idHits.length === 1) {
      add(idHits[0]);
      continue;
    }
    const hasTag = n.lastIndexOf(':') > n.lastIndexOf('/');
    if (!hasTag) {
      const repo = n;
      const all = list.flatMap((r) => referencesOf(r).filter((ref) => splitReference(ref).repository === repo).map((ref) => ({ r, ref })));
      if (all.length) {
        for (const { r, ref } of all) add(r, ref);
        continue;
      }
    }
    const { image, shown } = resolveImage(list, n);
    if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
    add(image, shown);
  }

  const store = storeOf(ctx);
  const { imageToOci } = require('../../../core/store-oci') as typeof import('../../../core/store-oci');
  const { writeImageArchiveFile } = require('../../../core/oci') as typeof import('../../../core/oci');
  try {
    const specs = [];
    for (const { image, tags } of chosen.values()) specs.push({ ...(await imageToOci(store, image)), repoTags: tags });
    await writeImageArchiveFile(full, specs);
  } catch (e) {
    ctx.throwTerminating(daemonError(ctx, e, 'DockerSaveFailed'));
  }
}

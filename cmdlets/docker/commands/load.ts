// `docker load`: images from a tar archive into the store — what `docker save` writes (ours or
// Docker's), skopeo's docker-archive and oci-archive tarballs, the older `<id>/layer.tar` layout,
// gzip layers or a gzip archive (core/oci ImageArchive) — through core/store-oci's imageFromOci.
// The lines are the engine's (moby image/tarexport/load.go): `Loaded image: <ref>` per tag, and
// `Loaded image ID: sha256:…` for images without one.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { ErrorRecord } from '../../../core/engine/errors';
import type { ImageRecord } from '../../../core/store';
import type { ArchiveImage, ArchiveLayer, ImageArchive } from '../../../core/oci';
import { dockerError, readList, resolveImage, splitReference, storeOf, writeText } from '../common';
import { resolveHere } from '../../containers/images';

/**
 * A failure of the engine's side of a command (archive, store), as the docker CLI shows an error
 * the daemon returned: `Error response from daemon: <message>`; category from the store's error.
 */
export function daemonError(ctx: CmdletContext, e: unknown, errorId: string): ErrorRecord {
  const err = e as { message?: string; category?: ErrorRecord['category']; code?: string };
  const category: ErrorRecord['category'] = err?.category ?? (err?.code === 'ENOSPC' ? 'WriteError' : 'InvalidData');
  return dockerError(ctx, `Error response from daemon: ${err?.message ?? String(e)}`, errorId, category);
}

/** A reference as `docker images` shows it: docker.io's default registry and library/ dropped. */
export function familiarReference(ref: string): string {
  let r = ref;
  for (const p of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) if (r.startsWith(p)) r = r.slice(p.length);
  if (r.startsWith('library/') && r.indexOf('/', 'library/'.length) < 0) r = r.slice('library/'.length);
  return r;
}

/**
 * The reference a RepoTags / index.json name gives, or null: an OCI `ref.name` can be only a tag
 * (`latest`, `v1`), which names no repository, so the image is loaded untagged.
 */
function referenceOf(name: string): { repository: string; tag: string } | null {
  if (!name.includes(':') && !name.includes('/')) return null;
  const at = name.indexOf('@');
  const { repository, tag } = splitReference(at >= 0 ? name.slice(0, at) : name);
  if (!repository) return null;
  return { repository: familiarReference(repository), tag };
}

/** Bytes piped in (what the docker CLI would read from standard input), or null when there are none. */
function pipedBytes(ctx: CmdletContext): Buffer | null {
  const items = (ctx.state.stdin as unknown[] | undefined) ?? [];
  if (items.length === 0) return null;
  const parts: Buffer[] = [];
  for (const it of items.flat(2)) {
    const v = (it as { baseObject?: unknown })?.baseObject ?? it;
    if (v instanceof Uint8Array) parts.push(Buffer.from(v));
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255) parts.push(Buffer.from([v]));
    else return Buffer.alloc(0);
  }
  return Buffer.concat(parts);
}

/** `docker load [-i FILE] [-q]`. */
export default async function load(ctx: CmdletContext, args: string[]): Promise<void> {
  let input: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-i' || a === '--input') {
      if (i + 1 >= args.length) ctx.throwTerminating(dockerError(ctx, `flag needs an argument: '${a === '-i' ? 'i' : '-input'}' in ${a}\nSee 'docker load --help'.`, 'DockerUsage'));
      input = args[++i];
    } else if (a.startsWith('--input=')) input = a.slice('--input='.length);
    else if (a.startsWith('-i') && a.length > 2 && !a.startsWith('--')) input = a.slice(a[2] === '=' ? 3 : 2);
    else if (a === '-q' || a === '--quiet' || a === '--quiet=true' || a === '-q=true') {
      // The engine prints only the Loaded lines whenever the output is not a terminal, which a
      // posh pipeline never is: -q changes nothing here.
    } else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker load --help'.`, 'DockerUsage'));
    else ctx.throwTerminating(dockerError(ctx, `"docker load" accepts no arguments.\nSee 'docker load --help'.`, 'DockerUsage'));
  }
  const oci = require('../../../core/oci') as typeof import('../../../core/oci');
  let bytes: Buffer | null = null;
  if (input === undefined || input === '') {
    bytes = pipedBytes(ctx);
    if (!bytes || bytes.length === 0) ctx.throwTerminating(dockerError(ctx, 'requested load from stdin, but stdin is empty', 'DockerLoadNoInput'));
  }
  let archive: ImageArchive | undefined;
  let failure: unknown;
  try {
    const piped = bytes;
    archive = piped ? await oci.ImageArchive.fromStream((async function* () { yield piped; })(), 'stdin') : await oci.ImageArchive.open(resolveHere(ctx, input!), input);
  } catch (e) {
    failure = e;
  }
  if (!archive) {
    const code = (failure as NodeJS.ErrnoException).code;
    // The docker CLI opens the file itself: Go's os.PathError texts.
    if (code === 'ENOENT') ctx.throwTerminating(dockerError(ctx, `open ${input}: no such file or directory`, 'DockerLoadInput', 'ObjectNotFound'));
    if (code === 'EISDIR') ctx.throwTerminating(dockerError(ctx, `read ${input}: is a directory`, 'DockerLoadInput', 'InvalidArgument'));
    if (code === 'EACCES') ctx.throwTerminating(dockerError(ctx, `open ${input}: permission denied`, 'DockerLoadInput', 'PermissionDenied'));
    ctx.throwTerminating(daemonError(ctx, failure, 'DockerLoadFailed'));
  }

  const store = storeOf(ctx);
  const { imageFromOci } = require('../../../core/store-oci') as typeof import('../../../core/store-oci');
  const lines: string[] = [];
  try {
    // Every manifest and config is read and checked before the first layer is imported.
    const images: ArchiveImage[] = await archive.images();
    let idLines = '';
    let refCount = 0;
    for (const img of images) {
      const refs = img.repoTags.map((t: string) => referenceOf(t)).filter((r): r is { repository: string; tag: string } => r !== null);
      // Given by diff_id: imageFromOci checks the tar after gunzip (the stored bytes of a
      // docker-archive layer have no digest of their own; an OCI blob is also checked against
      // its descriptor by openStored).
      const layers = img.layers.map((l: ArchiveLayer) => ({
        mediaType: l.compression === 'gzip' ? oci.MediaType.OciLayerGzip : oci.MediaType.OciLayer,
        digest: l.diffId,
        open: () => l.openStored(),
      }));
      const before = readList(ctx);
      const previous = refs.map((r) => resolveImage(before, `${r.repository}:${r.tag}`).image);
      let rec: ImageRecord;
      try {
        rec = (await imageFromOci(store, { config: img.configBytes, layers }, refs[0] ?? null)).image;
        for (const r of refs.slice(1)) rec = await store.tagImage(rec.imageId, `${r.repository}:${r.tag}`);
      } catch (e) {
        await writeText(ctx, lines.join('\n'));
        lines.length = 0;
        throw e;
      }
      idLines += `Loaded image ID: sha256:${rec.imageId}\n`;
      refCount = 0;
      refs.forEach((r: { repository: string; tag: string }, k: number) => {
        const prev = previous[k];
        if (prev && prev.imageId !== rec.imageId) {
          lines.push(`The image ${r.repository}:${r.tag} already exists, renaming the old one with ID sha256:${prev.imageId} to empty string`);
        }
        lines.push(`Loaded image: ${r.repository}:${r.tag}`);
        refCount++;
      });
    }
    // As the engine does: the ID lines (all of them) when the last image had no tag.
    if (refCount === 0) lines.push(...idLines.replace(/\n$/, '').split('\n').filter(Boolean));
  } catch (e) {
    ctx.throwTerminating(daemonError(ctx, e, 'DockerLoadFailed'));
  } finally {
    await archive.close();
  }
  await writeText(ctx, lines.join('\n'));
}

// `docker images` / `docker image ls`: the store's images as the docker CLI lists them.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, referencesOf, resolveImage, splitReference, storeErrorRecord, storeOf, writeRendered } from '../common';
import type { ImageRecord } from '../../../core/store';
import type { ImageRow } from '../../../core/docker-text';

/** The options of `docker images` after the docker CLI's flag parsing. */
interface ImagesFlags {
  all: boolean;
  quiet: boolean;
  noTrunc: boolean;
  digests: boolean;
  format?: string;
  filters: string[];
  reference?: string;
}

/** Parses `docker images` flags (pflag style: `-aq`, `--format x`, `--format=x`, `-f x`). */
function parseImagesFlags(args: string[]): ImagesFlags | string {
  const flags: ImagesFlags = { all: false, quiet: false, noTrunc: false, digests: false, filters: [] };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const valueOf = (name: string, inline: string | undefined): string | null => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) return null;
      return args[++i];
    };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'all') flags.all = true;
      else if (name === 'quiet') flags.quiet = true;
      else if (name === 'no-trunc') flags.noTrunc = true;
      else if (name === 'digests') flags.digests = true;
      else if (name === 'format' || name === 'filter') {
        const v = valueOf(name, inline);
        if (v === null) return `flag needs an argument: --${name}`;
        if (name === 'format') flags.format = v;
        else flags.filters.push(v);
      } else return `unknown flag: --${name}`;
    } else if (a.startsWith('-') && a.length > 1) {
      // Shorthands, possibly combined (`-aq`); `-f` takes the rest or the next argument.
      const colon = a.indexOf(':');
      const body = colon < 0 ? a.slice(1) : a.slice(1, colon);
      for (let k = 0; k < body.length; k++) {
        const c = body[k];
        if (c === 'a') flags.all = true;
        else if (c === 'q') flags.quiet = true;
        else if (c === 'f') {
          const rest = body.slice(k + 1) || (colon < 0 ? '' : a.slice(colon + 1));
          const v = rest !== '' ? rest.replace(/^=/, '') : valueOf('f', undefined);
          if (v === null) return `flag needs an argument: 'f' in -f`;
          flags.filters.push(v);
          break;
        } else return `unknown shorthand flag: '${c}' in ${a}`;
      }
    } else positional.push(a);
  }
  if (positional.length > 1) return '"docker images" requires at most 1 argument.';
  flags.reference = positional[0];
  return flags;
}

/** Newest first, as the daemon lists them. */
function byCreatedDesc(a: ImageRecord, b: ImageRecord): number {
  return Date.parse(b.created) - Date.parse(a.created) || a.imageId.localeCompare(b.imageId);
}

export default async function images(ctx: CmdletContext, args: string[]): Promise<void> {
  const flags = parseImagesFlags(args);
  if (typeof flags === 'string') {
    ctx.throwTerminating(dockerError(ctx, `${flags}\nSee 'docker images --help'.`, 'DockerUsage'));
  }
  const dt = require('../../../core/docker-text') as typeof import('../../../core/docker-text');
  let filters;
  try {
    filters = dt.parseFilters(flags.filters);
    filters.validate(dt.IMAGE_FILTERS);
  } catch (e) {
    if (e instanceof dt.FilterError) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${e.message}`, 'DockerFilter'));
    throw e;
  }
  let danglingOnly: boolean | undefined;
  try {
    danglingOnly = filters.has('dangling') ? filters.getBool('dangling', false) : undefined;
  } catch (e) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${(e as Error).message}`, 'DockerFilter'));
  }
  const store = storeOf(ctx);
  let list: ImageRecord[];
  try {
    list = store.listImages().slice().sort(byCreatedDesc);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
  }
  const references = [...filters.get('reference'), ...(flags.reference !== undefined ? [flags.reference] : [])];
  // before/since: images created before (after) each named image; label: no image here has labels.
  const bounds: { before: number[]; since: number[] } = { before: [], since: [] };
  for (const key of ['before', 'since'] as const) {
    for (const v of filters.get(key)) {
      const { image, shown } = resolveImage(list, v);
      if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
      bounds[key].push(Date.parse(image.created));
    }
  }
  if (filters.has('until')) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: invalid filter 'until': not supported by this image store`, 'DockerFilter'));
  }
  const rows: ImageRow[] = [];
  for (const r of list) {
    const created = Date.parse(r.created);
    if (filters.has('label')) continue;
    if (bounds.before.some((t) => created >= t) || bounds.since.some((t) => created <= t)) continue;
    // Every image of the store has a name and version, so none is dangling.
    if (danglingOnly === true) continue;
    for (const ref of referencesOf(r)) {
      const { repository, tag } = splitReference(ref);
      if (references.length && !references.some((p) => dt.matchReference(p, repository, tag))) continue;
      rows.push({ repository, tag, id: `sha256:${r.imageId}`, created: Date.parse(r.created), size: r.size });
    }
  }
    // Like the docker CLI, -q prints one id per row: an image with several references repeats.
  await writeRendered(ctx, () => dt.renderImages(rows, { quiet: flags.quiet, noTrunc: flags.noTrunc, digests: flags.digests, format: flags.format }));
}


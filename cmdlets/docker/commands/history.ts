// `docker history`: an image and its parents, one row per layer.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, readList, resolveImage, storeOf, writeRendered } from '../common';
import { fullNameOf, type ImageRecord } from '../../../core/store';
import type { HistoryRow } from '../../../core/docker-text';

/** `docker history [-q] [--no-trunc] [-H=false] [--format] IMAGE`: the image, then its parents. */
export default async function history(ctx: CmdletContext, args: string[]): Promise<void> {
  let quiet = false;
  let noTrunc = false;
  let human = true;
  let format: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '--no-trunc') noTrunc = true;
    else if (a === '-H' || a === '--human' || a === '-H=true' || a === '--human=true') human = true;
    else if (a === '-H=false' || a === '--human=false') human = false;
    else if (a === '--format' && i + 1 < args.length) format = args[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a.startsWith('-') && a.length > 1) {
      ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker history --help'.`, 'DockerUsage'));
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    ctx.throwTerminating(dockerError(ctx, `"docker history" requires exactly 1 argument.\nSee 'docker history --help'.`, 'DockerUsage'));
  }
  const list = readList(ctx);
  const { image, shown } = resolveImage(list, positional[0]);
  if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  const store = storeOf(ctx);
  const rows: HistoryRow[] = [];
  for (let r: ImageRecord | undefined = image; r; r = r.parentImageId ? list.find((x) => x.imageId === r!.parentImageId) : undefined) {
    const parent = r.parentImageId ? list.find((x) => x.imageId === r!.parentImageId) : undefined;
    const own = r.layers.filter((l) => !parent?.layers.includes(l));
    let size = 0;
    for (const l of own) for (const e of (await store.readLayer(l)).entries) size += e.size ?? 0;
    // COMMENT: the history comment the image's exported config carries (core/store-oci: its FullName),
    // which is what the engine shows for the same image after docker load.
    rows.push({ id: `sha256:${r.imageId}`, created: Date.parse(r.created), createdBy: '', size, comment: fullNameOf(r) });
  }
  const dt = require('../../../core/docker-text') as typeof import('../../../core/docker-text');
  await writeRendered(ctx, () => dt.renderHistory(rows, { quiet, noTrunc, human, format }));
}

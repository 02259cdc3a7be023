// `docker tag`: adds a reference to an image.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, implicitReference, readList, REPOSITORY_RE, resolveImage, splitReference, storeErrorRecord, storeOf, TAG_RE } from '../common';

/** `docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`. */
export default async function tag(ctx: CmdletContext, args: string[]): Promise<void> {
  if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
    ctx.throwTerminating(dockerError(ctx, `"docker tag" requires exactly 2 arguments.\nSee 'docker tag --help'.`, 'DockerUsage'));
  }
  const target = splitReference(args[1]);
  if (!REPOSITORY_RE.test(target.repository) || !TAG_RE.test(target.tag)) {
    const upper = REPOSITORY_RE.test(target.repository.toLowerCase()) && TAG_RE.test(target.tag);
    ctx.throwTerminating(dockerError(ctx, upper ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format', 'DockerInvalidReference'));
  }
  const list = readList(ctx);
  const { image, shown } = resolveImage(list, args[0]);
  if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  const ref = `${target.repository}:${target.tag}`;
  if (image.implicitReference !== false && implicitReference(image) === ref) return;
  const store = storeOf(ctx);
  try {
    await store.tagImage(image.imageId, ref);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerTagFailed', ref));
  }
}

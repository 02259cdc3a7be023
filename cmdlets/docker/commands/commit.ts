// `docker commit`: a container's changes as a new image (New-ContainerImage underneath).

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, implicitReference, readList, REPOSITORY_RE, resolveContainer, splitReference, storeErrorRecord, storeOf, TAG_RE } from '../common';

/**
 * `docker commit CONTAINER [REPOSITORY[:TAG]]`: New-ContainerImage underneath. The image's name is
 * the repository; a numeric tag (`1.0`) is its version, else its version is the first free
 * `1.0.0.N` and the reference is exactly REPOSITORY:TAG (tag `latest` when omitted). Without a
 * REPOSITORY the image is named `<container name>-commit`, with its `name:version` reference.
 * Prints the new image's full id (64 hex digits).
 */
export default async function commit(ctx: CmdletContext, args: string[]): Promise<void> {
  const positional = args.filter((a) => !a.startsWith('-'));
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${unknown}\nSee 'docker commit --help'.`, 'DockerUsage'));
  if (positional.length < 1 || positional.length > 2) {
    ctx.throwTerminating(dockerError(ctx, `"docker commit" requires at least 1 and at most 2 arguments.\nSee 'docker commit --help'.`, 'DockerUsage'));
  }
  const store = storeOf(ctx);
  const container = resolveContainer(store.listContainers(), positional[0]);
  if (!container) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such container: ${positional[0]}`, 'DockerNoSuchContainer', 'ObjectNotFound'));
  let target: { repository: string; tag: string } | null = null;
  if (positional[1] !== undefined) {
    target = splitReference(positional[1]);
    if (!REPOSITORY_RE.test(target.repository) || !TAG_RE.test(target.tag)) {
      ctx.throwTerminating(dockerError(ctx, 'invalid reference format', 'DockerInvalidReference'));
    }
  }
  const list = readList(ctx);
  const name = target ? target.repository : `${container.name}-commit`;
  const numeric = target && /^\d+(\.\d+){0,3}$/.test(target.tag) ? target.tag.split('.') : null;
  let version: string;
  if (numeric) {
    while (numeric.length < 4) numeric.push('0');
    version = numeric.join('.');
  } else {
    let n = 0;
    const taken = (v: string) => list.some((r) => r.publisher === 'CN=Docker' && r.name === name && r.version === v);
    while (taken(`1.0.0.${n}`)) n++;
    version = `1.0.0.${n}`;
  }
  let result;
  try {
    const diff = await store.diffContainer(container.containerId);
    result = await store.importEntries({ name, publisher: 'CN=Docker', version, parentImageId: diff.image.imageId, isOSImage: false }, diff.entries);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerCommitFailed', container.name));
  }
  if (result.status === 'exists') {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: the image ${name}:${version} already exists`, 'DockerImageExists', 'ResourceExists'));
  }
  if (target && !(numeric && implicitReference(result.image) === `${target.repository}:${target.tag}`)) {
    try {
      await store.tagImage(result.image.imageId, `${target.repository}:${target.tag}`, { dropImplicitReference: true });
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerTagFailed', positional[1]));
    }
  }
  await ctx.write(result.image.imageId);
}

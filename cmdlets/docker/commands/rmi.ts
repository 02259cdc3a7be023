// `docker rmi` / `docker image rm`: untags and deletes images, with the engine's conflict errors.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, readList, referencesOf, resolveImage, shortContainerId, splitReference, storeErrorRecord, storeOf } from '../common';

/**
 * `docker rmi [-f] [--no-prune] IMAGE...`: untags references and deletes images nothing else uses;
 * then, as the engine prunes, each parent left with no reference, child or container (the untagged
 * intermediates a pull or load made) is deleted too, unless --no-prune.
 */
export default async function rmi(ctx: CmdletContext, args: string[]): Promise<void> {
  let force = false;
  let prune = true;
  const names: string[] = [];
  for (const a of args) {
    if (a === '-f' || a === '--force') force = true;
    else if (a === '--no-prune') prune = false;
    else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker rmi --help'.`, 'DockerUsage'));
    else names.push(a);
  }
  if (names.length === 0) ctx.throwTerminating(dockerError(ctx, `"docker rmi" requires at least 1 argument.\nSee 'docker rmi --help'.`, 'DockerUsage'));
  const store = storeOf(ctx);
  const fail = (message: string, id: string) => ctx.writeError(dockerError(ctx, `Error response from daemon: ${message}`, id, 'ResourceUnavailable'));
  for (const name of names) {
    const list = readList(ctx);
    const containers = store.listContainers();
    const { image, shown } = resolveImage(list, name);
    if (!image) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
      continue;
    }
    const short = image.imageId.slice(0, 12);
    const byId = /^(?:sha256:)?[0-9a-f]{12,64}$/.test(name) && image.imageId.startsWith(name.replace(/^sha256:/, ''));
    const ref = byId ? null : `${splitReference(name).repository}:${splitReference(name).tag}`;
    const refs = referencesOf(image);
    // A docker tag that is not the image's last reference: untag only.
    if (ref !== null && image.tags?.includes(ref) && refs.length > 1) {
      await store.untagImage(ref);
      await ctx.write(`Untagged: ${ref}`);
      continue;
    }
    const users = containers.filter((c) => c.imageId === image.imageId);
    const running = users.find((c) => c.state === 'Running');
    if (running) {
      fail(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${shortContainerId(running.containerId)}`, 'DockerImageConflict');
      continue;
    }
    if (users.length) {
      if (ref !== null) fail(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortContainerId(users[0].containerId)} is using its referenced image ${short}`, 'DockerImageConflict');
      else fail(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${shortContainerId(users[0].containerId)}`, 'DockerImageConflict');
      continue;
    }
    if (list.some((r) => r.parentImageId === image.imageId)) {
      fail(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`, 'DockerImageConflict');
      continue;
    }
    const repositories = new Set(refs.map((r) => splitReference(r).repository));
    if (repositories.size > 1 && !force) {
      fail(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`, 'DockerImageConflict');
      continue;
    }
    try {
      await store.removeImage(image.imageId);
    } catch (e) {
      ctx.writeError(storeErrorRecord(e, ctx, 'DockerRemoveFailed', name));
      continue;
    }
    for (const r of refs) await ctx.write(`Untagged: ${r}`);
    await ctx.write(`Deleted: sha256:${image.imageId}`);
    for (let parentId = image.parentImageId; prune && parentId; ) {
      const now = readList(ctx);
      const parent = now.find((r) => r.imageId === parentId);
      const inUse = !parent || referencesOf(parent).length > 0 || now.some((r) => r.parentImageId === parentId) || store.listContainers().some((c) => c.imageId === parentId);
      if (inUse) break;
      try {
        await store.removeImage(parent.imageId);
      } catch (e) {
        ctx.writeError(storeErrorRecord(e, ctx, 'DockerRemoveFailed', parent.imageId));
        break;
      }
      await ctx.write(`Deleted: sha256:${parent.imageId}`);
      parentId = parent.parentImageId;
    }
  }
}

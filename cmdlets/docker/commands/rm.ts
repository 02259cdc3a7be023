// `docker rm`: removes container records.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, resolveContainer, storeErrorRecord, storeOf } from '../common';

/** `docker rm [-f] CONTAINER...`: prints each name as given once removed. */
export default async function rm(ctx: CmdletContext, args: string[]): Promise<void> {
  let force = false;
  const names: string[] = [];
  for (const a of args) {
    if (a === '-f' || a === '--force') force = true;
    else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker rm --help'.`, 'DockerUsage'));
    else names.push(a);
  }
  if (names.length === 0) ctx.throwTerminating(dockerError(ctx, `"docker rm" requires at least 1 argument.\nSee 'docker rm --help'.`, 'DockerUsage'));
  const store = storeOf(ctx);
  for (const n of names) {
    const c = resolveContainer(store.listContainers(), n);
    if (!c) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: No such container: ${n}`, 'DockerNoSuchContainer', 'ObjectNotFound'));
      continue;
    }
    if (c.state === 'Running' && !force) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`, 'DockerContainerRunning', 'InvalidOperation'));
      continue;
    }
    try {
      await store.removeContainer(c.containerId);
    } catch (e) {
      ctx.writeError(storeErrorRecord(e, ctx, 'DockerRemoveFailed', n));
      continue;
    }
    await ctx.write(n);
  }
}

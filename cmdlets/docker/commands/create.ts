// `docker create` / `docker run`: a container record from an image (no process is run).

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { containerHex, dockerError, readList, resolveImage, storeErrorRecord, storeOf } from '../common';
import type { ContainerRecord } from '../../../core/store';

const NAME_LEFT = ['admiring', 'brave', 'calm', 'eager', 'focused', 'gentle', 'happy', 'jolly', 'keen', 'nifty', 'quirky', 'vibrant'];
const NAME_RIGHT = ['babbage', 'curie', 'darwin', 'euler', 'hopper', 'lovelace', 'noether', 'pascal', 'ritchie', 'turing'];

/** `docker create|run [--name NAME] IMAGE [COMMAND...]`: a container record; no process is run. */
export async function createOrRun(ctx: CmdletContext, args: string[], run: boolean): Promise<void> {
  const verb = run ? 'run' : 'create';
  let name: string | undefined;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (a === '--name' && i + 1 < args.length) name = args[++i];
    else if (a.startsWith('--name=')) name = a.slice('--name='.length);
    else if (/^-[itd]+$/.test(a) || a === '--rm' || a === '--interactive' || a === '--tty' || a === '--detach') continue;
    else ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker ${verb} --help'.`, 'DockerUsage'));
  }
  if (i >= args.length) ctx.throwTerminating(dockerError(ctx, `"docker ${verb}" requires at least 1 argument.\nSee 'docker ${verb} --help'.`, 'DockerUsage'));
  const { image, shown } = resolveImage(readList(ctx), args[i]);
  if (!image) {
    ctx.throwTerminating(dockerError(ctx, `Unable to find image '${shown}' locally\nError response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  }
  const store = storeOf(ctx);
  const taken = new Set(store.listContainers().map((c) => c.name.toLowerCase()));
  if (name === undefined) {
    for (let n = 0; name === undefined || taken.has(name); n++) {
      const base = `${NAME_LEFT[Math.floor(Math.random() * NAME_LEFT.length)]}_${NAME_RIGHT[Math.floor(Math.random() * NAME_RIGHT.length)]}`;
      name = n < 20 ? base : `${base}${n}`;
    }
  } else if (taken.has(name.toLowerCase())) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: Conflict. The container name "/${name}" is already in use.`, 'DockerNameConflict', 'ResourceExists'));
  }
  let rec: ContainerRecord;
  try {
    rec = await store.createContainer({ name, imageId: image.imageId });
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerCreateFailed', name));
  }
  await ctx.write(containerHex(rec.containerId));
  if (run) ctx.writeWarning(`The container '${rec.name}' was created; no process is executed in it (use Start-Container to mark it running).`);
}

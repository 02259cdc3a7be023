// `docker ps` / `docker container ls`: container records as docker lists them.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { containerHex, dockerError, readList, referencesOf, storeOf, writeRendered } from '../common';

/** `docker ps [-a] [-q] [--no-trunc] [--format]`: running containers, or all with -a; newest first. */
export default async function ps(ctx: CmdletContext, args: string[]): Promise<void> {
  let all = false;
  let quiet = false;
  let noTrunc = false;
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--all') all = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--no-trunc') noTrunc = true;
    else if (a === '--format' && i + 1 < args.length) format = args[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (/^-[aq]+$/.test(a)) {
      if (a.includes('a')) all = true;
      if (a.includes('q')) quiet = true;
    } else ctx.throwTerminating(dockerError(ctx, `${a.startsWith('-') ? `unknown flag: ${a}` : '"docker ps" accepts no arguments.'}\nSee 'docker ps --help'.`, 'DockerUsage'));
  }
  const store = storeOf(ctx);
  const images = readList(ctx);
  const containers = store.listContainers().filter((c) => all || c.state === 'Running');
  containers.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  const dt = require('../../../core/docker-text') as typeof import('../../../core/docker-text');
  const now = Date.now();
  const rows = containers.map((c) => {
    const image = images.find((i) => i.imageId === c.imageId);
    const id = containerHex(c.containerId);
    return {
      ID: noTrunc ? id : id.slice(0, 12),
      Image: image ? referencesOf(image)[0] ?? image.imageId.slice(0, 12) : c.imageId.slice(0, 12),
      Command: '""',
      RunningFor: dt.createdSince(Date.parse(c.created), now),
      CreatedAt: c.created,
      Status: c.state === 'Running' && c.started ? `Up ${dt.humanDuration(now - Date.parse(c.started))}` : 'Created',
      Ports: '',
      Names: c.name,
    };
  });
  const headers = { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES' };
  const fmt = quiet ? '{{.ID}}' : format ?? 'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';
  await writeRendered(ctx, () => dt.renderFormat({ format: fmt, headers, typeName: '*formatter.ContainerContext', rows }));
}

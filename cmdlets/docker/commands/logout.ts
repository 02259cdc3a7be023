// `docker logout`: forgets the credentials stored for a registry.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError } from '../common';
import { credentialsFile, parseFlags } from '../registry';
import { serverHost } from './login';

/**
 * `docker logout [SERVER]`: prints `Removing login credentials for <host>` (as docker 20.10 does,
 * whether or not there were any) and removes them; without SERVER, Docker Hub's.
 */
export default async function logout(ctx: CmdletContext, args: string[]): Promise<void> {
  const usage: (m: string) => never = (m) => ctx.throwTerminating(dockerError(ctx, `${m}\nSee 'docker logout --help'.`, 'DockerUsage'));
  const parsed = parseFlags(args, []);
  if (typeof parsed === 'string') usage(parsed);
  if (parsed.positional.length > 1) usage(`"docker logout" requires at most 1 argument.`);
  const server = parsed.positional[0];
  const host = server === undefined ? 'https://index.docker.io/v1/' : serverHost(server);
  await ctx.write(`Removing login credentials for ${host}`);
  const file = await credentialsFile(ctx);
  try {
    await file.remove(server === undefined ? 'docker.io' : host);
  } catch (e) {
    ctx.throwTerminating(dockerError(ctx, `WARNING: could not erase credentials: ${(e as Error).message}`, 'DockerLogoutFailed', 'WriteError'));
  }
}

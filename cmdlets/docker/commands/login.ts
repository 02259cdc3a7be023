// `docker login`: checks credentials against a registry (GET /v2/), then keeps them in the store's
// credentials file (mode 0600). The password is never written to any stream or error.

import { STATUS_CODES } from 'node:http';
import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { RegistryError } from '../../../core/registry';
import { dockerError } from '../common';
import { apiUrl, clientFor, credentialsFile, credentialsPath, dialError, parseFlags, stdinText } from '../registry';

const FLAGS = [
  { long: 'username', short: 'u', value: true },
  { long: 'password', short: 'p', value: true },
  { long: 'password-stdin', value: false },
];

/** The registry a SERVER argument names: host[:port], a URL's scheme and path dropped. */
export function serverHost(server: string): string {
  return server.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
}

/** The daemon's wording of a failed login at `url` (`…/v2/`). */
export function loginFailure(url: string, e: RegistryError, dial: string | null): string {
  if (dial !== null) return `Get "${url}": ${dial}`;
  const token = /^token service \S+ refused: (.*)$/.exec(e.registryMessage ?? '');
  if (token) return `Get "${url}": unauthorized: ${token[1]}`;
  if (e.status) return `login attempt to ${url} failed with status: ${e.status} ${STATUS_CODES[e.status] ?? ''}`.trimEnd();
  return `Get "${url}": ${e.registryMessage ?? e.message}`;
}

/** `docker login [-u USER] [-p PASS | --password-stdin] [SERVER]`. */
export default async function login(ctx: CmdletContext, args: string[]): Promise<void> {
  const usage: (m: string) => never = (m) => ctx.throwTerminating(dockerError(ctx, `${m}\nSee 'docker login --help'.`, 'DockerUsage'));
  const parsed = parseFlags(args, FLAGS);
  if (typeof parsed === 'string') usage(parsed);
  if (parsed.positional.length > 1) usage(`"docker login" requires at most 1 argument.`);
  const fail: (m: string, id?: string, category?: 'InvalidArgument' | 'AuthenticationError' | 'ConnectionError') => never = (m, id = 'DockerLoginFailed', category = 'InvalidArgument') =>
    ctx.throwTerminating(dockerError(ctx, m, id, category));

  let username = parsed.values.get('username');
  let password = parsed.values.get('password');
  const fromStdin = parsed.values.get('password-stdin') === true;
  if (typeof username !== 'string') username = undefined;
  if (typeof password !== 'string') password = undefined;
  if (password !== undefined && password !== '') {
    ctx.writeWarning('Using --password via the CLI is insecure. Use --password-stdin.');
    if (fromStdin) fail('--password and --password-stdin are mutually exclusive');
  }
  if (fromStdin) {
    if (!username) fail('Must provide --username with --password-stdin');
    password = stdinText(ctx).replace(/\n$/, '').replace(/\r$/, '');
  }

  const server = parsed.positional[0] ?? 'docker.io';
  const host = serverHost(server);
  if (host === '') fail(`invalid registry address: ${server}`);
  const file = await credentialsFile(ctx);
  const { Credentials, RegistryError } = await import('../../../core/registry');

  let creds: import('../../../core/registry').Credentials | undefined;
  let existing = false;
  if (!username && !password) {
    try {
      creds = await file.get(host);
    } catch (e) {
      fail((e as Error).message, 'DockerCredentialsUnreadable', 'InvalidArgument');
    }
    existing = creds !== undefined;
  } else if (username && password) {
    try {
      creds = new Credentials(username, password);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  // the docker CLI would prompt here; posh takes the password as an argument or from the pipeline
  if (!creds) fail('Error: Cannot perform an interactive login from a non TTY device');
  if (existing) await ctx.write('Authenticating with existing credentials...');

  const client = await clientFor(ctx, /^http:\/\//i.test(server) ? `http://${host}` : host, creds);
  try {
    await client.login();
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    const dial = dialError(client, e);
    fail(`Error response from daemon: ${loginFailure(apiUrl(client), e, dial)}`, 'DockerLoginFailed', dial !== null ? 'ConnectionError' : 'AuthenticationError');
  } finally {
    await client.close();
  }
  if (!existing) {
    try {
      await file.set(host, creds);
    } catch (e) {
      fail(`Error saving credentials: ${(e as Error).message}`, 'DockerCredentialsNotSaved', 'InvalidArgument');
    }
    ctx.writeWarning(`Your password will be stored unencrypted in ${credentialsPath(ctx)}.`);
  }
  await ctx.write('Login Succeeded');
}

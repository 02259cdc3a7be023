// Registry credentials: a value type that never shows its secret (inspect, JSON, string) and a
// credentials file (the caller gives its path) in the docker config.json shape
// `{"auths":{"<registry>":{"auth":"<base64 user:password>"}}}`, always written with mode 0600
// (temp file created 0600, fsynced, renamed), so no other user can read it even for a moment.

import { promises as fsp, constants as fsc } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { RegistryError } from './errors';

const SECRET = Symbol('secret');

export class Credentials {
  private readonly [SECRET]: string;

  constructor(readonly username: string, password: string) {
    if (username.includes(':')) throw new RegistryError({ message: 'a registry user name cannot contain ":"', code: 'INVALID_CREDENTIALS' });
    this[SECRET] = password;
  }

  /** The password or token (only for building an Authorization header). */
  reveal(): string {
    return this[SECRET];
  }

  /** `Basic <base64(user:password)>` */
  basicAuthorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this[SECRET]}`, 'utf8').toString('base64')}`;
  }

  toString(): string {
    return `Credentials(${this.username}, ********)`;
  }

  toJSON(): { username: string } {
    return { username: this.username };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Canonical key of a registry in the file (host[:port], lower-case; docker.io's aliases folded). */
export function registryKey(registry: string): string {
  let r = registry.trim().toLowerCase();
  r = r.replace(/^https?:\/\//, '').replace(/\/+$/, '').replace(/\/v[12]$/, '');
  if (r === 'index.docker.io' || r === 'registry-1.docker.io' || r === 'docker.io') return 'docker.io';
  return r;
}

interface FileShape {
  auths?: Record<string, { auth?: string }>;
  [other: string]: unknown;
}

export class CredentialsFile {
  constructor(readonly path: string) {}

  private async load(): Promise<FileShape> {
    let text: string;
    try {
      text = await fsp.readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    try {
      const o = JSON.parse(text) as unknown;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
      return o as FileShape;
    } catch {
      // the message names the file only: its content may hold secrets
      throw new RegistryError({ message: `the credentials file ${this.path} is not valid JSON`, code: 'INVALID_CREDENTIALS_FILE' });
    }
  }

  private async save(data: FileShape): Promise<void> {
    await fsp.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await fh.chmod(0o600); // regardless of the umask
      await fh.writeFile(JSON.stringify(data, null, '\t') + '\n');
      await fh.sync();
    } catch (e) {
      await fh.close();
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    await fsp.rename(tmp, this.path);
  }

  /** The stored credentials for a registry, or undefined. */
  async get(registry: string): Promise<Credentials | undefined> {
    const data = await this.load();
    const entry = data.auths?.[registryKey(registry)];
    if (!entry?.auth) return undefined;
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon <= 0) throw new RegistryError({ message: `the credentials file ${this.path} has a malformed entry for ${registryKey(registry)}`, code: 'INVALID_CREDENTIALS_FILE' });
    return new Credentials(plain.slice(0, colon), plain.slice(colon + 1));
  }

  /** Stores (or replaces) the credentials of a registry; the file ends up mode 0600. */
  async set(registry: string, creds: Credentials): Promise<void> {
    const data = await this.load();
    data.auths = { ...(data.auths ?? {}), [registryKey(registry)]: { auth: Buffer.from(`${creds.username}:${creds.reveal()}`).toString('base64') } };
    await this.save(data);
  }

  /** Removes a registry's credentials; false when there were none. */
  async remove(registry: string): Promise<boolean> {
    const data = await this.load();
    const key = registryKey(registry);
    if (!data.auths || !(key in data.auths)) return false;
    delete data.auths[key];
    await this.save(data);
    return true;
  }

  /** Registries with stored credentials. */
  async registries(): Promise<string[]> {
    return Object.keys((await this.load()).auths ?? {}).sort();
  }
}

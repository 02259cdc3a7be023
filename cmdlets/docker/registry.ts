// Shared by docker login, logout, push and pull: pflag-style flag parsing, the credentials file in
// the store root, a RegistryClient with the stored credentials, and registry failures worded as the
// docker CLI and daemon word them (texts checked against docker 20.10 and docker-registry 2.8).

import { join } from 'node:path';
import type { CmdletContext } from '../../core/engine/cmdlet';
import { toDisplayString } from '../../core/engine/values';
import type { Credentials, RegistryClient, RegistryError } from '../../core/registry';
import { storeOf } from './common';

/** A flag: its long name, optional one-letter shorthand, and whether it takes a value. */
export interface FlagSpec {
  long: string;
  short?: string;
  value: boolean;
}

export interface ParsedFlags {
  values: Map<string, string | true>;
  positional: string[];
}

/** Parses pflag-style flags (`-u x`, `-ux`, `-u=x`, `--username x`, `--username=x`, `--`); an error is docker's text. */
export function parseFlags(args: string[], specs: FlagSpec[]): ParsedFlags | string {
  const values = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = specs.find((s) => s.long === name);
      if (!spec) return `unknown flag: --${name}`;
      if (!spec.value) {
        if (eq >= 0 && !/^(true|false|1|0)$/i.test(a.slice(eq + 1))) return `invalid argument "${a.slice(eq + 1)}" for "--${name}" flag: strconv.ParseBool: parsing "${a.slice(eq + 1)}": invalid syntax`;
        if (eq < 0 || /^(true|1)$/i.test(a.slice(eq + 1))) values.set(name, true);
        else values.delete(name);
      } else if (eq >= 0) values.set(name, a.slice(eq + 1));
      else if (i + 1 < args.length) values.set(name, args[++i]);
      else return `flag needs an argument: --${name}`;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const spec = specs.find((s) => s.short === c);
        if (!spec) return `unknown shorthand flag: '${c}' in ${a}`;
        if (!spec.value) {
          values.set(spec.long, true);
          continue;
        }
        let v = a.slice(j + 1);
        if (v.startsWith('=')) v = v.slice(1);
        else if (v === '') {
          if (i + 1 >= args.length) return `flag needs an argument: '${c}' in ${a}`;
          v = args[++i];
        }
        values.set(spec.long, v);
        break;
      }
      continue;
    }
    positional.push(a);
  }
  return { values, positional };
}

/** The credentials file of the store (docker's config.json shape, mode 0600). */
export function credentialsPath(ctx: CmdletContext): string {
  return join(storeOf(ctx).root, 'credentials.json');
}

export async function credentialsFile(ctx: CmdletContext): Promise<import('../../core/registry').CredentialsFile> {
  const { CredentialsFile } = await import('../../core/registry');
  return new CredentialsFile(credentialsPath(ctx));
}

/** What the pipeline gave (the docker CLI's standard input), as text. */
export function stdinText(ctx: CmdletContext): string {
  const input = (ctx.state.stdin as unknown[] | undefined) ?? [];
  return input.map((v) => toDisplayString(v)).join('\n');
}

/** A client for `registry` with the credentials stored for it (none when there are none). */
export async function clientFor(ctx: CmdletContext, registry: string, credentials?: Credentials): Promise<RegistryClient> {
  const { RegistryClient } = await import('../../core/registry');
  const creds = credentials ?? (await (await credentialsFile(ctx)).get(registry));
  return new RegistryClient({ registry, credentials: creds, userAgent: 'posh-containers (docker)' });
}

/** `http://host:port/v2/`, the URL the daemon names in its errors. */
export function apiUrl(client: RegistryClient, path = '/v2/'): string {
  return `${client.baseUrl}${path}`;
}

/**
 * A connection failure as Go's net package words it (`dial tcp 127.0.0.1:5199: connect: connection
 * refused`), or null when `e` is not one.
 */
export function dialError(client: RegistryClient, e: unknown): string | null {
  const err = e as RegistryError;
  if (err?.code !== 'CONNECTION') return null;
  const host = new URL(client.baseUrl).host;
  const m = err.message;
  if (/ECONNREFUSED/.test(m)) return `dial tcp ${host}: connect: connection refused`;
  if (/ENOTFOUND|EAI_AGAIN/.test(m)) return `dial tcp: lookup ${new URL(client.baseUrl).hostname}: no such host`;
  if (/ETIMEDOUT|Timeout/i.test(m)) return `dial tcp ${host}: i/o timeout`;
  if (/ECONNRESET|socket hang up|other side closed/i.test(m)) return `read tcp ${host}: connection reset by peer`;
  return m;
}

/** The registry's `code: message` pair as the daemon prints it (`manifest unknown: manifest unknown`). */
export function registryText(e: RegistryError): string {
  const code = (e.code ?? '').toLowerCase().replace(/_/g, ' ');
  const msg = e.registryMessage ?? code;
  return code ? `${code}: ${msg}` : msg;
}

// ---------------------------------------------------------------------------------- blob memory
// Which repositories of which registry hold a blob, learnt from our own pushes and pulls (docker
// keeps the same "v2 metadata"), so a push can mount a layer from a sibling repository instead
// of uploading it. A cache: losing it costs uploads, never correctness.

interface BlobMemory {
  [digest: string]: string[]; // "registry/repository" entries, newest first
}

function memoryPath(ctx: CmdletContext): string {
  return join(storeOf(ctx).root, 'registry-blobs.json');
}

function readMemory(ctx: CmdletContext): BlobMemory {
  const fs = require('node:fs') as typeof import('node:fs');
  try {
    const o = JSON.parse(fs.readFileSync(memoryPath(ctx), 'utf8')) as unknown;
    return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as BlobMemory) : {};
  } catch {
    return {};
  }
}

/** Repositories of `registry` other than `repository` known to hold `digest`. */
export function knownSources(ctx: CmdletContext, registry: string, repository: string, digest: string): string[] {
  const entries = readMemory(ctx)[digest];
  if (!Array.isArray(entries)) return [];
  const prefix = `${registry}/`;
  return entries.filter((e) => typeof e === 'string' && e.startsWith(prefix) && e.slice(prefix.length) !== repository).map((e) => e.slice(prefix.length));
}

/** Remembers that `registry/repository` holds these blobs (written atomically; errors ignored: it is only a hint for mounts). */
export function rememberBlobs(ctx: CmdletContext, registry: string, repository: string, digests: string[]): void {
  const { writeFileAtomicSync } = require('../../providers/state') as typeof import('../../providers/state');
  const mem = readMemory(ctx);
  const where = `${registry}/${repository}`;
  for (const d of digests) mem[d] = [where, ...(Array.isArray(mem[d]) ? mem[d].filter((e) => e !== where) : [])].slice(0, 8);
  try {
    writeFileAtomicSync(memoryPath(ctx), JSON.stringify(mem) + '\n');
  } catch {
    // a lost hint only costs a mount attempt on the next push
  }
}

// Provider state persisted in the store root: which built-in providers are installed and which
// package sources are registered (with their trust). One small JSON document:
//
//   <storeRoot>/packagemanagement/state.json
//   { "schema": 1,
//     "installedProviders": ["ContainerImage"],
//     "sources": [ { "name": "MyFeed", "location": "http://…/feed.xml", "providerName": "ContainerImage", "trusted": false } ],
//     "removedBuiltinSources": [] }
//
// Writes are atomic: the new document goes to a temporary file in the same directory, is
// fsynced, renamed over the old one, and the directory is fsynced; readers therefore see the
// old or the new document, never half of one. Concurrent writers are serialised by a lock
// (proper-lockfile) on the state directory; each update re-reads the state under the lock.
// Other caches (feed ETag cache) live beside it in <storeRoot>/packagemanagement/.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const STATE_SCHEMA = 1;

export interface RegisteredSource {
  name: string;
  location: string;
  providerName: string;
  trusted: boolean;
}

export interface ProviderState {
  schema: number;
  installedProviders: string[];
  sources: RegisteredSource[];
  /** Built-in sources the user unregistered (e.g. ContainerImageGallery). */
  removedBuiltinSources: string[];
  /** Trust set on built-in sources by Set-PackageSource -Trusted:$false (name → trusted). */
  builtinTrust: Record<string, boolean>;
}

export function stateDir(storeRoot: string): string {
  return path.join(storeRoot, 'packagemanagement');
}

export function stateFile(storeRoot: string): string {
  return path.join(stateDir(storeRoot), 'state.json');
}

function emptyState(): ProviderState {
  return { schema: STATE_SCHEMA, installedProviders: [], sources: [], removedBuiltinSources: [], builtinTrust: {} };
}

const cache = new Map<string, { mtimeMs: number; size: number; state: ProviderState }>();

/** Reads the state (an empty state when none was written yet). Cached per file modification time. */
export function readProviderState(storeRoot: string): ProviderState {
  const file = stateFile(storeRoot);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return emptyState();
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return clone(hit.state);
  let parsed: Partial<ProviderState>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ProviderState>;
  } catch (e) {
    throw new Error(`The package provider state file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed.schema === 'number' && parsed.schema > STATE_SCHEMA) {
    throw new Error(`The package provider state file '${file}' has schema ${parsed.schema}, newer than this posh understands (${STATE_SCHEMA}). Upgrade posh-containers.`);
  }
  const state: ProviderState = {
    schema: STATE_SCHEMA,
    installedProviders: Array.isArray(parsed.installedProviders) ? parsed.installedProviders.filter((x) => typeof x === 'string') : [],
    sources: Array.isArray(parsed.sources)
      ? parsed.sources.filter((s) => s && typeof s.name === 'string' && typeof s.location === 'string' && typeof s.providerName === 'string').map((s) => ({ ...s, trusted: s.trusted === true }))
      : [],
    removedBuiltinSources: Array.isArray(parsed.removedBuiltinSources) ? parsed.removedBuiltinSources.filter((x) => typeof x === 'string') : [],
    builtinTrust: parsed.builtinTrust && typeof parsed.builtinTrust === 'object' ? { ...parsed.builtinTrust } : {},
  };
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, state });
  return clone(state);
}

function clone(s: ProviderState): ProviderState {
  return JSON.parse(JSON.stringify(s)) as ProviderState;
}

/** Writes `data` to `file` atomically: temp file, fsync, rename, fsync of the directory. */
export function writeFileAtomicSync(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${(require('node:crypto') as typeof import('node:crypto')).randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directories cannot be opened for fsync on every platform; the rename is still atomic.
  }
}

/**
 * Changes the state under an inter-process lock: `change` receives the current state and edits
 * it (or throws to leave it as it was); the result is written atomically.
 */
export async function updateProviderState<T>(storeRoot: string, change: (state: ProviderState) => T): Promise<T> {
  const dir = stateDir(storeRoot);
  fs.mkdirSync(dir, { recursive: true });
  const lockfile = (await import('proper-lockfile')).default;
  const release = await lockfile.lock(dir, { lockfilePath: path.join(dir, 'state.lock'), stale: 10000, retries: { retries: 50, minTimeout: 20, maxTimeout: 200 } });
  try {
    cache.delete(stateFile(storeRoot));
    const state = readProviderState(storeRoot);
    const result = change(state);
    writeFileAtomicSync(stateFile(storeRoot), JSON.stringify(state, null, 2) + '\n');
    cache.delete(stateFile(storeRoot));
    return result;
  } finally {
    await release();
  }
}

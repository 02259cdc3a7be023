// The PackageManagement provider contract (SPEC §8) and the per-session provider registry.
//
// A provider is a module whose default export (or `provider` export) implements PackageProvider.
// Built-in providers are bundled (BUILTIN_PROVIDERS); they become usable once
// `Install-PackageProvider -Name <name>` has recorded them as installed in the store root's
// provider state (providers/state.ts). Third-party providers are loaded into the session from a
// file path or an npm package name by `Import-PackageProvider`.
//
// Providers never print: they report through the ProviderRequest (verbose, warning, progress)
// and fail by throwing PackageError, which the cmdlets turn into ErrorRecords.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorCategory } from '../core/engine/errors';
import type { ProgressRecord } from '../core/engine/cmdlet';
import { PSVersion } from '../core/engine/values';
import { readProviderState, type ProviderState } from './state';

/** A provider's failure: the cmdlet reports `message` with this error id and category. */
export class PackageError extends Error {
  constructor(
    message: string,
    readonly errorId: string,
    readonly category: ErrorCategory = 'InvalidOperation',
    readonly target: unknown = null,
  ) {
    super(message);
  }
}

/** A package a provider found, downloaded or has installed (PackageManagement's SoftwareIdentity). */
export interface SoftwareIdentity {
  name: string;
  /** Four-part [version] text for ContainerImage; any text a provider uses otherwise. */
  version: string;
  /** 'Available' (found), 'Downloaded' (saved), 'Installed'. */
  status: 'Available' | 'Downloaded' | 'Installed';
  /** The package source's name. */
  source: string;
  summary: string;
  providerName: string;
  /** Opaque to PackageManagement: what the provider needs to act on the package again. */
  fastPackageReference: string;
  /** Whether the source it came from is trusted. */
  fromTrustedSource: boolean;
  /** The file the package was saved to (Save-Package), else ''. */
  fullPath?: string;
  /** Extra properties a provider adds to the object (ContainerImage: Publisher, Size, Sha256, Location). */
  extra?: Record<string, unknown>;
}

export interface PackageSource {
  name: string;
  location: string;
  providerName: string;
  isTrusted: boolean;
  isRegistered: boolean;
  /** Built into the provider (the embedded ContainerImageGallery). */
  isBuiltIn?: boolean;
}

/** What Find-/Install-/Save-Package ask for. Versions are [version]s normalised to four parts. */
export interface PackageQuery {
  /** Names, possibly with wildcards; [] or [''] means every package. */
  names: string[];
  requiredVersion?: PSVersion | null;
  minimumVersion?: PSVersion | null;
  maximumVersion?: PSVersion | null;
  allVersions?: boolean;
  /** Source names or locations; empty: every registered source of the provider. */
  sources?: string[];
}

export interface DynamicOption {
  name: string;
  /** 'Package' | 'Install' | 'Source' | 'Provider' (PackageManagement's OptionCategory). */
  category: string;
  type: string;
  isRequired: boolean;
}

/** The session services a provider may use while it works. */
export interface ProviderRequest {
  /** The store root (providers keep their state and caches under it). */
  readonly storeRoot: string;
  /** The session's current directory, for relative paths. */
  readonly cwd: string;
  readonly force: boolean;
  /** Dynamic options passed on the command line (e.g. SkipHashCheck). */
  readonly options: Record<string, unknown>;
  writeVerbose(message: string): void;
  writeWarning(message: string): void;
  writeDebug(message: string): void;
  writeProgress(record: ProgressRecord): void;
  /** True once the pipeline is being stopped. */
  readonly stopping: boolean;
}

export interface PackageProvider {
  readonly name: string;
  /** Older names that also select this provider (ContainerImage: the TP4 name ContainerProvider). */
  readonly aliases?: string[];
  readonly version: string;
  readonly summary?: string;
  /** Feature name → values (PackageManagement's Features dictionary). */
  readonly features: Record<string, string[]>;
  readonly dynamicOptions: DynamicOption[];
  findPackage(query: PackageQuery, request: ProviderRequest): Promise<SoftwareIdentity[]>;
  /** Saves the package's file(s) into `destinationDir`; returns it with status 'Downloaded' and fullPath. */
  downloadPackage(pkg: SoftwareIdentity, destinationDir: string, request: ProviderRequest): Promise<SoftwareIdentity>;
  installPackage(pkg: SoftwareIdentity, request: ProviderRequest): Promise<SoftwareIdentity>;
  getInstalledPackages(query: PackageQuery, request: ProviderRequest): Promise<SoftwareIdentity[]>;
  uninstallPackage(pkg: SoftwareIdentity, request: ProviderRequest): Promise<SoftwareIdentity>;
  /** Registered sources whose names match `names` (wildcards); all when empty. */
  resolvePackageSources(names: string[], request: ProviderRequest): Promise<PackageSource[]>;
  addPackageSource(name: string, location: string, trusted: boolean, request: ProviderRequest): Promise<PackageSource>;
  removePackageSource(name: string, request: ProviderRequest): Promise<PackageSource>;
  /** Changes a registered source (Set-PackageSource); optional. */
  setPackageSource?(name: string, changes: { newName?: string; newLocation?: string; trusted?: boolean }, request: ProviderRequest): Promise<PackageSource>;
}

/** A bundled provider: loaded only when used, so posh's start-up stays cheap. */
export interface BuiltinProvider {
  name: string;
  aliases: string[];
  version: string;
  summary: string;
  load(): PackageProvider;
}

export const BUILTIN_PROVIDERS: BuiltinProvider[] = [
  {
    name: 'ContainerImage',
    aliases: ['ContainerProvider'],
    version: '1.0.0.0',
    summary: 'Finds, downloads, verifies and installs Windows container OS images (WIM archives) from feeds into the local image store.',
    load: () => (require('./containerimage') as typeof import('./containerimage')).containerImageProvider,
  },
];

/** The built-in provider a name selects (its own name or an alias, case-insensitive). */
export function findBuiltin(name: string): BuiltinProvider | undefined {
  const n = name.toLowerCase();
  return BUILTIN_PROVIDERS.find((b) => b.name.toLowerCase() === n || b.aliases.some((a) => a.toLowerCase() === n));
}

/** Whether a built-in provider has been installed (enabled) in this store root. */
export function isProviderInstalled(storeRoot: string, name: string): boolean {
  const b = findBuiltin(name);
  if (!b) return false;
  return readProviderState(storeRoot).installedProviders.some((p) => p.toLowerCase() === b.name.toLowerCase());
}

/** The hint the ContainerImage cmdlets show while the provider is not installed. */
export function providerAvailability(session: unknown, providerName: string): string | null {
  const storeRoot = (session as { storeRoot?: string } | null)?.storeRoot;
  if (typeof storeRoot !== 'string') return null;
  if (isProviderInstalled(storeRoot, providerName)) return null;
  return `The ${providerName} package provider is not installed. Install it with: Install-PackageProvider -Name ${providerName} -Force`;
}

const imported = new WeakMap<object, Map<string, { provider: PackageProvider; from: string }>>();

/** Providers imported into a session by Import-PackageProvider (not persisted, as PackageManagement). */
export function importedProviders(session: object): Map<string, { provider: PackageProvider; from: string }> {
  let m = imported.get(session);
  if (!m) imported.set(session, (m = new Map()));
  return m;
}

/** Checks that a loaded module is a provider; returns it or explains what is missing. */
export function asProvider(mod: unknown): PackageProvider | string {
  const candidates = [mod, (mod as { default?: unknown })?.default, (mod as { provider?: unknown })?.provider];
  const required = ['findPackage', 'downloadPackage', 'installPackage', 'getInstalledPackages', 'uninstallPackage', 'resolvePackageSources', 'addPackageSource', 'removePackageSource'];
  let missing: string[] = [];
  for (const c of candidates) {
    if (!c || typeof c !== 'object') continue;
    const o = c as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') {
      missing = ['name'];
      continue;
    }
    missing = required.filter((k) => typeof o[k] !== 'function');
    if (typeof o.version !== 'string') missing.push('version');
    if (missing.length === 0) {
      const p = c as PackageProvider;
      return { ...p, features: p.features ?? {}, dynamicOptions: p.dynamicOptions ?? [], findPackage: p.findPackage.bind(p), downloadPackage: p.downloadPackage.bind(p),
        installPackage: p.installPackage.bind(p), getInstalledPackages: p.getInstalledPackages.bind(p), uninstallPackage: p.uninstallPackage.bind(p),
        resolvePackageSources: p.resolvePackageSources.bind(p), addPackageSource: p.addPackageSource.bind(p), removePackageSource: p.removePackageSource.bind(p),
        setPackageSource: p.setPackageSource?.bind(p) };
    }
  }
  return missing.length ? `missing ${missing.join(', ')}` : 'the module exports no provider object';
}

/**
 * Loads a third-party provider: a path (absolute, or relative to `cwd`) to a .js file or a
 * package directory, else an npm package name resolved from `cwd` and from posh's own install.
 */
export function loadProviderModule(spec: string, cwd: string): { provider: PackageProvider; from: string } {
  const looksLikePath = /[\\/]/.test(spec) || spec.startsWith('.') || /\.(c?js)$/i.test(spec);
  let resolved: string;
  if (looksLikePath) {
    const full = path.resolve(cwd, spec);
    if (!fs.existsSync(full)) throw new PackageError(`The specified file '${full}' is not found.`, 'FileNotFound', 'ObjectNotFound', spec);
    resolved = require.resolve(full);
  } else {
    try {
      resolved = require.resolve(spec, { paths: [cwd, path.join(cwd, 'node_modules'), __dirname] });
    } catch {
      throw new PackageError(`No match was found for the specified search criteria and provider name '${spec}'. Try 'Get-PackageProvider -ListAvailable' to see if the provider exists on the system.`,
        'NoMatchFoundForCriteria', 'ObjectNotFound', spec);
    }
  }
  let mod: unknown;
  try {
    mod = require(resolved);
  } catch (e) {
    throw new PackageError(`Provider '${spec}' failed to load. ${(e as Error).message}`, 'ProviderPluginLoadFailure', 'InvalidOperation', spec);
  }
  const p = asProvider(mod);
  if (typeof p === 'string') {
    throw new PackageError(`Failed to import the specified provider '${spec}'. Please check if it is a valid PackageManagement provider (${p}).`, 'InvalidProvider', 'InvalidData', spec);
  }
  return { provider: p, from: resolved };
}

export interface ActiveProvider {
  provider: PackageProvider;
  /** 'Built-in' or the file it was imported from. */
  from: string;
}

/** The providers usable in this session: installed built-ins, then imported ones. */
export function activeProviders(session: { storeRoot: string } & object): ActiveProvider[] {
  const state: ProviderState = readProviderState(session.storeRoot);
  const out: ActiveProvider[] = [];
  for (const b of BUILTIN_PROVIDERS) {
    if (state.installedProviders.some((n) => n.toLowerCase() === b.name.toLowerCase())) out.push({ provider: b.load(), from: 'Built-in' });
  }
  for (const [, v] of importedProviders(session)) {
    if (!out.some((o) => o.provider.name.toLowerCase() === v.provider.name.toLowerCase())) out.push(v);
  }
  return out;
}

/** A provider matches a -ProviderName value by name or alias (wildcards allowed). */
export function providerMatches(p: PackageProvider, pattern: string, like: (text: string, pattern: string) => boolean): boolean {
  return like(p.name, pattern) || (p.aliases ?? []).some((a) => like(a, pattern));
}

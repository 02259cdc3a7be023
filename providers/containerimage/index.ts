// The ContainerImage provider: finds base OS images in feeds (its package sources), downloads
// and verifies their archives, and installs them into the local image store. Data flows one
// way: feed → download (temp file) → verify (size, sha256) → WIM reader → store import.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { ImageRecord } from '../../core/store';
import { wildcardMatch, hasWildcard } from '../../core/engine/operators';
import { PSVersion } from '../../core/engine/values';
import { readProviderState, updateProviderState } from '../state';
import { PackageError, type PackageProvider, type PackageQuery, type PackageSource, type ProviderRequest, type SoftwareIdentity } from '../provider';
import { selectVersions, toVersion, type VersionCriteria } from '../versions';
import { downloadArchive, DownloadError, formatBytes, freeSpace } from './download';
import { FeedError, locationUrl, readSource, type FeedEntry } from './feed';
import { httpSettings } from './http';

export const PROVIDER_NAME = 'ContainerImage';
export const PROVIDER_VERSION = '1.0.0.0';
export const GALLERY_NAME = 'ContainerImageGallery';

let galleryDirCache: string | null = null;

/** The gallery/ folder shipped in the package (beside package.json, above dist/ and the sources). */
export function galleryDir(): string {
  if (galleryDirCache) return galleryDirCache;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'gallery', 'feed.xml'))) return (galleryDirCache = path.join(dir, 'gallery'));
  }
  throw new PackageError('The embedded ContainerImageGallery feed (gallery/feed.xml) is missing from the installation; run `npm run build:gallery`.', 'GalleryMissing', 'ObjectNotFound');
}

export function galleryLocation(): string {
  return pathToFileURL(path.join(galleryDir(), 'feed.xml')).href;
}

/** Every source of this provider: the embedded gallery (unless unregistered), then registered ones. */
export function providerSources(storeRoot: string): PackageSource[] {
  const st = readProviderState(storeRoot);
  const out: PackageSource[] = [];
  if (!st.removedBuiltinSources.some((n) => n.toLowerCase() === GALLERY_NAME.toLowerCase())) {
    out.push({ name: GALLERY_NAME, location: galleryLocation(), providerName: PROVIDER_NAME, isTrusted: st.builtinTrust[GALLERY_NAME] ?? true, isRegistered: true, isBuiltIn: true });
  }
  for (const s of st.sources) {
    if (s.providerName.toLowerCase() !== PROVIDER_NAME.toLowerCase()) continue;
    out.push({ name: s.name, location: s.location, providerName: PROVIDER_NAME, isTrusted: s.trusted, isRegistered: true });
  }
  return out;
}

/** A location given to -Source that is no registered name: an http(s)/file URL or an existing path. */
function adHocSource(value: string, cwd: string): PackageSource | null {
  if (/^(https?|file):/i.test(value) || fs.existsSync(path.resolve(cwd, value))) {
    const location = /^(https?|file):/i.test(value) ? value : path.resolve(cwd, value);
    return { name: location, location, providerName: PROVIDER_NAME, isTrusted: false, isRegistered: false };
  }
  return null;
}

/** The sources a query selects: by name (wildcards) or location; unknown ones are an error. */
export function selectSources(requested: string[] | undefined, storeRoot: string, cwd: string): PackageSource[] {
  const all = providerSources(storeRoot);
  if (!requested || requested.length === 0) return all;
  const out: PackageSource[] = [];
  for (const r of requested) {
    const byName = all.filter((s) => wildcardMatch(s.name, r) || s.location === r);
    if (byName.length) {
      for (const s of byName) if (!out.includes(s)) out.push(s);
      continue;
    }
    const adHoc = hasWildcard(r) ? null : adHocSource(r, cwd);
    if (adHoc) out.push(adHoc);
    else throw new PackageError(`Unable to find package source '${r}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', r);
  }
  return out;
}

/** What the fast package reference carries: everything needed to fetch and verify the archive. */
export interface ImageRef {
  source: string;
  location: string;
  trusted: boolean;
  name: string;
  version: string;
  publisher: string;
  /** False for the legacy JSON index, which names no publisher (the archive's own is kept). */
  publisherKnown: boolean;
  isOSImage: boolean;
  summary: string;
  archive: string;
  size: number | null;
  sha256: string | null;
  /** From a plain local directory of archives: no feed, no hash; the WIM reader's SHA-1 checks apply. */
  local: boolean;
}

export function refFromEntry(e: FeedEntry, s: PackageSource): ImageRef {
  return {
    source: s.name,
    location: s.location,
    trusted: s.isTrusted,
    name: e.name,
    version: e.version.toString(),
    publisher: e.publisher,
    publisherKnown: e.publisherKnown,
    isOSImage: e.isOSImage,
    summary: e.summary,
    archive: e.archive.href,
    size: e.size,
    sha256: e.sha256,
    local: e.local === true,
  };
}

export function identityFromRef(r: ImageRef, status: SoftwareIdentity['status'] = 'Available', fullPath = ''): SoftwareIdentity {
  return {
    name: r.name,
    version: r.version,
    status,
    source: r.source,
    summary: r.summary,
    providerName: PROVIDER_NAME,
    fastPackageReference: JSON.stringify(r),
    fromTrustedSource: r.trusted,
    fullPath,
    extra: { Publisher: r.publisher, Size: r.size, Sha256: r.sha256 ?? '', Location: r.archive },
  };
}

export function refFromIdentity(p: SoftwareIdentity): ImageRef {
  let r: Partial<ImageRef>;
  try {
    r = JSON.parse(p.fastPackageReference) as Partial<ImageRef>;
  } catch {
    throw new PackageError(`Unable to resolve package reference '${p.fastPackageReference}'.`, 'UnableToResolvePackage', 'InvalidArgument', p.name);
  }
  if (typeof r.name !== 'string' || typeof r.version !== 'string' || typeof r.archive !== 'string' || typeof r.source !== 'string') {
    throw new PackageError(`Unable to resolve package reference '${p.fastPackageReference}'.`, 'UnableToResolvePackage', 'InvalidArgument', p.name);
  }
  return {
    source: r.source,
    location: String(r.location ?? ''),
    trusted: r.trusted === true,
    name: r.name,
    version: r.version,
    publisher: typeof r.publisher === 'string' ? r.publisher : 'CN=Unknown',
    publisherKnown: r.publisherKnown !== false,
    isOSImage: r.isOSImage !== false,
    summary: String(r.summary ?? ''),
    archive: r.archive,
    size: typeof r.size === 'number' ? r.size : null,
    sha256: typeof r.sha256 === 'string' && r.sha256 ? r.sha256 : null,
    local: r.local === true && r.archive.startsWith('file:'),
  };
}

/** A name matches a -Name value: wildcards with -like, else case-insensitive equality. */
export function nameMatches(name: string, pattern: string): boolean {
  if (pattern === '' || pattern === '*') return true;
  return hasWildcard(pattern) ? wildcardMatch(name, pattern) : name.toLowerCase() === pattern.toLowerCase();
}

export interface FindResult {
  refs: ImageRef[];
  /** Sources that could not be read (each message names the source and the cause). */
  failures: FeedError[];
}

/** Searches the selected sources; each source yields the newest match per name unless AllVersions. */
export async function findImages(query: PackageQuery, request: ProviderRequest): Promise<FindResult> {
  const sources = selectSources(query.sources, request.storeRoot, request.cwd);
  const criteria: VersionCriteria = {
    requiredVersion: query.requiredVersion ?? null,
    minimumVersion: query.minimumVersion ?? null,
    maximumVersion: query.maximumVersion ?? null,
    allVersions: query.allVersions === true,
  };
  const names = query.names.length ? query.names : [''];
  const refs: ImageRef[] = [];
  const failures: FeedError[] = [];
  for (const s of sources) {
    let entries: FeedEntry[];
    try {
      entries = await readSource({ name: s.name, location: s.location }, request.cwd, request.storeRoot, (m) => request.writeWarning(m));
    } catch (e) {
      if (e instanceof FeedError) {
        failures.push(e);
        continue;
      }
      throw e;
    }
    const matching = entries.filter((e) => names.some((n) => nameMatches(e.name, n)));
    for (const e of selectVersions(matching, (x) => x.name, (x) => x.version, criteria)) refs.push(refFromEntry(e, s));
  }
  return { refs, failures };
}

function checkSpace(dir: string, needed: number, what: string): void {
  const free = freeSpace(dir);
  if (free !== null && needed > free) {
    throw new PackageError(
      `Not enough space to save the file: ${what} needs ${formatBytes(needed)} (${needed} bytes) but only ${formatBytes(free)} (${free} bytes) is free in '${dir}'.`,
      'NotEnoughSpace', 'ResourceUnavailable', dir);
  }
}

function describe(r: ImageRef): string {
  return `image '${r.name}' version '${r.version}' from source '${r.source}'`;
}

/** Refuses an entry that cannot be verified, unless -SkipHashCheck. */
function hashPolicy(r: ImageRef, request: ProviderRequest): string | null {
  if (r.sha256) return r.sha256;
  if (r.local) {
    request.writeVerbose(`${r.archive} comes from a local directory source without a feed: no sha256 to compare; the WIM reader checks every stored SHA-1 on import.`);
    return null;
  }
  if (request.options.SkipHashCheck === true) {
    request.writeWarning(`The feed entry of ${describe(r)} has no sha256; installing it without verifying its content hash (-SkipHashCheck).`);
    return null;
  }
  throw new PackageError(
    `The feed entry of ${describe(r)} has no sha256, so its archive cannot be verified. Nothing was downloaded. Use -SkipHashCheck to accept it without a hash check.`,
    'HashMissing', 'SecurityError', r.name);
}

export interface FetchOutcome {
  file: string;
  size: number;
  sha256: string;
  durationMs: number;
}

/** Downloads and verifies the archive of `r` into `dest`; on failure nothing is left behind. */
export async function fetchArchive(r: ImageRef, dest: string, request: ProviderRequest): Promise<FetchOutcome> {
  const expectedSha = hashPolicy(r, request);
  const url = new URL(r.archive);
  const activity = `Downloading ${r.name} ${r.version} from ${r.source}`;
  let lastReport = 0;
  const started = Date.now();
  request.writeVerbose(`Downloading ${url.protocol === 'file:' ? fileURLToPath(url) : url.href} to ${dest}`);
  try {
    const res = await downloadArchive({
      url,
      dest,
      expectedSize: r.size,
      expectedSha256: expectedSha,
      settings: httpSettings(),
      isStopping: () => request.stopping,
      onRetry: (attempt, cause, resumeAt) =>
        request.writeVerbose(`Download of ${r.name} ${r.version} interrupted (${cause}); retrying (attempt ${attempt + 1})${resumeAt > 0 ? `, resuming at byte ${resumeAt}` : ''}.`),
      onProgress: (received, total) => {
        const now = Date.now();
        if (now - lastReport < 200 && received !== total) return;
        lastReport = now;
        request.writeProgress({
          activity,
          status: total ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received),
          percentComplete: total ? Math.min(100, Math.floor((received * 100) / total)) : -1,
        });
      },
    });
    request.writeProgress({ activity, status: 'Completed', completed: true });
    request.writeVerbose(`Verified ${r.name} ${r.version}: ${res.size} bytes, sha256 ${res.sha256}${res.attempts > 1 ? ` (${res.attempts} attempts, ${res.resumes} resumed)` : ''}.`);
    return { file: dest, size: res.size, sha256: res.sha256, durationMs: Date.now() - started };
  } catch (e) {
    request.writeProgress({ activity, status: 'Failed', completed: true });
    if (e instanceof DownloadError) {
      const where = url.protocol === 'file:' ? fileURLToPath(url) : url.href;
      if (e.kind === 'size' || e.kind === 'hash') {
        throw new PackageError(`The archive of ${describe(r)} (${where}) was refused: ${e.message}. Nothing was installed.`, e.kind === 'hash' ? 'HashMismatch' : 'SizeMismatch', 'SecurityError', r.name);
      }
      throw new PackageError(`Failed to download ${describe(r)} (${where}): ${e.message}.`, 'FailedToDownload', e.kind === 'network' ? 'ConnectionError' : 'InvalidOperation', r.name);
    }
    throw e;
  }
}

/** Save: the verified archive as <dir>/<Name>.wim (written under a temporary name, then renamed). */
export async function saveImage(r: ImageRef, dir: string, request: ProviderRequest): Promise<FetchOutcome> {
  if (r.size !== null) checkSpace(dir, r.size, `saving ${r.name} ${r.version}`);
  const final = path.join(dir, `${r.name}.wim`);
  const tmp = path.join(dir, `.${r.name}.wim.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  const out = await fetchArchive(r, tmp, request);
  try {
    fs.renameSync(tmp, final);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new PackageError(`Unable to overwrite existing file '${final}'. ${(e as Error).message}`, 'UnableToOverwriteExistingFile', 'WriteError', final);
  }
  return { ...out, file: final };
}

export function storeModule(): typeof import('../../core/store') {
  return require('../../core/store') as typeof import('../../core/store');
}

export function fullNameOfRef(r: ImageRef): string {
  return `${r.publisher}_${r.name}_${r.version}`;
}

/** The installed image a reference would become (same FullName), if any. */
export function installedImage(storeRoot: string, r: ImageRef): ImageRecord | null {
  const store = storeModule().openStore(storeRoot);
  if (r.publisherKnown) return store.findImage(fullNameOfRef(r));
  return store.listImages().find((i) => i.name.toLowerCase() === r.name.toLowerCase() && i.version === r.version) ?? null;
}

export interface InstallOutcome {
  image: ImageRecord;
  status: 'installed' | 'replaced' | 'exists';
  downloadMs: number;
}

/**
 * Install: checks space for the download and the import, downloads into the store's temp folder,
 * verifies, opens the archive with the WIM reader and imports image index 1 into the store.
 */
export async function installImage(r: ImageRef, request: ProviderRequest, force: boolean): Promise<InstallOutcome> {
  const store = storeModule().openStore(request.storeRoot);
  fs.mkdirSync(store.tmpDir, { recursive: true });
  if (r.size !== null) checkSpace(store.root, r.size * 2, `installing ${r.name} ${r.version} (download and import)`);
  const tmp = path.join(store.tmpDir, `download-${process.pid}-${randomBytes(6).toString('hex')}.wim`);
  const got = await fetchArchive(r, tmp, request);
  try {
    const { openWim } = await import('../../core/wim');
    let reader;
    try {
      reader = await openWim(tmp);
    } catch (e) {
      throw new PackageError(`The archive of ${describe(r)} is not a usable WIM image: ${(e as Error).message}. Nothing was installed.`, 'InvalidArchive', 'InvalidData', r.name);
    }
    try {
      const activity = `Installing ${r.name} ${r.version}`;
      const result = await store.importWim(reader, {
        force,
        isOSImage: r.isOSImage,
        name: r.name,
        version: r.version,
        ...(r.publisherKnown ? { publisher: r.publisher } : {}),
        ...(r.summary ? { summary: r.summary } : {}),
        onProgress: (p) =>
          request.writeProgress({ activity, status: `${p.filesDone} of ${p.filesTotal} files`, percentComplete: p.bytesTotal ? Math.floor((p.bytesDone * 100) / p.bytesTotal) : 100 }),
      });
      request.writeProgress({ activity, status: 'Completed', completed: true });
      return { image: result.image, status: result.status, downloadMs: got.durationMs };
    } catch (e) {
      // Store errors keep their own id and text; anything else (e.g. a hostile archive the WIM
      // reader rejects during import) is reported against the image and its source.
      if (e instanceof PackageError || typeof (e as { errorId?: unknown }).errorId === 'string') throw e;
      throw new PackageError(`Installing ${describe(r)} failed: ${(e as Error).message}. Nothing was installed.`, 'InstallFailed', 'InvalidData', r.name);
    } finally {
      await reader.close();
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** An installed image as a SoftwareIdentity (Get-Package). */
export function installedIdentity(i: ImageRecord, storeRoot: string): SoftwareIdentity {
  return {
    name: i.name,
    version: i.version,
    status: 'Installed',
    source: storeRoot,
    summary: i.summary,
    providerName: PROVIDER_NAME,
    fastPackageReference: JSON.stringify({ installed: `${i.publisher}_${i.name}_${i.version}`, imageId: i.imageId }),
    fromTrustedSource: true,
    fullPath: '',
    extra: { Publisher: i.publisher, FullName: `${i.publisher}_${i.name}_${i.version}`, ImageId: i.imageId, IsOSImage: i.isOSImage },
  };
}

function criteriaOf(q: PackageQuery): VersionCriteria {
  return { requiredVersion: q.requiredVersion ?? null, minimumVersion: q.minimumVersion ?? null, maximumVersion: q.maximumVersion ?? null, allVersions: q.allVersions === true };
}

export const containerImageProvider: PackageProvider = {
  name: PROVIDER_NAME,
  aliases: ['ContainerProvider'],
  version: PROVIDER_VERSION,
  summary: 'Finds, downloads, verifies and installs Windows container OS images (WIM archives) from feeds into the local image store.',
  features: { 'supports-powershell-modules': [], 'file-extensions': ['.wim'], uri: ['http', 'https', 'file'] },
  dynamicOptions: [
    { name: 'SkipHashCheck', category: 'Install', type: 'Switch', isRequired: false },
    { name: 'AllVersions', category: 'Package', type: 'Switch', isRequired: false },
  ],

  async findPackage(query, request) {
    const res = await findImages(query, request);
    for (const f of res.failures) request.writeWarning(f.message);
    return res.refs.map((r) => identityFromRef(r));
  },

  async downloadPackage(pkg, destinationDir, request) {
    const r = refFromIdentity(pkg);
    const out = await saveImage(r, destinationDir, request);
    return identityFromRef(r, 'Downloaded', out.file);
  },

  async installPackage(pkg, request) {
    const r = refFromIdentity(pkg);
    const existing = installedImage(request.storeRoot, r);
    if (existing && !request.force) {
      request.writeWarning(`Skipping installed package ${existing.name} ${existing.version}. Use -Force to reinstall.`);
      return { ...identityFromRef(r, 'Installed'), extra: { Publisher: existing.publisher, FullName: `${existing.publisher}_${existing.name}_${existing.version}`, ImageId: existing.imageId } };
    }
    const out = await installImage(r, request, request.force);
    return { ...identityFromRef(r, 'Installed'), extra: { Publisher: out.image.publisher, FullName: `${out.image.publisher}_${out.image.name}_${out.image.version}`, ImageId: out.image.imageId } };
  },

  async getInstalledPackages(query, request) {
    const images = storeModule().openStore(request.storeRoot).listImages();
    const names = query.names.length ? query.names : [''];
    const matching = images.filter((i) => names.some((n) => nameMatches(i.name, n)));
    const withVersions = matching.map((i) => ({ i, v: toVersion(i.version) ?? new PSVersion(0, 0, 0, 0) }));
    const c = criteriaOf(query);
    const chosen = c.requiredVersion || c.minimumVersion || c.maximumVersion ? withVersions.filter((x) => selectVersions([x], (y) => y.i.name, (y) => y.v, { ...c, allVersions: true }).length) : withVersions;
    return chosen.map((x) => installedIdentity(x.i, request.storeRoot));
  },

  async uninstallPackage(pkg, request) {
    let fullName: string;
    try {
      const ref = JSON.parse(pkg.fastPackageReference) as { installed?: string; publisher?: string; name?: string; version?: string };
      fullName = ref.installed ?? `${ref.publisher}_${ref.name}_${ref.version}`;
    } catch {
      throw new PackageError(`Unable to resolve package reference '${pkg.fastPackageReference}'.`, 'UnableToResolvePackage', 'InvalidArgument', pkg.name);
    }
    const res = await storeModule().openStore(request.storeRoot).removeImage(fullName);
    return installedIdentity(res.image, request.storeRoot);
  },

  async resolvePackageSources(names, request) {
    const all = providerSources(request.storeRoot);
    if (!names.length) return all;
    return all.filter((s) => names.some((n) => wildcardMatch(s.name, n) || s.location === n));
  },

  async addPackageSource(name, location, trusted, request) {
    if (!name) throw new PackageError("The parameter 'Name' is required for this operation.", 'MissingRequiredParameter', 'InvalidArgument');
    const url = (() => {
      try {
        return locationUrl(location, request.cwd);
      } catch {
        return null;
      }
    })();
    if (!url || !['http:', 'https:', 'file:'].includes(url.protocol)) {
      throw new PackageError(`Source location '${location}' is not valid for this provider.`, 'SourceLocationNotValid', 'InvalidArgument', location);
    }
    const stored = url.protocol === 'file:' && !/^file:/i.test(location) ? path.resolve(request.cwd, location) : location;
    if (name.toLowerCase() === GALLERY_NAME.toLowerCase() && providerSources(request.storeRoot).some((s) => s.isBuiltIn)) {
      throw new PackageError(`Package Source '${name}' exists.`, 'PackageSourceExists', 'ResourceExists', name);
    }
    await updateProviderState(request.storeRoot, (st) => {
      if (st.sources.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
        throw new PackageError(`Package Source '${name}' exists.`, 'PackageSourceExists', 'ResourceExists', name);
      }
      if (name.toLowerCase() === GALLERY_NAME.toLowerCase()) st.removedBuiltinSources = st.removedBuiltinSources.filter((n) => n.toLowerCase() !== name.toLowerCase());
      st.sources.push({ name, location: stored, providerName: PROVIDER_NAME, trusted });
    });
    return { name, location: stored, providerName: PROVIDER_NAME, isTrusted: trusted, isRegistered: true };
  },

  async removePackageSource(name, request) {
    const found = providerSources(request.storeRoot).find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new PackageError(`Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name);
    await updateProviderState(request.storeRoot, (st) => {
      if (found.isBuiltIn) {
        if (!st.removedBuiltinSources.includes(found.name)) st.removedBuiltinSources.push(found.name);
      } else st.sources = st.sources.filter((s) => s.name.toLowerCase() !== name.toLowerCase());
    });
    return found;
  },

  async setPackageSource(name, changes, request) {
    const found = providerSources(request.storeRoot).find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new PackageError(`Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name);
    if (found.isBuiltIn && (changes.newName || changes.newLocation)) {
      throw new PackageError(`The built-in package source '${found.name}' can only change its trust (-Trusted).`, 'BuiltinSourceReadOnly', 'InvalidOperation', name);
    }
    const updated: PackageSource = { ...found, name: changes.newName ?? found.name, location: changes.newLocation ?? found.location, isTrusted: changes.trusted ?? found.isTrusted };
    await updateProviderState(request.storeRoot, (st) => {
      if (found.isBuiltIn) {
        st.builtinTrust[found.name] = updated.isTrusted;
        return;
      }
      const s = st.sources.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!s) throw new PackageError(`Unable to find package source '${name}'. Use Get-PackageSource to see all available package sources.`, 'SourceNotFound', 'ObjectNotFound', name);
      if (changes.newName && changes.newName.toLowerCase() !== s.name.toLowerCase() && st.sources.some((x) => x.name.toLowerCase() === changes.newName!.toLowerCase())) {
        throw new PackageError(`Package Source '${changes.newName}' exists.`, 'PackageSourceExists', 'ResourceExists', changes.newName);
      }
      s.name = updated.name;
      s.location = updated.location;
      s.trusted = updated.isTrusted;
    });
    return updated;
  },
};

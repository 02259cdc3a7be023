// Reading a package source of the ContainerImage provider into feed entries. Three kinds
// (docs/feed-format.md):
//   - a feed.xml (urn:posh-containers:feed:1), over http(s) or from a file;
//   - the original provider's legacy JSON search index ([{Name, Version, Description, SasToken}]);
//   - a plain directory of *.wim files, described by each archive's own XML metadata.
// A location may name the feed file or its directory (then feed.xml in it). XML is parsed
// hardened: a document type declaration (and with it every entity definition) is refused before
// parsing, the size of a feed is bounded, and every value is validated. HTTP feeds are cached
// with their ETag / Last-Modified and revalidated with a conditional GET.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PSVersion } from '../../core/engine/values';
import { writeFileAtomicSync, stateDir } from '../state';
import { backoffDelay, describeNetworkError, header, HttpError, httpOpen, httpSettings, sleep, statusError } from './http';
import { toVersion } from '../versions';

export const FEED_NAMESPACE = 'urn:posh-containers:feed:1';
/** A feed larger than this is refused (a 10,000-entry feed is about 3 MiB). */
export const MAX_FEED_BYTES = 64 * 1024 * 1024;

export interface FeedEntry {
  name: string;
  version: PSVersion;
  publisher: string;
  /** False for the legacy JSON index, which names no publisher (the archive's own is kept on install). */
  publisherKnown: boolean;
  isOSImage: boolean;
  summary: string;
  /** Absolute URL of the archive (http, https or file). */
  archive: URL;
  /** The reference as the feed wrote it (relative to the feed, usually). */
  href: string;
  size: number | null;
  sha256: string | null;
  /** An archive in a plain local directory source (no feed vouches for it; see hash policy). */
  local?: boolean;
}

export interface FeedSource {
  name: string;
  location: string;
}

/** A source that cannot be read; the message names the source and the cause. */
export class FeedError extends Error {}

export function feedError(source: FeedSource, where: string, cause: string): FeedError {
  return new FeedError(`Unable to read package source '${source.name}' (${where}): ${cause}`);
}

/** The location as a URL: http(s) and file URLs as they are, paths resolved against cwd. */
export function locationUrl(location: string, cwd: string): URL {
  if (/^https?:\/\//i.test(location) || /^file:/i.test(location)) return new URL(location);
  return pathToFileURL(path.resolve(cwd, location));
}

/** Image names become file names (Save-ContainerImage writes <Name>.wim): no paths, no control characters. */
export function validImageName(name: string): boolean {
  return name.length > 0 && name.length <= 200 && !/[\\/\x00-\x1f:*?"<>|]/.test(name) && name !== '.' && name !== '..' && !name.startsWith('.');
}

type Warn = (message: string) => void;

/** Reads every entry of a source. `warn` reports entries that were skipped as invalid. */
export async function readSource(source: FeedSource, cwd: string, storeRoot: string, warn: Warn): Promise<FeedEntry[]> {
  const url = locationUrl(source.location, cwd);
  if (url.protocol === 'file:') return readFileSource(source, url, warn);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const feedUrl = httpFeedUrl(url);
    const { text, finalUrl } = await fetchFeedText(source, feedUrl, storeRoot);
    return parseFeedDocument(source, text, finalUrl, warn);
  }
  throw feedError(source, source.location, `the scheme '${url.protocol.replace(/:$/, '')}' is not supported`);
}

/** A URL that names a directory (ends in '/', or has no file extension and no query) gets feed.xml. */
export function httpFeedUrl(url: URL): URL {
  if (url.search) return url;
  const last = url.pathname.split('/').pop() ?? '';
  if (url.pathname.endsWith('/')) return new URL('feed.xml', url);
  if (!last.includes('.')) return new URL(url.pathname + '/feed.xml', url);
  return url;
}

async function readFileSource(source: FeedSource, url: URL, warn: Warn): Promise<FeedEntry[]> {
  const p = fileURLToPath(url);
  const st = await fs.promises.stat(p).catch(() => null);
  if (!st) throw feedError(source, p, 'the path does not exist');
  if (st.isDirectory()) {
    const feed = path.join(p, 'feed.xml');
    if (fs.existsSync(feed)) return readFeedFile(source, feed, warn);
    return readWimDirectory(source, p, warn);
  }
  return readFeedFile(source, p, warn);
}

async function readFeedFile(source: FeedSource, file: string, warn: Warn): Promise<FeedEntry[]> {
  const st = await fs.promises.stat(file);
  if (st.size > MAX_FEED_BYTES) throw feedError(source, file, `the feed is larger than ${MAX_FEED_BYTES} bytes`);
  const text = await fs.promises.readFile(file, 'utf8');
  return parseFeedDocument(source, text, pathToFileURL(file), warn);
}

/** Decides between the XML feed and the legacy JSON index by the content. */
export function parseFeedDocument(source: FeedSource, text: string, feedUrl: URL, warn: Warn): FeedEntry[] {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '[' || first === '{') return parseJsonIndex(source, body, feedUrl, warn);
  return parseFeedXml(source, body, feedUrl, warn);
}

function attr(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[`@_${name}`];
  return v === undefined || v === null ? undefined : String(v);
}

function textOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const t = (v as Record<string, unknown>)['#text'];
    return t === undefined ? '' : String(t);
  }
  return String(v);
}

/** Resolves an archive reference; an http(s) feed may only point at http(s) archives. */
function archiveUrl(href: string, feedUrl: URL): URL | null {
  let u: URL;
  try {
    u = new URL(href, feedUrl);
  } catch {
    return null;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return u;
  if (u.protocol === 'file:' && feedUrl.protocol === 'file:') return u;
  return null;
}

export function parseFeedXml(source: FeedSource, text: string, feedUrl: URL, warn: Warn): FeedEntry[] {
  const where = feedUrl.protocol === 'file:' ? fileURLToPath(feedUrl) : feedUrl.href;
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw feedError(source, where, 'the feed contains a document type declaration (DTD); DTDs and entity definitions are not allowed in a feed');
  }
  const { XMLParser, XMLValidator } = require('fast-xml-parser') as typeof import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const e = valid.err;
    throw feedError(source, where, `malformed XML at line ${e.line}, column ${e.col}: ${e.msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) => name === 'image',
  });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw feedError(source, where, `malformed XML: ${(e as Error).message}`);
  }
  const rootName = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (rootName !== 'feed') throw feedError(source, where, `the document's root element is <${rootName ?? ''}>, not <feed xmlns="${FEED_NAMESPACE}">`);
  const feed = doc.feed as Record<string, unknown> | string;
  if (typeof feed !== 'object' || feed === null) return [];
  const ns = attr(feed, 'xmlns');
  if (ns !== undefined && ns !== FEED_NAMESPACE) throw feedError(source, where, `the feed's namespace is '${ns}', expected '${FEED_NAMESPACE}'`);
  const images = (feed.image as Record<string, unknown>[] | undefined) ?? [];
  const out: FeedEntry[] = [];
  images.forEach((img, i) => {
    const what = `image #${i + 1}`;
    if (typeof img !== 'object' || img === null) return warn(`Skipping ${what} of package source '${source.name}': it has no attributes.`);
    const name = attr(img, 'name') ?? '';
    const label = name ? `image '${name}'` : what;
    if (!validImageName(name)) return warn(`Skipping ${label} of package source '${source.name}': the name is missing or not a valid image name.`);
    const version = toVersion(attr(img, 'version') ?? '');
    if (!version) return warn(`Skipping ${label} of package source '${source.name}': the version '${attr(img, 'version') ?? ''}' is not a valid version.`);
    const archive = img.archive as Record<string, unknown> | undefined;
    const href = archive && typeof archive === 'object' ? attr(archive, 'href') : undefined;
    const url = href ? archiveUrl(href, feedUrl) : null;
    if (!url) return warn(`Skipping ${label} of package source '${source.name}': the archive reference '${href ?? ''}' is missing or not allowed.`);
    const sizeText = archive ? attr(archive, 'size') : undefined;
    let size: number | null = null;
    if (sizeText !== undefined) {
      if (!/^\d{1,16}$/.test(sizeText)) return warn(`Skipping ${label} of package source '${source.name}': the archive size '${sizeText}' is not a number of bytes.`);
      size = Number(sizeText);
    }
    const shaText = archive ? attr(archive, 'sha256') : undefined;
    let sha256: string | null = null;
    if (shaText !== undefined && shaText !== '') {
      if (!/^[0-9a-fA-F]{64}$/.test(shaText)) return warn(`Skipping ${label} of package source '${source.name}': the sha256 '${shaText}' is not 64 hexadecimal digits.`);
      sha256 = shaText.toLowerCase();
    }
    const os = (attr(img, 'os') ?? 'true').toLowerCase();
    out.push({
      name,
      version,
      publisher: attr(img, 'publisher') ?? 'CN=Unknown',
      publisherKnown: true,
      isOSImage: os !== 'false' && os !== '0',
      summary: textOf(img.summary),
      archive: url,
      href: href!,
      size,
      sha256,
    });
  });
  return out;
}

function parseJsonIndex(source: FeedSource, text: string, feedUrl: URL, warn: Warn): FeedEntry[] {
  const where = feedUrl.protocol === 'file:' ? fileURLToPath(feedUrl) : feedUrl.href;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw feedError(source, where, `the search index is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw feedError(source, where, 'the search index is not a JSON array');
  const out: FeedEntry[] = [];
  data.forEach((item: unknown, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const name = typeof o.Name === 'string' ? o.Name : '';
    const label = name ? `image '${name}'` : `entry #${i + 1}`;
    if (!validImageName(name)) return warn(`Skipping ${label} of package source '${source.name}': the name is missing or not a valid image name.`);
    const version = toVersion(o.Version);
    if (!version) return warn(`Skipping ${label} of package source '${source.name}': the version '${String(o.Version ?? '')}' is not a valid version.`);
    const url = typeof o.SasToken === 'string' ? archiveUrl(o.SasToken, feedUrl) : null;
    if (!url) return warn(`Skipping ${label} of package source '${source.name}': the archive reference (SasToken) is missing or not allowed.`);
    out.push({ name, version, publisher: 'CN=Microsoft', publisherKnown: false, isOSImage: true, summary: typeof o.Description === 'string' ? o.Description : '', archive: url, href: String(o.SasToken), size: null, sha256: null });
  });
  return out;
}

/** A directory of *.wim files (and one level of subdirectories, as the original's UNC search). */
async function readWimDirectory(source: FeedSource, dir: string, warn: Warn): Promise<FeedEntry[]> {
  const { openWim } = await import('../../core/wim');
  const files: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, d.name);
    if (d.isFile() && d.name.toLowerCase().endsWith('.wim')) files.push(full);
    else if (d.isDirectory()) {
      for (const e of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (e.isFile() && e.name.toLowerCase().endsWith('.wim')) files.push(path.join(full, e.name));
      }
    }
  }
  const out: FeedEntry[] = [];
  for (const f of files) {
    let r;
    try {
      r = await openWim(f);
    } catch (e) {
      warn(`Skipping '${f}' of package source '${source.name}': ${(e as Error).message}`);
      continue;
    }
    try {
      const img = r.images[0];
      const version = img ? toVersion(img.version) : null;
      if (!img || !validImageName(img.name) || !version) {
        warn(`Skipping '${f}' of package source '${source.name}': the archive's metadata has no valid image name and version.`);
        continue;
      }
      out.push({
        name: img.name,
        version,
        publisher: img.publisher,
        publisherKnown: true,
        isOSImage: true,
        summary: img.description,
        archive: pathToFileURL(f),
        href: path.relative(dir, f).split(path.sep).join('/'),
        size: fs.statSync(f).size,
        sha256: null,
        local: true,
      });
    } finally {
      await r.close();
    }
  }
  return out;
}

interface CacheRecord {
  url: string;
  finalUrl: string;
  etag?: string;
  lastModified?: string;
  body: string;
}

function cacheFile(storeRoot: string, url: URL): string {
  return path.join(stateDir(storeRoot), 'feed-cache', createHash('sha256').update(url.href).digest('hex') + '.json');
}

/** GETs a feed (conditional when cached), with retries; returns its text. */
export async function fetchFeedText(source: FeedSource, url: URL, storeRoot: string): Promise<{ text: string; finalUrl: URL; fromCache: boolean }> {
  const s = httpSettings();
  const file = cacheFile(storeRoot, url);
  let cached: CacheRecord | null = null;
  try {
    cached = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheRecord;
    if (cached.url !== url.href) cached = null;
  } catch {
    cached = null;
  }
  for (let attempt = 1; ; attempt++) {
    const headers: Record<string, string> = { accept: 'application/xml, application/json;q=0.9, */*;q=0.5' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    try {
      const res = await httpOpen(url, s, headers);
      if (res.statusCode === 304 && cached) {
        await res.body.dump().catch(() => undefined);
        return { text: cached.body, finalUrl: new URL(cached.finalUrl), fromCache: true };
      }
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined);
        throw statusError(res.statusCode);
      }
      const len = Number(header(res.headers, 'content-length') ?? '0');
      if (len > MAX_FEED_BYTES) {
        res.body.destroy();
        throw feedError(source, url.href, `the feed is larger than ${MAX_FEED_BYTES} bytes`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of res.body) {
        total += (c as Buffer).length;
        if (total > MAX_FEED_BYTES) {
          res.body.destroy();
          throw feedError(source, url.href, `the feed is larger than ${MAX_FEED_BYTES} bytes`);
        }
        chunks.push(c as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const etag = header(res.headers, 'etag');
      const lastModified = header(res.headers, 'last-modified');
      if (etag || lastModified) {
        const rec: CacheRecord = { url: url.href, finalUrl: res.url.href, etag, lastModified, body: text };
        try {
          writeFileAtomicSync(file, JSON.stringify(rec));
        } catch {
          // A cache that cannot be written only costs a full download next time.
        }
      }
      return { text, finalUrl: res.url, fromCache: false };
    } catch (e) {
      if (e instanceof FeedError) throw e;
      const err = e instanceof HttpError ? e : describeNetworkError(e, s);
      if (!err.retryable || attempt > s.retries) {
        throw feedError(source, url.href, attempt > 1 ? `${err.message} (after ${attempt} attempts)` : err.message);
      }
      await sleep(backoffDelay(s, attempt));
    }
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A feed.xml document for `entries` (their href as given), in the format of docs/feed-format.md. */
export function serializeFeed(feedName: string, entries: FeedEntry[]): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<feed xmlns="${FEED_NAMESPACE}" name="${xmlEscape(feedName)}">`];
  for (const e of entries) {
    lines.push(`  <image name="${xmlEscape(e.name)}" version="${e.version.toString()}" publisher="${xmlEscape(e.publisher)}" os="${e.isOSImage ? 'true' : 'false'}">`);
    lines.push(`    <summary>${xmlEscape(e.summary)}</summary>`);
    const size = e.size === null ? '' : ` size="${e.size}"`;
    const sha = e.sha256 === null ? '' : ` sha256="${e.sha256}"`;
    lines.push(`    <archive href="${xmlEscape(e.href)}"${size}${sha}/>`);
    lines.push('  </image>');
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

/** The feed's own name attribute, if any. */
export function feedNameOf(text: string): string | null {
  const m = /<feed\b[^>]*\bname="([^"]*)"/.exec(text);
  return m ? m[1] : null;
}

// Unit tests: [version] normalisation and selection, feed parsing and validation, NO_PROXY,
// provider state writes, the Downloaded-in text.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { PSVersion } from '../../core/engine/values';
import { checkVersionCombination, selectVersions, toVersion } from '../../providers/versions';
import { httpFeedUrl, parseFeedDocument, serializeFeed, type FeedEntry } from '../../providers/containerimage/feed';
import { noProxyMatches } from '../../providers/containerimage/http';
import { downloadedIn } from '../../providers/cmdlet-support';
import { readProviderState, updateProviderState, stateFile } from '../../providers/state';
import { makeTempDir, removeTempDir } from './helpers';

test('versions are normalised to four parts and compared as [version], never as semver or text', () => {
  expect(toVersion('10.0')!.toString()).toBe('10.0.0.0');
  expect(toVersion('.5')!.toString()).toBe('0.5.0.0');
  expect(toVersion(new PSVersion(10, 0))!.toString()).toBe('10.0.0.0');
  expect(toVersion('10.0.14300.1010.1')).toBeNull();
  expect(toVersion('1.0-beta')).toBeNull();
  expect(toVersion('10.0.14300.1010')!.compareTo(toVersion('10.0.9999.0')!)).toBeGreaterThan(0);
  const list = ['1.2.0.0', '1.10.0.0', '1.9.9.9'].map((v) => ({ n: 'A', v: toVersion(v)! }));
  const c = { requiredVersion: null, minimumVersion: null, maximumVersion: null, allVersions: false };
  expect(selectVersions(list, (x) => x.n, (x) => x.v, c).map((x) => x.v.toString())).toEqual(['1.10.0.0']);
  expect(selectVersions(list, (x) => x.n, (x) => x.v, { ...c, allVersions: true }).map((x) => x.v.toString())).toEqual(['1.10.0.0', '1.9.9.9', '1.2.0.0']);
  expect(selectVersions(list, (x) => x.n, (x) => x.v, { ...c, maximumVersion: toVersion('1.9.9.9') }).map((x) => x.v.toString())).toEqual(['1.9.9.9']);
  expect(checkVersionCombination({ ...c, minimumVersion: toVersion('2.0'), maximumVersion: toVersion('1.0') })!.message).toBe('Minimum Version cannot be more than Maximum Version');
});

const src = { name: 'T', location: 'x' };
const feedUrl = new URL('http://127.0.0.1:1/feeds/feed.xml');

test('feed entries are validated: bad names, versions, hashes and hrefs are skipped with a warning', () => {
  const warnings: string[] = [];
  const xml = `<?xml version="1.0"?>
<feed xmlns="urn:posh-containers:feed:1" name="T">
  <image name="Good" version="1.0" publisher="CN=Me"><summary>ok &amp; fine</summary><archive href="good.wim" size="10" sha256="${'A'.repeat(64)}"/><extra/></image>
  <image name="../evil" version="1.0"><archive href="e.wim"/></image>
  <image name="BadVer" version="1.x"><archive href="b.wim"/></image>
  <image name="BadHash" version="1.0"><archive href="b.wim" sha256="abc"/></image>
  <image name="LocalFile" version="1.0"><archive href="file:///etc/passwd"/></image>
  <image name="NoArchive" version="1.0"/>
</feed>`;
  const entries = parseFeedDocument(src, xml, feedUrl, (m) => warnings.push(m));
  expect(entries.map((e) => [e.name, e.version.toString(), e.publisher, e.summary, e.archive.href, e.size, e.sha256])).toEqual([
    ['Good', '1.0.0.0', 'CN=Me', 'ok & fine', 'http://127.0.0.1:1/feeds/good.wim', 10, 'a'.repeat(64)],
  ]);
  expect(warnings).toEqual([
    "Skipping image '../evil' of package source 'T': the name is missing or not a valid image name.",
    "Skipping image 'BadVer' of package source 'T': the version '1.x' is not a valid version.",
    "Skipping image 'BadHash' of package source 'T': the sha256 'abc' is not 64 hexadecimal digits.",
    "Skipping image 'LocalFile' of package source 'T': the archive reference 'file:///etc/passwd' is missing or not allowed.",
    "Skipping image 'NoArchive' of package source 'T': the archive reference '' is missing or not allowed.",
  ]);
});

test('a document that is not a feed is refused with the source named', () => {
  expect(() => parseFeedDocument(src, '<rss><channel/></rss>', feedUrl, () => undefined)).toThrow(
    "Unable to read package source 'T' (http://127.0.0.1:1/feeds/feed.xml): the document's root element is <rss>, not <feed xmlns=\"urn:posh-containers:feed:1\">");
  expect(() => parseFeedDocument(src, '[{"Name": 1}', feedUrl, () => undefined)).toThrow(/^Unable to read package source 'T' \(http:\/\/127\.0\.0\.1:1\/feeds\/feed\.xml\): the search index is not valid JSON: /);
});

test('serializeFeed round-trips through the parser', () => {
  const e: FeedEntry = { name: 'A&B', version: toVersion('1.2')!, publisher: 'CN="Q"', publisherKnown: true, isOSImage: false, summary: '<x>', archive: new URL('http://h/a.wim'), href: 'a b.wim', size: 5, sha256: 'f'.repeat(64) };
  const back = parseFeedDocument(src, serializeFeed('F', [e]), feedUrl, () => undefined);
  expect(back.map((b) => [b.name, b.version.toString(), b.publisher, b.isOSImage, b.summary, b.href, b.size, b.sha256])).toEqual([['A&B', '1.2.0.0', 'CN="Q"', false, '<x>', 'a b.wim', 5, 'f'.repeat(64)]]);
});

test('a location naming a directory gets feed.xml', () => {
  expect(httpFeedUrl(new URL('http://h/feeds/')).href).toBe('http://h/feeds/feed.xml');
  expect(httpFeedUrl(new URL('http://h/feeds')).href).toBe('http://h/feeds/feed.xml');
  expect(httpFeedUrl(new URL('http://h/feeds/index.json')).href).toBe('http://h/feeds/index.json');
  expect(httpFeedUrl(new URL('http://h/fwlink?LinkID=1')).href).toBe('http://h/fwlink?LinkID=1');
});

test('NO_PROXY matching', () => {
  const u = new URL('http://api.example.com:8080/x');
  expect(noProxyMatches(u, '*')).toBe(true);
  expect(noProxyMatches(u, 'example.com')).toBe(true);
  expect(noProxyMatches(u, '.example.com')).toBe(true);
  expect(noProxyMatches(u, 'other.com, example.com:9090')).toBe(false);
  expect(noProxyMatches(u, 'example.com:8080')).toBe(true);
  expect(noProxyMatches(new URL('http://127.0.0.1:5/'), 'localhost,127.0.0.1')).toBe(true);
  expect(noProxyMatches(new URL('http://notexample.com/'), 'example.com')).toBe(false);
});

test('Downloaded in …: TimeSpan components', () => {
  expect(downloadedIn(10400)).toBe('Downloaded in 0 hours, 0 minutes, 10 seconds.');
  expect(downloadedIn(148000)).toBe('Downloaded in 0 hours, 2 minutes, 28 seconds.');
  expect(downloadedIn(3 * 3600000 + 61000)).toBe('Downloaded in 3 hours, 1 minutes, 1 seconds.');
});

test('provider state is written atomically and concurrent updates are not lost', async () => {
  const root = makeTempDir('posh-state-');
  try {
    await Promise.all(Array.from({ length: 20 }, (_, i) => updateProviderState(root, (s) => {
      s.sources.push({ name: `S${i}`, location: `/f${i}`, providerName: 'ContainerImage', trusted: i % 2 === 0 });
    })));
    const st = readProviderState(root);
    expect(st.sources.map((s) => s.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `S${i}`).sort());
    expect(fs.readdirSync(path.dirname(stateFile(root))).filter((f) => f.includes('.tmp-'))).toEqual([]);
    fs.writeFileSync(stateFile(root), JSON.stringify({ schema: 99 }));
    expect(() => readProviderState(root)).toThrow(/has schema 99, newer than this posh understands \(1\)/);
  } finally {
    removeTempDir(root);
  }
});

// The ContainerImage provider against a real HTTP server on 127.0.0.1 serving a feed directory
// made by Publish-ContainerImage — and the same server misbehaving. Every failure must name the
// source, the image and the cause, install nothing and leave no temp file in the store.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { coreWim, makeTempDir, nanoWim, posh, removeTempDir, serveStatic, startFeedServer, storeIsEmpty, tunnelConnect, type FeedServer } from './helpers';

const NANO_SHA = 'cb2348d7c681d333db41e7d2815b1685434b8c495ed35b42dec153968ff30c32';
const NANO_SIZE = 168379;

let base: string;
let feedDir: string;
let server: FeedServer;
let work: string;
let home: string;

function writeFeed(rel: string, body: string): void {
  const f = path.join(feedDir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, body);
}

function nanoFeed(archive: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="urn:posh-containers:feed:1" name="Test">
  <image name="NanoServer" version="10.0.14300.1010" publisher="CN=Microsoft" os="true">
    <summary>Nano for tests</summary>
    ${archive}
  </image>
</feed>
`;
}

beforeAll(async () => {
  base = makeTempDir('posh-httpfeed-');
  feedDir = path.join(base, 'feed');
  const pub = await posh(base,
    `Install-PackageProvider ContainerImage -Force | Out-Null; Publish-ContainerImage -WimPath '${nanoWim}' -FeedPath ./feed | Out-Null; Publish-ContainerImage -WimPath '${coreWim}' -FeedPath ./feed -Summary 'Server Core for tests' | Out-Null`);
  expect(pub).toEqual({ stdout: '', stderr: '', code: 0 });
  server = await startFeedServer(feedDir);
});

afterAll(async () => {
  await server.close();
  removeTempDir(base);
});

beforeEach(async () => {
  work = makeTempDir('posh-httpfeed-case-');
  home = path.join(work, '.posh-home');
  server.reset();
  // What `Install-PackageProvider ContainerImage -Force` records (tested through posh elsewhere), done in-process to save a launch per test.
  const { updateProviderState } = await import('../../providers/state');
  await updateProviderState(home, (st) => {
    st.installedProviders.push('ContainerImage');
  });
});

afterEach(() => removeTempDir(work));

test('Publish-ContainerImage wrote a feed.xml with size and sha256 of each archive', () => {
  const xml = fs.readFileSync(path.join(feedDir, 'feed.xml'), 'utf8');
  expect(xml).toBe(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="urn:posh-containers:feed:1" name="feed">
  <image name="NanoServer" version="10.0.14300.1010" publisher="CN=Microsoft" os="true">
    <summary>Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server</summary>
    <archive href="NanoServer-10.0.14300.1010.wim" size="${NANO_SIZE}" sha256="${NANO_SHA}"/>
  </image>
  <image name="WindowsServerCore" version="10.0.14300.1000" publisher="CN=Microsoft" os="true">
    <summary>Server Core for tests</summary>
    <archive href="WindowsServerCore-10.0.14300.1000.wim" size="270156" sha256="6b22649b511c48cf4759d206e3a71ae71c53449f9ca41848b1d01d06bb55dc00"/>
  </image>
</feed>
`);
  expect(fs.readdirSync(feedDir).sort()).toEqual(['NanoServer-10.0.14300.1010.wim', 'WindowsServerCore-10.0.14300.1000.wim', 'feed.xml']);
});

test('find and install from a registered trusted http feed; the feed is revalidated with its ETag', async () => {
  const r = await posh(work, `Register-PackageSource -Name Web -Location ${server.url}/ -ProviderName ContainerImage -Trusted | Out-Null
Find-ContainerImage -Source Web
Install-ContainerImage -Name NanoServer -Source Web`);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`
Name                           Version          Source           Summary
----                           -------          ------           -------
NanoServer                     10.0.14300.1010  Web              Container OS Image of Windows Server 2016 Technical...
WindowsServerCore              10.0.14300.1000  Web              Server Core for tests
Downloaded in 0 hours, 0 minutes, 0 seconds.

`);
  expect(r.code).toBe(0);
  const list = await posh(work, 'Get-ContainerImage');
  expect(list.stdout).toBe(`
Name       Publisher    Version         IsOSImage
----       ---------    -------         ---------
NanoServer CN=Microsoft 10.0.14300.1010 True

`);
  const feedGets = server.requests.filter((q) => q.url === '/feed.xml');
  expect(feedGets.length).toBe(2);
  expect(feedGets[0].headers['if-none-match']).toBeUndefined();
  expect(feedGets[1].headers['if-none-match']).toMatch(/^"/);
  expect(storeIsEmpty(home).tmpFiles).toEqual([]);
});

test('an untrusted source asks; a non-interactive host gets an error and nothing is installed', async () => {
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/feed.xml`);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('Install-ContainerImage: PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.\n');
  expect(r.code).toBe(1);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
  expect(server.requests.some((q) => q.url.endsWith('.wim'))).toBe(false);
});

test('the untrusted-source prompt: N declines, Y installs (interactive host)', async () => {
  const { runInProcess } = await import('../helpers/posh');
  const { testEnv } = await import('./helpers');
  Object.assign(process.env, testEnv());
  const no = await runInProcess(`Install-ContainerImage -Name NanoServer -Source ${server.url}/feed.xml`, { interactive: true, answers: ['N'], storeRoot: home });
  expect(no.host.hostText).toBe(`The package(s) come(s) from a package source that is not marked as trusted.
Are you sure you want to install software from '${server.url}/feed.xml'?
[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "N"): `);
  expect(no.host.errors).toEqual([`Install-ContainerImage: User declined to install untrusted package (NanoServer).`]);
  expect(storeIsEmpty(home).images).toBe(0);
  const yes = await runInProcess(`Install-ContainerImage -Name NanoServer -Source ${server.url}/feed.xml`, { interactive: true, answers: ['y'], storeRoot: home });
  expect(yes.host.errors).toEqual([]);
  expect(yes.host.output).toBe('Downloaded in 0 hours, 0 minutes, 0 seconds.\n');
  expect(storeIsEmpty(home)).toEqual({ images: 1, tmpFiles: [] });
});

test('a connection dropped mid-archive is resumed with a Range request and completes', async () => {
  server.behaviours.set('/NanoServer-10.0.14300.1010.wim', (req, res, n) => {
    if (n !== 1) return false;
    const data = fs.readFileSync(path.join(feedDir, 'NanoServer-10.0.14300.1010.wim'));
    const st = fs.statSync(path.join(feedDir, 'NanoServer-10.0.14300.1010.wim'));
    res.writeHead(200, { 'content-length': String(data.length), 'accept-ranges': 'bytes', etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"` });
    res.write(data.subarray(0, 60000), () => setTimeout(() => res.socket?.destroy(), 50));
    return true;
  });
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/ -Force -Verbose`);
  expect(r.stdout).toMatch(/Downloaded in 0 hours, 0 minutes, 0 seconds\.\n$/);
  expect(r.stdout).toContain('VERBOSE: Download of NanoServer 10.0.14300.1010 interrupted (the connection was closed before the transfer completed); retrying (attempt 2), resuming at byte 60000.\n');
  expect(r.stdout).toContain(`VERBOSE: Verified NanoServer 10.0.14300.1010: ${NANO_SIZE} bytes, sha256 ${NANO_SHA} (2 attempts, 1 resumed).\n`);
  const gets = server.requests.filter((q) => q.url === '/NanoServer-10.0.14300.1010.wim');
  expect(gets.map((g) => g.headers.range ?? null)).toEqual([null, 'bytes=60000-']);
  expect(storeIsEmpty(home)).toEqual({ images: 1, tmpFiles: [] });
});

test('500 then 200: the download is retried and succeeds', async () => {
  server.behaviours.set('/NanoServer-10.0.14300.1010.wim', (req, res, n) => {
    if (n !== 1) return false;
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('boom');
    return true;
  });
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/ -Force`);
  expect(r).toEqual({ stdout: 'Downloaded in 0 hours, 0 minutes, 0 seconds.\n', stderr: '', code: 0 });
  expect(server.requests.filter((q) => q.url === '/NanoServer-10.0.14300.1010.wim').length).toBe(2);
});

test('a feed whose sha256 does not match the archive: refused, nothing installed, temp removed', async () => {
  const wrong = '0'.repeat(64);
  writeFeed('badhash/feed.xml', nanoFeed(`<archive href="../NanoServer-10.0.14300.1010.wim" size="${NANO_SIZE}" sha256="${wrong}"/>`));
  const r = await posh(work, `Register-PackageSource -Name BadHash -Location ${server.url}/badhash/feed.xml -ProviderName ContainerImage -Trusted | Out-Null; Install-ContainerImage -Name NanoServer -Source BadHash`);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`Install-ContainerImage: The archive of image 'NanoServer' version '10.0.14300.1010' from source 'BadHash' (${server.url}/NanoServer-10.0.14300.1010.wim) was refused: hash mismatch: expected sha256 ${wrong}, actual sha256 ${NANO_SHA}. Nothing was installed.\n`);
  expect(r.code).toBe(1);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('a feed whose size does not match the archive: refused before the body is read in full', async () => {
  writeFeed('badsize/feed.xml', nanoFeed(`<archive href="../NanoServer-10.0.14300.1010.wim" size="1000" sha256="${NANO_SHA}"/>`));
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/badsize/feed.xml -Force`);
  expect(r.stderr).toBe(`Install-ContainerImage: The archive of image 'NanoServer' version '10.0.14300.1010' from source '${server.url}/badsize/feed.xml' (${server.url}/NanoServer-10.0.14300.1010.wim) was refused: wrong size: expected 1000 bytes, the server announced ${NANO_SIZE} bytes. Nothing was installed.\n`);
  expect(r.code).toBe(1);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('a server that sends more bytes than the feed says (no Content-Length) is cut off', async () => {
  writeFeed('chunked/feed.xml', nanoFeed(`<archive href="big.wim" size="1000" sha256="${NANO_SHA}"/>`));
  server.behaviours.set('/chunked/big.wim', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(4096, 1));
    res.end(Buffer.alloc(4096, 2));
    return true;
  });
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/chunked/feed.xml -Force`);
  expect(r.stderr).toBe(`Install-ContainerImage: The archive of image 'NanoServer' version '10.0.14300.1010' from source '${server.url}/chunked/feed.xml' (${server.url}/chunked/big.wim) was refused: wrong size: expected 1000 bytes, the server sent more. Nothing was installed.\n`);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('a server that never answers: a timeout with a clear error', async () => {
  writeFeed('silent/feed.xml', nanoFeed(`<archive href="never.wim" size="${NANO_SIZE}" sha256="${NANO_SHA}"/>`));
  server.behaviours.set('/silent/never.wim', () => true);
  const started = Date.now();
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/silent/feed.xml -Force`, { POSH_CONTAINERS_HTTP_TIMEOUT: '0.5', POSH_CONTAINERS_HTTP_RETRIES: '1' });
  expect(r.stderr).toBe(`Install-ContainerImage: Failed to download image 'NanoServer' version '10.0.14300.1010' from source '${server.url}/silent/feed.xml' (${server.url}/silent/never.wim): the server did not answer within 0.5 seconds (timeout) (after 2 attempts).\n`);
  expect(r.code).toBe(1);
  expect(Date.now() - started).toBeLessThan(8000);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('a feed that never answers: the source is named with the timeout', async () => {
  server.behaviours.set('/hang/feed.xml', () => true);
  const r = await posh(work, `Find-ContainerImage -Source ${server.url}/hang/feed.xml`, { POSH_CONTAINERS_HTTP_TIMEOUT: '0.5', POSH_CONTAINERS_HTTP_RETRIES: '0' });
  expect(r.stderr).toBe(`Find-ContainerImage: Unable to read package source '${server.url}/hang/feed.xml' (${server.url}/hang/feed.xml): the server did not answer within 0.5 seconds (timeout)\n`);
  expect(r.code).toBe(1);
});

test('a redirect loop is detected and reported', async () => {
  writeFeed('loop/feed.xml', nanoFeed(`<archive href="a.wim" size="${NANO_SIZE}" sha256="${NANO_SHA}"/>`));
  const redirect = (to: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(302, { location: to });
    res.end();
    return true;
  };
  server.behaviours.set('/loop/a.wim', redirect('/loop/b.wim'));
  server.behaviours.set('/loop/b.wim', redirect('/loop/a.wim'));
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/loop/feed.xml -Force`);
  expect(r.stderr).toBe(`Install-ContainerImage: Failed to download image 'NanoServer' version '10.0.14300.1010' from source '${server.url}/loop/feed.xml' (${server.url}/loop/a.wim): too many redirects (redirect loop: ${server.url}/loop/b.wim -> ${server.url}/loop/a.wim; limit 10).\n`);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('a redirect to the archive elsewhere is followed', async () => {
  writeFeed('moved/feed.xml', nanoFeed(`<archive href="old.wim" size="${NANO_SIZE}" sha256="${NANO_SHA}"/>`));
  server.behaviours.set('/moved/old.wim', (req, res) => {
    res.writeHead(301, { location: '/NanoServer-10.0.14300.1010.wim' });
    res.end();
    return true;
  });
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/moved/feed.xml -Force`);
  expect(r).toEqual({ stdout: 'Downloaded in 0 hours, 0 minutes, 0 seconds.\n', stderr: '', code: 0 });
});

test('malformed XML: the source and the position are named', async () => {
  writeFeed('malformed/feed.xml', '<?xml version="1.0"?>\n<feed xmlns="urn:posh-containers:feed:1">\n  <image name="NanoServer" version="1.0">\n</feed>\n');
  const r = await posh(work, `Find-ContainerImage -Source ${server.url}/malformed/feed.xml`);
  expect(r.stderr).toBe(`Find-ContainerImage: Unable to read package source '${server.url}/malformed/feed.xml' (${server.url}/malformed/feed.xml): malformed XML at line 4, column 1: Expected closing tag 'image' (opened in line 3, col 3) instead of closing tag 'feed'.\n`);
  expect(r.code).toBe(1);
});

test('an XML entity bomb is refused at once, without expanding anything', async () => {
  const levels = ['<!ENTITY lol0 "lollollollollollollollollollol">'];
  for (let i = 1; i < 10; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  writeFeed('bomb/feed.xml', `<?xml version="1.0"?>\n<!DOCTYPE feed [\n${levels.join('\n')}\n]>\n<feed xmlns="urn:posh-containers:feed:1"><image name="NanoServer" version="1.0.0.0"><summary>&lol9;</summary><archive href="x.wim"/></image></feed>\n`);
  const started = Date.now();
  const r = await posh(work, `Find-ContainerImage -Source ${server.url}/bomb/feed.xml`);
  expect(r.stderr).toBe(`Find-ContainerImage: Unable to read package source '${server.url}/bomb/feed.xml' (${server.url}/bomb/feed.xml): the feed contains a document type declaration (DTD); DTDs and entity definitions are not allowed in a feed\n`);
  expect(r.code).toBe(1);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('the bomb is refused in-process with bounded memory', async () => {
  const { parseFeedXml } = await import('../../providers/containerimage/feed');
  const levels = ['<!ENTITY a0 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'];
  for (let i = 1; i < 12; i++) levels.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(16)}">`);
  const text = `<?xml version="1.0"?><!DOCTYPE feed [${levels.join('')}]><feed><image name="X" version="1.0"><summary>&a11;</summary></image></feed>`;
  const before = process.memoryUsage().rss;
  const t0 = Date.now();
  expect(() => parseFeedXml({ name: 'Bomb', location: 'x' }, text, new URL('http://127.0.0.1/feed.xml'), () => undefined)).toThrow(
    "Unable to read package source 'Bomb' (http://127.0.0.1/feed.xml): the feed contains a document type declaration (DTD); DTDs and entity definitions are not allowed in a feed");
  expect(Date.now() - t0).toBeLessThan(100);
  expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
});

test('a feed entry without sha256 is refused unless -SkipHashCheck', async () => {
  writeFeed('nohash/feed.xml', nanoFeed(`<archive href="../NanoServer-10.0.14300.1010.wim" size="${NANO_SIZE}"/>`));
  const src = `${server.url}/nohash/feed.xml`;
  const refused = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${src} -Force`);
  expect(refused.stderr).toBe(`Install-ContainerImage: The feed entry of image 'NanoServer' version '10.0.14300.1010' from source '${src}' has no sha256, so its archive cannot be verified. Nothing was downloaded. Use -SkipHashCheck to accept it without a hash check.\n`);
  expect(refused.code).toBe(1);
  expect(server.requests.some((q) => q.url.endsWith('.wim'))).toBe(false);
  expect(storeIsEmpty(home).images).toBe(0);
  const accepted = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${src} -Force -SkipHashCheck`);
  expect(accepted).toEqual({
    stdout: `WARNING: The feed entry of image 'NanoServer' version '10.0.14300.1010' from source '${src}' has no sha256; installing it without verifying its content hash (-SkipHashCheck).\nDownloaded in 0 hours, 0 minutes, 0 seconds.\n`,
    stderr: '',
    code: 0,
  });
  expect(storeIsEmpty(home)).toEqual({ images: 1, tmpFiles: [] });
});

test('the legacy JSON search index: listed, installable only with -SkipHashCheck', async () => {
  writeFeed('legacy/index.json', JSON.stringify([
    { Name: 'NanoServer', Version: '10.0.14300.1010', Description: 'Legacy Nano', SasToken: `${server.url}/NanoServer-10.0.14300.1010.wim` },
    { Name: 'NanoServer', Version: '10.0.10586.0', Description: 'Older Nano', SasToken: `${server.url}/NanoServer-10.0.14300.1010.wim` },
  ]));
  const src = `${server.url}/legacy/index.json`;
  const r = await posh(work, `Find-ContainerImage -Source ${src} -AllVersions | Select-Object Name, Version, Summary; Install-ContainerImage NanoServer -Source ${src} -Force`);
  expect(r.stdout).toBe(`
Name       Version         Summary
----       -------         -------
NanoServer 10.0.14300.1010 Legacy Nano
NanoServer 10.0.10586.0    Older Nano

`);
  expect(r.stderr).toContain("has no sha256, so its archive cannot be verified");
  const ok = await posh(work, `Install-ContainerImage NanoServer -Source ${src} -Force -SkipHashCheck -WarningAction SilentlyContinue`);
  expect(ok).toEqual({ stdout: 'Downloaded in 0 hours, 0 minutes, 0 seconds.\n', stderr: '', code: 0 });
  expect(storeIsEmpty(home)).toEqual({ images: 1, tmpFiles: [] });
});

test('a verified archive that is not a WIM is refused by the reader; nothing installed', async () => {
  const junk = Buffer.from('MSWIM\0\0\0 this is not really an archive '.repeat(100));
  fs.writeFileSync(path.join(feedDir, 'junk.wim'), junk);
  const { createHash } = await import('node:crypto');
  const sum = createHash('sha256').update(junk).digest('hex');
  writeFeed('junk/feed.xml', nanoFeed(`<archive href="../junk.wim" size="${junk.length}" sha256="${sum}"/>`));
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/junk/feed.xml -Force`);
  expect(r.stderr).toMatch(new RegExp(`^Install-ContainerImage: The archive of image 'NanoServer' version '10\\.0\\.14300\\.1010' from source '${server.url.replace(/[.]/g, '\\.')}/junk/feed\\.xml' is not a usable WIM image: .+\\. Nothing was installed\\.\n$`));
  expect(r.code).toBe(1);
  expect(storeIsEmpty(home)).toEqual({ images: 0, tmpFiles: [] });
});

test('404 for the archive is not retried and is named', async () => {
  writeFeed('gone/feed.xml', nanoFeed(`<archive href="missing.wim" size="${NANO_SIZE}" sha256="${NANO_SHA}"/>`));
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/gone/feed.xml -Force`);
  expect(r.stderr).toBe(`Install-ContainerImage: Failed to download image 'NanoServer' version '10.0.14300.1010' from source '${server.url}/gone/feed.xml' (${server.url}/gone/missing.wim): the server answered HTTP 404 Not Found.\n`);
  expect(server.requests.filter((q) => q.url === '/gone/missing.wim').length).toBe(1);
});

test('not enough disk space: refused before downloading, with both figures', async () => {
  const huge = 2 ** 52;
  writeFeed('huge/feed.xml', nanoFeed(`<archive href="../NanoServer-10.0.14300.1010.wim" size="${huge}" sha256="${NANO_SHA}"/>`));
  const r = await posh(work, `Install-ContainerImage -Name NanoServer -Source ${server.url}/huge/feed.xml -Force`);
  expect(r.stderr).toMatch(new RegExp(`^Install-ContainerImage: Not enough space to save the file: installing NanoServer 10\\.0\\.14300\\.1010 \\(download and import\\) needs 8\\.00 PB \\(${huge * 2} bytes\\) but only [0-9.]+ [KMGT]B \\([0-9]+ bytes\\) is free in '${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\\.\n$`));
  expect(server.requests.some((q) => q.url.endsWith('.wim'))).toBe(false);
  const s = await posh(work, `Save-ContainerImage -Name NanoServer -Source ${server.url}/huge/feed.xml -Path .`);
  expect(s.stderr).toMatch(/^Save-ContainerImage: Not enough space to save the file: saving NanoServer 10\.0\.14300\.1010 needs 4\.00 PB \(4503599627370496 bytes\) but only /);
});

test('Find-ContainerImage | Save-ContainerImage from the http feed writes <Name>.wim, verified', async () => {
  const r = await posh(work, `Find-ContainerImage -Name NanoServer -Source ${server.url}/ | Save-ContainerImage -Path ./saved -Force | Select-Object Name, Version, Status`);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`
Name       Version         Status
----       -------         ------
NanoServer 10.0.14300.1010 Downloaded

`);
  expect(fs.readFileSync(path.join(work, 'saved', 'NanoServer.wim')).equals(fs.readFileSync(nanoWim))).toBe(true);
  expect(fs.readdirSync(path.join(work, 'saved'))).toEqual(['NanoServer.wim']);
});

test('HTTP_PROXY is used for http feeds, and NO_PROXY bypasses it', async () => {
  const seen: string[] = [];
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${String(req.url)}`);
    const target = new URL(String(req.url));
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (u) => {
      res.writeHead(u.statusCode ?? 502, u.headers);
      u.pipe(res);
    });
    req.pipe(up);
  });
  // undici's ProxyAgent tunnels with CONNECT, as proxies for https must be used.
  proxy.on('connect', tunnelConnect((target) => seen.push(`CONNECT ${target}`)));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    const via = await posh(work, `Find-ContainerImage -Name NanoServer -Source ${server.url}/ | Select-Object -ExpandProperty Name`, { HTTP_PROXY: proxyUrl, NO_PROXY: '', no_proxy: '' });
    expect(via).toEqual({ stdout: 'NanoServer\n', stderr: '', code: 0 });
    expect(seen).toEqual([`CONNECT 127.0.0.1:${server.port}`]);
    const direct = await posh(work, `Find-ContainerImage -Name NanoServer -Source ${server.url}/ | Select-Object -ExpandProperty Name`, { HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com, 127.0.0.1' });
    expect(direct).toEqual({ stdout: 'NanoServer\n', stderr: '', code: 0 });
    expect(seen.length).toBe(1);
  } finally {
    await new Promise<void>((r) => proxy.close(() => r()));
  }
});

test('unknown -Source name: PackageManagement SourceNotFound', async () => {
  const r = await posh(work, 'Find-ContainerImage -Source NoSuchSource');
  expect(r).toEqual({ stdout: '', stderr: "Find-ContainerImage: Unable to find package source 'NoSuchSource'. Use Get-PackageSource to see all available package sources.\n", code: 1 });
});

test('a static handler helper check: HEAD and ranges behave', async () => {
  // The peer itself must be right for the resume test to mean anything.
  const res = await fetch(`${server.url}/NanoServer-10.0.14300.1010.wim`, { headers: { range: 'bytes=100-199' } });
  expect(res.status).toBe(206);
  expect(res.headers.get('content-range')).toBe(`bytes 100-199/${NANO_SIZE}`);
  expect((await res.arrayBuffer()).byteLength).toBe(100);
  void serveStatic;
});

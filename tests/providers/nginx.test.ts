// Any static web server can host a feed: the feed directory written by Publish-ContainerImage,
// served by Debian's nginx (started here on a free loopback port with its own temp config and
// prefix), is found, downloaded (with its ETag revalidated) and installed.
// Without nginx the test is skipped loudly on a developer machine and fails under CI=true.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { coreWim, makeTempDir, nanoWim, posh, removeTempDir } from './helpers';

function findNginx(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const nginx = findNginx();
const inCI = process.env.CI === 'true';
if (!nginx && !inCI) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: nginx is not installed, so the "any static web server" feed test did not run (apt-get install nginx). Under CI=true this is a failure.');
}
const maybe = nginx || inCI ? test : test.skip;

maybe('a feed published with Publish-ContainerImage and served by nginx installs', async () => {
  if (!nginx) throw new Error('nginx is required under CI (the apt-get line in .ci/run installs it)');
  const dir = makeTempDir('posh-nginx-');
  let child: ChildProcess | null = null;
  try {
    const pub = await posh(dir, `Install-PackageProvider ContainerImage -Force | Out-Null
Publish-ContainerImage -WimPath '${nanoWim}' -FeedPath ./www/feeds/windows | Out-Null
Publish-ContainerImage -WimPath '${coreWim}' -FeedPath ./www/feeds/windows | Out-Null`);
    expect(pub).toEqual({ stdout: '', stderr: '', code: 0 });
    // nginx's workers must be able to read the files (mkdtemp makes the folder 0700).
    for (const p of [dir, path.join(dir, 'www'), path.join(dir, 'www', 'feeds'), path.join(dir, 'www', 'feeds', 'windows')]) fs.chmodSync(p, 0o755);
    for (const f of fs.readdirSync(path.join(dir, 'www', 'feeds', 'windows'))) fs.chmodSync(path.join(dir, 'www', 'feeds', 'windows', f), 0o644);
    const prefix = path.join(dir, 'nginx');
    fs.mkdirSync(prefix);
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    fs.writeFileSync(conf, `${process.getuid?.() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  types { application/xml xml; application/octet-stream wim; }
  server {
    listen 127.0.0.1:${port};
    root ${path.join(dir, 'www')};
  }
}
`);
    child = spawn(nginx, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let nginxErr = '';
    child.stderr!.on('data', (d) => (nginxErr += d));
    await waitForPort(port, 5000).catch((e) => {
      throw new Error(`${(e as Error).message}: ${nginxErr}`);
    });
    const feedUrl = `http://127.0.0.1:${port}/feeds/windows/`;
    const r = await posh(dir, `Register-PackageSource -Name Nginx -Location ${feedUrl} -ProviderName ContainerImage -Trusted | Out-Null
Find-ContainerImage -Source Nginx
Install-ContainerImage -Name NanoServer -Source Nginx
Install-ContainerImage -Name WindowsServerCore -Version 10.0.14300.1000 -Source Nginx`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`
Name                           Version          Source           Summary
----                           -------          ------           -------
NanoServer                     10.0.14300.1010  Nginx            Container OS Image of Windows Server 2016 Technical...
WindowsServerCore              10.0.14300.1000  Nginx            Container OS Image of Windows Server 2016 Technical...
Downloaded in 0 hours, 0 minutes, 0 seconds.
Downloaded in 0 hours, 0 minutes, 0 seconds.

`);
    const list = await posh(dir, 'Get-ContainerImage');
    expect(list.stdout).toBe(`
Name              Publisher    Version         IsOSImage
----              ---------    -------         ---------
NanoServer        CN=Microsoft 10.0.14300.1010 True
WindowsServerCore CN=Microsoft 10.0.14300.1000 True

`);
    // nginx answered the later feed requests with 304 Not Modified (ETag / Last-Modified cache).
    const all = fs.readFileSync(path.join(prefix, 'access.log'), 'utf8').split('\n');
    const feedLog = all.filter((l) => l.includes('/feeds/windows/feed.xml'));
    expect(feedLog.length).toBe(3);
    expect(feedLog[0]).toContain('" 200 ');
    expect(feedLog[1]).toContain('" 304 ');
    expect(feedLog[2]).toContain('" 304 ');
    const wimLog = all.filter((l) => l.includes('.wim HTTP'));
    expect(wimLog.map((l) => /"GET (\S+) HTTP\/1\.1" (\d+)/.exec(l)?.slice(1).join(' '))).toEqual([
      '/feeds/windows/NanoServer-10.0.14300.1010.wim 200',
      '/feeds/windows/WindowsServerCore-10.0.14300.1000.wim 200',
    ]);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    child?.stderr?.destroy();
    removeTempDir(dir);
  }
});

#!/usr/bin/env node
// Download benchmark: the ContainerImage provider's download path (undici, streamed to a file,
// SHA-256 while it arrives, size + hash verified) against `curl -o` of the same file from the same
// loopback server, in the same run. `npm run build` first.
//
//   node bench/download.js [--size-mib N] [--repeat N] [--server nginx|node] [--no-find] [--baseline FILE]
//
// The archive (random bytes) and its feed.xml are generated in a temp folder and served by nginx
// (sendfile) when it is installed, else by a Node static server in a child process. Three
// measurements, taken in turn in each of --repeat rounds (so they see the same machine load), each
// after `sync` (no dirty pages of the previous run being written back) into the same folder, the
// file removed after each:
//   curl      `curl -s -o <file> <url>` (process wall time)
//   download  the provider's downloadArchive() in a fresh node process (time of the call)
//   save      `posh -c 'Save-ContainerImage -Name Big -Source <feed> -Path <dir> -Force'`
//             end to end (process start, feed fetch, download, verify, rename)
// Ratios are throughput relative to curl (curl time / our time; higher is better, target ≥ 0.9),
// for the medians and for the fastest runs. --no-find skips the 10,000-entry feed measurement.
// --baseline FILE adds a fourth measurement in each round: downloadArchive() from another build
// of download.js (e.g. an older commit's, bundled with esbuild), for before/after figures taken
// under the same machine load.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { option, timed, freePort, waitForPort, median } = require('./common');

const sizeMiB = option('--size-mib', 1024);
const repeat = option('--repeat', 3);
const serverKind = option('--server', fs.existsSync('/usr/sbin/nginx') ? 'nginx' : 'node');
const find = !process.argv.includes('--no-find');
const baseline = option('--baseline', null);

function startServer(kind, www, port, work) {
  if (kind === 'nginx') {
    const prefix = path.join(work, 'nginx');
    fs.mkdirSync(prefix, { recursive: true });
    const conf = path.join(prefix, 'nginx.conf');
    fs.writeFileSync(conf, `${process.getuid && process.getuid() === 0 ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path ${prefix}/cb; proxy_temp_path ${prefix}/p; fastcgi_temp_path ${prefix}/f; uwsgi_temp_path ${prefix}/u; scgi_temp_path ${prefix}/s;
  types { application/xml xml; application/octet-stream wim; }
  server { listen 127.0.0.1:${port}; root ${www}; }
}
`);
    return spawn('/usr/sbin/nginx', ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], { stdio: 'ignore' });
  }
  const code = `
const http = require('http'), fs = require('fs'), path = require('path');
const root = ${JSON.stringify(www)};
http.createServer((req, res) => {
  const f = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!f.startsWith(root) || !fs.existsSync(f)) { res.writeHead(404); return res.end(); }
  const st = fs.statSync(f);
  res.writeHead(200, { 'content-length': st.size, 'accept-ranges': 'bytes' });
  fs.createReadStream(f, { highWaterMark: 1 << 20 }).pipe(res);
}).listen(${port}, '127.0.0.1');`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds (user + system), stdout. */
function timeIt(cmd, argv, env) {
  return timed(cmd, argv, env, { sync: true });
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist', 'providers', 'containerimage', 'download.js'))) {
    console.error('bench/download.js: run `npm run build` first.');
    process.exit(1);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'posh-bench-dl-'));
  fs.chmodSync(work, 0o755);
  const www = path.join(work, 'www');
  fs.mkdirSync(www);
  const bytes = sizeMiB * 1024 * 1024;
  const file = path.join(www, 'Big-1.0.0.0.wim');
  // Random content, written once, hashed as it is written.
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  const piece = crypto.randomBytes(8 << 20);
  for (let done = 0; done < bytes; done += piece.length) {
    const b = piece.subarray(0, Math.min(piece.length, bytes - done));
    b[0] = (done / piece.length) & 0xff; // each piece differs a little
    h.update(b);
    fs.writeSync(fd, b);
  }
  fs.closeSync(fd);
  const sha256 = h.digest('hex');
  fs.writeFileSync(path.join(www, 'feed.xml'), `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="urn:posh-containers:feed:1" name="Bench">
  <image name="Big" version="1.0.0.0" publisher="CN=Bench" os="true">
    <summary>Benchmark archive</summary>
    <archive href="Big-1.0.0.0.wim" size="${bytes}" sha256="${sha256}"/>
  </image>
</feed>
`);
  for (const f of fs.readdirSync(www)) fs.chmodSync(path.join(www, f), 0o644);
  fs.chmodSync(www, 0o755);
  const port = await freePort();
  const server = startServer(serverKind, www, port, work);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  const url = `http://127.0.0.1:${port}/Big-1.0.0.0.wim`;
  const env = { NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1', HTTP_PROXY: '', http_proxy: '', POSH_CONTAINERS_HOME: path.join(work, 'home') };
  try {
    await waitForPort(port);
    // Warm the server's page cache.
    timeIt('curl', ['-s', '-o', '/dev/null', url], env);
    const loadBefore = os.loadavg()[0];
    const results = { curl: [], download: [], save: [] };
    const cpu = { curl: [], download: [], save: [] };
    const dlScript = (modulePath) => `
const { downloadArchive } = require(${JSON.stringify(modulePath)});
const { httpSettings } = require(${JSON.stringify(path.join(root, 'dist', 'providers', 'containerimage', 'http.js'))});
const t0 = process.hrtime.bigint();
downloadArchive({ url: new URL(${JSON.stringify(url)}), dest: ${JSON.stringify(path.join(out, 'ours.wim'))}, expectedSize: ${bytes}, expectedSha256: ${JSON.stringify(sha256)}, settings: httpSettings() })
  .then(() => { console.log(Number(process.hrtime.bigint() - t0) / 1e9); process.exit(0); }, (e) => { console.error(e.message); process.exit(1); });`;
    const ours = path.join(root, 'dist', 'providers', 'containerimage', 'download.js');
    if (baseline) {
      results.baseline = [];
      cpu.baseline = [];
    }
    timeIt(path.join(root, 'bin', 'posh'), ['-c', 'Install-PackageProvider ContainerImage -Force | Out-Null'], env);
    for (let i = 0; i < repeat; i++) {
      for (const f of fs.readdirSync(out)) fs.rmSync(path.join(out, f));
      const rc = timeIt('curl', ['-s', '-o', path.join(out, 'curl.wim'), url], env);
      results.curl.push(rc.secs);
      cpu.curl.push(rc.cpu);
      fs.rmSync(path.join(out, 'curl.wim'));
      const rd = timeIt(process.execPath, ['-e', dlScript(ours)], env);
      results.download.push(Number(rd.stdout.trim()));
      cpu.download.push(rd.cpu);
      fs.rmSync(path.join(out, 'ours.wim'));
      if (baseline) {
        const rb = timeIt(process.execPath, ['-e', dlScript(path.resolve(baseline))], env);
        results.baseline.push(Number(rb.stdout.trim()));
        cpu.baseline.push(rb.cpu);
        fs.rmSync(path.join(out, 'ours.wim'));
      }
      const rs = timeIt(path.join(root, 'bin', 'posh'), ['-c', `Save-ContainerImage -Name Big -Source http://127.0.0.1:${port}/feed.xml -Path '${out}' -Force | Out-Null`], env);
      results.save.push(rs.secs);
      cpu.save.push(rs.cpu);
      if (fs.statSync(path.join(out, 'Big.wim')).size !== bytes) throw new Error('Save-ContainerImage wrote a wrong size');
      fs.rmSync(path.join(out, 'Big.wim'));
    }
    const mbps = (s) => (bytes / 1e6 / s).toFixed(0);
    const fastest = (xs) => Math.min(...xs);
    const c = median(results.curl);
    const cf = fastest(results.curl);
    console.log(`download benchmark: ${sizeMiB} MiB archive from a loopback ${serverKind} server, ${repeat} rounds, ${os.cpus().length} CPUs, load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`);
    console.log(`  curl -o                       median ${c.toFixed(3)} s (${mbps(c)} MB/s), fastest ${cf.toFixed(3)} s (${mbps(cf)} MB/s)  CPU ${median(cpu.curl).toFixed(2)} s`);
    const rows = [['download', 'downloadArchive (+sha256)  ', 'call'], ['save', 'Save-ContainerImage (posh) ', 'process']];
    if (baseline) rows.push(['baseline', 'baseline downloadArchive  ', 'call']);
    for (const [key, label, what] of rows) {
      const m = median(results[key]);
      const f = fastest(results[key]);
      console.log(`  ${label}  median ${m.toFixed(3)} s (${mbps(m)} MB/s) ratio ${(c / m).toFixed(2)}x, fastest ${f.toFixed(3)} s (${mbps(f)} MB/s) ratio ${(cf / f).toFixed(2)}x  CPU ${median(cpu[key]).toFixed(2)} s (process; time of the ${what})`);
    }
    console.log(`  runs: ${Object.entries(results).map(([k, xs]) => `${k} ${xs.map((x) => x.toFixed(3)).join(' ')}`).join(' | ')}`);
    if (!find) return;
    // A 10,000-entry feed: the time to the first result of Find-ContainerImage | Select-Object -First 1.
    const entries = [];
    for (let i = 0; i < 10000; i++) {
      entries.push(`  <image name="Image${String(i).padStart(5, '0')}" version="10.0.${i}.0" publisher="CN=Bench" os="true">\n    <summary>Synthetic image ${i}</summary>\n    <archive href="Big-1.0.0.0.wim" size="${bytes}" sha256="${sha256}"/>\n  </image>`);
    }
    fs.mkdirSync(path.join(www, 'large'));
    fs.writeFileSync(path.join(www, 'large', 'feed.xml'), `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="urn:posh-containers:feed:1" name="Large">\n${entries.join('\n')}\n</feed>\n`);
    fs.chmodSync(path.join(www, 'large'), 0o755);
    fs.chmodSync(path.join(www, 'large', 'feed.xml'), 0o644);
    const firstRuns = [];
    const emptyRuns = [];
    for (let i = 0; i < repeat; i++) {
      const r = timeIt(path.join(root, 'bin', 'posh'), ['-c', `Find-ContainerImage -Source http://127.0.0.1:${port}/large/ | Select-Object -First 1 | Out-Null`], env);
      firstRuns.push(r.secs);
      emptyRuns.push(timeIt(path.join(root, 'bin', 'posh'), ['-c', '$null'], env).secs);
    }
    const feedBytes = fs.statSync(path.join(www, 'large', 'feed.xml')).size;
    console.log(`  Find-ContainerImage | Select-Object -First 1, 10,000-entry feed (${(feedBytes / 1e6).toFixed(1)} MB): ${median(firstRuns).toFixed(3)} s (posh -c '$null': ${median(emptyRuns).toFixed(3)} s)`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    if (server.exitCode === null) server.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});

// Helpers shared by the benchmarks: command-line options, timing a child process with
// /usr/bin/time (wall, CPU, peak RSS), loopback ports, medians.
'use strict';
const { spawnSync } = require('node:child_process');
const net = require('node:net');

/** The value after `--name` on the command line, or `def`; numeric defaults give numbers. */
function option(name, def) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) return def;
  return typeof def === 'number' ? Number(args[i + 1]) : args[i + 1];
}

/**
 * Runs a command under /usr/bin/time: wall seconds, CPU seconds (user + sys) and peak RSS of the
 * command. `sync: true` flushes dirty pages first, so one run's writeback is not charged to the next.
 */
function timed(cmd, argv, env = {}, opts = {}) {
  if (opts.sync) spawnSync('sync');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCHTIME %M %U %S', cmd, ...argv], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  const m = /BENCHTIME (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { secs, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, rssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Waits until something listens on 127.0.0.1:port; `gaveUp()` true (the server exited) fails early. */
async function waitForPort(port, gaveUp = () => false) {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (gaveUp()) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

module.exports = { option, timed, freePort, waitForPort, median };

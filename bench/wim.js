#!/usr/bin/env node
// WIM benchmark: our reader/writer against wimlib-imagex on the same generated tree, same run.
//   node bench/wim.js [--size-mib N] [--files N] [--repeat N] [--dir D] [--keep]   (`npm run build` first)
// Prints times, ratios (ours / wimlib; lower is better) and our peak RSS per operation. Each of
// our operations runs in a child process so its peak RSS is its own.
'use strict';

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist', 'core', 'wim');

/**
 * Runs a command under /usr/bin/time, `repeat` times, after flushing dirty pages, and returns the
 * median wall time, CPU time (user+sys) and peak RSS. The machine may be shared, so the median of
 * several runs and the CPU time are both reported.
 */
function measure(cmd, args, repeat, before) {
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    if (before) before();
    settle();
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    runs.push({ wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMiB: Number(m[4]) / 1024 });
  }
  const med = (k) => runs.map((x) => x[k]).sort((x, y) => x - y)[Math.floor(runs.length / 2)];
  return { wall: med('wall'), cpu: med('cpu'), rssMiB: Math.max(...runs.map((x) => x.rssMiB)) };
}

const ours = (op, args, repeat, before) => measure(process.execPath, [__filename, '--child', op, ...args], repeat, before);
const peer = (args, repeat, before) => measure('wimlib-imagex', args, repeat, before);

async function runChild(op, args) {
  const wim = require(path.join(DIST, 'index.js'));
  const t0 = process.hrtime.bigint();
  let extra = {};
  if (op === 'capture') {
    const [src, out, compression] = args;
    const r = await wim.captureDirectory(src, out, { compression, metadata: { name: 'Bench', version: '10.0.14300.1010', publisher: 'CN=Bench' } });
    extra = { size: r.size };
  } else if (op === 'extract') {
    const [file, dest] = args;
    const r = await wim.openWim(file);
    const res = await wim.extractImage(r, 1, dest);
    await r.close();
    extra = { bytes: res.bytes };
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ ms, ...extra }) + '\n');
}

/** Flushes dirty pages so one step's writeback does not throttle the next one's writes. */
function settle() {
  spawnSync('sync');
}

/** Compressible pseudo-text: cheap to make, compresses roughly like program files and logs. */
function textBlock(n, seed) {
  const words = ['System32', 'Windows', 'container', 'image', 'layer', 'kernel32.dll', '\r\n', ' = ', 'Microsoft', 'NanoServer', '0x', 'version'];
  const r = crypto.createHash('sha256').update(String(seed)).digest();
  const parts = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = words[(r[i % 32] + i * 7 + (i >> 5)) % words.length] + ((i * 2654435761) >>> 0) % 1000;
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, n);
}

function generate(root, totalBytes, files) {
  fs.mkdirSync(root, { recursive: true });
  const avg = totalBytes / files;
  const text = textBlock(4 << 20, 1);
  let written = 0;
  let prev = null;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${i % 40}`, `s${(i >> 3) % 7}`);
    fs.mkdirSync(dir, { recursive: true });
    // Sizes spread from tiny to ~8x the average; a handful are empty.
    const frac = ((i * 7919) % 1000) / 1000;
    let size = i % 97 === 0 ? 0 : Math.max(1, Math.round(avg * 4 * frac * frac));
    if (written + size > totalBytes || i === files - 1) size = Math.max(0, totalBytes - written);
    const file = path.join(dir, `f${i}.${i % 3 === 0 ? 'bin' : 'txt'}`);
    if (i % 10 === 5 && prev) {
      fs.copyFileSync(prev, file); // duplicate content
      written += fs.statSync(file).size;
      continue;
    }
    const fd = fs.openSync(file, 'w');
    let left = size;
    while (left > 0) {
      const n = Math.min(left, 4 << 20);
      const piece = i % 3 === 0 ? crypto.randomBytes(n) : text.subarray((i * 131) % 1000, ((i * 131) % 1000) + n);
      fs.writeSync(fd, piece);
      left -= n;
    }
    fs.closeSync(fd);
    written += size;
    prev = file;
  }
  return written;
}

function du(p) {
  return fs.statSync(p).size;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return runChild(argv[1], argv.slice(2));
  const opt = (name, def) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  const sizeMiB = opt('--size-mib', 2048);
  const files = opt('--files', 2400);
  const keep = argv.includes('--keep');
  const repeat = opt('--repeat', sizeMiB > 512 ? 1 : 3);
  const base = argv.includes('--dir') ? argv[argv.indexOf('--dir') + 1] : os.tmpdir();
  if (spawnSync('wimlib-imagex', ['--version']).status !== 0) {
    console.error('wimlib-imagex not found (apt-get install -y wimtools)');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(DIST, 'index.js'))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  const work = fs.mkdtempSync(path.join(base, 'wimbench-'));
  const src = path.join(work, 'src');
  try {
    const t0 = Date.now();
    const bytes = generate(src, sizeMiB * 1048576, files);
    console.log(`tree: ${files} files, ${(bytes / 1048576).toFixed(0)} MiB (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s) in ${work}`);
    const rows = [];
    const mib = bytes / 1048576;
    const rm = (...ps) => () => ps.forEach((p) => fs.rmSync(p, { recursive: true, force: true }));

    // Uncompressed write.
    const wlNone = path.join(work, 'wimlib-none.wim');
    const ourNone = path.join(work, 'ours-none.wim');
    const wlCap = peer(['capture', src, wlNone, 'Bench', '--compress=none'], repeat, rm(wlNone));
    const ourCap = ours('capture', [src, ourNone, 'none'], repeat, rm(ourNone));
    rows.push(['write, uncompressed', ourCap, wlCap, `${(du(ourNone) / 1048576).toFixed(0)} MiB vs ${(du(wlNone) / 1048576).toFixed(0)} MiB`]);

    // Read + extract the same (wimlib-written) uncompressed archive.
    const wlOut = path.join(work, 'apply-wimlib');
    const ourOut = path.join(work, 'apply-ours');
    const wlApply = peer(['apply', wlNone, '1', wlOut], repeat, rm(wlOut));
    const ourApply = ours('extract', [wlNone, ourOut], repeat, rm(ourOut));
    const same = spawnSync('diff', ['-rq', wlOut, ourOut]).status === 0;
    rows.push(['read+extract, uncompressed', ourApply, wlApply, same ? 'trees identical' : 'TREES DIFFER']);
    rm(wlOut, ourOut)();

    // XPRESS write: size and speed.
    const wlX = path.join(work, 'wimlib-xpress.wim');
    const ourX = path.join(work, 'ours-xpress.wim');
    const wlXCap = peer(['capture', src, wlX, 'Bench', '--compress=XPRESS'], repeat, rm(wlX));
    const ourXCap = ours('capture', [src, ourX, 'xpress'], repeat, rm(ourX));
    rows.push(['write, XPRESS', ourXCap, wlXCap, `size ${(du(ourX) / 1048576).toFixed(1)} MiB vs ${(du(wlX) / 1048576).toFixed(1)} MiB (ratio ${(du(ourX) / du(wlX)).toFixed(3)})`]);

    // XPRESS read + extract of wimlib's archive.
    const wlXApply = peer(['apply', wlX, '1', wlOut], repeat, rm(wlOut));
    const ourXApply = ours('extract', [wlX, ourOut], repeat, rm(ourOut));
    rows.push(['read+extract, XPRESS', ourXApply, wlXApply, spawnSync('diff', ['-rq', wlOut, ourOut]).status === 0 ? 'trees identical' : 'TREES DIFFER']);
    rm(wlOut, ourOut)();

    console.log('');
    console.log(`median of ${repeat} run(s); load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('operation                   ours wall  wimlib wall  ratio | ours CPU  wimlib CPU  ratio | ours MiB/s | peak RSS ours / wimlib | notes');
    for (const [name, o, p, note] of rows) {
      console.log(
        `${name.padEnd(26)} ${o.wall.toFixed(2).padStart(9)}s ${p.wall.toFixed(2).padStart(11)}s ${(o.wall / p.wall).toFixed(2).padStart(6)} | ${o.cpu.toFixed(2).padStart(7)}s ${p.cpu.toFixed(2).padStart(10)}s ${(o.cpu / p.cpu).toFixed(2).padStart(6)} | ${(mib / o.wall).toFixed(0).padStart(10)} | ${o.rssMiB.toFixed(0).padStart(8)} / ${p.rssMiB.toFixed(0).padEnd(4)} MiB     | ${note}`,
      );
    }
    console.log('\nratio = ours / wimlib-imagex (lower is better). SPEC §13 targets: read+extract uncompressed <= 0.6, write uncompressed <= 0.5, peak RSS < 300 MiB.');
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

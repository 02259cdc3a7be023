#!/usr/bin/env node
// Engine benchmarks (issue 2, SPEC §13), measured against a peer in the same run:
//   start-up: `posh -c 'Get-Command'` vs `node -e 0` (target ≤ 1.5×)
//   pipeline: `1..1000000 | Where-Object { $_ % 3 -eq 0 } | Measure-Object` (target < 1 s)
// Run after `npm run build`: node bench/engine.js [--runs N]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const posh = path.join(__dirname, '..', 'bin', 'posh');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'posh-bench-'));
const env = { ...process.env, POSH_CONTAINERS_HOME: home };

/** Median wall time in ms of running argv `runs` times (after one warm-up run). */
function median(argv) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function report(name, ours, peerName, peer, target) {
  const ratio = ours / peer;
  console.log(`${name.padEnd(44)} ${ours.toFixed(1).padStart(8)} ms   ${peerName} ${peer.toFixed(1).padStart(7)} ms   ratio ${ratio.toFixed(2)}×   (target ${target})`);
}

try {
  const node = median([process.execPath, '-e', '0']);
  report("posh -c 'Get-Command'", median([process.execPath, posh, '-c', 'Get-Command']), 'node -e 0', node, '≤ 1.5×');
  report("posh -c 'Write-Output x'", median([process.execPath, posh, '-c', 'Write-Output x']), 'node -e 0', node, '—');
  const pipeline = median([process.execPath, posh, '-c', '1..1000000 | Where-Object { $_ % 3 -eq 0 } | Measure-Object']);
  console.log(`${'1..1000000 | Where-Object … | Measure-Object'.padEnd(44)} ${pipeline.toFixed(1).padStart(8)} ms   (whole process; target < 1000 ms)`);
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

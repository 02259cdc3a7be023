#!/usr/bin/env node
// Engine benchmarks (issue 2, SPEC §13), measured against a peer in the same run:
//   start-up: `posh -c 'Get-Command'` and `posh -c 'Get-ContainerImage'` on an empty store vs
//             `node -e 0` (target ≤ 1.5×, SPEC §13)
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

/** Fastest and median wall time in ms of running argv `runs` times (after one warm-up run). */
function timing(argv) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { min: times[0], median: times[Math.floor(times.length / 2)] };
}

const ms = (t) => `${t.min.toFixed(0)}/${t.median.toFixed(0)} ms`;

function report(name, ours, peerName, peer, target) {
  const ratio = (k) => (ours[k] / peer[k]).toFixed(2);
  console.log(`${name.padEnd(40)} ${ms(ours).padStart(13)}   ${peerName} ${ms(peer).padStart(13)}   ratio ${ratio('min')}× (fastest) ${ratio('median')}× (median)   target ${target}`);
}

try {
  console.log('times are fastest/median of the runs');
  const node = timing([process.execPath, '-e', '0']);
  report("posh -c 'Get-Command'", timing([process.execPath, posh, '-c', 'Get-Command']), 'node -e 0', node, '≤ 1.5×');
  report("posh -c 'Write-Output x'", timing([process.execPath, posh, '-c', 'Write-Output x']), 'node -e 0', node, '—');
  report("posh -c 'Get-ContainerImage' (empty store)", timing([process.execPath, posh, '-c', 'Get-ContainerImage']), 'node -e 0', node, '≤ 1.5×');
  const pipeline = timing([process.execPath, posh, '-c', '1..1000000 | Where-Object { $_ % 3 -eq 0 } | Measure-Object']);
  console.log(`${'1..1000000 | Where-Object … | Measure-Object'.padEnd(40)} ${ms(pipeline).padStart(13)}   (whole process, start-up included; target < 1000 ms)`);
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ in turn (each prints ratios against its peer).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const only = process.argv.slice(2);
// common.js is the benchmarks' shared helpers, not a benchmark.
const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== 'run.js' && f !== 'common.js').sort();
let failed = false;
for (const f of files) {
  if (only.length && !only.some((o) => f.startsWith(o))) continue;
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

#!/usr/bin/env node
// Registry benchmark: `docker push` and `docker pull` of posh (a real `posh` process each, Node
// start-up included) against `skopeo copy` of the same image, to and from Debian's docker-registry
// on 127.0.0.1, in the same run. `npm run build` first.
//
//   node bench/registry.js [--size-mib N] [--files N] [--repeat N]
//
// Setup: a generated tree of random files (default 1 GiB in 256 files) captured by
// New-ContainerOSImage and installed by Install-ContainerOSImage into a store, tagged
// 127.0.0.1:PORT/big:1; the same image (core/store-oci's imageToOci: one uncompressed tar layer)
// written as an OCI layout for skopeo. Every timed run gets a fresh registry (empty storage, new
// port), so neither side can skip or mount a blob, and pulls go into a fresh store / folder:
//   push   posh -c 'docker push R/big:1'            vs  skopeo copy --preserve-digests oci:L:1 docker://R/big:1
//   pull   posh -c 'docker pull R/big:1' (import    vs  skopeo copy --preserve-digests docker://R/big:1 oci:D:1
//          into the store: files → content-addressed blobs, fsynced)
// --preserve-digests keeps skopeo from gzipping the uncompressed layer (it would otherwise), so both
// sides move the same bytes. Ratios are our wall time / skopeo's (lower is better). Best of --repeat.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { option, timed: timeCommand, freePort, waitForPort } = require('./common');

const sizeMiB = option('--size-mib', 1024);
const fileCount = option('--files', 256);
const repeat = option('--repeat', 2);
const root = path.resolve(__dirname, '..');
const posh = path.join(root, 'bin', 'posh');

for (const [cmd, pkg] of [['docker-registry', 'docker-registry'], ['skopeo', 'skopeo']]) {
  if (spawnSync(cmd, ['--version']).status !== 0) {
    console.error(`${cmd} is required (apt-get install -y ${pkg})`);
    process.exit(1);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-registry-'));
// registries still running when the bench ends (an error, Ctrl+C) are stopped
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

/** A docker-registry with its own storage on a free port; stop() ends it and removes the storage. */
async function startRegistry() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(work, 'registry-'));
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await waitForPort(port, () => child.exitCode !== null);
  return {
    host: `127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS. */
function timed(cmd, argv, env = {}) {
  return timeCommand(cmd, argv, env, { sync: true });
}

function poshRun(store, script) {
  return timed(process.execPath, [posh, '-NonInteractive', '-c', script], { POSH_CONTAINERS_HOME: store });
}

async function main() {
  const store = path.join(work, 'store');
  const tree = path.join(work, 'tree');
  const perFile = Math.floor((sizeMiB << 20) / fileCount);
  for (let i = 0; i < fileCount; i++) {
    const dir = path.join(tree, 'Windows', `d${i % 16}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.bin`), crypto.randomBytes(perFile));
  }
  const wim = path.join(work, 'big.wim');
  const setup = poshRun(store, `New-ContainerOSImage -SourcePath '${tree}' -Name Big -Version 1.0.0.0 -Publisher CN=Bench -WimPath '${wim}' | Out-Null; Install-ContainerOSImage -WimPath '${wim}' | Out-Null`);
  fs.rmSync(wim, { force: true });
  fs.rmSync(tree, { recursive: true, force: true });
  console.log(`setup: ${sizeMiB} MiB in ${fileCount} files installed in ${setup.secs.toFixed(1)} s`);

  // the same image as an OCI layout for skopeo
  const { openStore } = require(path.join(root, 'dist', 'core', 'store'));
  const { imageToOci } = require(path.join(root, 'dist', 'core', 'store-oci'));
  const { writeOciLayout } = require(path.join(root, 'dist', 'core', 'oci'));
  const s = openStore(store);
  const image = s.listImages().find((i) => i.name === 'Big');
  const layout = path.join(work, 'layout');
  const spec = await imageToOci(s, image);
  await writeOciLayout(layout, [{ ...spec, refName: '1' }]);
  const layerBytes = spec.layers.reduce((n, l) => n + l.size, 0);
  console.log(`image: ${spec.layers.length} layer(s), ${(layerBytes / 2 ** 20).toFixed(0)} MiB uncompressed`);

  const rows = { push: { ours: [], peer: [] }, pull: { ours: [], peer: [] } };
  for (let i = 0; i < repeat; i++) {
    // push: posh, then skopeo, each into an empty registry
    let reg = await startRegistry();
    poshRun(store, `docker tag big:1.0.0.0 ${reg.host}/big:1`);
    fs.rmSync(path.join(store, 'registry-blobs.json'), { force: true });
    rows.push.ours.push(poshRun(store, `docker push ${reg.host}/big:1`));
    // pull: from the registry posh just filled, into a fresh store
    const pullStore = path.join(work, `pull-store-${i}`);
    rows.pull.ours.push(poshRun(pullStore, `docker pull ${reg.host}/big:1`));
    fs.rmSync(pullStore, { recursive: true, force: true });
    const peerDir = path.join(work, `pull-oci-${i}`);
    rows.pull.peer.push(timed('skopeo', ['--insecure-policy', 'copy', '--quiet', '--preserve-digests', '--src-tls-verify=false', `docker://${reg.host}/big:1`, `oci:${peerDir}:1`]));
    fs.rmSync(peerDir, { recursive: true, force: true });
    poshRun(store, `docker rmi ${reg.host}/big:1`);
    await reg.stop();
    reg = await startRegistry();
    rows.push.peer.push(timed('skopeo', ['--insecure-policy', 'copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:1`, `docker://${reg.host}/big:1`]));
    await reg.stop();
  }

  const best = (xs) => xs.reduce((a, b) => (b.secs < a.secs ? b : a));
  const fmt = (r) => `${r.secs.toFixed(2)} s (CPU ${r.cpu.toFixed(2)} s, RSS ${r.rssMiB.toFixed(0)} MiB)`;
  console.log(`\n${sizeMiB} MiB image, best of ${repeat}, load average ${os.loadavg()[0].toFixed(1)}`);
  for (const op of ['push', 'pull']) {
    const o = best(rows[op].ours);
    const p = best(rows[op].peer);
    const mibs = (r) => (layerBytes / 2 ** 20 / r.secs).toFixed(0);
    console.log(`${op.padEnd(5)} posh ${fmt(o)} ${mibs(o)} MiB/s | skopeo ${fmt(p)} ${mibs(p)} MiB/s | ratio ${(o.secs / p.secs).toFixed(2)}×`);
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));

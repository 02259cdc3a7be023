#!/usr/bin/env node
// Store benchmarks (run `npm run build` first): `node bench/store.js [--size-mib N] [--files N] [--images N]`
//  1. `posh -c Get-ContainerImage` over a store of 10,000 image records   (target < 0.5 s)
//  2. Install-ContainerOSImage of an uncompressed WIM vs `wimlib-imagex apply` of it  (target <= 0.6x)
//  3. Export-ContainerImage vs `wimlib-imagex capture --compress=none` of the same tree (target <= 0.5x)
//  Peak RSS of each posh run (target < 300 MiB). Default size: 2 GiB in 2,400 files.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { option, timed } = require('./common');

const sizeMiB = option('--size-mib', 2048);
const files = option('--files', 2400);
const imageCount = option('--images', 10000);
const root = path.resolve(__dirname, '..');
const posh = path.join(root, 'bin', 'posh');
const { openStore, imageIdOf } = require(path.join(root, 'dist', 'core', 'store'));
const { captureDirectory } = require(path.join(root, 'dist', 'core', 'wim'));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
const results = [];

function dropCaches() {
  // Not root or not Linux: the runs compare warm-cache timings on both sides.
  spawnSync('sync');
}

function best(n, fn) {
  let b = null;
  for (let i = 0; i < n; i++) {
    const r = fn(i);
    if (!b || r.secs < b.secs) b = r;
  }
  return b;
}

async function main() {
  // 1. Listing 10,000 records: one real image, then records sharing its layer (a fixture made
  //    through the store's own record format).
  const listHome = path.join(work, 'list-home');
  const tiny = path.join(work, 'tiny');
  fs.mkdirSync(path.join(tiny, 'Windows'), { recursive: true });
  fs.writeFileSync(path.join(tiny, 'Windows', 'win.ini'), '[fonts]\r\n');
  await captureDirectory(tiny, path.join(work, 'tiny.wim'), { metadata: { name: 'NanoServer', version: '10.0.14300.1010', publisher: 'CN=Microsoft' } });
  const store = openStore(listHome);
  const base = (await store.importWim(path.join(work, 'tiny.wim'))).image;
  const c = store.readCatalog();
  for (let i = 1; i < imageCount; i++) {
    const name = `Image${String(i).padStart(5, '0')}`;
    const rec = { ...base, name, version: `1.0.${i}.0` };
    rec.imageId = imageIdOf(`${rec.publisher}_${rec.name}_${rec.version}`, null, rec.layers);
    c.images.push(rec);
  }
  c.layers[base.layers[0]].refs = imageCount;
  fs.writeFileSync(store.catalogPath, JSON.stringify(c));
  const list = best(3, () => timed(process.execPath, [posh, '-NonInteractive', '-c', 'Get-ContainerImage'], { POSH_CONTAINERS_HOME: listHome }));
  const lines = list.stdout.split('\n').filter((l) => /^(NanoServer|Image\d+) /.test(l)).length;
  if (lines !== imageCount) throw new Error(`listed ${lines} images, expected ${imageCount}`);
  const empty = best(3, () => timed(process.execPath, [posh, '-NonInteractive', '-c', 'Get-ContainerImage'], { POSH_CONTAINERS_HOME: path.join(work, 'empty-home') }));
  results.push(['Get-ContainerImage, 10,000 images', `${list.secs.toFixed(3)} s (CPU ${list.cpu.toFixed(2)} s)`, '< 0.5 s', list.secs < 0.5, `${list.rssMiB.toFixed(0)} MiB`]);
  results.push(['Get-ContainerImage, empty store', `${empty.secs.toFixed(3)} s (CPU ${empty.cpu.toFixed(2)} s)`, '', true, `${empty.rssMiB.toFixed(0)} MiB`]);

  // 2. A tree of `files` files totalling sizeMiB, captured uncompressed.
  const tree = path.join(work, 'tree');
  const per = Math.floor((sizeMiB * 1048576) / files);
  const chunk = Buffer.allocUnsafe(per);
  for (let i = 0; i < files; i++) {
    const dir = path.join(tree, 'Windows', `dir${String(i % 40).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let o = 0; o + 4 <= per; o += 4) chunk.writeUInt32LE((Math.imul(o, 2654435761) ^ (i * 40503)) >>> 0, o);
    fs.writeFileSync(path.join(dir, `file${i}.dll`), chunk);
  }
  const wim = path.join(work, 'big.wim');
  await captureDirectory(tree, wim, { compression: 'none', metadata: { name: 'BigServer', version: '10.0.1.0', publisher: 'CN=Bench' } });
  const wimMiB = fs.statSync(wim).size / 1048576;
  // Each timed side starts from the same disk: only the archive (and the side's own earlier output,
  // removed). Leftover trees slow whoever runs next: with the 2 GiB source tree still there,
  // `apply` spent 4.9-6.2 s in the kernel instead of 1.5 s (page-cache reclaim in its own context).
  fs.rmSync(tree, { recursive: true, force: true });
  const bigHome = path.join(work, 'big-home');
  const applied = path.join(work, 'applied');
  const apply = best(2, () => {
    fs.rmSync(applied, { recursive: true, force: true });
    dropCaches();
    return timed('wimlib-imagex', ['apply', wim, applied]);
  });
  fs.rmSync(applied, { recursive: true, force: true });
  const install = best(2, () => {
    fs.rmSync(bigHome, { recursive: true, force: true });
    dropCaches();
    return timed(process.execPath, [posh, '-NonInteractive', '-c', `Install-ContainerOSImage '${wim}'`], { POSH_CONTAINERS_HOME: bigHome });
  });
  const ri = install.secs / apply.secs;
  results.push([`Install-ContainerOSImage, ${wimMiB.toFixed(0)} MiB / ${files} files`, `${install.secs.toFixed(2)} s (CPU ${install.cpu.toFixed(2)} s)`, `wimlib apply ${apply.secs.toFixed(2)} s (CPU ${apply.cpu.toFixed(2)} s) → ${ri.toFixed(2)}x (≤ 0.6x)`, ri <= 0.6, `${install.rssMiB.toFixed(0)} MiB`]);

  // 3. Export vs wimlib capture of the same tree (applied again, untimed).
  const again = spawnSync('wimlib-imagex', ['apply', wim, applied], { encoding: 'utf8' });
  if (again.status !== 0) throw new Error(`wimlib-imagex apply failed: ${again.stderr}`);
  const capture = best(2, () => {
    fs.rmSync(path.join(work, 'cap.wim'), { force: true });
    dropCaches();
    return timed('wimlib-imagex', ['capture', applied, path.join(work, 'cap.wim'), 'BigServer', '--compress=none']);
  });
  const exp = best(2, () => {
    fs.rmSync(path.join(work, 'exp.wim'), { force: true });
    dropCaches();
    return timed(process.execPath, [posh, '-NonInteractive', '-c', `Export-ContainerImage BigServer -WimPath '${path.join(work, 'exp.wim')}' | Out-Null`], { POSH_CONTAINERS_HOME: bigHome });
  });
  const re = exp.secs / capture.secs;
  results.push([`Export-ContainerImage, ${wimMiB.toFixed(0)} MiB`, `${exp.secs.toFixed(2)} s (CPU ${exp.cpu.toFixed(2)} s)`, `wimlib capture ${capture.secs.toFixed(2)} s (CPU ${capture.cpu.toFixed(2)} s) → ${re.toFixed(2)}x (≤ 0.5x)`, re <= 0.5, `${exp.rssMiB.toFixed(0)} MiB`]);

  console.log(`store benchmarks (${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}, size ${sizeMiB} MiB, ${files} files; best of 2-3 runs)`);
  for (const [what, val, ref, ok, rss] of results) console.log(`${ok ? 'PASS' : 'MISS'}  ${what}: ${val}  ${ref}  peak RSS ${rss}`);
  const rssOk = results.every((r) => parseFloat(r[4]) < 300);
  console.log(`${rssOk ? 'PASS' : 'MISS'}  peak RSS of every posh run < 300 MiB`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));

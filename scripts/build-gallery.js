#!/usr/bin/env node
// Builds the embedded default source, ContainerImageGallery, into gallery/: four small but real
// WIM archives written by the project's own WIM writer (dist/core/wim) and the feed.xml that
// describes them (size and sha256 of each archive). Run with `npm run build:gallery`.
//
// Reproducible: the same bytes on every run and machine. File contents come from a seeded
// generator, every entry carries fixed timestamps, and because the WIM writer stamps the archive
// with the current time (XML CREATIONTIME) and a random GUID, both are pinned while the archives
// are written (Date.now and crypto.randomBytes return fixed values for the duration of the build).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const galleryDir = path.join(root, 'gallery');
const FEED_NS = 'urn:posh-containers:feed:1';
/** 2016-04-26T00:00:00Z, around Windows Server 2016 Technical Preview 5. */
const BUILD_TIME_MS = Date.UTC(2016, 3, 26);

const IMAGES = [
  { name: 'NanoServer', version: '10.0.10586.0', summary: 'Container OS Image of Windows Server 2016 Technical Preview 4 : Nano Server', edition: 'ServerDatacenterNano', payloadKiB: 96 },
  { name: 'NanoServer', version: '10.0.14300.1010', summary: 'Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server', edition: 'ServerDatacenterNano', payloadKiB: 128 },
  { name: 'WindowsServerCore', version: '10.0.10586.0', summary: 'Container OS Image of Windows Server 2016 Technical Preview 4 : Windows Server Core', edition: 'ServerDatacenterCore', payloadKiB: 160 },
  { name: 'WindowsServerCore', version: '10.0.14300.1000', summary: 'Container OS Image of Windows Server 2016 Technical Preview 5 : Windows Server Core', edition: 'ServerDatacenterCore', payloadKiB: 192 },
];

/** xorshift32: deterministic pseudo-random bytes from a text seed. */
function seededBytes(seed, length) {
  let x = 0x811c9dc5;
  for (const c of Buffer.from(seed)) x = Math.imul(x ^ c, 0x01000193) >>> 0;
  if (x === 0) x = 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    // Low-entropy bytes (a small alphabet) so XPRESS has something to compress, as real binaries do.
    out[i] = (x & 0x3f) + 0x20;
  }
  return out;
}

/** The tree of one image: [path segments, content Buffer | null for a directory]. */
function imageTree(img) {
  const build = img.version.split('.')[2];
  const text = (s) => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');
  const entries = [
    [['Windows'], null],
    [['Windows', 'System32'], null],
    [['Windows', 'System32', 'config'], null],
    [['Windows', 'System32', 'drivers'], null],
    [['Windows', 'System32', 'drivers', 'etc'], null],
    [['Windows', 'Logs'], null],
    [['Program Files'], null],
    [['ProgramData'], null],
    [['Users'], null],
    [['Users', 'Public'], null],
    // Identical in every image and version: stored once by the store's deduplication.
    [['Windows', 'System32', 'drivers', 'etc', 'hosts'], text('# Copyright (c) 1993-2009 Microsoft Corp.\n#\n# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.\n#\n127.0.0.1       localhost\n::1             localhost\n')],
    [['Windows', 'System32', 'drivers', 'etc', 'services'], text('echo 7/tcp\necho 7/udp\ndiscard 9/tcp sink null\nftp 21/tcp\nssh 22/tcp\nhttp 80/tcp www\nhttps 443/tcp\n')],
    [['Windows', 'System32', 'license.rtf'], text('posh-containers gallery image: generated test content, not Microsoft software.\n')],
    // Per edition (shared by both versions of it).
    [['Windows', 'System32', 'edition.txt'], text(`EditionID=${img.edition}\nInstallationType=${img.name === 'NanoServer' ? 'Nano Server' : 'Server Core'}\n`)],
    [['Windows', 'System32', 'kernel32.dll'], seededBytes(`${img.edition}/kernel32`, 48 * 1024)],
    // Per version.
    [['Windows', 'System32', 'ntoskrnl.exe'], seededBytes(`${img.name}/${img.version}/ntoskrnl`, img.payloadKiB * 1024)],
    [['Windows', 'System32', 'config', 'SOFTWARE'], seededBytes(`${img.name}/${img.version}/SOFTWARE`, 32 * 1024)],
    [['Windows', 'System32', 'version.txt'], text(`${img.name} ${img.version}\nCurrentBuild=${build}\n${img.summary}\n`)],
    [['Windows', 'Logs', 'empty.log'], Buffer.alloc(0)],
  ];
  if (img.name === 'WindowsServerCore') {
    entries.push([['Windows', 'System32', 'WindowsPowerShell'], null]);
    entries.push([['Windows', 'System32', 'WindowsPowerShell', 'v1.0'], null]);
    entries.push([['Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'], seededBytes('WindowsServerCore/powershell', 64 * 1024)]);
  }
  return entries;
}

function filetime(ms) {
  return BigInt(ms) * 10000n + 116444736000000000n;
}

async function writeImage(wim, img, file) {
  const t = filetime(BUILD_TIME_MS);
  const times = { creation: t, lastAccess: t, lastWrite: t };
  const w = await wim.createWim(file, {
    compression: 'xpress',
    metadata: { name: img.name, description: img.summary, version: img.version, publisher: 'CN=Microsoft' },
  });
  try {
    await w.add({ path: [], kind: 'directory', times });
    for (const [segs, content] of imageTree(img)) {
      if (content === null) await w.add({ path: segs, kind: 'directory', times });
      else await w.add({ path: segs, kind: 'file', times, size: content.length, content: async function* () { yield Buffer.from(content); } });
    }
    return await w.finish();
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  }
}

function xmlEscape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function main() {
  const distWim = path.join(root, 'dist', 'core', 'wim', 'index.js');
  if (!fs.existsSync(distWim)) {
    console.error(`build-gallery: ${distWim} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
  const wim = require(distWim);
  fs.mkdirSync(galleryDir, { recursive: true });
  for (const f of fs.readdirSync(galleryDir)) {
    if (f.endsWith('.wim') || f === 'feed.xml' || f.includes('.partial-')) fs.rmSync(path.join(galleryDir, f));
  }

  // Pin the writer's clock and GUID (see the header comment).
  const realNow = Date.now;
  const realRandomBytes = crypto.randomBytes;
  let counter = 0;
  Date.now = () => BUILD_TIME_MS;
  crypto.randomBytes = (n, cb) => {
    const b = Buffer.alloc(n);
    const h = crypto.createHash('sha256').update(`posh-containers-gallery/${counter++}`).digest();
    for (let i = 0; i < n; i++) b[i] = h[i % h.length];
    if (cb) return void cb(null, b);
    return b;
  };
  const results = [];
  try {
    for (const img of IMAGES) {
      const file = `${img.name}-${img.version}.wim`;
      counter = 0;
      await writeImage(wim, img, path.join(galleryDir, file));
      const data = fs.readFileSync(path.join(galleryDir, file));
      results.push({ img, file, size: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') });
    }
  } finally {
    Date.now = realNow;
    crypto.randomBytes = realRandomBytes;
  }

  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<feed xmlns="${FEED_NS}" name="ContainerImageGallery">`];
  for (const r of results) {
    lines.push(`  <image name="${xmlEscape(r.img.name)}" version="${r.img.version}" publisher="CN=Microsoft" os="true">`);
    lines.push(`    <summary>${xmlEscape(r.img.summary)}</summary>`);
    lines.push(`    <archive href="${xmlEscape(r.file)}" size="${r.size}" sha256="${r.sha256}"/>`);
    lines.push('  </image>');
  }
  lines.push('</feed>', '');
  fs.writeFileSync(path.join(galleryDir, 'feed.xml'), lines.join('\n'));
  for (const r of results) console.log(`${r.file}  ${r.size} bytes  sha256 ${r.sha256}`);
  console.log(`gallery/feed.xml  ${results.length} images`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});

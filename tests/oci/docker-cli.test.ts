// The real docker CLI as the oracle for our text: a loopback fake of the Engine API (a unix
// socket in a temp folder) serves the same images to `docker images` / `docker history`, and our
// renderers must print byte-for-byte what the CLI prints.

import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { renderImages, renderHistory, type ImageRow, type HistoryRow } from '../../core/docker-text';
import { havePeer, rmrf, tempDir } from './helpers';

const peer = havePeer('docker', ['--version'], 'docker.io');
const d = peer ? describe : describe.skip;

const NOW = Date.now();
const S = 1000;
const H = 3600 * S;
const D = 24 * H;

const ID1 = 'sha256:4a415e3663882fbc554ee830889c68a33b3585503892cc718a4698e91ef2a526';
const ID2 = 'sha256:3a703c6e97a2f4e4d7ad3b59ce2f3cde15bdb7d8ad2f6e6dbd3e2d3d5a1c6a2b';
const ID3 = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

// created times sit in the middle of their buckets so the two clocks cannot disagree
const images = [
  { Id: ID1, RepoTags: ['windowsservercore:latest', 'windowsservercore:10.0.14300.1000'], Created: Math.floor((NOW - 90 * S) / 1000), Size: 9_344_000_000 },
  { Id: ID2, RepoTags: ['nanoserver:10.0.14300.1016'], Created: Math.floor((NOW - 15 * D - 12 * H) / 1000), Size: 1125 },
  { Id: ID3, RepoTags: [], Created: Math.floor((NOW - 3 * H - 10 * 60 * S) / 1000), Size: 44_949_999 },
];

const history = [
  { Id: ID1, Created: Math.floor((NOW - 3 * H - 10 * 60 * S) / 1000), CreatedBy: 'cmd /S /C powershell -Command\tInstall-WindowsFeature Web-Server -IncludeAllSubFeature', Size: 10_250, Comment: '', Tags: null },
  { Id: '<missing>', Created: Math.floor((NOW - 40 * D) / 1000), CreatedBy: 'Apply image 10.0.14300.1000', Size: 999_500, Comment: 'Imported from -', Tags: null },
];

function rowsOf(): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const i of images) {
    if (i.RepoTags.length === 0) rows.push({ id: i.Id, created: i.Created * 1000, size: i.Size });
    for (const rt of i.RepoTags) {
      const c = rt.lastIndexOf(':');
      rows.push({ repository: rt.slice(0, c), tag: rt.slice(c + 1), id: i.Id, created: i.Created * 1000, size: i.Size });
    }
  }
  return rows;
}

function historyRows(): HistoryRow[] {
  return history.map((h) => ({ id: h.Id, created: h.Created * 1000, createdBy: h.CreatedBy, size: h.Size, comment: h.Comment }));
}

let work: string;
let server: Server;
let sock: string;

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(work, 'cfg'), DOCKER_CLI_HINTS: 'false', TZ: 'UTC' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')} (${code}): ${err}`))));
  });
}

d('our tables equal the docker CLI’s for the same images', () => {
  beforeAll(async () => {
    work = tempDir('dockercli');
    sock = join(work, 'engine.sock');
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/v[\d.]+/, '');
      const json = (v: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json', 'api-version': '1.41' });
        res.end(JSON.stringify(v));
      };
      if (path === '/_ping') {
        res.writeHead(200, { 'api-version': '1.41', ostype: 'linux', 'content-type': 'text/plain' });
        res.end(req.method === 'HEAD' ? undefined : 'OK');
      } else if (path === '/images/json') {
        json(images.map((i) => ({ ...i, ParentId: '', RepoDigests: [], SharedSize: -1, VirtualSize: i.Size, Labels: null, Containers: -1 })));
      } else if (/^\/images\/.+\/history$/.test(path)) {
        json(history);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `no such route ${path}` }));
      }
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmrf(work);
  });

  test('docker images (default table)', async () => {
    const real = await docker(['images']);
    expect(real.split('\n')).toHaveLength(6); // header, 4 rows, final newline
    expect(renderImages(rowsOf())).toBe(real);
  });

  test('docker images -q, --no-trunc, --format', async () => {
    expect(renderImages(rowsOf(), { quiet: true })).toBe(await docker(['images', '-q']));
    expect(renderImages(rowsOf(), { noTrunc: true })).toBe(await docker(['images', '--no-trunc']));
    const f = 'table {{.Repository}}:{{.Tag}}\\t{{.ID}}\\t{{.Size}}';
    expect(renderImages(rowsOf(), { format: f })).toBe(await docker(['images', '--format', f]));
    const g = '{{json .Repository}} {{.Tag}} {{.CreatedSince}} {{.CreatedAt}}';
    expect(renderImages(rowsOf(), { format: g })).toBe(await docker(['images', '--format', g]));
  });

  test('docker history (default table, --no-trunc, -H=false)', async () => {
    expect(renderHistory(historyRows())).toBe(await docker(['history', 'windowsservercore']));
    expect(renderHistory(historyRows(), { noTrunc: true })).toBe(await docker(['history', '--no-trunc', 'windowsservercore']));
    const f = '{{.ID}} {{.CreatedSince}} {{.Size}}';
    expect(renderHistory(historyRows(), { human: false, format: f })).toBe(await docker(['history', '-H=false', '--format', f, 'windowsservercore']));
  });
});

// Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its own temp config and
// storage, optionally with htpasswd (bcrypt) basic auth or token auth; stops it afterwards.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { havePeer, rmrf, tempDir } from '../oci/helpers';

export function haveRegistryPeers(): boolean {
  // every peer is checked (each one warns or, in CI, throws) before deciding
  const reg = havePeer('docker-registry', ['--version'], 'docker-registry');
  const sk = havePeer('skopeo', ['--version'], 'skopeo');
  const ht = havePeer('htpasswd', ['-nbB', 'u', 'p'], 'apache2-utils');
  return reg && sk && ht;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningRegistry {
  host: string; // 127.0.0.1:PORT
  url: string;
  dir: string;
  log: () => string;
  stop(): Promise<void>;
}

export interface RegistryAuth {
  htpasswd?: { user: string; password: string };
  token?: { realm: string; service: string; issuer: string; certFile: string };
}

export async function startRegistry(auth: RegistryAuth = {}): Promise<RunningRegistry> {
  const dir = tempDir('registry');
  const port = await freePort();
  mkdirSync(join(dir, 'data'));
  let authYaml = '';
  if (auth.htpasswd) {
    const r = spawnSync('htpasswd', ['-nbB', auth.htpasswd.user, auth.htpasswd.password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), r.stdout.trim() + '\n');
    authYaml = `auth:\n  htpasswd:\n    realm: posh-test-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.token) {
    const t = auth.token;
    authYaml = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certFile}\n`;
  }
  const config =
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
    `http:\n  addr: 127.0.0.1:${port}\n  secret: posh-test-secret\n${authYaml}`;
  writeFileSync(join(dir, 'config.yml'), config);
  let output = '';
  // a shell watchdog: the registry goes when stop() signals it, and also when this test process
  // dies without stopping it (a killed jest must not leave a registry listening)
  const watchdog =
    `docker-registry serve "$1" & r=$!; trap 'kill $r 2>/dev/null; wait $r; exit 0' TERM INT; ` +
    `while kill -0 $r 2>/dev/null; do kill -0 ${process.pid} 2>/dev/null || { kill $r; exit 0; }; sleep 0.3; done; wait $r`;
  const child: ChildProcess = spawn('sh', ['-c', watchdog, 'sh', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${output}`);
    try {
      const r = await request(`${url}/v2/`);
      await r.body.dump();
      if (r.statusCode === 200 || r.statusCode === 401) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    dir,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      rmrf(dir);
    },
  };
}

/** A loopback TCP proxy that counts the bytes clients send upstream (and requests by counting connections' bytes). */
export async function countingProxy(targetPort: number): Promise<{ port: number; up: () => number; down: () => number; reset: () => void; close: () => Promise<void> }> {
  const net = await import('node:net');
  let up = 0;
  let down = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => (up += d.length));
    upstream.on('data', (d) => (down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    up: () => up,
    down: () => down,
    reset: () => {
      up = 0;
      down = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

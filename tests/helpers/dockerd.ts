// A real Docker Engine as a test peer (SPEC §12): Debian's dockerd started as root in a temp
// folder D, with its own data root, exec root, socket, pid file and config file, no networking
// changes (no iptables, no bridge) and the vfs storage driver, so it needs nothing from the host
// and leaves nothing behind. The `docker` CLI is run against it with DOCKER_HOST.
//
//   const d = await startDockerd();          // null when dockerd is missing (CI=true: throws)
//   const r = d.docker(['load', '-i', f]);    // { status, stdout, stderr }
//   await d.stop();                           // always (afterAll): stops what it started, removes D
//
// Stopping: SIGTERM to dockerd, which stops the containerd it started; after a grace period
// SIGKILL. Then every process whose command line names D (only ours: D is a fresh temp folder) is
// killed by pid, mounts under D are unmounted, and D is removed.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Dockerd {
  dir: string;
  host: string;
  /** Runs the docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number; env?: Record<string, string> }): { status: number | null; stdout: string; stderr: string };
  /** The daemon's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Whether dockerd and docker can be used here (root, both installed). Missing on a developer
 * machine: false, with a loud message; missing when CI=true: an error, so the suite fails.
 */
export function haveDockerd(): boolean {
  const missing: string[] = [];
  if (!have('dockerd', ['--version'])) missing.push('dockerd');
  if (!have('docker', ['--version'])) missing.push('docker');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root privileges');
  if (missing.length === 0) return true;
  const msg = `${missing.join(', ')} (Debian package docker.io, run as root) required for the Docker Engine tests`;
  if (process.env.CI === 'true') throw new Error(`${msg} but not available in CI`);
  // eslint-disable-next-line no-console
  console.warn(`\n*** ${msg}: they are SKIPPED. Install it: apt-get install -y docker.io ***\n`);
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line mentions `dir` (the daemon's helpers: containerd, shims). */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(dir)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Starts a daemon in a fresh temp folder and waits until it answers (`docker version`). */
export async function startDockerd(opts: { timeoutMs?: number } = {}): Promise<Dockerd> {
  const dir = mkdtempSync('/tmp/posh-dockerd-'); // short: unix socket paths are limited to 108 bytes
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  writeFileSync(join(dir, 'daemon.json'), '{}\n'); // not the host's /etc/docker/daemon.json
  const args = [
    '--config-file', join(dir, 'daemon.json'),
    '--data-root', join(dir, 'root'),
    '--exec-root', join(dir, 'exec'),
    '-H', host,
    '--pidfile', join(dir, 'dockerd.pid'),
    '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--bridge=none',
    '--storage-driver=vfs', '--userland-proxy=false',
  ];
  let logText = '';
  const child: ChildProcess = spawn('dockerd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (logText += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (logText += c.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));

  const docker: Dockerd['docker'] = (a, o = {}) => {
    const r = spawnSync('docker', a, { env: { ...process.env, ...o.env, DOCKER_HOST: host }, input: o.input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: o.timeoutMs ?? 120000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  const stop = async (): Promise<void> => {
    const pid = child.pid;
    if (pid !== undefined && !exited && alive(pid)) {
      child.kill('SIGTERM');
      for (let i = 0; i < 150 && !exited; i++) await sleep(100);
      if (!exited) {
        child.kill('SIGKILL');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      }
    }
    // Helpers dockerd started (containerd and shims run in their own process groups).
    for (let round = 0; round < 3; round++) {
      const left = processesUsing(dir);
      if (left.length === 0) break;
      for (const p of left) {
        try {
          process.kill(p, round === 0 ? 'SIGTERM' : 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(round === 0 ? 1000 : 200);
    }
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m && m.startsWith(dir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 30000);
  try {
    for (;;) {
      if (exited) throw new Error(`dockerd exited while starting:\n${logText.slice(-4000)}`);
      if (existsSync(sock) && docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10000 }).status === 0) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer on ${host} within ${opts.timeoutMs ?? 30000} ms:\n${logText.slice(-4000)}`);
      await sleep(100);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, host, docker, log: () => logText, stop };
}

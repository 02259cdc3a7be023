// Our `docker images` / `docker history` / `docker inspect` text against the real docker CLI's for
// the same images: saved by our `docker save`, loaded into a real Docker Engine (Debian's dockerd,
// tests/helpers/dockerd.ts). The column layout and headers must be identical and the values equal,
// except what cannot be: CREATED ("N seconds ago" depends on when each CLI runs), image ids (ours is
// the store's ImageId, the engine's the digest of the image config) and a parent row's id (the
// engine shows <missing> for layers of a loaded image).
//
// A Linux engine refuses Windows images ("cannot load windows image on linux"), so the archive our
// save wrote is loaded with only its config's os changed to linux (os.version dropped); layers,
// created times, history and labels are the ones our save wrote.
// Without dockerd/docker: skipped loudly on a developer machine, a failure when CI=true.

import { join } from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { haveDockerd, startDockerd, type Dockerd } from '../helpers/dockerd';
import { ImageArchive, MediaType, writeImageArchiveFile, type ArchiveImageSpec, type ImageConfig } from '../../core/oci';
import { tabwrite } from '../../core/docker-text';

const withDocker = haveDockerd(); // throws when CI=true and the engine is missing: the suite fails
const dockerIt = withDocker ? test : test.skip;

let dir: string;
let d: Dockerd | null = null;
let store: string;

/** Runs a posh script in-process against the suite's store; its text output and errors. */
async function posh(script: string): Promise<{ out: string; errors: string[] }> {
  const { host } = await runInProcess(script, { storeRoot: store });
  return { out: host.output, errors: host.errors };
}

/** The real docker CLI against the suite's engine; stdout, failing the test on an error. */
function docker(args: string[]): string {
  const r = d!.docker(args);
  if (r.status !== 0 || r.stderr !== '') throw new Error(`docker ${args.join(' ')}: status ${r.status}\n${r.stderr}\n${d!.log().slice(-2000)}`);
  return r.stdout;
}

/**
 * A table as cells: the header's column starts (each header cell begins after a run of 2+ spaces)
 * cut every line; the last column runs to the end of the line.
 */
function cells(text: string): string[][] {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = lines[0];
  const starts = [0];
  for (const m of header.matchAll(/ {2,}(?=\S)/g)) starts.push(m.index! + m[0].length);
  return lines.map((l) => starts.map((s, i) => l.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trimEnd()));
}

/** The table from cells with the docker CLI's tabwriter (minwidth 10, padding 3): the layout docker prints. */
function layout(rows: string[][]): string {
  return tabwrite(rows.map((r) => `${r.join('\t')}\n`).join(''));
}

const AGO = /^(Less than a second|\d+ seconds?|About a minute|\d+ minutes) ago$/;

/** Checks a table of ours against the engine's: header, layout and every cell but the masked columns. */
function sameTable(ours: string, theirs: string, masks: Record<string, RegExp>): void {
  const a = cells(ours);
  const b = cells(theirs);
  // Both are exactly what the tabwriter makes of their cells (so the cut was right and the layout is docker's)…
  expect(layout(a)).toBe(ours);
  expect(layout(b)).toBe(theirs);
  // …the headers are the same, and so is every cell outside the masked columns.
  expect(a[0]).toEqual(b[0]);
  expect(a.length).toBe(b.length);
  const masked = a[0].map((h) => masks[h]);
  const strip = (rows: string[][]) => rows.slice(1).map((r) => r.map((c, i) => (masked[i] ? (masked[i]!.test(c) ? '<masked>' : `unexpected: ${c}`) : c)));
  expect(strip(a)).toEqual(strip(b));
  // With the masked cells made equal, the two tables are the same text: identical layout.
  const unify = (rows: string[][]) => [rows[0], ...rows.slice(1).map((r, k) => r.map((c, i) => (masked[i] ? a[k + 1][i] : c)))];
  expect(layout(unify(b))).toBe(ours);
}

beforeAll(async () => {
  dir = makeTempDir('docker-dockerd-text-');
  store = join(dir, 'store');
  if (withDocker) d = await startDockerd();
}, 60000);
afterAll(async () => {
  await d?.stop();
  removeTempDir(dir);
}, 60000);

dockerIt('docker images, history and inspect print what the real docker CLI prints for the same images', async () => {
  // The seed's images: a base OS image and, a second later (distinct Created seconds keep both
  // engines' newest-first order deterministic), a derived image committed from a container.
  const made = await posh(`Set-Location '${dir}'
New-Item -ItemType Directory core/Windows | Out-Null
Set-Content core/Windows/win.ini '[fonts]'
Set-Content core/License.txt 'Windows Server Core license text, long enough to make the size column wider'
New-ContainerOSImage -SourcePath core -Name WindowsServerCore -Version 10.0.10586.0 -Publisher CN=Microsoft -WimPath c.wim | Out-Null
Install-ContainerOSImage -WimPath c.wim
Start-Sleep -Milliseconds 1100
docker create --name iis windowsservercore:10.0.10586.0 | Out-Null
Set-Content (Join-Path (Get-Container iis).Path 'Windows/iis.txt') 'IIS server'
docker commit iis windowsservercoreiis | Out-Null
docker rm iis | Out-Null
docker save -o saved.tar windowsservercoreiis:latest windowsservercore:10.0.10586.0`);
  expect(made.errors).toEqual([]);

  // Our archive, its configs marked linux, into the engine.
  const archive = await ImageArchive.open(join(dir, 'saved.tar'));
  const specs: ArchiveImageSpec[] = [];
  try {
    for (const img of await archive.images()) {
      expect(img.config.os).toBe('windows');
      const config: ImageConfig = { ...img.config, os: 'linux' };
      delete config['os.version'];
      const layers = img.layers.map((l) => {
        expect(l.compression).toBe('none');
        return { mediaType: MediaType.OciLayer, digest: l.diffId, size: l.storedSize, open: () => l.open() };
      });
      specs.push({ config, layers, repoTags: img.repoTags });
    }
    await writeImageArchiveFile(join(dir, 'linux.tar'), specs);
  } finally {
    await archive.close();
  }
  expect(specs.map((s) => s.repoTags)).toEqual([['windowsservercoreiis:latest'], ['windowsservercore:10.0.10586.0']]);
  expect(docker(['load', '-i', join(dir, 'linux.tar')])).toBe('Loaded image: windowsservercoreiis:latest\nLoaded image: windowsservercore:10.0.10586.0\n');

  const hex12 = /^[0-9a-f]{12}$/;
  const images = (await posh('docker images')).out;
  sameTable(images, docker(['images']), { 'IMAGE ID': hex12, CREATED: AGO });
  expect(cells(images).slice(1).map((r) => `${r[0]}:${r[1]} ${r[4]}`)).toEqual(['windowsservercoreiis:latest 95B', 'windowsservercore:10.0.10586.0 84B']);

  for (const ref of ['windowsservercoreiis', 'windowsservercore:10.0.10586.0']) {
    const ours = (await posh(`docker history ${ref}`)).out;
    sameTable(ours, docker(['history', ref]), { IMAGE: /^([0-9a-f]{12}|<missing>)$/, CREATED: AGO });
  }
  const history = cells((await posh('docker history windowsservercoreiis')).out);
  expect(history.slice(1).map((r) => `${r[3]} ${r[4]}`)).toEqual(['11B CN=Docker_windowsservercoreiis_1.0.0.0', '84B CN=Microsoft_WindowsServerCore_10.0.10586.0']);

  // inspect: the same values through the same templates; only Os is what we had to change.
  const format = '{{.Os}} {{.Architecture}}|{{json .RepoTags}}|{{json .RootFS}}|{{.Size}}|{{.Created}}|{{.Comment}}|{{.Author}}|{{json .Config.Labels}}|{{.Config.Env}}|{{.Metadata.LastTagTime}}';
  for (const ref of ['windowsservercoreiis:latest', 'windowsservercore:10.0.10586.0']) {
    const ours = (await posh(`docker inspect -f '${format}' ${ref}`)).out;
    const theirs = docker(['inspect', '-f', format, ref]);
    expect(ours.startsWith('windows amd64|')).toBe(true);
    expect(theirs.startsWith('linux amd64|')).toBe(true);
    expect(ours.replace(/^windows /, 'linux ')).toBe(theirs);
  }
}, 120000);

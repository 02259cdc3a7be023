// docker inspect (image/container inspect objects, JSON and Go templates, the docker CLI's errors)
// and docker search (the ContainerImage provider's feeds in the docker CLI's search table), in-process.

import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, runInProcess } from '../helpers/posh';
import { makeWim, writeTree } from '../store/helpers';
import { openStore } from '../../core/store';
import { imageToOci } from '../../core/store-oci';
import { writeImageArchiveFile, type ImageConfig } from '../../core/oci';

let dir: string;
let home: string;
beforeAll(async () => {
  dir = makeTempDir('docker-inspect-search-');
  writeTree(join(dir, 'src'), { 'Windows/win.ini': '[fonts]', 'a.txt': 'a' });
  await makeWim(join(dir, 'src'), join(dir, 'nano.wim'), 'NanoServer', '10.0.14300.1010');
});
afterAll(() => removeTempDir(dir));
beforeEach(() => {
  home = join(dir, `home-${Math.random().toString(36).slice(2)}`);
});

async function run(script: string) {
  const { host, ok } = await runInProcess(`Install-ContainerOSImage '${join(dir, 'nano.wim')}'\n${script}`, { storeRoot: home });
  return { out: host.output, errors: host.errors, warnings: host.warnings, ok };
}

/** The message of each error record, without the command name and position decoration. */
function messages(errors: string[]): string[] {
  return errors.map((e) => e.replace(/^Invoke-Docker: /, '').replace(/\n$/, ''));
}

describe('docker inspect', () => {
  test('an image is a JSON array of the Engine API ImageInspect, indented by 4 spaces', async () => {
    const { out, errors, ok } = await run(`$i = Get-ContainerImage NanoServer
"$($i.ImageId) $($i.Size) $($i.Created.ToUniversalTime().ToString('o'))"
docker inspect nanoserver:10.0.14300.1010`);
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    const [head, ...json] = out.split('\n');
    const [imageId, size, created] = head.split(' ');
    const text = json.join('\n');
    expect(json.slice(0, 4)).toEqual(['[', '    {', `        "Id": "sha256:${imageId}",`, '        "RepoTags": [']);
    expect(text.endsWith('    }\n]\n')).toBe(true);
    const parsed = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(1);
    const img = parsed[0];
    expect(Object.keys(img)).toEqual([
      'Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig', 'DockerVersion', 'Author', 'Config',
      'Architecture', 'Os', 'OsVersion', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata',
    ]);
    expect(img.RepoTags).toEqual(['nanoserver:10.0.14300.1010']);
    expect(img.RepoDigests).toEqual([]);
    expect(img.Parent).toBe('');
    expect(img.Comment).toBe('CN=Microsoft_NanoServer_10.0.14300.1010'); // the exported config's last history comment
    expect(img.Architecture).toBe('amd64');
    expect(img.Os).toBe('windows');
    expect(img.OsVersion).toBe('10.0.14300.1010');
    expect(img.Size).toBe(Number(size));
    expect(Date.parse(img.Created as string)).toBe(Date.parse(created));
    expect(img.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
    expect((img.Config as Record<string, unknown>).Env).toBeNull();
    // RootFS.Layers are the OCI diff_ids core/store-oci exports (what a real engine shows after docker load)
    const store = openStore(home);
    const spec = await imageToOci(store, store.findImage(imageId)!);
    const diffIds = (spec.config as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
    expect(diffIds).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    expect(img.RootFS).toEqual({ Type: 'layers', Layers: diffIds });
    expect(diffIds[0]).not.toBe(`sha256:${store.findImage(imageId)!.layers[0]}`);
    expect((img.Config as Record<string, Record<string, string>>).Labels['io.posh-containers.image.name']).toBe('NanoServer');
    expect(img.Metadata).toEqual({ LastTagTime: '0001-01-01T00:00:00Z' });
    expect(text).toContain('\n            "Env": null,\n');
  });

  test('-f renders a Go template per object; typed values print as Go prints them', async () => {
    const { out, errors } = await run(`$id = (Get-ContainerImage NanoServer).ImageId
docker tag nanoserver:10.0.14300.1010 nanoserver:latest
(docker inspect -f '{{.Id}}' nanoserver) -eq "sha256:$id"
docker inspect --format '{{json .RepoTags}}|{{.Os}} {{.Architecture}}|{{.Config.Env}}|{{.Config.Entrypoint}}|{{.Parent}}|{{.Metadata.LastTagTime}}' nanoserver
docker image inspect --format='{{len .RootFS.Layers}} {{.RootFS.Type}} {{if .Config.Cmd}}cmd{{else}}no cmd{{end}}' $id.Substring(0, 12)
docker inspect -f '{{range .RepoTags}}[{{.}}]{{end}}' nanoserver nanoserver:latest`);
    expect(errors).toEqual([]);
    expect(out).toBe(
      'True\n' +
        '["nanoserver:10.0.14300.1010","nanoserver:latest"]|windows amd64|[]|[]||0001-01-01 00:00:00 +0000 UTC\n' +
        '1 layers no cmd\n' +
        '[nanoserver:10.0.14300.1010][nanoserver:latest]\n[nanoserver:10.0.14300.1010][nanoserver:latest]\n',
    );
  });

  test('unknown names are errors of their own; the others are still printed; exit status false', async () => {
    const { out, errors, ok } = await run(`docker inspect -f '{{.Os}}' nope nanoserver:10.0.14300.1010 nope2
docker inspect --type image nope
docker image inspect nope
docker container inspect nanoserver:10.0.14300.1010
docker inspect --type volume v
docker inspect --type service s`);
    expect(ok).toBe(false);
    expect(out).toBe('windows\n[]\n[]\n[]\n[]\n[]\n');
    expect(messages(errors)).toEqual([
      'Error: No such object: nope',
      'Error: No such object: nope2',
      'Error: No such image: nope',
      'Error: No such image: nope',
      'Error: No such container: nanoserver:10.0.14300.1010',
      'Error: No such volume: v',
      'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
    ]);
  });

  test('a field that is not there is the map error of docker inspect; nothing printed is one empty line', async () => {
    const { out, errors } = await run(`docker inspect -f '{{.Foo}}' nanoserver:10.0.14300.1010
docker inspect -f 'x{{.Config.Nope}}' nanoserver:10.0.14300.1010
docker inspect -f '{{.Id' nanoserver:10.0.14300.1010`);
    expect(out).toBe('\n\n');
    expect(messages(errors)).toEqual([
      'template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"',
      'template parsing error: template: :1:3: executing "" at <.Config.Nope>: map has no entry for key "Nope"',
      'template parsing error: template: :1: unclosed action',
    ]);
  });

  test('-f json is one compact line; usage errors are the CLI texts', async () => {
    const { out, errors } = await run(`$j = docker inspect -f json nanoserver:10.0.14300.1010
@($j).Count
($j | ConvertFrom-Json).Os
docker inspect
docker inspect --type foo x
docker image inspect --type image x
docker inspect -f`);
    expect(out).toBe('1\nwindows\n');
    expect(messages(errors)).toEqual([
      `"docker inspect" requires at least 1 argument.\nSee 'docker inspect --help'.`,
      `"foo" is not a valid value for --type`,
      `unknown flag: --type\nSee 'docker image inspect --help'.`,
      `flag needs an argument: 'f' in -f\nSee 'docker inspect --help'.`,
    ]);
  });

  test('containers: ContainerJSON with State created/running, Name /name, the image id; found before images', async () => {
    const { out, errors } = await run(`$cid = docker create --name web nanoserver:10.0.14300.1010
$img = (Get-ContainerImage NanoServer).ImageId
(docker inspect -f '{{.Id}}' web) -eq $cid
(docker inspect -f '{{.Image}}' $cid.Substring(0, 8)) -eq "sha256:$img"
docker container inspect -f '{{.Name}} {{.State.Status}} {{.State.Running}} {{.State.StartedAt}} {{.Platform}} {{.Config.Image}} {{.HostConfig.Isolation}}' web
Start-Container web
docker inspect --type container -f '{{.State.Status}} {{.State.Running}} {{json .Args}} {{.Path}}|' web
(docker inspect web | ConvertFrom-Json).State.Status
docker inspect --type image web`);
    expect(messages(errors)).toEqual(['Error: No such image: web']);
    expect(out).toBe(
      'True\nTrue\n' +
        '/web created false 0001-01-01T00:00:00Z windows nanoserver:10.0.14300.1010 process\n' +
        'running true [] |\n' +
        'running\n[]\n',
    );
  });

  test('a committed image names its parent; its OsVersion is its base image version', async () => {
    const { out, errors } = await run(`$c = docker create --name c nanoserver:10.0.14300.1010
Set-Content (Join-Path (Get-Container c).Path 'new.txt') 'new'
$id = docker commit c demo/app:v1
$parent = (Get-ContainerImage NanoServer).ImageId
(docker inspect -f '{{.Parent}}' demo/app:v1) -eq "sha256:$parent"
docker inspect -f '{{json .RepoTags}} {{.OsVersion}} {{len .RootFS.Layers}}' demo/app:v1`);
    expect(errors).toEqual([]);
    expect(out).toBe('True\n["demo/app:v1"] 10.0.14300.1010 2\n');
  });
});

test('an image loaded from an OCI image of another platform shows its os and architecture, and no OsVersion', async () => {
  const source = join(home, 'src-store');
  const { host } = await runInProcess(`Install-ContainerOSImage '${join(dir, 'nano.wim')}'`, { storeRoot: source });
  expect(host.errors).toEqual([]);
  const store = openStore(source);
  const spec = await imageToOci(store, store.listImages()[0]);
  const config = { ...(spec.config as ImageConfig), os: 'linux', architecture: 'arm64' };
  delete config['os.version'];
  const file = join(home, 'linux.tar');
  await writeImageArchiveFile(file, [{ config, layers: spec.layers, repoTags: ['tiny/linux:1'] }]);
  // a store of its own: in one with the windows image, load would reuse that image (same chain)
  const loaded = await runInProcess(`docker load -i '${file}' | Out-Null
docker inspect -f '{{.Os}} {{.Architecture}} [{{.OsVersion}}]' tiny/linux:1
(docker inspect tiny/linux:1 | ConvertFrom-Json).Os
docker create --name lx tiny/linux:1 | Out-Null
docker inspect -f '{{.Platform}}' lx`, { storeRoot: join(home, 'linux-store') });
  expect(loaded.host.errors).toEqual([]);
  expect(loaded.host.output).toBe('linux arm64 []\nlinux\nlinux\n');
  const { out } = await run(`docker inspect -f '{{.Os}} {{.Architecture}} [{{.OsVersion}}]' nanoserver:10.0.14300.1010`);
  expect(out).toBe('windows amd64 [10.0.14300.1010]\n');
});

test('docker inspect -s: SizeRw (what the container added or changed) and SizeRootFs; ignored for images with the warning', async () => {
  const { out, errors, warnings } = await run(`docker create --name web nanoserver:10.0.14300.1010 | Out-Null
$root = (Get-Container web).Path
Set-Content -NoNewline (Join-Path $root 'new.txt') '12345'
Set-Content -NoNewline (Join-Path $root 'a.txt') 'abc'
docker container inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' web
docker inspect -f '{{.SizeRw}}' web
docker inspect --size -f '{{.Size}}' nanoserver:10.0.14300.1010
docker image inspect -s nanoserver:10.0.14300.1010`);
  // the image: a.txt (1 byte) and Windows/win.ini ('[fonts]', 7 bytes); the container adds 5 and makes a.txt 3
  expect(out).toBe('8 15\n\n8\n');
  expect(messages(errors)).toEqual([
    'template parsing error: template: :1:2: executing "" at <.SizeRw>: map has no entry for key "SizeRw"',
    `unknown shorthand flag: 's' in -s\nSee 'docker image inspect --help'.`,
  ]);
  expect(warnings).toEqual(['--size ignored for image']);
});

describe('docker search', () => {
  const HEADER = 'NAME                DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED';

  test('searches the embedded gallery (offline) in the docker CLI table, descriptions cut at 45 with …', async () => {
    const { out, errors } = await run(`docker search server
docker search nano`);
    expect(errors).toEqual([]);
    expect(out).toBe(
      [
        HEADER,
        'nanoserver          Container OS Image of Windows Server 2016 Te…   0         [OK]       ',
        'windowsservercore   Container OS Image of Windows Server 2016 Te…   0         [OK]       ',
        'NAME         DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED',
        'nanoserver   Container OS Image of Windows Server 2016 Te…   0         [OK]       ',
        '',
      ].join('\n'),
    );
  });

  test('--no-trunc, --limit, --format, wildcards and the filters', async () => {
    const { out, errors } = await run(`docker search --no-trunc '*'
docker search --limit 1 --format '{{.Name}}' server
docker search --format 'table {{.Name}}\\t{{.StarCount}}' core
docker search -f is-official=true --format '{{.Name}}: {{.IsOfficial}}' server
docker search --filter is-official=false server
docker search --filter is-automated=false --filter stars=0 --format '{{.Name}}' Core
docker search -f stars=1 --format '{{.Name}}' server
docker search nothing-like-this`);
    expect(errors).toEqual([]);
    const wide = 'Container OS Image of Windows Server 2016 Technical Preview 5 : Windows Server Core';
    expect(out).toBe(
      [
        `NAME                ${'DESCRIPTION'.padEnd(wide.length + 3)}STARS     OFFICIAL   AUTOMATED`,
        `nanoserver          ${'Container OS Image of Windows Server 2016 Technical Preview 5 : Nano Server'.padEnd(wide.length + 3)}0         [OK]       `,
        `windowsservercore   ${wide}   0         [OK]       `,
        'nanoserver',
        'NAME                STARS',
        'windowsservercore   0',
        'nanoserver: [OK]',
        'windowsservercore: [OK]',
        'NAME      DESCRIPTION   STARS     OFFICIAL   AUTOMATED',
        'windowsservercore',
        'NAME      DESCRIPTION   STARS     OFFICIAL   AUTOMATED',
        '',
      ].join('\n'),
    );
  });

  test('a registered feed adds its images; an untrusted source is not OFFICIAL; the newest version of a name', async () => {
    const feed = join(home, 'feed');
    fs.mkdirSync(feed, { recursive: true });
    const { out, errors } = await run(`Install-PackageProvider ContainerImage -Force | Out-Null
Publish-ContainerImage -WimPath '${join(dir, 'nano.wim')}' -FeedPath '${feed}' -Name IisServer -Version 1.0 -Publisher CN=Demo -Summary 'IIS <on> Nano & more' | Out-Null
Publish-ContainerImage -WimPath '${join(dir, 'nano.wim')}' -FeedPath '${feed}' -Name IisServer -Version 2.0 -Publisher CN=Demo -Summary "IIS 2.0\`nsecond line" | Out-Null
Register-PackageSource -Name Mirror -Location '${feed}' -ProviderName ContainerImage | Out-Null
docker search iis
docker search --format '{{json .Description}} {{.IsOfficial}}' --filter is-official=false server`);
    expect(errors).toEqual([]);
    expect(out).toBe(
      [
        'NAME        DESCRIPTION           STARS     OFFICIAL   AUTOMATED',
        'iisserver   IIS 2.0 second line   0                    ',
        '"IIS 2.0 second line" ',
        '',
      ].join('\n'),
    );
  });

  test('usage, filter and limit errors are the docker CLI and engine texts', async () => {
    const { out, errors, ok } = await run(`docker search
docker search a b
docker search --bogus x
docker search -s 3 x
docker search --limit abc x
docker search --limit
docker search -f bad x
docker search -f color=red x
docker search -f stars=abc x
docker search -f is-official=maybe x
docker search -f is-official=true -f is-official=false x
docker search --limit 101 x
docker search --limit 0 x`);
    expect(ok).toBe(false);
    expect(out).toBe('');
    expect(messages(errors)).toEqual([
      `"docker search" requires exactly 1 argument.\nSee 'docker search --help'.`,
      `"docker search" requires exactly 1 argument.\nSee 'docker search --help'.`,
      `unknown flag: --bogus\nSee 'docker search --help'.`,
      `unknown shorthand flag: 's' in -s\nSee 'docker search --help'.`,
      `invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee 'docker search --help'.`,
      `flag needs an argument: --limit\nSee 'docker search --help'.`,
      `invalid argument "bad" for "-f, --filter" flag: bad format of filter (expected name=value)\nSee 'docker search --help'.`,
      `Error response from daemon: Invalid filter 'color'`,
      `Error response from daemon: Invalid filter 'stars=abc'`,
      `Error response from daemon: Invalid filter 'is-official=[maybe]'`,
      `Error response from daemon: Invalid filter 'is-official=[false true]'`,
      `Error response from daemon: Limit 101 is outside the range of [1, 100]`,
      `Error response from daemon: Limit 0 is outside the range of [1, 100]`,
    ]);
  });
});

// The real docker CLI (Debian's docker.io 20.10, the version whose texts we follow) formatting the
// same data: a fake engine on a unix socket answers its API calls with our inspect objects and the
// feeds' search results, so what differs can only be the formatting (tables, Go templates, JSON
// indentation, error texts). Missing CLI: skipped loudly, a failure when CI=true.
const DEBIAN_DOCKER = '/usr/bin/docker';
function haveDebianDocker(): boolean {
  const r = fs.existsSync(DEBIAN_DOCKER) ? spawnSync(DEBIAN_DOCKER, ['--version'], { encoding: 'utf8' }) : null;
  if (r && r.status === 0 && /version 20\.10\./.test(r.stdout)) return true;
  const msg = `${DEBIAN_DOCKER} (Debian's docker.io 20.10 CLI) is required to compare the docker CLI's text`;
  if (process.env.CI === 'true') throw new Error(`${msg} but is not available in CI`);
  // eslint-disable-next-line no-console
  console.warn(`\n*** ${msg}: those tests are SKIPPED. Install it: apt-get install -y docker.io ***\n`);
  return false;
}
const cliIt = haveDebianDocker() ? test : test.skip;

interface FakeEngine {
  run(args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  close(): Promise<void>;
}

/** An Engine API (1.41) on a unix socket; `route` answers a path (without the version) and query. */
async function fakeEngine(root: string, route: (path: string, query: URLSearchParams) => { status: number; body: string }): Promise<FakeEngine> {
  const sock = join(root, 'engine.sock');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const p = url.pathname.replace(/^\/v1\.\d+/, '');
    if (p === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const r = route(decodeURIComponent(p), url.searchParams);
    res.writeHead(r.status, { 'Api-Version': '1.41', 'Content-Type': 'application/json' });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  const config = join(root, 'docker-config');
  fs.mkdirSync(config, { recursive: true });
  return {
    run: (args) =>
      new Promise((resolve) => {
        execFile(DEBIAN_DOCKER, args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: config } }, (err, stdout, stderr) => {
          resolve({ stdout, stderr, code: err ? Number((err as { code?: number }).code ?? 1) : 0 });
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the real docker CLI formats the same data as we do', () => {
  cliIt('docker image/container inspect: JSON, Go templates and errors', async () => {
    const made = await run(`docker tag nanoserver:10.0.14300.1010 nanoserver:latest
docker create --name web nanoserver:latest | Out-Null
Start-Container web
docker image inspect nanoserver
'---'
docker container inspect web`);
    expect(made.errors).toEqual([]);
    const [imageJson, containerJson] = made.out.split('---\n');
    const image = (JSON.parse(imageJson) as unknown[])[0];
    const container = (JSON.parse(containerJson) as unknown[])[0];
    const { goJson } = await import('../../core/docker-text');
    const engine = await fakeEngine(home, (p) => {
      // the engine's JSON is Go's encoding (<, >, & escaped)
      if (p === '/images/nanoserver/json') return { status: 200, body: goJson(image) };
      if (p === '/containers/web/json') return { status: 200, body: goJson(container) };
      if (p === '/info') return { status: 200, body: '{"Swarm":{"ControlAvailable":false}}' };
      const what = /^\/(images|containers|networks|volumes|plugins)\/([^/]+)/.exec(p);
      return { status: 404, body: JSON.stringify({ message: `No such ${what ? what[1].replace(/s$/, '') : 'object'}: ${what ? what[2] : p}` }) };
    });
    try {
      const imageFormats = [
        '{{.Id}} {{json .RepoTags}} {{.Os}}/{{.Architecture}} {{.OsVersion}} {{.Size}} {{.Parent}}|{{.Comment}}|{{.Created}}',
        '{{.Config.Env}} {{.Config.Cmd}} {{json .Config.Entrypoint}} {{.Metadata.LastTagTime}} {{json .Metadata}} {{len .RootFS.Layers}} {{.RootFS.Layers}}',
        '{{json .Config}}',
        '{{json .}}',
        '{{json .GraphDriver}} {{json .ContainerConfig}} {{.VirtualSize}} {{.Container}}|',
        '{{range $k, $v := .Config.Labels}}{{$k}}={{len $v}} {{end}}|{{with .RootFS}}{{.Type}}{{end}}|{{with .Parent}}x{{else}}no parent{{end}}',
        '{{printf "%-12.12s|%5d|%q|%x" .Id .Size .Os .Architecture}} {{if gt .Size 5}}big{{end}} {{index .RepoTags 1}} {{(index .RootFS.Layers 0)}}',
        '{{upper .Os}} {{join .RepoTags ","}} {{title .Architecture}} {{lower "X"}} {{truncate .Id 10}} {{pad .Os 1 1}}|{{split .Id ":"}}',
        '{{.ID}}|{{.Config.Labels.nope}}|{{index .Config.Labels "nope"}}|{{.GraphDriver.Data.nope}}',
        '{{.Foo}}',
      ];
      for (const f of imageFormats) {
        const ours = await run(`docker image inspect -f '${f}' nanoserver`);
        const theirs = await engine.run(['image', 'inspect', '-f', f, 'nanoserver']);
        expect({ f, out: ours.out, err: messages(ours.errors) }).toEqual({ f, out: theirs.stdout, err: theirs.stderr ? [theirs.stderr.replace(/\n$/, '')] : [] });
      }
      const containerFormats = ['{{.Name}} {{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.Config.Hostname}} {{json .Args}} {{.Path}}| {{.HostConfig.Isolation}} {{.Image}} {{.Platform}} {{.Mounts}} {{.ExecIDs}}'];
      for (const f of containerFormats) {
        const ours = await run(`docker container inspect -f '${f}' web`);
        const theirs = await engine.run(['container', 'inspect', '-f', f, 'web']);
        expect({ f, out: ours.out, err: ours.errors }).toEqual({ f, out: theirs.stdout, err: [] });
      }
      // the indented JSON array, and the errors of names that are not there
      for (const args of [
        ['image', 'inspect', 'nanoserver'],
        ['container', 'inspect', 'web'],
        ['inspect', 'nanoserver', 'web'],
        ['inspect', '-f', '{{.Name}}{{.RepoTags}}', 'web', 'nope', 'nanoserver'],
        ['image', 'inspect', 'nope'],
        ['inspect', 'nope'],
        ['container', 'inspect', 'nope'],
        ['inspect', '-f', '{{.Id}}', 'nope'],
      ]) {
        const ours = await run(`docker ${args.map((a) => `'${a}'`).join(' ')}`);
        const theirs = await engine.run(args);
        // the CLI prints its errors as one message, one per line; ours are one record each
        expect({ args, out: ours.out, err: messages(ours.errors).join('\n') }).toEqual({ args, out: theirs.stdout, err: theirs.stderr.replace(/\n$/, '') });
      }
    } finally {
      await engine.close();
    }
  });

  cliIt('docker search: the table, --no-trunc and --format over the same results', async () => {
    const feed = join(home, 'feed');
    fs.mkdirSync(feed, { recursive: true });
    const setup = await run(`Install-PackageProvider ContainerImage -Force | Out-Null
Publish-ContainerImage -WimPath '${join(dir, 'nano.wim')}' -FeedPath '${feed}' -Name IisServer -Version 2.0 -Publisher CN=Demo -Summary "Internet Information Services (IIS) on Nano Server, with ASP.NET\`nand more — 2.0" | Out-Null
Register-PackageSource -Name Mirror -Location '${feed}' -ProviderName ContainerImage | Out-Null`);
    expect(setup.errors).toEqual([]);
    const { findImages } = await import('../../providers/containerimage');
    const request = { storeRoot: home, cwd: home, force: false, options: {}, writeVerbose() {}, writeWarning() {}, writeDebug() {}, writeProgress() {}, stopping: false };
    const refs = (await findImages({ names: [] }, request)).refs;
    expect(refs.map((r) => r.name)).toEqual(['NanoServer', 'WindowsServerCore', 'IisServer']);
    const engine = await fakeEngine(home, (p, q) => {
      if (p !== '/images/search') return { status: 404, body: '{"message":"page not found"}' };
      const term = (q.get('term') ?? '').toLowerCase();
      const results = refs
        .filter((r) => r.name.toLowerCase().includes(term) || r.summary.toLowerCase().includes(term)) // as ours: names and descriptions
        .map((r) => ({ star_count: 0, is_official: r.trusted, name: r.name.toLowerCase(), is_automated: false, description: r.summary }));
      return { status: 200, body: JSON.stringify(results) };
    });
    try {
      for (const args of [
        ['search', 'server'],
        ['search', '--no-trunc', 'server'],
        ['search', 'iis'],
        ['search', '--format', '{{.Name}}|{{.Description}}|{{.StarCount}}|{{.IsOfficial}}|{{.IsAutomated}}', 'server'],
        ['search', '--format', 'table {{.Name}}\\t{{.IsOfficial}}\\t{{.Description}}', 'server'],
        ['search', '--format', 'table', 'nano'],
      ]) {
        const ours = await run(`docker ${args.map((a) => `'${a}'`).join(' ')}`);
        const theirs = await engine.run(args);
        expect({ args, out: ours.out, err: ours.errors }).toEqual({ args, out: theirs.stdout, err: [] });
      }
    } finally {
      await engine.close();
    }
  });
});

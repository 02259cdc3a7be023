// `docker inspect`, `docker image inspect`, `docker container inspect`: the Engine API's inspect
// objects for the store's images and containers, as a JSON array or through a Go template.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { ContainerRecord, ImageRecord } from '../../../core/store';
import type { ImageConfig } from '../../../core/oci';
import { containerHex, dockerError, readList, referencesOf, resolveContainer, resolveImage, storeOf, writeText } from '../common';

type DockerText = typeof import('../../../core/docker-text');

/** The object types `docker inspect --type` accepts (docker/cli 20.10). */
const TYPES = ['container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];
const SWARM_TYPES = ['node', 'secret', 'service', 'task'];
const NOT_SWARM_MANAGER = 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/**
 * `docker inspect [-f FORMAT] [--type TYPE] NAME|ID...`; `fixedType` is 'image' or 'container'
 * for `docker image inspect` / `docker container inspect`.
 */
export async function inspect(ctx: CmdletContext, args: string[], fixedType?: 'image' | 'container'): Promise<void> {
  const command = fixedType ? `docker ${fixedType} inspect` : 'docker inspect';
  let format = '';
  let size = false;
  let type: string | undefined = fixedType;
  const names: string[] = [];
  const usage = (msg: string): never => ctx.throwTerminating(dockerError(ctx, msg, 'DockerUsage'));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (flag: string): string => {
      if (i + 1 >= args.length) usage(`flag needs an argument: ${flag}\nSee '${command} --help'.`);
      return args[++i];
    };
    if (a === '-f' || a === '--format') format = value(a === '-f' ? `'f' in -f` : '--format');
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a.startsWith('-f=')) format = a.slice(3);
    else if (/^-f./.test(a)) format = a.slice(2);
    else if (fixedType !== 'image' && (a === '-s' || a === '--size' || a === '--size=true')) size = true;
    else if (fixedType !== 'image' && a === '--size=false') size = false;
    else if (!fixedType && a === '--type') type = value('--type');
    else if (!fixedType && a.startsWith('--type=')) type = a.slice('--type='.length);
    else if (a === '--') names.push(...args.slice(i + 1)), (i = args.length);
    else if (a.startsWith('--')) usage(`unknown flag: ${a.replace(/=.*/, '')}\nSee '${command} --help'.`);
    else if (a.startsWith('-') && a.length > 1) usage(`unknown shorthand flag: '${a[1]}' in ${a}\nSee '${command} --help'.`);
    else names.push(a);
  }
  if (names.length === 0) usage(`"${command}" requires at least 1 argument.\nSee '${command} --help'.`);
  if (type !== undefined && type !== '' && !TYPES.includes(type)) usage(`"${type}" is not a valid value for --type`);
  if (type === '') type = undefined;

  const dt = require('../../../core/docker-text') as DockerText;
  // A format that does not parse is refused before anything is looked up (the CLI's exit status 64).
  const asJson = format === '' || format === 'json';
  // The exported config reads every layer (its diff_ids hash the layer tars): only when the output
  // can show a field that comes from it — the JSON, a template naming one, or one using a bare `.`.
  const needsOci = asJson || /\b(RootFS|Config|Comment|OsVersion|Author)\b/.test(format) || /(^|[\s(|{])\.(?=[\s)|}]|$)/.test(format);
  if (!asJson) {
    try {
      dt.parseTemplate(format);
    } catch (e) {
      if (e instanceof dt.TemplateError) ctx.throwTerminating(dockerError(ctx, `template parsing error: ${e.message}`, 'DockerFormat'));
      throw e;
    }
  }

  const images = type === undefined || type === 'image' ? readList(ctx) : [];
  const containers = type === undefined || type === 'container' ? storeOf(ctx).listContainers() : [];
  // Each name in order: its object, or its error (the docker CLI reports errors in this order).
  const results: Array<{ obj: unknown } | { error: string }> = [];
  let sizeIgnored = false;
  for (const name of names) {
    if (type !== undefined && type !== 'image' && type !== 'container') {
      results.push({ error: SWARM_TYPES.includes(type) ? NOT_SWARM_MANAGER : `Error: No such ${type}: ${name}` });
      continue;
    }
    const container = type === 'image' ? null : resolveContainer(containers, name);
    if (container) {
      results.push({ obj: containerObject(dt, container, images.length ? images : readList(ctx), size ? await containerSizes(ctx, container) : null) });
      continue;
    }
    const image = type === 'container' ? null : resolveImage(images, name).image;
    if (image) {
      if (size) sizeIgnored = true;
      results.push({ obj: imageObject(dt, image, images, needsOci ? await ociConfigOf(ctx, image) : null) });
      continue;
    }
    results.push({ error: `Error: No such ${type ?? 'object'}: ${name}` });
  }
  const found = results.flatMap((r) => ('obj' in r ? [r.obj] : []));
  const errors: string[] = [];

  if (sizeIgnored) ctx.writeWarning('--size ignored for image');
  if (asJson) {
    for (const r of results) if ('error' in r) errors.push(r.error);
    await writeText(ctx, found.length === 0 ? '[]' : format === 'json' ? dt.goJson(found) : dt.goJson(found, '    '));
  } else {
    // Each object through the template, then a newline; when none printed, one empty line. As the
    // docker CLI: first the typed struct (Go field names: ID, not Id), and when that fails the raw
    // JSON as Go decodes it (maps, json.Number), where a missing key is an error.
    let out = '';
    for (const r of results) {
      if ('error' in r) {
        errors.push(r.error);
        continue;
      }
      const o = r.obj;
      try {
        out += dt.executeTemplate(format, typedView(o as Record<string, unknown>), '') + '\n';
        continue;
      } catch (e) {
        if (!(e instanceof dt.TemplateError)) throw e;
      }
      try {
        out += dt.executeTemplate(format, dt.rawJsonView(o), '', { missingKey: 'error' }) + '\n';
      } catch (e) {
        if (!(e instanceof dt.TemplateError)) throw e;
        errors.push(`template parsing error: ${e.message}`);
      }
    }
    if (out === '') await ctx.write('');
    else await writeText(ctx, out);
  }
  for (const message of errors) {
    const notFound = message.startsWith('Error: No such') || message === NOT_SWARM_MANAGER;
    ctx.writeError(dockerError(ctx, message, notFound ? 'DockerNoSuchObject' : 'DockerFormat', notFound ? 'ObjectNotFound' : 'InvalidArgument'));
  }
}

export default function inspectCommand(ctx: CmdletContext, args: string[]): Promise<void> {
  return inspect(ctx, args);
}

/**
 * The image's OCI config as core/store-oci exports it (what `docker save`/`push` write and a real
 * engine shows after loading it): its rootfs.diff_ids (sha256 of each layer's uncompressed tar, one
 * streaming pass per layer) and labels. Null when the store's chain cannot be exported (a damaged
 * store): the store's own layer ids are shown then.
 */
async function ociConfigOf(ctx: CmdletContext, image: ImageRecord): Promise<ImageConfig | null> {
  const { imageToOci } = require('../../../core/store-oci') as typeof import('../../../core/store-oci');
  const { OciError } = require('../../../core/oci') as typeof import('../../../core/oci');
  try {
    const spec = await imageToOci(storeOf(ctx), image);
    return Buffer.isBuffer(spec.config) ? (JSON.parse(spec.config.toString('utf8')) as ImageConfig) : spec.config;
  } catch (e) {
    if (e instanceof OciError) return null;
    throw e;
  }
}

/**
 * An inspect object as the Engine API's Go struct shows it to a template: the field the JSON calls
 * `Id` is `ID` (types.ImageInspect, types.ContainerJSON); its JSON is still the object's.
 */
function typedView(o: Record<string, unknown>): Record<string, unknown> {
  const { Id, ...rest } = o;
  const view: Record<string, unknown> = { ID: Id, ...rest };
  Object.defineProperty(view, 'toJSON', { value: () => o, enumerable: false });
  return view;
}

/** A Go map[string]string: keys sorted (byte order) as encoding/json writes them; a missing key is no error. */
function goMap(dt: DockerText, m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = m[k];
  return dt.markGoMap(out);
}

/** The base OS image an image derives from (itself for a base image). */
function baseOf(image: ImageRecord, list: ImageRecord[]): ImageRecord {
  let r = image;
  for (let guard = 0; r.parentImageId && guard < 1000; guard++) {
    const parent = list.find((x) => x.imageId === r.parentImageId);
    if (!parent) break;
    r = parent;
  }
  return r;
}

/** A container.Config as the Engine shows it for an image with no run settings. */
function emptyConfig(dt: DockerText, hostname = '', image = ''): Record<string, unknown> {
  return {
    Hostname: hostname,
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: dt.NIL_SLICE,
    Cmd: dt.NIL_SLICE,
    Image: image,
    Volumes: dt.NIL_MAP,
    WorkingDir: '',
    Entrypoint: dt.NIL_SLICE,
    OnBuild: dt.NIL_SLICE,
    Labels: dt.NIL_MAP,
  };
}

/** The Engine API's ImageInspect for a store image: what the store knows, the rest empty as docker shows it. */
function imageObject(dt: DockerText, image: ImageRecord, list: ImageRecord[], oci: ImageConfig | null): Record<string, unknown> {
  const labels = oci?.config?.Labels;
  return {
    Id: `sha256:${image.imageId}`,
    RepoTags: referencesOf(image),
    RepoDigests: [],
    Parent: image.parentImageId ? `sha256:${image.parentImageId}` : '',
    // The engine shows the config's last history comment (here the image's FullName, as exported).
    Comment: oci?.history?.[oci.history.length - 1]?.comment ?? '',
    Created: dt.rfc3339Nano(image.created),
    // Container, ContainerConfig, VirtualSize: API 1.41's fields (Debian's engine 20.10 shows them).
    Container: '',
    ContainerConfig: emptyConfig(dt),
    DockerVersion: '',
    Author: oci?.author ?? '',
    Config: { ...emptyConfig(dt), Labels: labels && Object.keys(labels).length ? goMap(dt, labels) : dt.NIL_MAP },
    // Ours are windows/amd64; an image imported from an OCI image of another platform keeps it.
    Architecture: image.architecture ?? 'amd64',
    Os: image.os ?? 'windows',
    OsVersion: oci ? oci['os.version'] ?? '' : (image.os ?? 'windows') === 'windows' ? baseOf(image, list).version : '',
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Data: dt.NIL_MAP, Name: 'posh-containers' },
    RootFS: { Type: 'layers', Layers: oci ? oci.rootfs.diff_ids : image.layers.map((l) => `sha256:${l}`) },
    Metadata: { LastTagTime: new dt.GoTime(null) },
  };
}

/**
 * `-s`: SizeRw, the bytes of the files the container added or changed over its image (the diff
 * New-ContainerImage would commit), and SizeRootFs, the bytes of every file in its root directory.
 */
async function containerSizes(ctx: CmdletContext, c: ContainerRecord): Promise<{ rw: number; rootFs: number } | null> {
  const store = storeOf(ctx);
  let diff;
  try {
    diff = await store.diffContainer(c.containerId);
  } catch {
    return null; // no root directory: the engine omits the sizes it cannot compute
  }
  const rw = diff.entries.reduce((n, e) => n + (e.kind === 'file' ? e.size ?? 0 : 0), 0);
  const root = c.path ?? diff.container.path;
  let rootFs = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const d of await fs.promises.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) await walk(full);
      else if (d.isFile()) rootFs += (await fs.promises.lstat(full)).size;
    }
  };
  if (root) await walk(root);
  return { rw, rootFs };
}

/** The Engine API's ContainerJSON for a container record (no process is ever run in it). */
function containerObject(dt: DockerText, c: ContainerRecord, images: ImageRecord[], sizes: { rw: number; rootFs: number } | null): Record<string, unknown> {
  const id = containerHex(c.containerId);
  const image = images.find((i) => i.imageId === c.imageId);
  const running = c.state === 'Running';
  return {
    Id: id,
    Created: dt.rfc3339Nano(c.created),
    Path: '',
    Args: [],
    State: {
      Status: running ? 'running' : 'created',
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: running && c.started ? dt.rfc3339Nano(c.started) : '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Image: `sha256:${c.imageId}`,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: '',
    Name: `/${c.name}`,
    RestartCount: 0,
    Driver: 'posh-containers',
    Platform: image?.os ?? 'windows',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: dt.NIL_SLICE,
    HostConfig: { Isolation: c.runtimeType === 'HyperV' ? 'hyperv' : 'process' },
    GraphDriver: { Data: c.path ? goMap(dt, { Dir: c.path }) : dt.NIL_MAP, Name: 'posh-containers' },
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    Mounts: [],
    Config: emptyConfig(dt, id.slice(0, 12), image ? referencesOf(image)[0] ?? `sha256:${c.imageId}` : `sha256:${c.imageId}`),
  };
}

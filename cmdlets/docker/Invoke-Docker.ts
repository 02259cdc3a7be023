// Invoke-Docker (alias `docker`): the docker CLI's view of the local image store (SPEC §12).
// It parses its own arguments as the docker CLI does (passThruArguments): `docker images -a`,
// `docker image ls --format '{{.Repository}}'`. Output is the docker CLI's text, line by line.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { toDisplayString } from '../../core/engine/values';
import type { ContainerRecord, ImageRecord } from '../../core/store';
import { storeErrorRecord, storeOf } from '../containers/images';

/** A usage or daemon error, with the docker CLI's text as the message. */
function dockerError(ctx: CmdletContext, message: string, errorId: string, category: ErrorRecord['category'] = 'InvalidArgument'): ErrorRecord {
  return new ErrorRecord({
    message,
    errorId: `${errorId},${ctx.commandName}`,
    category,
    targetObject: null,
    invocationInfo: { commandName: ctx.commandName, extent: null, script: null },
  });
}

/** The options of `docker images` after the docker CLI's flag parsing. */
interface ImagesFlags {
  all: boolean;
  quiet: boolean;
  noTrunc: boolean;
  digests: boolean;
  format?: string;
  filters: string[];
  reference?: string;
}

/** Parses `docker images` flags (pflag style: `-aq`, `--format x`, `--format=x`, `-f x`). */
function parseImagesFlags(args: string[]): ImagesFlags | string {
  const flags: ImagesFlags = { all: false, quiet: false, noTrunc: false, digests: false, filters: [] };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const valueOf = (name: string, inline: string | undefined): string | null => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) return null;
      return args[++i];
    };
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'all') flags.all = true;
      else if (name === 'quiet') flags.quiet = true;
      else if (name === 'no-trunc') flags.noTrunc = true;
      else if (name === 'digests') flags.digests = true;
      else if (name === 'format' || name === 'filter') {
        const v = valueOf(name, inline);
        if (v === null) return `flag needs an argument: --${name}`;
        if (name === 'format') flags.format = v;
        else flags.filters.push(v);
      } else return `unknown flag: --${name}`;
    } else if (a.startsWith('-') && a.length > 1) {
      // Shorthands, possibly combined (`-aq`); `-f` takes the rest or the next argument.
      const colon = a.indexOf(':');
      const body = colon < 0 ? a.slice(1) : a.slice(1, colon);
      for (let k = 0; k < body.length; k++) {
        const c = body[k];
        if (c === 'a') flags.all = true;
        else if (c === 'q') flags.quiet = true;
        else if (c === 'f') {
          const rest = body.slice(k + 1) || (colon < 0 ? '' : a.slice(colon + 1));
          const v = rest !== '' ? rest.replace(/^=/, '') : valueOf('f', undefined);
          if (v === null) return `flag needs an argument: 'f' in -f`;
          flags.filters.push(v);
          break;
        } else return `unknown shorthand flag: '${c}' in ${a}`;
      }
    } else positional.push(a);
  }
  if (positional.length > 1) return '"docker images" requires at most 1 argument.';
  flags.reference = positional[0];
  return flags;
}

/** Newest first, as the daemon lists them. */
function byCreatedDesc(a: ImageRecord, b: ImageRecord): number {
  return Date.parse(b.created) - Date.parse(a.created) || a.imageId.localeCompare(b.imageId);
}

async function images(ctx: CmdletContext, args: string[]): Promise<void> {
  const flags = parseImagesFlags(args);
  if (typeof flags === 'string') {
    ctx.throwTerminating(dockerError(ctx, `${flags}\nSee 'docker images --help'.`, 'DockerUsage'));
  }
  const dt = require('../../core/docker-text') as typeof import('../../core/docker-text');
  let filters;
  try {
    filters = dt.parseFilters(flags.filters);
    filters.validate(dt.IMAGE_FILTERS);
  } catch (e) {
    if (e instanceof dt.FilterError) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${e.message}`, 'DockerFilter'));
    throw e;
  }
  let danglingOnly: boolean | undefined;
  try {
    danglingOnly = filters.has('dangling') ? filters.getBool('dangling', false) : undefined;
  } catch (e) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${(e as Error).message}`, 'DockerFilter'));
  }
  const store = storeOf(ctx);
  let list: ImageRecord[];
  try {
    list = store.listImages().slice().sort(byCreatedDesc);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
  }
  const references = [...filters.get('reference'), ...(flags.reference !== undefined ? [flags.reference] : [])];
  // before/since: images created before (after) each named image; label: no image here has labels.
  const bounds: { before: number[]; since: number[] } = { before: [], since: [] };
  for (const key of ['before', 'since'] as const) {
    for (const v of filters.get(key)) {
      const { image, shown } = resolveImage(list, v);
      if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
      bounds[key].push(Date.parse(image.created));
    }
  }
  if (filters.has('until')) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: invalid filter 'until': not supported by this image store`, 'DockerFilter'));
  }
  const rows = [];
  for (const r of list) {
    const created = Date.parse(r.created);
    if (filters.has('label')) continue;
    if (bounds.before.some((t) => created >= t) || bounds.since.some((t) => created <= t)) continue;
    // Every image of the store has a name and version, so none is dangling.
    if (danglingOnly === true) continue;
    for (const ref of referencesOf(r)) {
      const { repository, tag } = splitReference(ref);
      if (references.length && !references.some((p) => dt.matchReference(p, repository, tag))) continue;
      rows.push({ repository, tag, id: `sha256:${r.imageId}`, created: Date.parse(r.created), size: r.size });
    }
  }
  let text: string;
  try {
    // Like the docker CLI, -q prints one id per row: an image with several references repeats.
    text = dt.renderImages(rows, { quiet: flags.quiet, noTrunc: flags.noTrunc, digests: flags.digests, format: flags.format });
  } catch (e) {
    if (e instanceof dt.TemplateError) ctx.throwTerminating(dockerError(ctx, `template parsing error: ${e.message}`, 'DockerFormat'));
    throw e;
  }
  await writeText(ctx, text);
}

/** `name[:tag]` as the docker CLI splits it (a colon after the last slash starts the tag); tag defaults to latest. */
function splitReference(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

/**
 * The image a docker reference names: a full or ≥12-hex ImageId (with or without `sha256:`), or
 * `repository[:tag]` where a base image's repository is its lower-case name and its tag its version.
 * The second value is the text docker's "No such image" error names.
 */
function resolveImage(list: ImageRecord[], ref: string): { image: ImageRecord | null; shown: string } {
  const hex = /^(?:sha256:)?([0-9a-f]{12,64})$/.exec(ref);
  if (hex) {
    const matches = list.filter((r) => r.imageId.startsWith(hex[1]));
    if (matches.length === 1) return { image: matches[0], shown: ref };
  }
  const { repository, tag } = splitReference(ref);
  const full = `${repository}:${tag}`;
  const image = list.find((r) => r.tags?.includes(full)) ?? list.find((r) => r.implicitReference !== false && implicitReference(r) === full) ?? null;
  return { image, shown: full };
}

/** The reference every image has: its lower-case name and its version. */
function implicitReference(r: ImageRecord): string {
  return `${r.name.toLowerCase()}:${r.version}`;
}

/** Every reference of an image: the implicit one, then its docker tags. */
function referencesOf(r: ImageRecord): string[] {
  const tags = r.tags ?? [];
  if (r.implicitReference === false) return tags;
  return [implicitReference(r), ...tags.filter((t) => t !== implicitReference(r))];
}

function readList(ctx: CmdletContext): ImageRecord[] {
  const store = storeOf(ctx);
  try {
    return store.listImages();
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
  }
}

/** Output text, one string per line (no trailing empty line). */
async function writeText(ctx: CmdletContext, text: string): Promise<void> {
  if (text === '') return;
  await ctx.writeAll(text.replace(/\n$/, '').split('\n'));
}

/** `docker history [-q] [--no-trunc] [-H=false] [--format] IMAGE`: the image, then its parents. */
async function history(ctx: CmdletContext, args: string[]): Promise<void> {
  let quiet = false;
  let noTrunc = false;
  let human = true;
  let format: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '--no-trunc') noTrunc = true;
    else if (a === '-H' || a === '--human' || a === '-H=true' || a === '--human=true') human = true;
    else if (a === '-H=false' || a === '--human=false') human = false;
    else if (a === '--format' && i + 1 < args.length) format = args[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a.startsWith('-') && a.length > 1) {
      ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker history --help'.`, 'DockerUsage'));
    } else positional.push(a);
  }
  if (positional.length !== 1) {
    ctx.throwTerminating(dockerError(ctx, `"docker history" requires exactly 1 argument.\nSee 'docker history --help'.`, 'DockerUsage'));
  }
  const list = readList(ctx);
  const { image, shown } = resolveImage(list, positional[0]);
  if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  const store = storeOf(ctx);
  const rows = [];
  for (let r: ImageRecord | undefined = image; r; r = r.parentImageId ? list.find((x) => x.imageId === r!.parentImageId) : undefined) {
    const parent = r.parentImageId ? list.find((x) => x.imageId === r!.parentImageId) : undefined;
    const own = r.layers.filter((l) => !parent?.layers.includes(l));
    let size = 0;
    for (const l of own) for (const e of (await store.readLayer(l)).entries) size += e.size ?? 0;
    rows.push({ id: `sha256:${r.imageId}`, created: Date.parse(r.created), createdBy: '', size });
  }
  const dt = require('../../core/docker-text') as typeof import('../../core/docker-text');
  try {
    await writeText(ctx, dt.renderHistory(rows, { quiet, noTrunc, human, format }));
  } catch (e) {
    if (e instanceof dt.TemplateError) ctx.throwTerminating(dockerError(ctx, `template parsing error: ${e.message}`, 'DockerFormat'));
    throw e;
  }
}

const REPOSITORY_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** `docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`. */
async function tag(ctx: CmdletContext, args: string[]): Promise<void> {
  if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
    ctx.throwTerminating(dockerError(ctx, `"docker tag" requires exactly 2 arguments.\nSee 'docker tag --help'.`, 'DockerUsage'));
  }
  const target = splitReference(args[1]);
  if (!REPOSITORY_RE.test(target.repository) || !TAG_RE.test(target.tag)) {
    const upper = REPOSITORY_RE.test(target.repository.toLowerCase()) && TAG_RE.test(target.tag);
    ctx.throwTerminating(dockerError(ctx, upper ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format', 'DockerInvalidReference'));
  }
  const list = readList(ctx);
  const { image, shown } = resolveImage(list, args[0]);
  if (!image) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  const ref = `${target.repository}:${target.tag}`;
  if (image.implicitReference !== false && implicitReference(image) === ref) return;
  const store = storeOf(ctx);
  try {
    await store.tagImage(image.imageId, ref);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerTagFailed', ref));
  }
}

/** A container id as docker shows it: 12 hex digits. */
function shortContainerId(id: string): string {
  return id.replace(/-/g, '').slice(0, 12);
}

/** `docker rmi [-f] IMAGE...`: untags references and deletes images nothing else uses. */
async function rmi(ctx: CmdletContext, args: string[]): Promise<void> {
  let force = false;
  const names: string[] = [];
  for (const a of args) {
    if (a === '-f' || a === '--force') force = true;
    else if (a === '--no-prune') continue;
    else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker rmi --help'.`, 'DockerUsage'));
    else names.push(a);
  }
  if (names.length === 0) ctx.throwTerminating(dockerError(ctx, `"docker rmi" requires at least 1 argument.\nSee 'docker rmi --help'.`, 'DockerUsage'));
  const store = storeOf(ctx);
  const fail = (message: string, id: string) => ctx.writeError(dockerError(ctx, `Error response from daemon: ${message}`, id, 'ResourceUnavailable'));
  for (const name of names) {
    const list = readList(ctx);
    const containers = store.listContainers();
    const { image, shown } = resolveImage(list, name);
    if (!image) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
      continue;
    }
    const short = image.imageId.slice(0, 12);
    const byId = /^(?:sha256:)?[0-9a-f]{12,64}$/.test(name) && image.imageId.startsWith(name.replace(/^sha256:/, ''));
    const ref = byId ? null : `${splitReference(name).repository}:${splitReference(name).tag}`;
    const refs = referencesOf(image);
    // A docker tag that is not the image's last reference: untag only.
    if (ref !== null && image.tags?.includes(ref) && refs.length > 1) {
      await store.untagImage(ref);
      await ctx.write(`Untagged: ${ref}`);
      continue;
    }
    const users = containers.filter((c) => c.imageId === image.imageId);
    const running = users.find((c) => c.state === 'Running');
    if (running) {
      fail(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${shortContainerId(running.containerId)}`, 'DockerImageConflict');
      continue;
    }
    if (users.length) {
      if (ref !== null) fail(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortContainerId(users[0].containerId)} is using its referenced image ${short}`, 'DockerImageConflict');
      else fail(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${shortContainerId(users[0].containerId)}`, 'DockerImageConflict');
      continue;
    }
    if (list.some((r) => r.parentImageId === image.imageId)) {
      fail(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`, 'DockerImageConflict');
      continue;
    }
    const repositories = new Set(refs.map((r) => splitReference(r).repository));
    if (repositories.size > 1 && !force) {
      fail(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`, 'DockerImageConflict');
      continue;
    }
    try {
      await store.removeImage(image.imageId);
    } catch (e) {
      ctx.writeError(storeErrorRecord(e, ctx, 'DockerRemoveFailed', name));
      continue;
    }
    for (const r of refs) await ctx.write(`Untagged: ${r}`);
    await ctx.write(`Deleted: sha256:${image.imageId}`);
  }
}

/** Docker's id of a container: its GUID's 32 hex digits. */
function containerHex(id: string): string {
  return id.replace(/-/g, '');
}

/** A container by name, or by a prefix of its id (hex, dashes optional). */
function resolveContainer(list: ContainerRecord[], ref: string): ContainerRecord | null {
  const byName = list.find((c) => c.name === ref.replace(/^\//, ''));
  if (byName) return byName;
  const hex = ref.toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  const hits = list.filter((c) => containerHex(c.containerId).startsWith(hex));
  return hits.length === 1 ? hits[0] : null;
}

/** `docker ps [-a] [-q] [--no-trunc] [--format]`: running containers, or all with -a; newest first. */
async function ps(ctx: CmdletContext, args: string[]): Promise<void> {
  let all = false;
  let quiet = false;
  let noTrunc = false;
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--all') all = true;
    else if (a === '--quiet') quiet = true;
    else if (a === '--no-trunc') noTrunc = true;
    else if (a === '--format' && i + 1 < args.length) format = args[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (/^-[aq]+$/.test(a)) {
      if (a.includes('a')) all = true;
      if (a.includes('q')) quiet = true;
    } else ctx.throwTerminating(dockerError(ctx, `${a.startsWith('-') ? `unknown flag: ${a}` : '"docker ps" accepts no arguments.'}\nSee 'docker ps --help'.`, 'DockerUsage'));
  }
  const store = storeOf(ctx);
  const images = readList(ctx);
  const containers = store.listContainers().filter((c) => all || c.state === 'Running');
  containers.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  const dt = require('../../core/docker-text') as typeof import('../../core/docker-text');
  const now = Date.now();
  const rows = containers.map((c) => {
    const image = images.find((i) => i.imageId === c.imageId);
    const id = containerHex(c.containerId);
    return {
      ID: noTrunc ? id : id.slice(0, 12),
      Image: image ? referencesOf(image)[0] ?? image.imageId.slice(0, 12) : c.imageId.slice(0, 12),
      Command: '""',
      RunningFor: dt.createdSince(Date.parse(c.created), now),
      CreatedAt: c.created,
      Status: c.state === 'Running' && c.started ? `Up ${dt.humanDuration(now - Date.parse(c.started))}` : 'Created',
      Ports: '',
      Names: c.name,
    };
  });
  const headers = { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', CreatedAt: 'CREATED AT', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES' };
  const fmt = quiet ? '{{.ID}}' : format ?? 'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';
  try {
    await writeText(ctx, dt.renderFormat({ format: fmt, headers, typeName: '*formatter.ContainerContext', rows }));
  } catch (e) {
    if (e instanceof dt.TemplateError) ctx.throwTerminating(dockerError(ctx, `template parsing error: ${e.message}`, 'DockerFormat'));
    throw e;
  }
}

const NAME_LEFT = ['admiring', 'brave', 'calm', 'eager', 'focused', 'gentle', 'happy', 'jolly', 'keen', 'nifty', 'quirky', 'vibrant'];
const NAME_RIGHT = ['babbage', 'curie', 'darwin', 'euler', 'hopper', 'lovelace', 'noether', 'pascal', 'ritchie', 'turing'];

/** `docker create|run [--name NAME] IMAGE [COMMAND...]`: a container record; no process is run. */
async function create(ctx: CmdletContext, args: string[], run: boolean): Promise<void> {
  const verb = run ? 'run' : 'create';
  let name: string | undefined;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (a === '--name' && i + 1 < args.length) name = args[++i];
    else if (a.startsWith('--name=')) name = a.slice('--name='.length);
    else if (/^-[itd]+$/.test(a) || a === '--rm' || a === '--interactive' || a === '--tty' || a === '--detach') continue;
    else ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker ${verb} --help'.`, 'DockerUsage'));
  }
  if (i >= args.length) ctx.throwTerminating(dockerError(ctx, `"docker ${verb}" requires at least 1 argument.\nSee 'docker ${verb} --help'.`, 'DockerUsage'));
  const { image, shown } = resolveImage(readList(ctx), args[i]);
  if (!image) {
    ctx.throwTerminating(dockerError(ctx, `Unable to find image '${shown}' locally\nError response from daemon: No such image: ${shown}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  }
  const store = storeOf(ctx);
  const taken = new Set(store.listContainers().map((c) => c.name.toLowerCase()));
  if (name === undefined) {
    for (let n = 0; name === undefined || taken.has(name); n++) {
      const base = `${NAME_LEFT[Math.floor(Math.random() * NAME_LEFT.length)]}_${NAME_RIGHT[Math.floor(Math.random() * NAME_RIGHT.length)]}`;
      name = n < 20 ? base : `${base}${n}`;
    }
  } else if (taken.has(name.toLowerCase())) {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: Conflict. The container name "/${name}" is already in use.`, 'DockerNameConflict', 'ResourceExists'));
  }
  let rec: ContainerRecord;
  try {
    rec = await store.createContainer({ name, imageId: image.imageId });
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerCreateFailed', name));
  }
  await ctx.write(containerHex(rec.containerId));
  if (run) ctx.writeWarning(`The container '${rec.name}' was created; no process is executed in it (use Start-Container to mark it running).`);
}

/** `docker rm [-f] CONTAINER...`: prints each name as given once removed. */
async function rm(ctx: CmdletContext, args: string[]): Promise<void> {
  let force = false;
  const names: string[] = [];
  for (const a of args) {
    if (a === '-f' || a === '--force') force = true;
    else if (a.startsWith('-') && a.length > 1) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${a}\nSee 'docker rm --help'.`, 'DockerUsage'));
    else names.push(a);
  }
  if (names.length === 0) ctx.throwTerminating(dockerError(ctx, `"docker rm" requires at least 1 argument.\nSee 'docker rm --help'.`, 'DockerUsage'));
  const store = storeOf(ctx);
  for (const n of names) {
    const c = resolveContainer(store.listContainers(), n);
    if (!c) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: No such container: ${n}`, 'DockerNoSuchContainer', 'ObjectNotFound'));
      continue;
    }
    if (c.state === 'Running' && !force) {
      ctx.writeError(dockerError(ctx, `Error response from daemon: cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`, 'DockerContainerRunning', 'InvalidOperation'));
      continue;
    }
    try {
      await store.removeContainer(c.containerId);
    } catch (e) {
      ctx.writeError(storeErrorRecord(e, ctx, 'DockerRemoveFailed', n));
      continue;
    }
    await ctx.write(n);
  }
}

/**
 * `docker commit CONTAINER [REPOSITORY[:TAG]]`: New-ContainerImage underneath. The image's name is
 * the repository; a numeric tag (`1.0`) is its version, else its version is the first free
 * `1.0.0.N` and the reference is exactly REPOSITORY:TAG (tag `latest` when omitted). Without a
 * REPOSITORY the image is named `<container name>-commit`, with its `name:version` reference.
 * Prints the new image's full id (64 hex digits).
 */
async function commit(ctx: CmdletContext, args: string[]): Promise<void> {
  const positional = args.filter((a) => !a.startsWith('-'));
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown) ctx.throwTerminating(dockerError(ctx, `unknown flag: ${unknown}\nSee 'docker commit --help'.`, 'DockerUsage'));
  if (positional.length < 1 || positional.length > 2) {
    ctx.throwTerminating(dockerError(ctx, `"docker commit" requires at least 1 and at most 2 arguments.\nSee 'docker commit --help'.`, 'DockerUsage'));
  }
  const store = storeOf(ctx);
  const container = resolveContainer(store.listContainers(), positional[0]);
  if (!container) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: No such container: ${positional[0]}`, 'DockerNoSuchContainer', 'ObjectNotFound'));
  let target: { repository: string; tag: string } | null = null;
  if (positional[1] !== undefined) {
    target = splitReference(positional[1]);
    if (!REPOSITORY_RE.test(target.repository) || !TAG_RE.test(target.tag)) {
      ctx.throwTerminating(dockerError(ctx, 'invalid reference format', 'DockerInvalidReference'));
    }
  }
  const list = readList(ctx);
  const name = target ? target.repository : `${container.name}-commit`;
  const numeric = target && /^\d+(\.\d+){0,3}$/.test(target.tag) ? target.tag.split('.') : null;
  let version: string;
  if (numeric) {
    while (numeric.length < 4) numeric.push('0');
    version = numeric.join('.');
  } else {
    let n = 0;
    const taken = (v: string) => list.some((r) => r.publisher === 'CN=Docker' && r.name === name && r.version === v);
    while (taken(`1.0.0.${n}`)) n++;
    version = `1.0.0.${n}`;
  }
  let result;
  try {
    const diff = await store.diffContainer(container.containerId);
    result = await store.importEntries({ name, publisher: 'CN=Docker', version, parentImageId: diff.image.imageId, isOSImage: false }, diff.entries);
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerCommitFailed', container.name));
  }
  if (result.status === 'exists') {
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: the image ${name}:${version} already exists`, 'DockerImageExists', 'ResourceExists'));
  }
  if (target && !(numeric && implicitReference(result.image) === `${target.repository}:${target.tag}`)) {
    try {
      await store.tagImage(result.image.imageId, `${target.repository}:${target.tag}`, { dropImplicitReference: true });
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerTagFailed', positional[1]));
    }
  }
  await ctx.write(result.image.imageId);
}

export default defineCmdlet({
  verb: 'Invoke',
  noun: 'Docker',
  module: 'Docker',
  synopsis: 'Runs a docker CLI command against the local image store.',
  passThruArguments: true,
  parameters: [
    {
      name: 'Arguments',
      type: 'object[]',
      position: 0,
      valueFromRemainingArguments: true,
      description: 'The docker command and its flags and arguments, as the docker CLI takes them (for example images -a).',
    },
  ],
  async end(ctx: CmdletContext) {
    const raw = ctx.params.Arguments;
    const args = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((a) => toDisplayString(a));
    const [command, ...rest] = args;
    if (command === undefined) {
      ctx.throwTerminating(dockerError(ctx, "Usage:  docker [OPTIONS] COMMAND\nCommands: images (image ls), tag, rmi (image rm), history, ps, create, run, rm, commit.", 'DockerUsage'));
    }
    if (command === 'images') return images(ctx, rest);
    if (command === 'commit' || (command === 'container' && rest[0] === 'commit')) return commit(ctx, command === 'commit' ? rest : rest.slice(1));
    if (command === 'ps' || (command === 'container' && (rest[0] === 'ls' || rest[0] === 'list'))) return ps(ctx, command === 'ps' ? rest : rest.slice(1));
    if (command === 'create' || command === 'run') return create(ctx, rest, command === 'run');
    if (command === 'rm' || (command === 'container' && rest[0] === 'rm')) return rm(ctx, command === 'rm' ? rest : rest.slice(1));
    if (command === 'tag' || (command === 'image' && rest[0] === 'tag')) return tag(ctx, command === 'tag' ? rest : rest.slice(1));
    if (command === 'rmi' || (command === 'image' && (rest[0] === 'rm' || rest[0] === 'remove'))) return rmi(ctx, command === 'rmi' ? rest : rest.slice(1));
    if (command === 'history' || (command === 'image' && rest[0] === 'history')) return history(ctx, command === 'history' ? rest : rest.slice(1));
    if (command === 'image' && (rest[0] === 'ls' || rest[0] === 'list')) return images(ctx, rest.slice(1));
    const name = (command === 'image' || command === 'container') && rest[0] !== undefined ? `${command} ${rest[0]}` : command;
    ctx.throwTerminating(dockerError(ctx, `docker: '${name}' is not a docker command.\nSee 'docker --help'`, 'DockerUnknownCommand', 'ObjectNotFound'));
  },
});

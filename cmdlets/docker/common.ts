// Shared by the docker commands (cmdlets/docker/commands/*): error records with the docker CLI's
// texts, references as the docker CLI parses them, and the store's images seen as docker images.

import type { CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import type { ContainerRecord, ImageRecord } from '../../core/store';
import { storeErrorRecord, storeOf } from '../containers/images';

export { storeErrorRecord, storeOf };

/** One docker command: `docker <name> args…` runs it with the arguments after its name. */
export type DockerCommand = (ctx: CmdletContext, args: string[]) => Promise<void>;

/** A usage or daemon error, with the docker CLI's text as the message. */
export function dockerError(ctx: CmdletContext, message: string, errorId: string, category: ErrorRecord['category'] = 'InvalidArgument'): ErrorRecord {
  return new ErrorRecord({
    message,
    errorId: `${errorId},${ctx.commandName}`,
    category,
    targetObject: null,
    invocationInfo: { commandName: ctx.commandName, extent: null, script: null },
  });
}

/** `name[:tag]` as the docker CLI splits it (a colon after the last slash starts the tag); tag defaults to latest. */
export function splitReference(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

/**
 * The image a docker reference names: a full or ≥12-hex ImageId (with or without `sha256:`), or
 * `repository[:tag]` where a base image's repository is its lower-case name and its tag its version.
 * The second value is the text docker's "No such image" error names.
 */
export function resolveImage(list: ImageRecord[], ref: string): { image: ImageRecord | null; shown: string } {
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
export function implicitReference(r: ImageRecord): string {
  return `${r.name.toLowerCase()}:${r.version}`;
}

/** Every reference of an image: the implicit one, then its docker tags. */
export function referencesOf(r: ImageRecord): string[] {
  const tags = r.tags ?? [];
  if (r.implicitReference === false) return tags;
  return [implicitReference(r), ...tags.filter((t) => t !== implicitReference(r))];
}

export function readList(ctx: CmdletContext): ImageRecord[] {
  const store = storeOf(ctx);
  try {
    return store.listImages();
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
  }
}

/** Output text, one string per line (no trailing empty line). */
export async function writeText(ctx: CmdletContext, text: string): Promise<void> {
  if (text === '') return;
  await ctx.writeAll(text.replace(/\n$/, '').split('\n'));
}

/**
 * A repository as the docker CLI accepts it: an optional registry host (a first component with a
 * `.` or a `:port`, or `localhost`: `127.0.0.1:5000/`, `registry.example.com/`) then lower-case path components.
 */
export const REPOSITORY_RE =
  /^(?:(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?=:))(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export const TAG_RE = /^[\w][\w.-]{0,127}$/;

/** A container id as docker shows it: 12 hex digits. */
export function shortContainerId(id: string): string {
  return id.replace(/-/g, '').slice(0, 12);
}

/** Docker's id of a container: its GUID's 32 hex digits. */
export function containerHex(id: string): string {
  return id.replace(/-/g, '');
}

/** A container by name, or by a prefix of its id (hex, dashes optional). */
export function resolveContainer(list: ContainerRecord[], ref: string): ContainerRecord | null {
  const byName = list.find((c) => c.name === ref.replace(/^\//, ''));
  if (byName) return byName;
  const hex = ref.toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  const hits = list.filter((c) => containerHex(c.containerId).startsWith(hex));
  return hits.length === 1 ? hits[0] : null;
}

/** Renders docker text with a Go template, turning a template error into docker's message. */
export async function writeRendered(ctx: CmdletContext, render: () => string): Promise<void> {
  const dt = require('../../core/docker-text') as typeof import('../../core/docker-text');
  let text: string;
  try {
    text = render();
  } catch (e) {
    if (e instanceof dt.TemplateError) ctx.throwTerminating(dockerError(ctx, `template parsing error: ${e.message}`, 'DockerFormat'));
    throw e;
  }
  await writeText(ctx, text);
}

// Shared by the Containers cmdlets: ContainerImage objects (SPEC §11), store access, path
// resolution and the mapping of store errors to ErrorRecords.

import { isAbsolute, resolve } from 'node:path';
import type { CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord, type ErrorCategory } from '../../core/engine/errors';
import type { SessionState } from '../../core/engine/session';
import { PSObject, PSVersion } from '../../core/engine/values';
import type { ImageRecord, ImageStore } from '../../core/store';

export const CONTAINER_IMAGE_TYPE = 'Microsoft.Containers.PowerShell.Objects.ContainerImage';

export function storeOf(ctx: CmdletContext): ImageStore {
  // Loaded lazily: Get-Command and the like should not pay for the store module.
  const { openStore } = require('../../core/store') as typeof import('../../core/store');
  return openStore((ctx.session as SessionState).storeRoot);
}

/** Paths are relative to the session's current location (Set-Location), not the process's. */
export function resolveHere(ctx: CmdletContext, p: string): string {
  const cwd = (ctx.session as { cwd?: unknown } | null)?.cwd;
  return isAbsolute(p) ? p : resolve(typeof cwd === 'string' ? cwd : process.cwd(), p);
}

export function imageFullName(r: Pick<ImageRecord, 'publisher' | 'name' | 'version'>): string {
  return `${r.publisher}_${r.name}_${r.version}`;
}

/**
 * A ContainerImage object: Name, Publisher, Version ([version]), IsOSImage, ParentImage
 * (ContainerImage or $null), FullName, ImageId, Size, Created, Path; ToString() as TP5 prints it.
 */
export function imageObject(r: ImageRecord, all: ImageRecord[], storeRoot: string, depth = 0): PSObject {
  const o = new PSObject([CONTAINER_IMAGE_TYPE, 'System.Object']);
  o.set('Name', r.name);
  o.set('Publisher', r.publisher);
  o.set('Version', PSVersion.tryParse(r.version) ?? r.version);
  o.set('IsOSImage', r.isOSImage);
  // Computed on first read and kept: a listing of thousands of images formats only four columns.
  const lazy = (name: string, make: () => unknown): void => {
    let done = false;
    let value: unknown;
    o.define(name, () => {
      if (!done) {
        value = make();
        done = true;
      }
      return value;
    });
  };
  if (r.parentImageId && depth < 64) {
    lazy('ParentImage', () => {
      const parent = all.find((i) => i.imageId === r.parentImageId);
      return parent ? imageObject(parent, all, storeRoot, depth + 1) : null;
    });
  } else o.set('ParentImage', null);
  o.set('FullName', `${r.publisher}_${r.name}_${r.version}`);
  o.set('ImageId', r.imageId);
  o.set('Size', r.size);
  lazy('Created', () => new Date(r.created));
  lazy('Path', () => resolve(storeRoot, 'layers', `${r.layers[r.layers.length - 1]}.json`));
  o.toStringFn = () => `ContainerImage (Name = '${r.name}') [Publisher = '${r.publisher}', Version = '${r.version}']`;
  return o;
}

/** The ImageId or FullName an argument names: a ContainerImage (live or deserialized), or a string. */
export function imageKeyOf(v: unknown): string | null {
  if (v instanceof PSObject) {
    const id = v.get('ImageId');
    if (typeof id === 'string' && id) return id;
    const fn = v.get('FullName');
    if (typeof fn === 'string' && fn) return fn;
    return null;
  }
  if (typeof v === 'string') return v;
  return null;
}

/** An ErrorRecord for an error from the store or the WIM library. */
export function storeErrorRecord(e: unknown, ctx: CmdletContext, fallbackId: string, target: unknown, messagePrefix = ''): ErrorRecord {
  const err = e as { message?: string; errorId?: string; category?: string; target?: unknown; name?: string };
  const message = messagePrefix + (err?.message ?? String(e));
  let category: ErrorCategory = 'NotSpecified';
  let id = fallbackId;
  if (err && typeof err.errorId === 'string') {
    id = err.errorId;
    category = (err.category as ErrorCategory) ?? 'NotSpecified';
  } else if (err && (err.name === 'WimFormatError' || err.name === 'WimUnsupportedError' || (e as object)?.constructor?.name?.startsWith('Wim'))) {
    id = 'InvalidWimArchive';
    category = 'InvalidData';
  } else if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') {
    category = 'ObjectNotFound';
  } else if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC') {
    category = 'WriteError';
  }
  return new ErrorRecord({
    message,
    errorId: `${id},${cmdletClass(ctx.commandName)}`,
    category,
    targetObject: target,
    cause: e,
  });
}

export function cmdletClass(commandName: string): string {
  return `Microsoft.Containers.PowerShell.Cmdlets.${commandName.replace('-', '')}Command`;
}

export function toVersionString(v: unknown): string | null {
  if (v instanceof PSVersion) return v.normalized().toString();
  if (typeof v === 'string') return PSVersion.tryParse(v)?.normalized().toString() ?? null;
  if (typeof v === 'number' && Number.isInteger(v)) return `${v}.0.0.0`;
  return null;
}

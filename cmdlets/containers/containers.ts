// Shared by the container cmdlets (SPEC §11): Container objects, and finding the containers a
// -Name or a pipeline object names.

import type { CmdletContext, ParameterDecl } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import { PSObject } from '../../core/engine/values';
import type { ContainerRecord, ImageRecord } from '../../core/store';
import { cmdletClass, storeErrorRecord, storeOf } from './images';

export const CONTAINER_TYPE = 'Microsoft.Containers.PowerShell.Objects.Container';

const pad = (n: number): string => String(n).padStart(2, '0');

/** A TimeSpan-like value: Days, Hours, Minutes, Seconds, TotalSeconds; prints as [d.]hh:mm:ss. */
export function timeSpan(ms: number): PSObject {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const o = new PSObject(['System.TimeSpan', 'System.ValueType', 'System.Object']);
  o.set('Days', days);
  o.set('Hours', hours);
  o.set('Minutes', minutes);
  o.set('Seconds', seconds);
  o.set('TotalSeconds', Math.max(0, ms / 1000));
  o.toStringFn = () => `${days ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return o;
}

/**
 * A Container object: Name, ContainerId, State (Off/Running), Uptime (a TimeSpan, zero when
 * Off), ParentImageName, ParentImageId, RuntimeType, Path (its writable root), Created.
 */
export function containerObject(r: ContainerRecord, images: ImageRecord[]): PSObject {
  const o = new PSObject([CONTAINER_TYPE, 'System.Object']);
  const image = images.find((i) => i.imageId === r.imageId);
  o.set('Name', r.name);
  o.set('ContainerId', r.containerId);
  o.set('State', r.state);
  o.set('Uptime', timeSpan(r.state === 'Running' && r.started ? Date.now() - Date.parse(r.started) : 0));
  o.set('ParentImageName', image ? image.name : null);
  o.set('ParentImageId', r.imageId);
  o.set('RuntimeType', r.runtimeType);
  o.set('Path', r.path ?? null);
  o.set('Created', new Date(r.created));
  o.toStringFn = () => `Container (Name = '${r.name}') [State = ${r.state}]`;
  return o;
}

/** The ContainerId or name a pipeline value names: a Container object (live or deserialized) or a string. */
export function containerKeyOf(v: unknown): string | null {
  if (v instanceof PSObject) {
    const id = v.get('ContainerId');
    if (typeof id === 'string' && id) return id;
    const n = v.get('Name');
    return typeof n === 'string' && n ? n : null;
  }
  return typeof v === 'string' && v ? v : null;
}

export function containerNotFound(ctx: CmdletContext, what: string, target: unknown): ErrorRecord {
  return new ErrorRecord({
    message: `No container with the name or ContainerId '${what}' was found.`,
    errorId: `ContainerNotFound,${cmdletClass(ctx.commandName)}`,
    category: 'ObjectNotFound',
    targetObject: target,
  });
}

/**
 * The containers a cmdlet's -Name (wildcards allowed) or -Container (objects, ids or names)
 * selects (`names` null: the -Container objects), in store order; each name or object matching nothing is reported as an error.
 */
export function selectContainers(ctx: CmdletContext, all: ContainerRecord[], names: string[] | null = (ctx.params.Name as string[] | undefined) ?? null): ContainerRecord[] {
  const out: ContainerRecord[] = [];
  const add = (r: ContainerRecord): void => {
    if (!out.includes(r)) out.push(r);
  };
  if (names !== null) {
    for (const n of names) {
      const hits = all.filter((r) => wildcardMatch(r.name, n) || r.containerId === n.toLowerCase());
      if (!hits.length && !hasWildcard(n)) ctx.writeError(containerNotFound(ctx, n, n));
      hits.forEach(add);
    }
    return out;
  }
  const given = ctx.params.Container;
  for (const item of Array.isArray(given) ? given : [given]) {
    const key = containerKeyOf(item);
    const hit = key ? all.find((r) => r.containerId === key.toLowerCase()) ?? all.find((r) => r.name.toLowerCase() === key.toLowerCase()) : undefined;
    if (!hit) {
      ctx.writeError(key ? containerNotFound(ctx, key, item) : new ErrorRecord({
        message: 'The input is not a container, a ContainerId or a container name.',
        errorId: `InvalidContainer,${cmdletClass(ctx.commandName)}`,
        category: 'InvalidArgument',
        targetObject: item,
      }));
      continue;
    }
    add(hit);
  }
  return out;
}

/** -Name / -Container, as Start-, Stop- and Remove-Container declare them. */
export const containerSelectionParameters: ParameterDecl[] = [
  { name: 'Name', type: 'string[]', mandatory: true, position: 0, sets: ['ByName'], description: 'Container names (wildcards are allowed) or ContainerIds.' },
  { name: 'Container', type: 'object', mandatory: true, sets: ['ByObject'], valueFromPipeline: true, description: 'Containers from Get-Container or New-Container (or their ContainerIds or names).' },
];

/** The store and its container records; an unreadable store ends the command. */
export function readContainers(ctx: CmdletContext): { store: ReturnType<typeof storeOf>; all: ContainerRecord[] } {
  const store = storeOf(ctx);
  try {
    return { store, all: store.listContainers() };
  } catch (e) {
    ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
  }
}

/** Start-/Stop-Container: moves the selected containers to `state` (Uptime counts from a start). */
export async function setContainerState(ctx: CmdletContext, state: 'Running' | 'Off', action: string, failureId: string): Promise<void> {
  const { store, all } = readContainers(ctx);
  for (const r of selectContainers(ctx, all)) {
    if (!(await ctx.shouldProcess(r.name, action))) continue;
    let rec = r;
    if (r.state !== state) {
      try {
        rec = await store.updateContainer(r.containerId, state === 'Running' ? { state, started: new Date().toISOString() } : { state, started: undefined });
      } catch (e) {
        ctx.writeError(storeErrorRecord(e, ctx, failureId, r.name));
        continue;
      }
    }
    if (ctx.params.PassThru) await ctx.write(containerObject(rec, store.listImages()));
  }
}

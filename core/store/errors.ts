// Errors the store raises; each carries a PowerShell-style error id and category so cmdlets can
// turn it into an ErrorRecord without guessing.

import type { ContainerRecord, ImageRecord } from './types';
import { fullNameOf } from './types';

export type StoreErrorCategory =
  | 'InvalidData' | 'InvalidOperation' | 'ObjectNotFound' | 'ResourceExists' | 'ResourceBusy'
  | 'WriteError' | 'ReadError' | 'InvalidArgument' | 'NotImplemented';

export class StoreError extends Error {
  constructor(
    message: string,
    readonly errorId: string,
    readonly category: StoreErrorCategory,
    readonly target: unknown = null,
  ) {
    super(message);
  }
}

/** The store was written by a newer posh-containers (schema above STORE_SCHEMA). */
export class StoreVersionError extends StoreError {
  constructor(root: string, found: number, supported: number) {
    super(
      `The image store '${root}' has schema version ${found}, but this version of posh-containers understands schema ${supported} at most. Upgrade posh-containers to use this store.`,
      'StoreSchemaTooNew',
      'InvalidData',
      root,
    );
  }
}

/** An image cannot go: containers or child images depend on it. */
export class StoreDependencyError extends StoreError {
  constructor(
    readonly image: ImageRecord,
    readonly containers: ContainerRecord[],
    readonly children: ImageRecord[],
  ) {
    const parts: string[] = [];
    if (containers.length) {
      parts.push(`container${containers.length > 1 ? 's' : ''} ${containers.map((c) => `'${c.name}' (${c.state === 'Running' ? 'running' : 'stopped'})`).join(', ')}`);
    }
    if (children.length) parts.push(`child image${children.length > 1 ? 's' : ''} ${children.map((i) => `'${fullNameOf(i)}'`).join(', ')}`);
    super(
      `The image '${fullNameOf(image)}' cannot be removed because ${parts.join(' and ')} depend${containers.length + children.length > 1 ? '' : 's'} on it.`,
      'ImageHasDependents',
      'InvalidOperation',
      fullNameOf(image),
    );
  }
}

/** An archive entry that would land outside the image, or is otherwise unfit for the store. */
export class StoreInputError extends StoreError {
  constructor(message: string, target: unknown = null) {
    super(message, 'InvalidImageContent', 'InvalidData', target);
  }
}

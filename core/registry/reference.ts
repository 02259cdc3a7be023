// Image references as the docker CLI parses them (distribution/reference "normalized names"):
//   [registry-host[:port]/]path[:tag][@sha256:…]
// The first component is a registry when it contains '.' or ':' or is 'localhost'; otherwise the
// registry is docker.io and a one-component path gets 'library/'.

import { isDigest, type Digest } from '../oci/digest';
import { RegistryError } from './errors';

export const DEFAULT_REGISTRY = 'docker.io';
/** Where docker.io's API actually lives. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;

export interface ImageReference {
  /** Registry host[:port] (docker.io for Docker Hub). */
  registry: string;
  /** Repository path inside the registry, e.g. `library/busybox`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

export function isValidRepository(repo: string): boolean {
  return repo.length > 0 && repo.length <= 255 && repo.split('/').every((c) => COMPONENT.test(c));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Parses a reference; `defaultTag` (default 'latest') applies when neither tag nor digest is given. */
export function parseReference(ref: string, defaultTag: string | null = 'latest'): ImageReference {
  const bad = (why: string) => new RegistryError({ message: `invalid reference format: ${JSON.stringify(ref)}: ${why}`, code: 'INVALID_REFERENCE' });
  if (ref === '' || /\s/.test(ref)) throw bad('empty or contains whitespace');
  let rest = ref;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw bad('the digest is not sha256:<64 hex>');
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw bad(`invalid tag ${JSON.stringify(tag)}`);
  }
  let registry = DEFAULT_REGISTRY;
  const first = rest.indexOf('/');
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head.startsWith('[')) {
      if (!HOST.test(head)) throw bad(`invalid registry host ${JSON.stringify(head)}`);
      registry = head;
      rest = rest.slice(first + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !rest.includes('/')) rest = `library/${rest}`;
  if (!isValidRepository(rest)) throw bad('repository names must be lowercase letters, digits and separators');
  if (!tag && !digest && defaultTag) tag = defaultTag;
  return { registry, repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The familiar form the docker CLI prints: docker.io and library/ dropped. */
export function familiarName(r: Pick<ImageReference, 'registry' | 'repository'>): string {
  if (r.registry === DEFAULT_REGISTRY) return r.repository.startsWith('library/') ? r.repository.slice(8) : r.repository;
  return `${r.registry}/${r.repository}`;
}

export function formatReference(r: ImageReference): string {
  return `${familiarName(r)}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

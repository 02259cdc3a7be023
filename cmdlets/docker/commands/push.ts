// `docker push NAME[:TAG]`: an image of the store, named by a reference with a registry host
// (`docker tag` gives it one), sent to that registry as an OCI image: one uncompressed layer per
// store layer (core/store-oci), blobs the repository has are skipped, blobs known in a sibling
// repository of the registry are mounted, large ones go up in chunks. Output is the docker CLI's
// non-TTY text.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { BlobUploadStatus, RegistryClient, RegistryError } from '../../../core/registry';
import type { BlobSource } from '../../../core/oci';
import { dockerError, readList, storeErrorRecord, storeOf, splitReference, referencesOf } from '../common';
import { clientFor, dialError, knownSources, parseFlags, registryText, rememberBlobs } from '../registry';

const FLAGS = [
  { long: 'all-tags', short: 'a', value: false },
  { long: 'quiet', short: 'q', value: false },
  { long: 'disable-content-trust', value: false },
];

/** Blobs above this size are uploaded in chunks (PATCH per chunk, then PUT). */
export const CHUNKED_ABOVE = 64 << 20;
export const CHUNK_SIZE = 32 << 20;

/** docker's short id of a layer: the first 12 hex digits of its digest. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** A registry failure during a push as the docker CLI prints it (the daemon's stream error). */
export function pushFailure(client: RegistryClient, e: RegistryError, hasCredentials: boolean): string {
  const dial = dialError(client, e);
  if (dial !== null) return `Get "${client.baseUrl}/v2/": ${dial}`;
  if (e.code === 'UNAUTHORIZED') return hasCredentials ? 'unauthorized: authentication required' : 'no basic auth credentials';
  if (e.code === 'DENIED') return `denied: ${e.registryMessage ?? 'requested access to the resource is denied'}`;
  return registryText(e);
}

/** `docker push [-a] [-q] NAME[:TAG]`. */
export default async function push(ctx: CmdletContext, args: string[]): Promise<void> {
  const usage: (m: string) => never = (m) => ctx.throwTerminating(dockerError(ctx, `${m}\nSee 'docker push --help'.`, 'DockerUsage'));
  const parsed = parseFlags(args, FLAGS);
  if (typeof parsed === 'string') usage(parsed);
  if (parsed.positional.length !== 1) usage(`"docker push" requires exactly 1 argument.`);
  const allTags = parsed.values.get('all-tags') === true;
  const quiet = parsed.values.get('quiet') === true;
  const { parseReference, familiarName, RegistryError } = await import('../../../core/registry');
  const arg = parsed.positional[0];
  let ref: import('../../../core/registry').ImageReference;
  try {
    ref = parseReference(arg, null);
  } catch {
    const lower = (() => {
      try {
        parseReference(arg.toLowerCase(), null);
        return true;
      } catch {
        return false;
      }
    })();
    ctx.throwTerminating(dockerError(ctx, lower ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format', 'DockerInvalidReference'));
  }
  if (ref.digest) ctx.throwTerminating(dockerError(ctx, 'cannot push a digest reference', 'DockerInvalidReference'));
  if (allTags && ref.tag) ctx.throwTerminating(dockerError(ctx, 'tag can\'t be used with --all-tags/-a', 'DockerUsage'));
  const familiar = familiarName(ref);
  const say = async (line: string) => {
    if (!quiet) await ctx.write(line);
  };
  if (!ref.tag && !allTags) {
    await say('Using default tag: latest');
    ref.tag = 'latest';
  }
  await say(`The push refers to repository [${ref.registry}/${ref.repository}]`);

  // the local images of the repository, by tag
  const list = readList(ctx);
  const byTag = new Map<string, (typeof list)[number]>();
  for (const image of list) {
    for (const r of referencesOf(image)) {
      const s = splitReference(r);
      if (s.repository === familiar && !byTag.has(s.tag)) byTag.set(s.tag, image);
    }
  }
  if (byTag.size === 0) ctx.throwTerminating(dockerError(ctx, `An image does not exist locally with the tag: ${familiar}`, 'DockerNoSuchImage', 'ObjectNotFound'));
  const tags = allTags ? [...byTag.keys()].sort() : [ref.tag!];
  if (!allTags && !byTag.has(ref.tag!)) ctx.throwTerminating(dockerError(ctx, `tag does not exist: ${familiar}:${ref.tag}`, 'DockerNoSuchImage', 'ObjectNotFound'));

  const store = storeOf(ctx);
  const { imageToOci } = require('../../../core/store-oci') as typeof import('../../../core/store-oci');
  const { buildImage } = await import('../../../core/oci');
  const credentials = await (await import('../registry')).credentialsFile(ctx).then((f) => f.get(ref.registry)).catch(() => undefined);
  const client = await clientFor(ctx, ref.registry, credentials);
  const fail: (e: unknown) => never = (e) => {
    if (e instanceof RegistryError) ctx.throwTerminating(dockerError(ctx, pushFailure(client, e, credentials !== undefined), 'DockerPushFailed', e.code === 'CONNECTION' ? 'ConnectionError' : e.code === 'UNAUTHORIZED' || e.code === 'DENIED' ? 'AuthenticationError' : 'InvalidResult'));
    if ((e as { errorId?: unknown }).errorId) ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerPushFailed', arg));
    ctx.throwTerminating(dockerError(ctx, (e as Error).message, 'DockerPushFailed', 'InvalidResult'));
  };
  try {
    let pinged = false;
    for (const tag of tags) {
      const image = byTag.get(tag)!;
      let built;
      try {
        built = buildImage(await imageToOci(store, image));
      } catch (e) {
        fail(e);
      }
      // docker lists the layers top first
      const layers = [...built.layers].reverse();
      for (const l of layers) await say(`${shortDigest(l.digest)}: Preparing`);
      if (!pinged) {
        try {
          await client.ping();
        } catch (e) {
          fail(e);
        }
        pinged = true;
      }
      const sent: string[] = [];
      for (const l of layers) {
        let status: BlobUploadStatus;
        let from: string | undefined;
        try {
          ({ status, from } = await uploadLayer(ctx, client, ref.registry, ref.repository, l));
        } catch (e) {
          fail(e);
        }
        sent.push(l.digest);
        await say(`${shortDigest(l.digest)}: ${status === 'exists' ? 'Layer already exists' : status === 'mounted' ? `Mounted from ${from}` : 'Pushed'}`);
      }
      let manifestDigest: string;
      try {
        const config: BlobSource = {
          mediaType: built.configDescriptor.mediaType,
          digest: built.configDescriptor.digest,
          size: built.configBytes.length,
          open: () => [built.configBytes] as unknown as AsyncIterable<Uint8Array>,
        };
        await client.uploadBlob(ref.repository, config);
        sent.push(config.digest);
        manifestDigest = await client.putManifest(ref.repository, tag, built.manifestBytes, built.manifestDescriptor.mediaType);
      } catch (e) {
        fail(e);
      }
      rememberBlobs(ctx, ref.registry, ref.repository, sent);
      if (quiet) await ctx.write(`${familiar}:${tag}`);
      else await ctx.write(`${tag}: digest: ${manifestDigest} size: ${built.manifestBytes.length}`);
    }
  } finally {
    await client.close();
  }
}

/** One layer: skipped when the repository has it, mounted from a sibling repository we know holds it, else uploaded. */
async function uploadLayer(ctx: CmdletContext, client: RegistryClient, registry: string, repository: string, blob: BlobSource): Promise<{ status: BlobUploadStatus; from?: string }> {
  const sources = knownSources(ctx, registry, repository, blob.digest);
  // uploadBlob checks for the blob first itself; with mount candidates that check comes before the mounts
  if (sources.length && (await client.blobSize(repository, blob.digest)) !== undefined) return { status: 'exists' };
  for (const from of sources) {
    if (await client.mountBlob(repository, blob.digest, from).catch(() => false)) return { status: 'mounted', from };
  }
  const chunked = blob.size > CHUNKED_ABOVE;
  // the registry checks the digest when the upload closes (our layer tars are deterministic): no second hash here
  const status = await client.uploadBlob(repository, coalesced(blob), { verify: false, ...(chunked ? { chunked: true, chunkSize: CHUNK_SIZE } : {}) });
  return { status };
}

/** The blob's bytes in pieces of at least `size` (a layer tar comes as many small buffers; the socket wants few large writes). */
function coalesced(blob: BlobSource, size = 1 << 20): BlobSource {
  return {
    ...blob,
    open: () =>
      (async function* () {
        let parts: Uint8Array[] = [];
        let n = 0;
        for await (const c of blob.open()) {
          parts.push(c);
          n += c.length;
          if (n >= size) {
            yield Buffer.concat(parts, n);
            parts = [];
            n = 0;
          }
        }
        if (n > 0) yield Buffer.concat(parts, n);
      })(),
  };
}

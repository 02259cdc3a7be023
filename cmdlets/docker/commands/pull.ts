// `docker pull NAME[:TAG]`. With a registry host in NAME (`127.0.0.1:5000/nanoserver:1.0`): the
// image from that registry (Registry HTTP API v2, stored credentials), every blob verified, into
// the store through core/store-oci. Without one (`nanoserver`, `windowsservercore:10.0.14300.1000`):
// the ContainerImage provider's Find/Install path over the package sources' feeds, the name matched
// without regard to case and the tag being the version (`latest`: the newest). Output is the docker
// CLI's non-TTY text.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import type { ImageReference, RegistryClient, RegistryError } from '../../../core/registry';
import type { ImageRecord } from '../../../core/store';
import { dockerError, readList, resolveImage, storeErrorRecord, storeOf } from '../common';
import { clientFor, credentialsFile, dialError, parseFlags, registryText, rememberBlobs } from '../registry';
import { shortDigest } from './push';

const FLAGS = [
  { long: 'all-tags', short: 'a', value: false },
  { long: 'quiet', short: 'q', value: false },
  { long: 'platform', value: true },
  { long: 'disable-content-trust', value: false },
];

type Say = (line: string) => Promise<void>;

/** A registry failure during a pull as the daemon words it (without `Error response from daemon: `). */
export function pullFailure(client: RegistryClient, e: RegistryError, ref: ImageReference, shown: string, hasCredentials: boolean): string {
  const dial = dialError(client, e);
  if (dial !== null) return `Get "${client.baseUrl}/v2/": ${dial}`;
  if (e.code === 'UNAUTHORIZED') {
    return hasCredentials ? 'unauthorized: authentication required' : `Head "${client.baseUrl}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}": no basic auth credentials`;
  }
  if ((e.code === 'MANIFEST_UNKNOWN' || e.code === 'NOT_FOUND' || e.code === 'NAME_UNKNOWN') && e.operation === 'GET manifest') {
    return `manifest for ${shown} not found: manifest unknown: manifest unknown`;
  }
  if (e.code === 'DENIED') return `pull access denied for ${ref.registry}/${ref.repository}, repository does not exist or may require 'docker login': denied: ${e.registryMessage ?? 'requested access to the resource is denied'}`;
  return registryText(e);
}

/** `docker pull [-q] NAME[:TAG|@DIGEST]`. */
export default async function pull(ctx: CmdletContext, args: string[]): Promise<void> {
  const usage: (m: string) => never = (m) => ctx.throwTerminating(dockerError(ctx, `${m}\nSee 'docker pull --help'.`, 'DockerUsage'));
  const parsed = parseFlags(args, FLAGS);
  if (typeof parsed === 'string') usage(parsed);
  if (parsed.positional.length !== 1) usage(`"docker pull" requires exactly 1 argument.`);
  if (parsed.values.get('all-tags') === true) usage('docker pull --all-tags is not supported by posh.');
  const quiet = parsed.values.get('quiet') === true;
  const say: Say = async (line) => {
    if (!quiet) await ctx.write(line);
  };
  const { parseReference, familiarName } = await import('../../../core/registry');
  const arg = parsed.positional[0];
  let ref: ImageReference;
  try {
    ref = parseReference(arg, null);
  } catch {
    let lower = false;
    try {
      parseReference(arg.toLowerCase(), null);
      lower = true;
    } catch {
      /* not only the case */
    }
    ctx.throwTerminating(dockerError(ctx, lower ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format', 'DockerInvalidReference'));
  }
  if (!ref.tag && !ref.digest) {
    await say('Using default tag: latest');
    ref.tag = 'latest';
  }
  if (ref.digest) ctx.throwTerminating(dockerError(ctx, `posh pulls by tag only: ${arg}`, 'DockerInvalidReference'));
  if (ref.registry === 'docker.io') return pullFromFeeds(ctx, familiarName(ref), ref.tag!, say);
  return pullFromRegistry(ctx, ref, say);
}

async function pullFromRegistry(ctx: CmdletContext, ref: ImageReference, say: Say): Promise<void> {
  const { familiarName, RegistryError } = await import('../../../core/registry');
  const familiar = familiarName(ref);
  const tag = ref.tag!;
  const shown = `${familiar}:${tag}`;
  const credentials = await (await credentialsFile(ctx)).get(ref.registry).catch(() => undefined);
  const client = await clientFor(ctx, ref.registry, credentials);
  const store = storeOf(ctx);
  const fail: (e: unknown) => never = (e) => {
    if (e instanceof RegistryError) {
      const category = e.code === 'CONNECTION' ? 'ConnectionError' : e.code === 'UNAUTHORIZED' || e.code === 'DENIED' ? 'AuthenticationError' : /UNKNOWN|NOT_FOUND/.test(e.code ?? '') ? 'ObjectNotFound' : 'InvalidResult';
      ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${pullFailure(client, e, ref, shown, credentials !== undefined)}`, 'DockerPullFailed', category));
    }
    if ((e as { errorId?: unknown }).errorId && !(e as { code?: unknown }).code) ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerPullFailed', shown));
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${(e as Error).message}`, 'DockerPullFailed', 'InvalidResult'));
  };
  try {
    let resolved;
    try {
      resolved = await client.resolveImage(ref.repository, tag);
    } catch (e) {
      fail(e);
    }
    await say(`${tag}: Pulling from ${ref.repository}`);
    const before = resolveImage(readList(ctx), shown).image;
    const { imageFromOci } = require('../../../core/store-oci') as typeof import('../../../core/store-oci');
    // `Already exists` lines wait until a layer is downloaded: when none is and the reference
    // already named this image, docker prints no layer lines at all (Image is up to date)
    let held: string[] | null = [];
    let chain: Promise<void> = Promise.resolve();
    const emit = (line: string): Promise<void> => {
      if (held !== null && line.endsWith(': Already exists')) {
        held.push(line);
        return chain;
      }
      const flush = held ?? [];
      held = null;
      chain = chain.then(async () => {
        for (const l of [...flush, line]) await say(l);
      });
      return chain;
    };
    // imageFromOci checks each layer's digest, size and diff_id itself: the client does not hash them too
    const layers = client.layerSources(ref.repository, resolved, { verify: false }).map((l) => ({
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
      open: () => {
        const id = shortDigest(l.digest);
        return (async function* () {
          await emit(`${id}: Pulling fs layer`);
          yield* l.open();
          await emit(`${id}: Verifying Checksum`);
          await emit(`${id}: Download complete`);
        })();
      },
    }));
    let result: { image: ImageRecord; created: boolean };
    try {
      result = await imageFromOci(store, { config: resolved.configBytes, layers }, { repository: familiar, tag }, {
        onLayer: (digest, status) => void emit(`${shortDigest(digest)}: ${status === 'exists' ? 'Already exists' : 'Pull complete'}`),
      });
    } catch (e) {
      await chain;
      fail(e);
    }
    await chain;
    const upToDate = before !== null && before.imageId === result.image.imageId;
    if (!upToDate && held !== null) for (const l of held) await say(l);
    rememberBlobs(ctx, ref.registry, ref.repository, [...resolved.manifest.layers.map((l) => l.digest), resolved.manifest.config.digest]);
    await say(`Digest: ${resolved.manifestDescriptor.digest}`);
    await say(`Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${shown}`);
    await ctx.write(shown);
  } finally {
    await client.close();
  }
}

async function pullFromFeeds(ctx: CmdletContext, name: string, tag: string, say: Say): Promise<void> {
  const support = await import('../../../providers/cmdlet-support');
  const ci = await import('../../../providers/containerimage');
  const { toVersion } = await import('../../../providers/versions');
  const shown = `${name}:${tag}`;
  const daemon: (m: string, id: string, category: 'ObjectNotFound' | 'ResourceUnavailable' | 'InvalidResult' | 'PermissionDenied') => never = (m, id, category) =>
    ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${m}`, id, category));
  const request = support.makeRequest(ctx);
  const found = name.includes('/') ? { refs: [], failures: [] } : await ci.findImages({ names: [name], allVersions: true }, request);
  if (found.refs.length === 0) {
    if (found.failures.length) daemon(found.failures.map((f) => f.message).join('; '), 'DockerPullFailed', 'ResourceUnavailable');
    daemon(`pull access denied for ${name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`, 'DockerPullAccessDenied', 'ObjectNotFound');
  }
  let pick: (typeof found.refs)[number] | undefined;
  if (tag === 'latest') {
    // the newest across sources; the first source wins a tie (as Install-ContainerImage)
    for (const r of found.refs) if (!pick || toVersion(r.version)!.compareTo(toVersion(pick.version)!) > 0) pick = r;
  } else {
    const want = /^\d+(\.\d+){1,3}$/.test(tag) ? toVersion(tag) : null;
    pick = want ? found.refs.find((r) => toVersion(r.version)!.compareTo(want) === 0) : undefined;
  }
  if (!pick) daemon(`manifest for ${shown} not found: manifest unknown: manifest unknown`, 'DockerManifestUnknown', 'ObjectNotFound');
  const ref = pick;
  const digest = ref.sha256 ? `sha256:${ref.sha256.toLowerCase()}` : null;
  let image = ci.installedImage(request.storeRoot, ref);
  const wanted = `${name}:${tag}`;
  const upToDate = image !== null && (tag !== 'latest' || (image.tags ?? []).includes(wanted));
  await say(`${tag}: Pulling from ${name}`);
  if (!image) {
    if (!ref.trusted && !(await support.confirmUntrustedSource(ctx, ref.source))) {
      ctx.throwTerminating(support.declined(ctx, ref.name));
    }
    if (digest) await say(`${shortDigest(digest)}: Pulling fs layer`);
    try {
      const out = await ci.installImage(ref, request, false);
      image = out.image;
    } catch (e) {
      if ((e as { errorId?: unknown }).errorId) {
        const rec = support.toErrorRecord(ctx, e);
        ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${rec.message}`, 'DockerPullFailed', rec.category));
      }
      throw e;
    }
    if (digest) await say(`${shortDigest(digest)}: Pull complete`);
  }
  if (tag === 'latest' && !(image.tags ?? []).includes(wanted)) {
    try {
      await storeOf(ctx).tagImage(image.imageId, wanted);
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'DockerTagFailed', wanted));
    }
  }
  if (digest) await say(`Digest: ${digest}`);
  await say(`Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${shown}`);
  await ctx.write(shown);
}

// Publish-ContainerImage: adds a WIM archive to a feed directory — copies it in as
// <Name>-<Version>.wim, computes its size and sha256 while copying, and rewrites feed.xml
// atomically — so any static web server (nginx, object storage, a CDN) can host the feed.

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { providerAvailability, PackageError } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Publish',
  noun: 'ContainerImage',
  module: 'ContainerImage',
  synopsis: 'Adds a container OS image archive (WIM) to a feed directory and rewrites its feed.xml.',
  supportsShouldProcess: true,
  availability(session) {
    return providerAvailability(session, 'ContainerImage');
  },
  parameters: [
    { name: 'WimPath', type: 'string', mandatory: true, position: 0, validateNotNullOrEmpty: true, description: 'The archive to publish.' },
    { name: 'FeedPath', type: 'string', mandatory: true, position: 1, validateNotNullOrEmpty: true, description: 'The feed directory (created when missing); its feed.xml is created or rewritten.' },
    { name: 'Name', type: 'string', description: "The image name; the archive's IMAGE/NAME when omitted." },
    { name: 'Version', type: 'version', description: "The image version; the archive's IMAGE/WINDOWS/VERSION when omitted." },
    { name: 'Publisher', type: 'string', description: "The publisher; the archive's IMAGE/PUBLISHER when omitted." },
    { name: 'Summary', type: 'string', description: "The summary; the archive's IMAGE/DESCRIPTION when omitted." },
    { name: 'Force', type: 'switch', description: 'Replace an entry with the same name and version.' },
  ],
  async end(ctx) {
    const support = await import('../../providers/cmdlet-support');
    const { toVersion } = await import('../../providers/versions');
    const feed = await import('../../providers/containerimage/feed');
    const ci = await import('../../providers/containerimage');
    const { identityObject } = await import('../../providers/identity');
    const { writeFileAtomicSync } = await import('../../providers/state');
    const { openWim } = await import('../../core/wim');
    const wimPath = support.resolveHere(ctx, String(ctx.params.WimPath));
    const feedDir = support.resolveHere(ctx, String(ctx.params.FeedPath));
    const fail = (message: string, id: string, category: 'ObjectNotFound' | 'InvalidData' | 'InvalidArgument' | 'ResourceExists', target: unknown): never =>
      ctx.throwTerminating(support.errorRecord(ctx, message, id, category, target));

    if (!fs.statSync(wimPath, { throwIfNoEntry: false })?.isFile()) fail(`Cannot find path '${wimPath}' because it does not exist.`, 'PathNotFound', 'ObjectNotFound', wimPath);
    let meta: { name: string; version: string; publisher: string; description: string };
    try {
      const r = await openWim(wimPath);
      try {
        const img = r.images[0];
        if (!img) throw new Error('the archive holds no image');
        meta = { name: img.name, version: img.version, publisher: img.publisher, description: img.description };
      } finally {
        await r.close();
      }
    } catch (e) {
      fail(`The file '${wimPath}' is not a valid WIM archive: ${(e as Error).message}`, 'InvalidArchive', 'InvalidData', wimPath);
    }
    const name = ctx.params.Name !== undefined ? String(ctx.params.Name) : meta!.name;
    if (!feed.validImageName(name)) fail(`'${name}' is not a valid image name (it becomes a file name: no path separators, control or reserved characters).`, 'InvalidImageName', 'InvalidArgument', name);
    const version = toVersion(ctx.params.Version ?? meta!.version);
    if (!version) fail(`The image has no valid version ('${String(ctx.params.Version ?? meta!.version)}'); give one with -Version.`, 'InvalidVersion', 'InvalidArgument', name);
    const publisher = ctx.params.Publisher !== undefined ? String(ctx.params.Publisher) : meta!.publisher;
    const summary = ctx.params.Summary !== undefined ? String(ctx.params.Summary) : meta!.description;
    const fileName = `${name}-${version!.toString()}.wim`;
    if (!(await ctx.shouldProcess(`Image ${name} version ${version!.toString()} to feed ${feedDir}`, 'Publish Container Image'))) return;

    fs.mkdirSync(feedDir, { recursive: true });
    const lockfile = (await import('proper-lockfile')).default;
    const release = await lockfile.lock(feedDir, { lockfilePath: path.join(feedDir, '.feed.lock'), stale: 30000, retries: { retries: 100, minTimeout: 20, maxTimeout: 250 } });
    try {
      const feedFile = path.join(feedDir, 'feed.xml');
      let entries: import('../../providers/containerimage/feed').FeedEntry[] = [];
      let feedName = path.basename(feedDir);
      if (fs.existsSync(feedFile)) {
        const text = fs.readFileSync(feedFile, 'utf8');
        try {
          entries = feed.parseFeedXml({ name: feedName, location: feedFile }, text.replace(/^\uFEFF/, ''), pathToFileURL(feedFile), (m) => ctx.writeWarning(m));
        } catch (e) {
          fail((e as Error).message, 'InvalidFeed', 'InvalidData', feedFile);
        }
        feedName = feed.feedNameOf(text) ?? feedName;
      }
      const clash = entries.findIndex((e) => e.name.toLowerCase() === name.toLowerCase() && e.version.compareTo(version!) === 0);
      if (clash >= 0 && ctx.params.Force !== true) {
        fail(`The feed '${feedFile}' already has image '${name}' version '${version!.toString()}'. Use -Force to replace it.`, 'ImageAlreadyPublished', 'ResourceExists', name);
      }
      // Copy the archive in (temp, fsync, rename), hashing as it goes.
      const target = path.join(feedDir, fileName);
      const tmp = path.join(feedDir, `.${fileName}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
      const hash = createHash('sha256');
      let size = 0;
      try {
        if (path.resolve(wimPath) === path.resolve(target)) {
          for await (const c of fs.createReadStream(wimPath, { highWaterMark: 1 << 20 })) {
            hash.update(c as Buffer);
            size += (c as Buffer).length;
          }
        } else {
          const out = fs.openSync(tmp, 'w');
          try {
            for await (const c of fs.createReadStream(wimPath, { highWaterMark: 1 << 20 })) {
              const b = c as Buffer;
              hash.update(b);
              size += b.length;
              let off = 0;
              while (off < b.length) off += fs.writeSync(out, b, off, b.length - off);
            }
            fs.fsyncSync(out);
          } finally {
            fs.closeSync(out);
          }
          fs.renameSync(tmp, target);
        }
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw new PackageError(`Unable to copy file to destination '${target}'. ${(e as Error).message}`, 'UnableToCopyFileTo', 'WriteError', target);
      }
      const entry = {
        name,
        version: version!,
        publisher,
        publisherKnown: true,
        isOSImage: true,
        summary,
        archive: pathToFileURL(target),
        href: fileName,
        size,
        sha256: hash.digest('hex'),
      };
      if (clash >= 0) entries[clash] = entry;
      else entries.push(entry);
      entries.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.version.compareTo(b.version)));
      writeFileAtomicSync(feedFile, feed.serializeFeed(feedName, entries));
      ctx.writeVerbose(`Published ${name} ${version!.toString()} (${size} bytes, sha256 ${entry.sha256}) to ${feedFile}.`);
      const ref = ci.refFromEntry(entry, { name: feedDir, location: feedFile, providerName: 'ContainerImage', isTrusted: false, isRegistered: false });
      await ctx.write(identityObject(ci.identityFromRef(ref, 'Available', target)));
    } catch (e) {
      if (e instanceof PackageError) ctx.throwTerminating(support.toErrorRecord(ctx, e));
      throw e;
    } finally {
      await release();
    }
  },
});

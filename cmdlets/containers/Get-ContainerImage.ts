// Get-ContainerImage: the images installed in the local store, as ContainerImage objects.

import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { cmdletClass, imageObject, storeErrorRecord, storeOf, toVersionString } from './images';

export default defineCmdlet({
  verb: 'Get',
  noun: 'ContainerImage',
  module: 'Containers',
  synopsis: 'Gets the container images installed in the local image store.',
  outputType: ['Microsoft.Containers.PowerShell.Objects.ContainerImage'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, description: 'Image names; wildcards are allowed.' },
    { name: 'Publisher', type: 'string', valueFromPipelineByPropertyName: true, description: 'Only images of this publisher (wildcards are allowed).' },
    { name: 'Version', type: 'version', valueFromPipelineByPropertyName: true, description: 'Only images of this exact version.' },
  ],
  async process(ctx: CmdletContext) {
    const store = storeOf(ctx);
    let images;
    try {
      images = store.listImages();
    } catch (e) {
      ctx.throwTerminating(storeErrorRecord(e, ctx, 'StoreUnreadable', store.root));
    }
    const names = (ctx.params.Name as string[] | undefined) ?? null;
    const publisher = ctx.params.Publisher as string | undefined;
    const version = ctx.params.Version !== undefined && ctx.params.Version !== null ? toVersionString(ctx.params.Version) : null;
    const filtered = images.filter(
      (i) =>
        (publisher === undefined || wildcardMatch(i.publisher, publisher)) &&
        (version === null || i.version === version),
    );
    const root = (ctx.session as SessionState).storeRoot;
    const out = names === null ? filtered : filtered.filter((i) => names.some((n) => wildcardMatch(i.name, n)));
    await ctx.writeAll(out.map((i) => imageObject(i, images, root)));
    if (names) {
      for (const n of names) {
        if (hasWildcard(n) || filtered.some((i) => wildcardMatch(i.name, n))) continue;
        ctx.writeError(new ErrorRecord({
          message: `No container image with the name '${n}' was found.`,
          errorId: `ContainerImageNotFound,${cmdletClass(ctx.commandName)}`,
          category: 'ObjectNotFound',
          targetObject: n,
        }));
      }
    }
  },
});

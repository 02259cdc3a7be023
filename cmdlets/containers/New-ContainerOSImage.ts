// New-ContainerOSImage: captures a directory tree as a base OS image archive (WIM), the step a
// publisher takes before publishing an image to a feed.

import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { defineCmdlet, type CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { PSObject, PSVersion } from '../../core/engine/values';

/** Paths are relative to the session's current location (Set-Location), not the process's. */
function resolveHere(ctx: CmdletContext, p: string): string {
  const cwd = (ctx.session as { cwd?: unknown } | null)?.cwd;
  return isAbsolute(p) ? p : resolve(typeof cwd === 'string' ? cwd : process.cwd(), p);
}

function toVersion(v: unknown): PSVersion | null {
  if (v instanceof PSVersion) return v.normalized();
  if (typeof v === 'string') return PSVersion.tryParse(v)?.normalized() ?? null;
  return null;
}

export default defineCmdlet({
  verb: 'New',
  noun: 'ContainerOSImage',
  module: 'Containers',
  synopsis: 'Captures a directory tree as a container base OS image archive (WIM).',
  outputType: ['System.Management.Automation.PSCustomObject'],
  parameters: [
    { name: 'SourcePath', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The directory whose contents become the image.' },
    { name: 'Name', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The image name (IMAGE/NAME in the archive).' },
    { name: 'Version', type: 'version', mandatory: true, description: 'The image version, normalised to four parts (IMAGE/WINDOWS/VERSION).' },
    { name: 'Publisher', type: 'string', description: 'The publisher (IMAGE/PUBLISHER); CN=Unknown when omitted.' },
    { name: 'Summary', type: 'string', description: 'A one-line description (IMAGE/DESCRIPTION).' },
    { name: 'WimPath', type: 'string', mandatory: true, validateNotNullOrEmpty: true, description: 'The archive file to create.' },
    { name: 'Compression', type: 'string', validateSet: ['None', 'Xpress'], description: 'None (default) or Xpress.' },
  ],
  async end(ctx: CmdletContext) {
    const { captureDirectory, DEFAULT_PUBLISHER } = await import('../../core/wim');
    const src = resolveHere(ctx, String(ctx.params.SourcePath));
    const wimPath = resolveHere(ctx, String(ctx.params.WimPath));
    const name = String(ctx.params.Name);
    const version = toVersion(ctx.params.Version);
    if (!version) {
      ctx.throwTerminating(new ErrorRecord({
        message: `Cannot convert value "${String(ctx.params.Version)}" to type "System.Version".`,
        errorId: 'InvalidVersion',
        category: 'InvalidArgument',
        targetObject: ctx.params.Version,
      }));
    }
    const publisher = ctx.params.Publisher ? String(ctx.params.Publisher) : DEFAULT_PUBLISHER;
    const summary = ctx.params.Summary === undefined || ctx.params.Summary === null ? '' : String(ctx.params.Summary);
    const compression = String(ctx.params.Compression ?? 'None').toLowerCase() === 'xpress' ? 'xpress' : 'none';

    const st = await stat(src).catch(() => null);
    if (!st) {
      ctx.throwTerminating(new ErrorRecord({
        message: `Cannot find path '${src}' because it does not exist.`,
        errorId: 'SourcePathNotFound',
        category: 'ObjectNotFound',
        targetObject: src,
      }));
    }
    if (!st.isDirectory()) {
      ctx.throwTerminating(new ErrorRecord({
        message: `The source path '${src}' is not a directory.`,
        errorId: 'SourcePathNotADirectory',
        category: 'InvalidArgument',
        targetObject: src,
      }));
    }
    const dirOf = resolve(wimPath, '..');
    const parent = await stat(dirOf).catch(() => null);
    if (!parent || !parent.isDirectory()) {
      ctx.throwTerminating(new ErrorRecord({
        message: `Cannot find the path '${dirOf}' because it does not exist.`,
        errorId: 'PathNotFound',
        category: 'ObjectNotFound',
        targetObject: dirOf,
      }));
    }
    if (wimPath === src || wimPath.startsWith(src.endsWith('/') ? src : src + '/')) {
      ctx.throwTerminating(new ErrorRecord({
        message: `The archive '${wimPath}' cannot be written inside the source directory '${src}'.`,
        errorId: 'WimPathInsideSource',
        category: 'InvalidArgument',
        targetObject: wimPath,
      }));
    }
    ctx.writeVerbose(`Capturing '${src}' to '${wimPath}' (${compression === 'xpress' ? 'Xpress' : 'no'} compression).`);
    let result;
    try {
      result = await captureDirectory(src, wimPath, {
        compression,
        metadata: { name, description: summary, version: version.toString(), publisher },
      });
    } catch (e) {
      ctx.throwTerminating(new ErrorRecord({
        message: `Failed to create the image archive '${wimPath}': ${(e as Error).message}`,
        errorId: 'CaptureFailed',
        category: 'WriteError',
        targetObject: wimPath,
        cause: e,
      }));
    }
    await ctx.write(PSObject.fromEntries([
      ['Name', name],
      ['Version', version],
      ['Publisher', publisher],
      ['WimPath', wimPath],
      ['Size', result.size],
    ]));
  },
});

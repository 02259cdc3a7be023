import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { ErrorRecord, RuntimeException } from '../../core/engine/errors';
import { contentText, fullPath, ioError, itemObject } from './filesystem';

const CLASS = 'Microsoft.PowerShell.Commands.NewItemCommand';

type Kind = 'file' | 'directory' | 'symboliclink' | 'hardlink';

function itemKind(type: string | undefined): Kind | null {
  switch ((type ?? 'file').toLowerCase()) {
    case 'file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symboliclink':
      return 'symboliclink';
    case 'hardlink':
      return 'hardlink';
    default:
      return null;
  }
}

export default defineCmdlet({
  verb: 'New',
  noun: 'Item',
  module: 'Microsoft.PowerShell.Management',
  synopsis: 'Creates a new item: a file, a directory or a link.',
  defaultParameterSet: 'pathSet',
  supportsShouldProcess: true,
  confirmImpact: 'Medium',
  outputType: ['System.IO.FileInfo', 'System.IO.DirectoryInfo'],
  parameters: [
    { name: 'Path', type: 'string[]', position: 0, valueFromPipelineByPropertyName: true, description: 'Where to create the item(s); with -Name, the folder to create it in.' },
    { name: 'Name', type: 'string', valueFromPipelineByPropertyName: true, sets: ['nameSet'], description: 'The name of the new item, created in -Path (default: the current location).' },
    { name: 'ItemType', type: 'string', aliases: ['Type'], valueFromPipelineByPropertyName: true, description: 'File (the default), Directory, SymbolicLink or HardLink.' },
    { name: 'Value', type: 'object', aliases: ['Target'], valueFromPipeline: true, valueFromPipelineByPropertyName: true, description: "A file's content (written as is, no newline added), or a link's target." },
    { name: 'Force', type: 'switch', description: 'Overwrites an existing file, returns an existing directory, and creates missing parent folders.' },
  ],
  async process(ctx) {
    const p = ctx.params;
    const kind = itemKind(p.ItemType as string | undefined);
    if (kind === null) {
      ctx.writeError(
        new ErrorRecord({
          message: 'The type is not a known type for the file system. Only "file","directory" or "symboliclink" can be specified.',
          errorId: `Argument,${CLASS}`,
          category: 'InvalidArgument',
          exceptionType: 'System.ArgumentException',
          targetObject: p.ItemType,
        }),
      );
      return;
    }
    let targets: string[];
    if (p.Path === undefined || p.Path === null) {
      if (p.Name === undefined) {
        ctx.throwTerminating(
          new ErrorRecord({
            message: 'Cannot process command because of one or more missing mandatory parameters: Path.',
            errorId: `MissingMandatoryParameter,${ctx.commandName}`,
            category: 'InvalidArgument',
            exceptionType: 'System.Management.Automation.ParameterBindingException',
          }),
        );
      }
      targets = [fullPath(ctx, String(p.Name))];
    } else {
      targets = (p.Path as string[]).map((x) => fullPath(ctx, p.Name !== undefined ? path.join(x, String(p.Name)) : x));
    }
    const force = Boolean(p.Force);
    for (const target of targets) {
      const action = kind === 'file' ? 'Create File' : kind === 'directory' ? 'Create Directory' : kind === 'symboliclink' ? 'Create Symbolic Link' : 'Create Hard Link';
      if (!(await ctx.shouldProcess(`Destination: ${target}`, action))) continue;
      const existing = (() => {
        try {
          return fs.lstatSync(target);
        } catch {
          return null;
        }
      })();
      try {
        if (kind === 'directory') {
          if (existing) {
            if (!force || !existing.isDirectory()) {
              ctx.writeError(
                new ErrorRecord({
                  message: `An item with the specified name ${target} already exists.`,
                  errorId: `DirectoryExist,${CLASS}`,
                  category: 'ResourceExists',
                  exceptionType: 'System.IO.IOException',
                  targetObject: target,
                }),
              );
              continue;
            }
          } else fs.mkdirSync(target, { recursive: true });
        } else if (kind === 'file') {
          if (existing && !force) {
            ctx.writeError(
              new ErrorRecord({
                message: `The file '${target}' already exists.`,
                errorId: `NewItemIOError,${CLASS}`,
                category: 'WriteError',
                exceptionType: 'System.IO.IOException',
                targetObject: target,
              }),
            );
            continue;
          }
          if (force) fs.mkdirSync(path.dirname(target), { recursive: true });
          const value = p.Value === undefined || p.Value === null ? '' : contentText(p.Value);
          fs.writeFileSync(target, value, 'utf8');
        } else {
          if (p.Value === undefined || p.Value === null || String(p.Value).trim() === '') {
            // The provider's NewItem throws ArgumentNullException("content") (Pester New-Item.Tests.ps1).
            ctx.throwTerminating(
              new ErrorRecord({
                message: "Value cannot be null. (Parameter 'content')",
                errorId: `ArgumentNull,${CLASS}`,
                category: 'InvalidArgument',
                exceptionType: 'System.Management.Automation.PSArgumentNullException',
                targetObject: target,
              }),
            );
          }
          if (existing) {
            if (!force) {
              ctx.writeError(
                new ErrorRecord({
                  message: `An item with the specified name ${target} already exists.`,
                  errorId: `SymLinkExists,${CLASS}`,
                  category: 'ResourceExists',
                  exceptionType: 'System.IO.IOException',
                  targetObject: target,
                }),
              );
              continue;
            }
            fs.rmSync(target, { recursive: existing.isDirectory() && !existing.isSymbolicLink(), force: true });
          }
          // A relative target is recorded as given, with the platform's separator.
          const linkTarget = String(p.Value).replace(/\\/g, '/');
          if (kind === 'symboliclink') fs.symlinkSync(linkTarget, target);
          else fs.linkSync(fullPath(ctx, linkTarget), target);
        }
      } catch (e) {
        if (e instanceof RuntimeException) throw e;
        ctx.writeError(ioError(e, `NewItemIOError,${CLASS}`, 'WriteError', target));
        continue;
      }
      await ctx.write(itemObject(target));
    }
  },
});

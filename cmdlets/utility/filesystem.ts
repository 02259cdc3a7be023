// The FileSystem provider side of the location and item cmdlets (Get-Location, Get-ChildItem,
// Get-Content, New-Item, ...): path resolution against the session's current location, wildcard
// globbing, PowerShell's path errors, text encodings, and the FileInfo/DirectoryInfo objects.
// Not a cmdlet (lower-case file name): the engine does not load it as one.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CmdletContext } from '../../core/engine/cmdlet';
import { ErrorRecord } from '../../core/engine/errors';
import { hasWildcard, wildcardToRegExp } from '../../core/engine/operators';
import type { SessionState } from '../../core/engine/session';
import { PSObject, toDisplayString } from '../../core/engine/values';

export const PROVIDER = 'Microsoft.PowerShell.Core\\FileSystem';
const PROVIDER_PREFIX = PROVIDER + '::';

export const FILE_TYPE_NAMES = ['System.IO.FileInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object'];
export const DIRECTORY_TYPE_NAMES = ['System.IO.DirectoryInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object'];
export const PATHINFO_TYPE_NAMES = ['System.Management.Automation.PathInfo', 'System.Object'];

/** Paths on this platform are case-sensitive (pwsh's FileSystem provider on Unix). */
export const caseSensitivePaths = process.platform !== 'win32';

export function currentLocation(ctx: CmdletContext): string {
  return (ctx.session as SessionState).cwd;
}

/** `~` at the start means the home directory; a provider-qualified path loses its prefix. */
export function normalizeInput(p: string): string {
  let s = p;
  if (s.toLowerCase().startsWith(PROVIDER_PREFIX.toLowerCase())) s = s.slice(PROVIDER_PREFIX.length);
  else if (s.toLowerCase().startsWith('filesystem::')) s = s.slice('filesystem::'.length);
  if (s === '~' || s.startsWith('~/') || s.startsWith('~\\')) s = os.homedir() + s.slice(1);
  return s;
}

/** The full path a (relative) path names, with `.`/`..` resolved and no trailing separator. */
export function fullPath(ctx: CmdletContext, p: string): string {
  const s = normalizeInput(p);
  return path.resolve(currentLocation(ctx), s);
}

export function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Unix hides names that start with a dot (what -Force reveals). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

export function pathNotFound(ctx: CmdletContext, className: string, full: string): ErrorRecord {
  return new ErrorRecord({
    message: `Cannot find path '${full}' because it does not exist.`,
    errorId: `PathNotFound,Microsoft.PowerShell.Commands.${className}`,
    category: 'ObjectNotFound',
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
    targetObject: full,
  });
}

/** What the content cmdlets report for a wildcard that matches nothing (ContentCommandBase). */
export function itemNotFound(className: string, full: string): ErrorRecord {
  return new ErrorRecord({
    message: `Cannot find path '${full}' because it does not exist.`,
    errorId: `ItemNotFound,Microsoft.PowerShell.Commands.${className}`,
    category: 'ObjectNotFound',
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
    targetObject: full,
  });
}

/** An I/O failure (permissions, a missing folder) as the FileSystem provider reports it. */
export function ioError(err: unknown, errorId: string, category: ErrorRecord['category'], target: string): ErrorRecord {
  const e = err as NodeJS.ErrnoException;
  let message: string;
  let exceptionType = 'System.IO.IOException';
  switch (e?.code) {
    case 'ENOENT':
      message = `Could not find a part of the path '${target}'.`;
      exceptionType = 'System.IO.DirectoryNotFoundException';
      break;
    case 'EACCES':
    case 'EPERM':
      message = `Access to the path '${target}' is denied.`;
      exceptionType = 'System.UnauthorizedAccessException';
      category = 'PermissionDenied';
      break;
    case 'EISDIR':
      message = `Access to the path '${target}' is denied.`;
      exceptionType = 'System.UnauthorizedAccessException';
      category = 'PermissionDenied';
      break;
    case 'ENOTDIR':
      message = `Could not find a part of the path '${target}'.`;
      exceptionType = 'System.IO.DirectoryNotFoundException';
      break;
    case 'ENOTEMPTY':
      message = `Directory not empty : '${target}'`;
      break;
    default:
      message = e instanceof Error ? e.message : String(err);
  }
  return new ErrorRecord({ message, errorId, category, exceptionType, targetObject: target, cause: err });
}

function splitSegments(full: string): { root: string; segments: string[] } {
  const parsed = path.parse(full);
  const rest = full.slice(parsed.root.length);
  return { root: parsed.root, segments: rest.split(/[\\/]+/).filter((s) => s !== '') };
}

/**
 * Expands a wildcard path against the file system: each segment with `*`, `?` or `[...]` is
 * matched against the names in its folder (hidden names only when the segment itself starts
 * with a dot, or with -Force). Returns full paths, sorted as pwsh lists them.
 */
export function globPath(ctx: CmdletContext, p: string, force = false): string[] {
  const full = fullPath(ctx, p);
  const { root, segments } = splitSegments(full);
  let current = [root];
  for (const seg of segments) {
    const next: string[] = [];
    if (!hasWildcard(seg)) {
      for (const c of current) {
        const candidate = path.join(c, seg);
        if (exists(candidate)) next.push(candidate);
      }
    } else {
      const re = wildcardToRegExp(seg, caseSensitivePaths);
      for (const c of current) {
        let names: string[];
        try {
          names = fs.readdirSync(c);
        } catch {
          continue;
        }
        names.sort(compareNames);
        for (const n of names) {
          if (isHiddenName(n) && !force && !seg.startsWith('.')) continue;
          if (re.test(n)) next.push(path.join(c, n));
        }
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** Ordinal-ignore-case name order, as .NET's directory listing sorted by pwsh. */
export function compareNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Resolves -Path (wildcards) or -LiteralPath values to existing full paths. A literal path that
 * does not exist is a PathNotFound error (written, not thrown); a wildcard that matches nothing
 * yields nothing, or (`noMatchIsError`, the content cmdlets) an ItemNotFound error.
 */
export function resolveExisting(ctx: CmdletContext, paths: string[], literal: boolean, className: string, force = false, noMatchIsError = false): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!literal && hasWildcard(normalizeInput(p))) {
      const matches = globPath(ctx, p, force);
      if (matches.length === 0 && noMatchIsError) ctx.writeError(itemNotFound(className, fullPath(ctx, p)));
      out.push(...matches);
      continue;
    }
    const full = fullPath(ctx, literal ? p : unescapeWildcard(p));
    if (!exists(full)) {
      ctx.writeError(pathNotFound(ctx, className, full));
      continue;
    }
    out.push(full);
  }
  return out;
}

/** A -Path without wildcards may still hold backtick escapes (`` a`[1`].txt ``). */
export function unescapeWildcard(p: string): string {
  return p.replace(/`(.)/g, '$1');
}

/** The paths a cmdlet was given: -LiteralPath when bound, otherwise -Path. */
export function pathArguments(ctx: CmdletContext): { paths: string[]; literal: boolean } {
  if (ctx.params.LiteralPath !== undefined) return { paths: (ctx.params.LiteralPath as string[]).map(String), literal: true };
  const p = ctx.params.Path;
  if (p === undefined || p === null) return { paths: [], literal: false };
  return { paths: (Array.isArray(p) ? p : [p]).map((x) => String(x)), literal: false };
}

// ------------------------------------------------------------------------------------------
// Encodings
// ------------------------------------------------------------------------------------------

export const ENCODING_NAMES = [
  'ascii', 'ansi', 'bigendianunicode', 'bigendianutf32', 'oem', 'unicode', 'utf7', 'utf8', 'utf8BOM', 'utf8NoBOM', 'utf32', 'latin1',
];

type EncodingName = 'ascii' | 'latin1' | 'utf8' | 'utf8bom' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be';

function canonicalEncoding(name: string | undefined): EncodingName {
  switch ((name ?? 'utf8NoBOM').toLowerCase()) {
    case 'ascii':
      return 'ascii';
    case 'ansi':
    case 'latin1':
    case 'oem':
      return 'latin1';
    case 'bigendianunicode':
      return 'utf16be';
    case 'unicode':
      return 'utf16le';
    case 'utf32':
      return 'utf32le';
    case 'bigendianutf32':
      return 'utf32be';
    case 'utf8bom':
      return 'utf8bom';
    default:
      return 'utf8';
  }
}

function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  c.swap16();
  return c;
}

function decodeUtf32(b: Buffer, bigEndian: boolean): string {
  let s = '';
  for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(bigEndian ? b.readUInt32BE(i) : b.readUInt32LE(i));
  return s;
}

/** Decodes file bytes: a byte-order mark wins over -Encoding, as .NET's StreamReader does. */
export function decodeText(bytes: Buffer, encoding: string | undefined): string {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) return decodeUtf32(bytes.subarray(4), false);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return decodeUtf32(bytes.subarray(4), true);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return swap16(bytes.subarray(2)).toString('utf16le');
  switch (canonicalEncoding(encoding)) {
    case 'ascii':
      return Array.from(bytes, (c) => (c < 0x80 ? String.fromCharCode(c) : '?')).join('');
    case 'latin1':
      return bytes.toString('latin1');
    case 'utf16le':
      return bytes.toString('utf16le');
    case 'utf16be':
      return swap16(bytes).toString('utf16le');
    case 'utf32le':
      return decodeUtf32(bytes, false);
    case 'utf32be':
      return decodeUtf32(bytes, true);
    default:
      return bytes.toString('utf8');
  }
}

/** Encodes text; `withPreamble` adds the byte-order mark the encoding has (a new file's start). */
export function encodeText(text: string, encoding: string | undefined, withPreamble: boolean): Buffer {
  const enc = canonicalEncoding(encoding);
  const parts: Buffer[] = [];
  switch (enc) {
    case 'ascii':
      return Buffer.from(Array.from(text, (ch) => (ch.codePointAt(0)! < 0x80 ? ch.charCodeAt(0) : 0x3f)));
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8bom':
      if (withPreamble) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
      parts.push(Buffer.from(text, 'utf8'));
      break;
    case 'utf16le':
      if (withPreamble) parts.push(Buffer.from([0xff, 0xfe]));
      parts.push(Buffer.from(text, 'utf16le'));
      break;
    case 'utf16be':
      if (withPreamble) parts.push(Buffer.from([0xfe, 0xff]));
      parts.push(swap16(Buffer.from(text, 'utf16le')));
      break;
    case 'utf32le':
    case 'utf32be': {
      const be = enc === 'utf32be';
      if (withPreamble) parts.push(Buffer.from(be ? [0, 0, 0xfe, 0xff] : [0xff, 0xfe, 0, 0]));
      const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => (be ? b.writeUInt32BE(cp, i * 4) : b.writeUInt32LE(cp, i * 4)));
      parts.push(b);
      break;
    }
  }
  return Buffer.concat(parts);
}

/** The text a value becomes in a file (Set-Content, Add-Content): its [string] form. */
export function contentText(value: unknown): string {
  return toDisplayString(value);
}

// ------------------------------------------------------------------------------------------
// FileInfo / DirectoryInfo
// ------------------------------------------------------------------------------------------

let userNames: Map<number, string> | null = null;
let groupNames: Map<number, string> | null = null;

function idFile(file: string): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && /^\d+$/.test(f[2])) if (!m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
    }
  } catch {
    // No passwd/group file: ids are shown as numbers.
  }
  return m;
}

function userName(uid: number): string {
  userNames ??= idFile('/etc/passwd');
  return userNames.get(uid) ?? String(uid);
}

function groupName(gid: number): string {
  groupNames ??= idFile('/etc/group');
  return groupNames.get(gid) ?? String(gid);
}

/** `ls -l`'s mode string, as pwsh's UnixMode property: `-rw-r--r--`, `drwxr-xr-x`. */
export function unixMode(st: fs.Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFIFO() ? 'p' : st.isSocket() ? 's' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : '-';
  const m = st.mode;
  const bit = (mask: number, ch: string) => (m & mask ? ch : '-');
  const exec = (x: number, special: number, set: string, unset: string) => (m & special ? (m & x ? set : unset) : m & x ? 'x' : '-');
  return (
    type +
    bit(0o400, 'r') + bit(0o200, 'w') + exec(0o100, 0o4000, 's', 'S') +
    bit(0o040, 'r') + bit(0o020, 'w') + exec(0o010, 0o2000, 's', 'S') +
    bit(0o004, 'r') + bit(0o002, 'w') + exec(0o001, 0o1000, 't', 'T')
  );
}

/** The Mode column of Windows listings: d/l, a, r, h, s flags (pwsh on Unix maps from stat). */
function windowsMode(st: fs.Stats, name: string, isLink: boolean): string {
  const readOnly = (st.mode & 0o200) === 0;
  return (st.isDirectory() ? 'd' : isLink ? 'l' : '-') + '-' + (readOnly ? 'r' : '-') + (isHiddenName(name) ? 'h' : '-') + '-';
}

function attributes(st: fs.Stats, name: string, isLink: boolean): string {
  const a: string[] = [];
  if ((st.mode & 0o200) === 0) a.push('ReadOnly');
  if (isHiddenName(name)) a.push('Hidden');
  if (st.isDirectory()) a.push('Directory');
  if (isLink) a.push('ReparsePoint');
  return a.length ? a.join(', ') : 'Normal';
}

/**
 * A FileInfo or DirectoryInfo as Get-ChildItem and New-Item return it: the .NET properties plus
 * the provider's PSPath, PSParentPath, PSChildName, PSDrive, PSProvider, PSIsContainer and the
 * Unix stat columns (UnixMode, User, Group, Size). ToString() is the full path.
 */
export function itemObject(full: string): PSObject {
  const lst = fs.lstatSync(full);
  const isLink = lst.isSymbolicLink();
  let st = lst;
  let target: string | null = null;
  if (isLink) {
    try {
      target = fs.readlinkSync(full);
      st = fs.statSync(full);
    } catch {
      st = lst;
    }
  }
  const isDir = st.isDirectory();
  const name = path.basename(full) || full;
  const parent = path.dirname(full) === full ? '' : path.dirname(full);
  const o = new PSObject([...(isDir ? DIRECTORY_TYPE_NAMES : FILE_TYPE_NAMES)]);
  const ext = path.extname(name);
  o.set('PSPath', PROVIDER_PREFIX + full);
  o.set('PSParentPath', parent ? PROVIDER_PREFIX + parent : '');
  o.set('PSChildName', name);
  o.set('PSDrive', '/');
  o.set('PSProvider', PROVIDER);
  o.set('PSIsContainer', isDir);
  o.set('Mode', windowsMode(st, name, isLink));
  o.set('ModeWithoutHardLink', windowsMode(st, name, isLink));
  o.set('BaseName', isDir ? name : ext ? name.slice(0, name.length - ext.length) : name);
  o.set('Target', target);
  o.set('LinkType', isLink ? 'SymbolicLink' : !isDir && st.nlink > 1 ? 'HardLink' : null);
  o.set('NameString', isLink && target !== null ? `${name} -> ${target}` : name);
  if (!isDir) {
    o.set('Length', st.size);
    o.set('DirectoryName', parent);
    o.set('IsReadOnly', (st.mode & 0o200) === 0);
  } else {
    o.set('Parent', parent);
    o.set('Root', path.parse(full).root);
  }
  o.set('Exists', true);
  o.set('FullName', full);
  o.set('Extension', ext);
  o.set('Name', name);
  o.set('CreationTime', new Date(st.birthtimeMs));
  o.set('LastAccessTime', new Date(st.atimeMs));
  o.set('LastWriteTime', new Date(st.mtimeMs));
  o.set('Attributes', attributes(st, name, isLink));
  o.set('UnixMode', unixMode(lst.isSymbolicLink() ? lst : st));
  o.set('User', userName(st.uid));
  o.set('Group', groupName(st.gid));
  o.set('Size', st.size);
  o.toStringFn = () => full;
  return o;
}

/** System.Management.Automation.PathInfo: what Get-Location and Set-Location -PassThru return. */
export function pathInfo(p: string): PSObject {
  const o = new PSObject([...PATHINFO_TYPE_NAMES]);
  o.set('Drive', '/');
  o.set('Provider', PROVIDER);
  o.set('ProviderPath', p);
  o.set('Path', p);
  o.toStringFn = () => p;
  return o;
}

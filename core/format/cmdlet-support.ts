// What the formatting cmdlets (Format-Table, Format-List, Out-String, Out-File, Tee-Object) share:
// script-block columns evaluated ahead of rendering, and the text encodings of Out-File.
// No I/O here; the cmdlets write the bytes.
import { Hashtable } from '../engine/values';
import type { Evaluate, PropertyArg } from './formatter';

/** A script block's output as one value: nothing is $null, one item is itself, more an array. */
export function unwrapOutput(out: unknown[]): unknown {
  return out.length === 0 ? null : out.length === 1 ? out[0] : out;
}

function isScriptBlock(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { isScriptBlock?: boolean }).isScriptBlock === true;
}

/** The script blocks a -Property / -GroupBy argument list will run: bare blocks and `Expression` values. */
export function scriptBlocksIn(args: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const a of args) {
    if (isScriptBlock(a)) out.push(a);
    else if (a instanceof Hashtable) {
      for (const [k, v] of a.entries()) {
        const key = String(k).toLowerCase();
        if (key.length > 0 && 'expression'.startsWith(key) && isScriptBlock(v)) out.push(v);
      }
    }
  }
  return out;
}

/** The objects a formatter sees for pipeline input: arrays enumerated (hashtables become their entries later). */
export function formatterItems(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach(walk);
    else out.push(v);
  };
  values.forEach(walk);
  return out;
}

/**
 * Runs every script block of the arguments for every object ahead of rendering (a block may need
 * I/O and so be asynchronous; rendering is synchronous), and returns the `evaluate` hook that
 * core/format calls with the stored results. Objects made while rendering (a hashtable's entries)
 * are evaluated then, synchronously.
 */
export async function precomputeEvaluate(
  args: unknown[],
  items: unknown[],
  invoke: (sb: unknown, obj: unknown) => unknown[] | Promise<unknown[]>,
): Promise<Evaluate> {
  const results = new Map<unknown, Map<unknown, unknown>>();
  for (const sb of scriptBlocksIn(args)) {
    const byObject = new Map<unknown, unknown>();
    results.set(sb, byObject);
    for (const obj of items) {
      if (obj instanceof Hashtable || byObject.has(obj)) continue;
      let out = invoke(sb, obj);
      if (out instanceof Promise) out = await out;
      byObject.set(obj, unwrapOutput(out as unknown[]));
    }
  }
  return (sb: unknown, obj: unknown) => {
    const stored = results.get(sb);
    if (stored && stored.has(obj)) return stored.get(obj);
    const out = invoke(sb, obj);
    return out instanceof Promise ? null : unwrapOutput(out);
  };
}

/** -Property arguments as core/format takes them (strings, hashtables, script blocks as they are). */
export function propertyArgs(values: unknown[] | undefined): PropertyArg[] | undefined {
  if (values === undefined) return undefined;
  return values.map((v) => (typeof v === 'string' || v instanceof Hashtable || isScriptBlock(v) ? (v as PropertyArg) : String(v)));
}

// ---- Encodings (Out-File, Tee-Object) -------------------------------------------------------

/** The -Encoding names pwsh 7 accepts by name (utf7 is obsolete and not supported here). */
export const ENCODING_NAMES = ['ascii', 'bigendianunicode', 'bigendianutf32', 'oem', 'unicode', 'utf8', 'utf8BOM', 'utf8NoBOM', 'utf32'];

/** The byte-order mark an encoding writes at the start of a new file. */
export function preamble(encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'utf8bom':
      return Buffer.from([0xef, 0xbb, 0xbf]);
    case 'unicode':
      return Buffer.from([0xff, 0xfe]);
    case 'bigendianunicode':
      return Buffer.from([0xfe, 0xff]);
    case 'utf32':
      return Buffer.from([0xff, 0xfe, 0x00, 0x00]);
    case 'bigendianutf32':
      return Buffer.from([0x00, 0x00, 0xfe, 0xff]);
    default:
      return Buffer.alloc(0);
  }
}

/** Text as bytes in an encoding (no preamble). ASCII writes `?` for characters above 0x7F, as .NET does. */
export function encodeText(text: string, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'ascii':
      return Buffer.from(Array.from(text, (c) => (c.codePointAt(0)! > 0x7f ? '?' : c)).join(''), 'latin1');
    case 'unicode':
      return Buffer.from(text, 'utf16le');
    case 'bigendianunicode':
      return Buffer.from(text, 'utf16le').swap16();
    case 'utf32':
    case 'bigendianutf32': {
      const cps = Array.from(text, (c) => c.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => (encoding.toLowerCase() === 'utf32' ? b.writeUInt32LE(cp, i * 4) : b.writeUInt32BE(cp, i * 4)));
      return b;
    }
    default:
      return Buffer.from(text, 'utf8');
  }
}


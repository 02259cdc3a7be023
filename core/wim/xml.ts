// The archive's XML data: UTF-16LE with a byte-order mark, one <IMAGE INDEX="n"> per image.
// We map NAME, DESCRIPTION, WINDOWS/VERSION, PUBLISHER (our own element) and the counters.

import { WimFormatError } from './errors';

export interface WimImageInfo {
  /** 1-based image index. */
  index: number;
  name: string;
  description: string;
  /** MAJOR.MINOR.BUILD.SPBUILD, or '' when the image has no WINDOWS/VERSION. */
  version: string;
  /** IMAGE/PUBLISHER, or 'CN=Unknown' when absent. */
  publisher: string;
  dirCount: number;
  fileCount: number;
  totalBytes: number;
  /** FILETIME values (100 ns since 1601-01-01 UTC), 0n when absent. */
  creationTime: bigint;
  lastModificationTime: bigint;
}

export const DEFAULT_PUBLISHER = 'CN=Unknown';

const MAX_XML = 64 << 20;

type XmlNode = Record<string, unknown>;

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') {
    const t = (v as XmlNode)['#text'];
    return t === undefined ? '' : String(t);
  }
  return String(v);
}

function num(v: unknown): number {
  const t = text(v).trim();
  if (t === '') return 0;
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : Number(t);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function filetime(v: unknown): bigint {
  if (!v || typeof v !== 'object') return 0n;
  const o = v as XmlNode;
  const part = (k: string): bigint => {
    const t = text(o[k]).trim();
    if (!/^(0x)?[0-9a-f]{1,8}$/i.test(t)) return 0n;
    return BigInt(t.startsWith('0x') || t.startsWith('0X') ? t : '0x' + t);
  };
  return (part('HIGHPART') << 32n) | part('LOWPART');
}

export function parseXml(buf: Buffer, imageCount: number): WimImageInfo[] {
  if (buf.length > MAX_XML) throw new WimFormatError('XML data is too large');
  let s: string;
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) s = buf.toString('utf16le', 2);
  else s = buf.toString('utf16le');
  // No DTDs: entity declarations are the classic XML bomb and WIM XML never needs them.
  if (/<!DOCTYPE|<!ENTITY/i.test(s)) throw new WimFormatError('XML data contains a document type declaration');
  // Loaded lazily: only archive readers pay for the XML parser.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { XMLParser } = require('fast-xml-parser') as typeof import('fast-xml-parser');
  let doc: XmlNode;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      parseAttributeValue: false,
      processEntities: true,
      htmlEntities: false,
      isArray: (name: string) => name === 'IMAGE',
    }).parse(s, true) as XmlNode;
  } catch (e) {
    throw new WimFormatError(`XML data is malformed: ${(e as Error).message}`);
  }
  const wim = doc.WIM as XmlNode | undefined;
  if (!wim || typeof wim !== 'object') throw new WimFormatError('XML data has no <WIM> element');
  const images = (wim.IMAGE as XmlNode[] | undefined) ?? [];
  const byIndex = new Map<number, XmlNode>();
  for (const im of images) {
    if (!im || typeof im !== 'object') continue;
    const idx = Number(text(im['@_INDEX']));
    if (!Number.isInteger(idx) || idx < 1 || idx > imageCount) throw new WimFormatError(`XML data has an IMAGE with invalid INDEX ${JSON.stringify(text(im['@_INDEX']))}`);
    if (byIndex.has(idx)) throw new WimFormatError(`XML data has two IMAGE elements with INDEX ${idx}`);
    byIndex.set(idx, im);
  }
  const out: WimImageInfo[] = [];
  for (let i = 1; i <= imageCount; i++) {
    const im = byIndex.get(i) ?? {};
    const win = im.WINDOWS as XmlNode | undefined;
    const ver = win && typeof win === 'object' ? (win.VERSION as XmlNode | undefined) : undefined;
    let version = '';
    if (ver && typeof ver === 'object') {
      version = [ver.MAJOR, ver.MINOR, ver.BUILD, ver.SPBUILD].map((p) => String(num(p))).join('.');
    }
    const publisher = text(im.PUBLISHER).trim();
    out.push({
      index: i,
      name: text(im.NAME),
      description: text(im.DESCRIPTION),
      version,
      publisher: publisher || DEFAULT_PUBLISHER,
      dirCount: num(im.DIRCOUNT),
      fileCount: num(im.FILECOUNT),
      totalBytes: num(im.TOTALBYTES),
      creationTime: filetime(im.CREATIONTIME),
      lastModificationTime: filetime(im.LASTMODIFICATIONTIME),
    });
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function ft(t: bigint): string {
  const hex = (n: bigint): string => '0x' + n.toString(16).toUpperCase().padStart(8, '0');
  return `<HIGHPART>${hex(t >> 32n)}</HIGHPART><LOWPART>${hex(t & 0xffffffffn)}</LOWPART>`;
}

/** Builds the XML data (with BOM, UTF-16LE) for a single-image archive. */
export function buildXml(info: Omit<WimImageInfo, 'index'>, hardLinkBytes: number, wimTotalBytes: number): Buffer {
  const v = info.version.split('.').map((p) => String(Number(p) || 0));
  while (v.length < 4) v.push('0');
  const xml =
    '<WIM>' +
    `<TOTALBYTES>${wimTotalBytes}</TOTALBYTES>` +
    '<IMAGE INDEX="1">' +
    `<DIRCOUNT>${info.dirCount}</DIRCOUNT>` +
    `<FILECOUNT>${info.fileCount}</FILECOUNT>` +
    `<TOTALBYTES>${info.totalBytes}</TOTALBYTES>` +
    `<HARDLINKBYTES>${hardLinkBytes}</HARDLINKBYTES>` +
    `<CREATIONTIME>${ft(info.creationTime)}</CREATIONTIME>` +
    `<LASTMODIFICATIONTIME>${ft(info.lastModificationTime)}</LASTMODIFICATIONTIME>` +
    `<WINDOWS><VERSION><MAJOR>${v[0]}</MAJOR><MINOR>${v[1]}</MINOR><BUILD>${v[2]}</BUILD><SPBUILD>${v[3]}</SPBUILD></VERSION></WINDOWS>` +
    `<NAME>${esc(info.name)}</NAME>` +
    `<DESCRIPTION>${esc(info.description)}</DESCRIPTION>` +
    `<PUBLISHER>${esc(info.publisher)}</PUBLISHER>` +
    '</IMAGE>' +
    '</WIM>';
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

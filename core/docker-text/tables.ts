// The `docker images` and `docker history` renderers: the docker CLI's default table formats,
// its field contexts (what `--format` placeholders see) and header names.

import { renderFormat } from './template';
import { createdSince, ellipsis, humanSize, shortId } from './units';

/** One row of `docker images` (one per repository:tag; a dangling image has neither). */
export interface ImageRow {
  repository?: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  id: string;
  digest?: string;
  /** Creation time (Date or epoch ms); undefined or 0 → CREATED shows N/A. */
  created?: Date | number;
  size: number;
  containers?: number;
}

export interface ImagesOptions {
  /** --format; default: the classic table (with DIGEST when `digests`). */
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  digests?: boolean;
  /** The clock, for tests. */
  now?: Date | number;
}

export const DEFAULT_IMAGE_TABLE_FORMAT = 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}';
export const DEFAULT_IMAGE_TABLE_FORMAT_WITH_DIGEST =
  'table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\\t{{.Size}}';

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

function ms(t: Date | number | undefined): number | undefined {
  if (t === undefined) return undefined;
  const v = typeof t === 'number' ? t : t.getTime();
  return v === 0 || Number.isNaN(v) ? undefined : v;
}

/** Go's time.Time.String() in UTC: `2016-04-05 10:11:12 +0000 UTC`. */
export function goTimeString(t: Date | number): string {
  const d = new Date(typeof t === 'number' ? t : t.getTime());
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** RFC 3339 in UTC without fractional seconds (Go's time.RFC3339). */
export function rfc3339(t: Date | number): string {
  return new Date(typeof t === 'number' ? t : t.getTime()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The field context `docker images --format` sees for one row. */
export function imageContext(r: ImageRow, opts: Pick<ImagesOptions, 'noTrunc' | 'now'> = {}): Record<string, unknown> {
  const created = ms(r.created);
  return {
    ID: opts.noTrunc ? r.id : shortId(r.id),
    Repository: r.repository ?? '<none>',
    Tag: r.tag ?? '<none>',
    Digest: r.digest ?? '<none>',
    CreatedSince: created === undefined ? '' : createdSince(created, opts.now ?? Date.now()),
    CreatedAt: created === undefined ? '' : goTimeString(created),
    Size: humanSize(r.size),
    VirtualSize: humanSize(r.size),
    SharedSize: 'N/A',
    UniqueSize: 'N/A',
    Containers: r.containers === undefined ? 'N/A' : String(r.containers),
  };
}

/** `docker images` output for rows already expanded per repository:tag and sorted by the caller. */
export function renderImages(rows: ImageRow[], opts: ImagesOptions = {}): string {
  const format = opts.quiet ? '{{.ID}}' : opts.format ?? (opts.digests ? DEFAULT_IMAGE_TABLE_FORMAT_WITH_DIGEST : DEFAULT_IMAGE_TABLE_FORMAT);
  return renderFormat({ format, headers: IMAGE_HEADERS, typeName: '*formatter.imageContext', rows: rows.map((r) => imageContext(r, opts)) });
}

/** One row of `docker history`, newest layer first. */
export interface HistoryRow {
  /** `sha256:…` of the image the step produced, or `<missing>`. */
  id: string;
  created?: Date | number;
  createdBy: string;
  size: number;
  comment?: string;
}

export interface HistoryOptions {
  format?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  /** --human (default true): false prints RFC 3339 times and sizes in bytes. */
  human?: boolean;
  now?: Date | number;
}

export const DEFAULT_HISTORY_TABLE_FORMAT = 'table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}';

export const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export function historyContext(r: HistoryRow, opts: Pick<HistoryOptions, 'noTrunc' | 'human' | 'now'> = {}): Record<string, unknown> {
  const human = opts.human ?? true;
  const created = ms(r.created) ?? 0;
  const createdBy = r.createdBy.replace(/\t/g, ' ');
  return {
    ID: opts.noTrunc || r.id === '<missing>' ? r.id : shortId(r.id),
    CreatedSince: human ? createdSince(created, opts.now ?? Date.now()) : rfc3339(created),
    CreatedAt: rfc3339(created),
    CreatedBy: opts.noTrunc ? createdBy : ellipsis(createdBy, 45),
    Size: human ? humanSize(r.size) : String(r.size),
    Comment: r.comment ?? '',
  };
}

export function renderHistory(rows: HistoryRow[], opts: HistoryOptions = {}): string {
  const format = opts.quiet ? '{{.ID}}' : opts.format ?? DEFAULT_HISTORY_TABLE_FORMAT;
  return renderFormat({ format, headers: HISTORY_HEADERS, typeName: '*history.historyContext', rows: rows.map((r) => historyContext(r, opts)) });
}

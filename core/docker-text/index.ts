// The docker CLI's text conventions (docs/oci-registry.md): go-units durations and sizes, short
// ids, Go's tabwriter, `--format` templates, `--filter` parsing, and the images/history tables.
export { humanDuration, createdSince, humanSize, humanSize4, humanSizeWithPrecision, formatG, shortId, ellipsis } from './units';
export { tabwrite, type TabwriterOptions } from './tabwriter';
export { parseTemplate, executeTemplate, renderFormat, isTableFormat, goString, TemplateError, type FormatSpec } from './template';
export { GoValue, GoNil, GoTime, JsonNumber, NIL_SLICE, NIL_MAP, NIL_INTERFACE, goJson, rfc3339Nano, rawJsonView, markGoMap } from './govalues';
export { parseFilters, FilterArgs, FilterError, IMAGE_FILTERS, pathMatch, matchReference } from './filters';
export {
  renderImages,
  renderHistory,
  imageContext,
  historyContext,
  goTimeString,
  rfc3339,
  IMAGE_HEADERS,
  HISTORY_HEADERS,
  DEFAULT_IMAGE_TABLE_FORMAT,
  DEFAULT_IMAGE_TABLE_FORMAT_WITH_DIGEST,
  DEFAULT_HISTORY_TABLE_FORMAT,
  type ImageRow,
  type ImagesOptions,
  type HistoryRow,
  type HistoryOptions,
} from './tables';

// Public surface of the formatting room: views, Out-Default/Out-String, Format-Table/List, progress.
export {
  OutputFormatter,
  FormatRequest,
  formatToString,
  formatTable,
  formatList,
  renderTable,
  renderList,
  resolveProperties,
  CalculatedPropertyError,
  DEFAULT_WIDTH,
  DEFAULT_BATCH_SIZE,
  type OutputFormatterOptions,
  type TableOptions,
  type ListOptions,
  type PropertyArg,
  type CalculatedProperty,
  type Evaluate,
} from './formatter';
export {
  registerView,
  unregisterViews,
  findView,
  viewsFor,
  readValue,
  type View,
  type TableView,
  type ListView,
  type CustomView,
  type TableColumn,
  type ListEntry,
  type ValueSource,
} from './views';
export { TYPE_NAMES, BUILTIN_VIEWS, registerBuiltinViews } from './builtin-views';
export { formatCell, DEFAULT_ENUMERATION_LIMIT } from './cells';
export { renderProgress, type ProgressRenderOptions } from './progress';
export { ELLIPSIS, cellWidth, wrapText, type Alignment } from './text';
export { renderHelp, renderHelpParameters, wrapWords, type HelpContent, type HelpParameter, type HelpExample, type HelpView } from './help';

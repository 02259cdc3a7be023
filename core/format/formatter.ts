// Out-Default, Out-String, Format-Table and Format-List over the view registry.
//
// Shape: the first object decides. A type with a registered view uses its default view; other
// objects with up to 4 properties make a table, 5 or more a list. Scalars (strings, numbers,
// booleans, dates, versions) and property-less objects print as their string, one per line, and
// never open a table. Hashtables are formatted as their entries (Name/Value).
//
// Mixed types, as pwsh 7 does it: once a table is open, an object that does not belong to it
// (another type, or a type with a different view) is printed "out of band" in list form — even if
// its own type has a table view — and the table carries on afterwards without a new header
// (PowerShell/PowerShell#7839, #4552). Objects of the same type with other properties stay in the
// first table and show blanks for the columns they lack (the well-known first-object rule).
// A view with a group-by property (Get-Member's TypeName) starts a new header per group.
//
// Streaming: pwsh sizes view-less columns from the objects that arrive in a short time window and
// keeps those widths for the rest of the table. OutputFormatter does the same by count instead of
// time: when a table is about to open it holds objects until `batchSize` (default 50) have arrived
// or flush() (or printHeld(), for a caller that wants pwsh's time window) is called, sizes the
// table from the whole batch, and keeps the widths once the header is printed (later, longer
// values are truncated). Output that needs no sizing — scalars, lists, further rows of a table
// whose header is out — is returned by write() at once.
//
// Widths: the console keeps its last column free (pwsh's ConsoleLineOutput uses BufferWidth - 1
// so a full line never auto-wraps); Out-String -Width uses the width as given. That is why the
// TP5 seed's Find-ContainerImage table (Name 30, Version 16, Source 16) truncates its Summary to
// 54 cells at a 120-column console.
import { formatWithSpecifier } from '../engine/operators';
import { Hashtable, PSObject, PSVersion, toDisplayString } from '../engine/values';
import { registerBuiltinViews } from './builtin-views';
import { DEFAULT_ENUMERATION_LIMIT, formatCell, isNumeric } from './cells';
import { renderListEntries } from './list';
import { hasVisibleColumns, layoutTable, renderHeader, renderRow, type TableLayout } from './table';
import { hasWildcard, wildcardToRegExp, type Alignment } from './text';
import { TYPE_NAMES } from './builtin-views';
import { findView, readValue, type CustomView, type ListView, type TableView, type ValueSource } from './views';

registerBuiltinViews();

export const DEFAULT_WIDTH = 120;
export const DEFAULT_BATCH_SIZE = 50;

/** A calculated property: `@{Label/Name/L/N = …; Expression/E = …; Width = …; Alignment = …}`. */
export interface CalculatedProperty {
  label?: string;
  name?: string;
  /** A property name, or a function of the object (the engine wraps script blocks). */
  expression: ValueSource;
  width?: number;
  alignment?: Alignment;
}

/**
 * A -Property argument: a name (wildcards allowed), a calculated property (object or Hashtable),
 * a function of the object, or a script block (any other object) run through `evaluate`.
 */
export type PropertyArg = string | CalculatedProperty | Hashtable | ((obj: unknown) => unknown) | object;

/**
 * Runs a script block for one object and returns its value (the caller unwraps the output
 * collection). Script blocks need the engine, so the cmdlet passes this in; the label of an
 * unnamed script-block column is its text (String(expression)), as in pwsh.
 */
export type Evaluate = (expression: unknown, obj: unknown) => unknown;

export interface TableOptions {
  property?: PropertyArg[];
  autoSize?: boolean;
  wrap?: boolean;
  hideTableHeaders?: boolean;
  /** Format-Table -GroupBy: a property name or calculated property. */
  groupBy?: PropertyArg;
  /** $FormatEnumerationLimit (default 4; negative means all). */
  enumerationLimit?: number;
  evaluate?: Evaluate;
  /**
   * -Force: strings and other scalars are formatted like objects too (a row of the -Property
   * columns); without it they print as their text, out of band, as pwsh does.
   */
  force?: boolean;
}

export interface ListOptions {
  property?: PropertyArg[];
  groupBy?: PropertyArg;
  enumerationLimit?: number;
  evaluate?: Evaluate;
  /** -Force: scalars are formatted as lists of the -Property entries (which they lack) instead of printed. */
  force?: boolean;
}

/**
 * What Format-Table / Format-List emit into the pipeline. Out-Default and Out-String render it at
 * their own width, as pwsh's format objects are rendered by the Out-* cmdlet that receives them.
 */
export class FormatRequest {
  /** Get-Member and typeNameOf see pwsh's name for format objects. */
  readonly psTypeName = 'Microsoft.PowerShell.Commands.Internal.Format.FormatStartData';
  constructor(
    readonly shape: 'table' | 'list',
    readonly values: unknown[],
    readonly options: TableOptions | ListOptions,
  ) {}

  toString(): string {
    return this.psTypeName;
  }
}

export function formatTable(values: unknown[], options: TableOptions = {}): FormatRequest {
  return new FormatRequest('table', values, options);
}

export function formatList(values: unknown[], options: ListOptions = {}): FormatRequest {
  return new FormatRequest('list', values, options);
}

interface Column {
  label: string;
  value: ValueSource;
  width: number | null;
  alignment: Alignment;
  /** A calculated property's FormatString (`N2`, `yyyy-MM-dd`), applied as the -f operator does. */
  formatString?: string;
}

interface TablePlan {
  columns: Column[];
  belongs: (o: PSObject) => boolean;
  groupBy?: { label: string; value: ValueSource };
  autoSize: boolean;
  wrap: boolean;
  hideHeader: boolean;
  layout: TableLayout | null;
  group: string | null;
}

type State = { kind: 'table'; plan: TablePlan; blankBeforeRow: boolean } | { kind: 'list' } | { kind: 'custom' };

export interface OutputFormatterOptions {
  /** Terminal columns ($Host.UI.RawUI.BufferSize.Width); default 120. */
  width?: number;
  /** True (default) for the console, which keeps its last column free; false for Out-String. */
  console?: boolean;
  /** Objects held before a table's widths are decided; Infinity holds everything until flush(). */
  batchSize?: number;
  enumerationLimit?: number;
}

/** Out-Default's streaming formatter: feed objects with write(), end the pipeline with flush(). */
export class OutputFormatter {
  private readonly width: number;
  private readonly batchSize: number;
  private readonly limit: number;
  private pending: unknown[] = [];
  private state: State | null = null;

  constructor(opts: OutputFormatterOptions = {}) {
    const cols = opts.width ?? DEFAULT_WIDTH;
    this.width = opts.console === false ? cols : cols - 1;
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
    this.limit = opts.enumerationLimit ?? DEFAULT_ENUMERATION_LIMIT;
  }

  /** Takes one pipeline object; returns the text that can be printed now (often ''). */
  write(value: unknown): string {
    const wasEmpty = this.pending.length === 0;
    for (const v of expand(value)) this.pending.push(v);
    // Nothing waits for a table's widths: print at once, so a script's messages are not held back.
    if (wasEmpty && this.pending.every((v) => this.isImmediate(v))) return joinLines(this.drain());
    if (this.pending.length < this.batchSize) return '';
    return joinLines(this.drain());
  }

  /** Objects are being held to size a table (the engine may call printHeld() after a timeout). */
  get holding(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Prints what is held now, sizing a table from the objects held so far, without closing it —
   * pwsh's behaviour when its short time window ends before the count is reached.
   */
  printHeld(): string {
    return joinLines(this.drain());
  }

  /**
   * True when printing `v` now needs no widths from later objects: scalars, format requests,
   * list entries, rows of a table whose header is out, and out-of-band lists.
   */
  private isImmediate(v: unknown): boolean {
    if (!(v instanceof PSObject) || v.propertyNames().length === 0 || customView(v)) return true;
    const s = this.state;
    if (s === null || s.kind === 'custom') return this.shapeOf(v) === 'list';
    if (s.kind === 'list') return true;
    if (!s.plan.belongs(v)) return true;
    return s.plan.layout !== null && groupOf(s.plan, v) === s.plan.group;
  }

  private shapeOf(first: PSObject): 'table' | 'list' {
    const view = findView(first);
    if (view && view.kind !== 'custom') return view.kind;
    return first.propertyNames().length > 4 ? 'list' : 'table';
  }

  /** Ends the output: prints what is held and closes an open table or list. */
  flush(): string {
    const lines = this.drain();
    lines.push(...this.close());
    return joinLines(lines);
  }

  private drain(): string[] {
    const batch = this.pending;
    this.pending = [];
    const out: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      if (v instanceof FormatRequest) {
        out.push(...this.close());
        out.push(...renderRequest(v, this.width));
        continue;
      }
      if (!(v instanceof PSObject) || v.propertyNames().length === 0) {
        out.push(...scalarLines(v));
        continue;
      }
      const custom = customView(v);
      if (custom) {
        // A run of custom-view objects shares one blank line before and one after, as one
        // format sequence does in pwsh.
        if (this.state?.kind !== 'custom') {
          out.push(...this.close(), '');
          this.state = { kind: 'custom' };
        }
        out.push(...custom.render(v, this.width));
        continue;
      }
      if (this.state?.kind === 'custom') out.push(...this.close());
      if (this.state === null) this.state = this.open(v);
      const state = this.state as Exclude<State, { kind: 'custom' }>;
      if (state.kind === 'list') {
        out.push('', ...listLines(v, this.width, this.limit));
        continue;
      }
      const plan = state.plan;
      if (!plan.belongs(v)) {
        out.push('', ...listLines(v, this.width, this.limit));
        state.blankBeforeRow = true;
        continue;
      }
      if (state.blankBeforeRow) {
        out.push('');
        state.blankBeforeRow = false;
      }
      out.push(...tableObjectLines(plan, v, batch, i, this.width, this.limit));
    }
    return out;
  }

  private open(first: PSObject): State {
    const view = findView(first);
    if (this.shapeOf(first) === 'list') return { kind: 'list' };
    if (view?.kind === 'table') return { kind: 'table', plan: planFromView(view, {}), blankBeforeRow: false };
    return { kind: 'table', plan: planFromProperties(first, {}), blankBeforeRow: false };
  }

  private close(): string[] {
    const s = this.state;
    this.state = null;
    return s === null ? [] : [''];
  }
}

/**
 * Out-String: the whole text (`stream: false`), or its lines (`stream: true`, Out-String -Stream).
 * Width is used as given (default 120), as Out-String -Width does.
 */
export function formatToString(values: unknown[], opts?: { width?: number; stream?: false; enumerationLimit?: number }): string;
export function formatToString(values: unknown[], opts: { width?: number; stream: true; enumerationLimit?: number }): string[];
export function formatToString(
  values: unknown[],
  opts: { width?: number; stream?: boolean; enumerationLimit?: number } = {},
): string | string[] {
  const f = new OutputFormatter({
    width: opts.width ?? DEFAULT_WIDTH,
    console: false,
    batchSize: Infinity,
    enumerationLimit: opts.enumerationLimit,
  });
  let text = '';
  for (const v of values) text += f.write(v);
  text += f.flush();
  if (!opts.stream) return text;
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

/** Format-Table rendered directly to text at a width (what `Format-Table | Out-String -Width w` gives). */
export function renderTable(values: unknown[], options: TableOptions = {}, width: number = DEFAULT_WIDTH): string {
  return joinLines(renderRequest(formatTable(values, options), width));
}

/** Format-List rendered directly to text at a width. */
export function renderList(values: unknown[], options: ListOptions = {}, width: number = DEFAULT_WIDTH): string {
  return joinLines(renderRequest(formatList(values, options), width));
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** Pipeline objects as the formatter sees them: collections enumerated, hashtables as entries. */
function* expand(value: unknown): Generator<unknown> {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) yield* expand(v);
    return;
  }
  if (value instanceof Hashtable) {
    for (const [k, v] of value.entries()) {
      yield PSObject.fromEntries(
        [
          ['Name', k],
          ['Value', v],
        ],
        [TYPE_NAMES.DictionaryEntry, 'System.ValueType', 'System.Object'],
      );
    }
    return;
  }
  yield value;
}

/** The custom view of an object, if its type has one (Get-Help's help objects). */
function customView(v: PSObject): CustomView | undefined {
  const view = findView(v);
  return view?.kind === 'custom' ? view : undefined;
}

function scalarLines(v: unknown): string[] {
  const s = v instanceof PSVersion || v instanceof PSObject ? v.toString() : toDisplayString(v);
  return s.replace(/\r/g, '').split('\n');
}

// ---- Tables -------------------------------------------------------------------------------

function planFromView(view: TableView, opts: TableOptions): TablePlan {
  return {
    columns: view.columns.map((c) => ({ label: c.label, value: c.value, width: c.width, alignment: c.alignment ?? 'Left' })),
    belongs: (o) => findView(o, 'table') === view,
    groupBy: opts.groupBy !== undefined ? resolveGroupBy(opts.groupBy, opts.evaluate) : view.groupBy,
    autoSize: opts.autoSize ?? view.autoSize ?? false,
    wrap: opts.wrap ?? false,
    hideHeader: opts.hideTableHeaders ?? false,
    layout: null,
    group: null,
  };
}

function planFromProperties(first: PSObject, opts: TableOptions): TablePlan {
  const columns = first.propertyNames().map((name) => ({
    label: name,
    value: name as ValueSource,
    width: null,
    alignment: (isNumeric(first.get(name)) ? 'Right' : 'Left') as Alignment,
  }));
  const type = first.typeNames[0]?.toLowerCase();
  return {
    columns,
    belongs: (o) => o.typeNames[0]?.toLowerCase() === type && !findView(o),
    groupBy: opts.groupBy !== undefined ? resolveGroupBy(opts.groupBy, opts.evaluate) : undefined,
    autoSize: opts.autoSize ?? false,
    wrap: opts.wrap ?? false,
    hideHeader: opts.hideTableHeaders ?? false,
    layout: null,
    group: null,
  };
}

function planFromPropertyArgs(args: PropertyArg[], first: unknown, opts: TableOptions): TablePlan {
  const columns = resolveProperties(args, first, opts.evaluate).map((c) => ({
    ...c,
    alignment: c.alignment ?? ((isNumeric(safeRead(first, c.value)) ? 'Right' : 'Left') as Alignment),
  }));
  return {
    columns,
    belongs: () => true,
    groupBy: opts.groupBy !== undefined ? resolveGroupBy(opts.groupBy, opts.evaluate) : undefined,
    autoSize: opts.autoSize ?? false,
    wrap: opts.wrap ?? false,
    hideHeader: opts.hideTableHeaders ?? false,
    layout: null,
    group: null,
  };
}

function cellsOf(plan: TablePlan, o: unknown, limit: number): string[] {
  return plan.columns.map((c) => cellText(safeRead(o, c.value), limit, c.formatString));
}

function groupOf(plan: TablePlan, o: unknown): string | null {
  return plan.groupBy ? toDisplayString(safeRead(o, plan.groupBy.value)) : null;
}

/**
 * The lines for one table object (window[start]): a new header first when the table (or its
 * group) starts, sized from this object and the ones after it in the window that belong to the
 * same table and group.
 */
function tableObjectLines(
  plan: TablePlan,
  o: unknown,
  window: unknown[],
  start: number,
  width: number,
  limit: number,
  everyInput = false,
): string[] {
  const out: string[] = [];
  const group = groupOf(plan, o);
  if (plan.layout === null || group !== plan.group) {
    // With -Property every input is a row (scalars too); otherwise only the table's own objects.
    const peers: unknown[] = [];
    for (let j = start; j < window.length; j++) {
      const w = window[j];
      if (!(w instanceof FormatRequest) && (everyInput || belongsTo(plan, w)) && groupOf(plan, w) === group) peers.push(w);
    }
    const rows = peers.map((p) => cellsOf(plan, p, limit));
    plan.layout = layoutTable(
      plan.columns.map((c) => c.label),
      plan.columns.map((c) => c.width),
      plan.columns.map((c) => c.alignment),
      rows,
      width,
      { autoSize: plan.autoSize, wrap: plan.wrap },
    );
    plan.group = group;
    out.push('');
    if (plan.groupBy) out.push(`   ${plan.groupBy.label}: ${group}`, '');
    if (!plan.hideHeader) out.push(...renderHeader(plan.layout));
  }
  if (!hasVisibleColumns(plan.layout)) return out;
  out.push(...renderRow(plan.layout, cellsOf(plan, o, limit), plan.wrap));
  return out;
}

function belongsTo(plan: TablePlan, v: unknown): boolean {
  return v instanceof PSObject ? v.propertyNames().length > 0 && plan.belongs(v) : false;
}

// ---- Lists --------------------------------------------------------------------------------

function listLines(o: PSObject, width: number, limit: number, args?: PropertyArg[], evaluate?: Evaluate): string[] {
  let entries: { label: string; value: ValueSource }[];
  // Format-List -Property skips names the object does not have (a table keeps them as blank
  // columns); a calculated property always shows.
  if (args) entries = resolveProperties(args, o, evaluate).filter((e) => typeof e.value !== 'string' || o.has(e.value));
  else {
    const view = findView(o, 'list') as ListView | undefined;
    entries = view ? view.entries : o.propertyNames().map((n) => ({ label: n, value: n }));
  }
  return renderListEntries(
    entries.map((e) => ({ label: e.label, value: cellText(safeRead(o, e.value), limit, (e as { formatString?: string }).formatString) })),
    width,
  );
}

// ---- Format-Table / Format-List requests --------------------------------------------------

function renderRequest(req: FormatRequest, width: number): string[] {
  const limit = req.options.enumerationLimit ?? DEFAULT_ENUMERATION_LIMIT;
  const items = Array.from(expand(req.values));
  const out: string[] = [];
  if (req.shape === 'list') {
    const opts = req.options as ListOptions;
    const groupBy = opts.groupBy !== undefined ? resolveGroupBy(opts.groupBy, opts.evaluate) : undefined;
    let group: string | null = null;
    let any = false;
    for (const v of items) {
      if (!(v instanceof PSObject) || v.propertyNames().length === 0) {
        if (!opts.property || !opts.force) out.push(...scalarLines(v));
        continue;
      }
      const entries = listLines(v, width, limit, opts.property, opts.evaluate);
      if (entries.length === 0) continue;
      if (groupBy) {
        const g = toDisplayString(safeRead(v, groupBy.value));
        if (g !== group) {
          out.push('', `   ${groupBy.label}: ${g}`);
          group = g;
        }
      }
      out.push('', ...entries);
      any = true;
    }
    if (any) out.push('');
    return out;
  }
  const opts = req.options as TableOptions;
  let plan: TablePlan | null = null;
  let blankBeforeRow = false;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const isObject = v instanceof PSObject && v.propertyNames().length > 0;
    // With -Property and -Force every input makes a row (pwsh: `"hello" | ft foo -Force` prints
    // foo's table); otherwise a scalar is printed as its text.
    if (!isObject && (!opts.property || !opts.force)) {
      out.push(...scalarLines(v));
      continue;
    }
    if (plan === null) {
      const view = isObject ? findView(v, 'table') : undefined;
      if (opts.property) plan = planFromPropertyArgs(opts.property, v, opts);
      else if (view) plan = planFromView(view as TableView, opts);
      else plan = planFromProperties(v as PSObject, opts);
    }
    if (isObject && !opts.property && !plan.belongs(v as PSObject)) {
      out.push('', ...listLines(v as PSObject, width, limit));
      blankBeforeRow = true;
      continue;
    }
    if (blankBeforeRow) {
      out.push('');
      blankBeforeRow = false;
    }
    out.push(...tableObjectLines(plan, v, items, i, width, limit, opts.property !== undefined && opts.force === true));
  }
  if (plan !== null) out.push('');
  return out;
}

// ---- -Property arguments ------------------------------------------------------------------

interface ResolvedProperty {
  label: string;
  value: ValueSource;
  width: number | null;
  alignment?: Alignment;
  formatString?: string;
}

/** A cell's text: the value formatted by a FormatString when the property has one. */
function cellText(value: unknown, limit: number, formatString: string | undefined): string {
  if (formatString === undefined || value === null || value === undefined) return formatCell(value, limit);
  return formatWithSpecifier(value, formatString);
}

/**
 * A -Property hashtable that pwsh's ParameterProcessor would refuse, with its error id and
 * FormatAndOut_MshParameter text (`The Foo key is not valid.`).
 */
export class CalculatedPropertyError extends Error {
  constructor(
    message: string,
    readonly errorId: string,
  ) {
    super(message);
  }
}

function safeRead(o: unknown, source: ValueSource): unknown {
  if (typeof source === 'string' && !(o instanceof PSObject) && !(o instanceof Hashtable)) return undefined;
  return readValue(o, source);
}

/** Expands names (wildcards against the object's properties) and calculated properties. */
export function resolveProperties(args: PropertyArg[], first: unknown, evaluate?: Evaluate): ResolvedProperty[] {
  const names = first instanceof PSObject ? first.propertyNames() : [];
  const out: ResolvedProperty[] = [];
  for (const arg of args) {
    if (typeof arg === 'string') {
      if (hasWildcard(arg)) {
        const re = wildcardToRegExp(arg);
        for (const n of names) if (re.test(n) && !out.some((p) => p.value === n)) out.push({ label: n, value: n, width: null });
      } else {
        const actual = names.find((n) => n.toLowerCase() === arg.toLowerCase()) ?? arg;
        out.push({ label: actual, value: actual, width: null });
      }
    } else out.push(calculated(arg, evaluate));
  }
  return out;
}

function resolveGroupBy(arg: PropertyArg, evaluate?: Evaluate): { label: string; value: ValueSource } {
  if (typeof arg === 'string') return { label: arg, value: arg };
  const c = calculated(arg, evaluate);
  return { label: c.label, value: c.value };
}

const CALCULATED_KEYS = ['name', 'label', 'expression', 'formatstring', 'width', 'alignment'] as const;
const KEY_NAMES: Record<(typeof CALCULATED_KEYS)[number], string> = {
  name: 'name', label: 'label', expression: 'expression', formatstring: 'formatString', width: 'width', alignment: 'alignment',
};

/** A function or script block used as an expression: its value source and default label. */
function expressionSource(expr: unknown, evaluate?: Evaluate): ValueSource {
  if (typeof expr === 'string' || typeof expr === 'function') return expr as ValueSource;
  if (expr !== null && typeof expr === 'object' && evaluate) return (o: unknown) => evaluate(expr, o);
  throw new CalculatedPropertyError(
    `The "expression" key has a type, ${expr === null || expr === undefined ? 'null' : typeof expr === 'number' ? 'System.Int32' : typeof expr === 'boolean' ? 'System.Boolean' : 'System.Object'}, that is not valid; expected types are {System.String, System.Management.Automation.ScriptBlock}.`,
    'DictionaryKeyIllegalValue1',
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Normalises `@{N='x'; E={…}}`: keys match by unambiguous prefix, as pwsh's do (Name and Label
 * are the same entry). A bare function or script block is an expression labelled by its text.
 * Errors use pwsh's FormatAndOut_MshParameter texts and ids.
 */
function calculated(arg: PropertyArg, evaluate?: Evaluate): ResolvedProperty {
  if (!(arg instanceof Hashtable) && !isPlainObject(arg)) {
    return { label: String(arg), value: expressionSource(arg, evaluate), width: null };
  }
  const entries: [string, unknown][] =
    arg instanceof Hashtable
      ? arg.entries().map(([k, v]) => [String(k), v])
      : Object.entries(arg).filter(([, v]) => v !== undefined);
  const found: Partial<Record<(typeof CALCULATED_KEYS)[number], unknown>> = {};
  const given: Partial<Record<(typeof CALCULATED_KEYS)[number], string>> = {};
  for (const [key, value] of entries) {
    const k = key.toLowerCase();
    let matches = CALCULATED_KEYS.filter((c) => k.length > 0 && c.startsWith(k));
    // `n` and `l` both mean the label; so do Name and Label in full.
    if (matches.length === 2 && matches.includes('name') && matches.includes('label')) matches = ['label'];
    if (matches.length > 1) throw new CalculatedPropertyError(`The ${key} key is ambiguous; ${KEY_NAMES[matches[0]]} and ${KEY_NAMES[matches[1]]} conflict.`, 'DictionaryKeyAmbiguous');
    if (matches.length === 0) throw new CalculatedPropertyError(`The ${key} key is not valid.`, 'DictionaryKeyIllegal');
    const slot = matches[0] === 'name' ? 'label' : matches[0];
    if (given[slot] !== undefined) throw new CalculatedPropertyError(`The duplicated key "${key}" conflicts with "${given[slot]}".`, 'DictionaryKeyDuplicate');
    given[slot] = key;
    found[slot] = value;
  }
  if (found.expression === undefined) throw new CalculatedPropertyError('A mandatory entry for expression is missing.', 'DictionaryKeyMandatoryEntry');
  const value = expressionSource(found.expression, evaluate);
  const label = found.label ?? String(found.expression);
  let width: number | null = null;
  if (found.width !== undefined) {
    const w = Number(found.width);
    if (!Number.isInteger(w) || w <= 0) throw new CalculatedPropertyError(`The value "${toDisplayString(found.width)}" for key "width" should be greater than 0.`, 'WidthOutOfRange');
    width = w;
  }
  let alignment: Alignment | undefined;
  if (found.alignment !== undefined) {
    const a = toDisplayString(found.alignment).toLowerCase();
    const m = (['Left', 'Center', 'Right'] as const).find((x) => x.toLowerCase() === a);
    if (!m) throw new CalculatedPropertyError(`The value "${toDisplayString(found.alignment)}" for key "alignment" is not valid; valid values are {left, center, right}.`, 'AlignmentIllegalValue');
    alignment = m;
  }
  let formatString: string | undefined;
  if (found.formatstring !== undefined) {
    formatString = toDisplayString(found.formatstring);
    if (formatString === '') throw new CalculatedPropertyError('Cannot have an empty formatting string for key "formatString".', 'FormatStringEmpty');
  }
  return { label: toDisplayString(label), value, width, alignment, formatString };
}

// The view registry: formatting views are data kept beside each type name, as pwsh's
// *.format.ps1xml files are. A type may have a table view and a list view; the first one
// registered is its default (pwsh uses the first view defined for a type).
import { Hashtable, PSObject } from '../engine/values';
import type { Alignment } from './text';

/** Where a column or list entry gets its value: a property name, or a function of the object. */
export type ValueSource = string | ((obj: unknown) => unknown);

export interface TableColumn {
  label: string;
  value: ValueSource;
  /** Fixed width in cells; null sizes the column from the data (a view's last column "rest"). */
  width: number | null;
  /** Omitted: Left in views (pwsh's undefined alignment), numbers right in view-less tables. */
  alignment?: Alignment;
}

export interface TableView {
  kind: 'table';
  columns: TableColumn[];
  /** A group header `   <label>: <value>` printed whenever this value changes (Get-Member). */
  groupBy?: { label: string; value: ValueSource };
  /** Size every column from the data, ignoring widths (pwsh's <AutoSize/>). */
  autoSize?: boolean;
}

export interface ListEntry {
  label: string;
  value: ValueSource;
}

export interface ListView {
  kind: 'list';
  entries: ListEntry[];
}

/**
 * A view that draws the whole object itself, as pwsh's custom (complex) controls do — the help
 * views of Get-Help. `render` gets the formatting width and returns the lines; the formatter puts
 * a blank line before and after them, as pwsh's format start and end do.
 */
export interface CustomView {
  kind: 'custom';
  render(obj: PSObject, width: number): string[];
}

export type View = TableView | ListView | CustomView;

const registry = new Map<string, View[]>();

/** Adds a view for a type name (case-insensitive); earlier registrations stay the default. */
export function registerView(typeName: string, view: View): void {
  const key = typeName.toLowerCase();
  const list = registry.get(key);
  if (list) list.push(view);
  else registry.set(key, [view]);
}

/** Removes every view of a type name (tests and Update-FormatData-like reloads). */
export function unregisterViews(typeName: string): void {
  registry.delete(typeName.toLowerCase());
}

/**
 * The views that apply to an object: those of the most derived of its type names that has any,
 * as pwsh matches a view against the whole pstypenames list; failing that, the same names without
 * a `Deserialized.` prefix (objects read back from CLIXML keep their views, as in pwsh).
 */
export function viewsFor(value: unknown): View[] {
  if (!(value instanceof PSObject)) return [];
  for (const t of value.typeNames) {
    const v = registry.get(t.toLowerCase());
    if (v) return v;
  }
  for (const t of value.typeNames) {
    if (!/^deserialized\./i.test(t)) continue;
    const v = registry.get(t.slice('Deserialized.'.length).toLowerCase());
    if (v) return v;
  }
  return [];
}

/** The default view of an object, or the first of the wanted kind. */
export function findView(value: unknown, kind?: 'table' | 'list' | 'custom'): View | undefined {
  const views = viewsFor(value);
  return kind ? views.find((v) => v.kind === kind) : views[0];
}

/** Reads a value source from an object: property lookup (case-insensitive) or the function. */
export function readValue(obj: unknown, source: ValueSource): unknown {
  if (typeof source === 'function') return source(obj);
  if (obj instanceof PSObject) return obj.get(source);
  if (obj instanceof Hashtable) return obj.get(source);
  return undefined;
}

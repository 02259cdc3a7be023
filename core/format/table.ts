// Table layout and drawing, as pwsh's TableWriter and ColumnWidthManager do it.
//
// Why not cli-table3: pwsh tables differ from what it draws in ways that matter for exact output —
// the dashes under a header are as wide as the label, not the column; the last column is never
// padded and lines carry no trailing blanks; a right-aligned cell that is too long keeps its tail
// (`...f`); the ellipsis is dropped when the column is narrower than it; columns that do not fit
// are shrunk from the right and then hidden; -Wrap breaks at blanks with pwsh's rules. With its
// borders blanked, cli-table3 would still need every one of those rules done around it, so a small
// renderer is the single table engine here.
import type { Alignment } from './text';
import { cellWidth, fitCell, firstLineOnly, spaces, wrapText } from './text';

export interface TableLayout {
  labels: string[];
  /** Column widths in cells; -1 marks a column hidden because it did not fit. */
  widths: number[];
  aligns: Alignment[];
}

/**
 * Decides column widths: a fixed width where one is given (unless autoSize), otherwise the
 * widest of the label and the cells; then fits the table into `tableWidth` by shrinking the last
 * visible column, hiding it when it would drop below one cell, and repeating (pwsh's TrimToFit).
 */
export function layoutTable(
  labels: string[],
  fixedWidths: (number | null)[],
  aligns: Alignment[],
  rows: string[][],
  tableWidth: number,
  opts: { autoSize?: boolean; wrap?: boolean } = {},
): TableLayout {
  const widths = labels.map((label, k) => {
    const fixed = fixedWidths[k];
    if (fixed !== null && fixed !== undefined && fixed > 0 && !opts.autoSize) return fixed;
    let w = cellWidth(label);
    for (const row of rows) w = Math.max(w, measure(row[k] ?? '', opts.wrap ?? false));
    return Math.max(w, 1);
  });
  trimToFit(widths, tableWidth);
  return { labels, widths, aligns };
}

function measure(cell: string, wrap: boolean): number {
  if (!wrap) return cellWidth(firstLineOnly(cell));
  let w = 0;
  for (const line of cell.replace(/\r/g, '').split('\n')) w = Math.max(w, cellWidth(line));
  return w;
}

function trimToFit(widths: number[], tableWidth: number): void {
  for (;;) {
    let sum = 0;
    let visible = 0;
    for (const w of widths) {
      if (w > 0) {
        sum += w;
        visible++;
      }
    }
    const excess = sum + Math.max(visible - 1, 0) - tableWidth;
    if (excess <= 0) return;
    let last = widths.findIndex((w) => w < 0);
    last = last < 0 ? widths.length - 1 : last - 1;
    if (last < 0) return;
    const shrunk = widths[last] - excess;
    widths[last] = shrunk < 1 ? -1 : shrunk;
  }
}

/** True when the table has at least one column left to show. */
export function hasVisibleColumns(layout: TableLayout): boolean {
  return layout.widths.some((w) => w > 0);
}

/** The header: the labels (wrapped onto more lines when wider than a fixed column), then dashes. */
export function renderHeader(layout: TableLayout): string[] {
  const lines = renderCells(layout, layout.labels, true);
  const dashes = layout.labels.map((label, k) => '-'.repeat(Math.min(cellWidth(label), Math.max(layout.widths[k], 0))));
  return lines.concat(renderCells(layout, dashes, false));
}

/** One row: each cell cut to its first line and truncated with the ellipsis, or wrapped under -Wrap. */
export function renderRow(layout: TableLayout, cells: string[], wrap: boolean): string[] {
  return renderCells(layout, cells, wrap);
}

function renderCells(layout: TableLayout, cells: string[], multiLine: boolean): string[] {
  const visible: number[] = [];
  layout.widths.forEach((w, k) => {
    if (w > 0) visible.push(k);
  });
  if (visible.length === 0) return [];
  const columns = visible.map((k, i) => {
    const w = layout.widths[k];
    const padRight = i < visible.length - 1;
    const text = cells[k] ?? '';
    const parts = multiLine ? wrapText(text, w, w) : [firstLineOnly(text)];
    return parts.map((p) => fitCell(p, w, layout.aligns[k], padRight));
  });
  const height = Math.max(...columns.map((c) => c.length));
  const out: string[] = [];
  for (let r = 0; r < height; r++) {
    const line = columns
      .map((c, i) => (r < c.length ? c[r] : spaces(layout.widths[visible[i]])))
      .join(' ');
    out.push(line.replace(/\s+$/, ''));
  }
  return out;
}

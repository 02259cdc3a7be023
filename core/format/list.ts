// List drawing, as pwsh's ListWriter does it: `Label : value`, labels padded to the longest,
// values split at their newlines and word-wrapped to the width, continuation lines indented
// under the value column. Unlike tables, pwsh leaves list lines as they come: an empty value
// still ends in the separator's blank, and a wrapped line keeps the blank it broke after.
import { cellWidth, headFitting, spaces, wrapText } from './text';

const SEPARATOR = ' : ';

/** Lines for one object's entries (no blank lines around them). */
export function renderListEntries(entries: { label: string; value: string }[], width: number): string[] {
  if (entries.length === 0) return [];
  // Too narrow for a one-cell label and a one-cell value: pwsh prints nothing.
  if (width - SEPARATOR.length - 2 < 0) return [];
  const maxLabel = width - SEPARATOR.length - 1;
  let labelWidth = 0;
  for (const e of entries) labelWidth = Math.max(labelWidth, cellWidth(e.label));
  labelWidth = Math.min(labelWidth, maxLabel);
  const indent = spaces(labelWidth + SEPARATOR.length);
  const fieldWidth = width - labelWidth - SEPARATOR.length;
  const out: string[] = [];
  for (const e of entries) {
    const lw = cellWidth(e.label);
    const label = lw > labelWidth ? headFitting(e.label, labelWidth) : e.label + spaces(labelWidth - lw);
    const valueLines = e.value.replace(/\r/g, '').split('\n');
    valueLines.forEach((line, i) => {
      wrapText(line, fieldWidth, fieldWidth).forEach((part, j) => {
        out.push((i === 0 && j === 0 ? label + SEPARATOR : indent) + part);
      });
    });
  }
  return out;
}

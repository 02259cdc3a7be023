// Go's text/tabwriter as the docker CLI configures it for tables:
// tabwriter.NewWriter(out, minwidth 10, tabwidth 1, padding 3, ' ', 0).
// Cells end at '\t'; the text after a line's last tab is not part of any column. A column's width
// is max(minwidth, widest cell + padding) over a block of consecutive lines that have that
// column; cells are left-aligned and padded with spaces; widths count Unicode code points.

export interface TabwriterOptions {
  minwidth?: number;
  padding?: number;
}

export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 10;
  const padding = opts.padding ?? 3;
  const endsWithNewline = text.endsWith('\n');
  const rawLines = text.split('\n');
  if (endsWithNewline) rawLines.pop();
  const lines = rawLines.map((l) => l.split('\t'));
  const cw = (s: string) => [...s].length;
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const line = lines[i];
      let s = '';
      for (let j = 0; j < line.length; j++) {
        s += line[j];
        if (j < widths.length && j < line.length - 1) s += ' '.repeat(Math.max(0, widths[j] - cw(line[j])));
      }
      out.push(s);
    }
  };

  // Go's recursive format(): a block per column, nested blocks for the columns to its right
  formatGo(0, lines.length);
  return out.map((l) => l + '\n').join('').slice(0, endsWithNewline ? undefined : -1);

  function formatGo(line0: number, line1: number): void {
    const column = widths.length;
    let t = line0;
    while (t < line1) {
      if (column >= lines[t].length - 1) {
        t++;
        continue;
      }
      writeLines(line0, t);
      line0 = t;
      let width = minwidth;
      for (; t < line1; t++) {
        const line = lines[t];
        if (column >= line.length - 1) break;
        width = Math.max(width, cw(line[column]) + padding);
      }
      widths.push(width);
      formatGo(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  }
}

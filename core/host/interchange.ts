// Objects across process boundaries: `posh -OutputFormat Xml|Json` writes them, `-InputFormat`
// reads them back. Xml is the CLIXML stream pwsh writes (`#< CLIXML`, then one <Objs> document
// whose objects arrive one by one); Json is one compressed JSON document per line so either
// side can stream.

import type { Sink } from '../engine/pipeline';

export function objectWriter(format: 'Xml' | 'Json', write: (text: string) => void): { sink: Sink; finish: () => void } {
  const ser = require('../serialization') as typeof import('../serialization');
  if (format === 'Xml') {
    const w = new ser.ClixmlStreamWriter();
    return {
      sink: (v) => write(w.write(v)),
      finish: () => {
        const tail = w.end();
        if (tail) write(tail + '\n');
      },
    };
  }
  return {
    sink: (v) => write(ser.convertToJson(v, { compress: true, depth: 4 }).text + '\n'),
    finish: () => {},
  };
}

/** Decodes what another posh (or pwsh) wrote with -OutputFormat; throws with the reason on bad input. */
export function decodeObjects(text: string, format: 'Text' | 'Xml' | 'Json'): unknown[] {
  const ser = require('../serialization') as typeof import('../serialization');
  if (format === 'Text') {
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
  if (format === 'Xml') {
    const r = new ser.ClixmlStreamReader();
    try {
      const items = [...r.push(text), ...r.end()];
      return items.filter((i) => i.stream === 'Output').map((i) => i.value);
    } catch (e) {
      throw new Error(`${locateClixmlError(text)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const out: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = ser.convertFromJson(line);
    } catch (e) {
      // Each line is one document, so the reader's "line 1" is this line of the stream.
      const message = (e instanceof Error ? e.message : String(e)).replace(/\bline 1, position\b/, `line ${n + 1}, position`);
      throw new Error(`line ${n + 1} (object ${out.length + 1}): ${message}`);
    }
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - (before.lastIndexOf('\n') + 1) + 1}`;
}

/**
 * Where a CLIXML stream goes wrong, for the error message: the stream is read again tag by tag
 * (only after a failure, so the normal path stays one pass) until the reader gives up; that
 * offset and the number of the object being read name the position.
 */
function locateClixmlError(text: string): string {
  const ser = require('../serialization') as typeof import('../serialization');
  const r = new ser.ClixmlStreamReader();
  let done = 0;
  let start = 0;
  try {
    for (let i = text.indexOf('>'); i >= 0; i = text.indexOf('>', i + 1)) {
      done += r.push(text.slice(start, i + 1)).length;
      start = i + 1;
    }
    done += r.push(text.slice(start)).length;
    start = text.length;
    r.end();
  } catch {
    return `at ${lineColumn(text, start)} (object ${done + 1})`;
  }
  return `at ${lineColumn(text, text.length)}`;
}

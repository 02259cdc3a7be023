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
    const items = [...r.push(text), ...r.end()];
    return items.filter((i) => i.stream === 'Output').map((i) => i.value);
  }
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const v = ser.convertFromJson(line);
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

// Get-Help's text, as pwsh's help views (Help.format.ps1xml: DefaultCommandHelp, VerboseCommandHelp,
// FullCommandHelp, ExampleCommandHelp, the parameter view and CmdletHelp for partial help) lay it
// out through ComplexWriter: frames indent by four, a newline flushes the buffer (an empty buffer
// still makes a line of just the indentation), and long text is word-wrapped at the width with
// each word keeping the blank after it.

export interface HelpParameter {
  name: string;
  /** `string[]` etc.; null for a switch (no value). */
  typeText: string | null;
  required: boolean;
  /** `0`, `1`, … or `named`. */
  position: string;
  /** `False`, `True (ByValue)`, `True (ByPropertyName)`, `True (ByValue, ByPropertyName)`. */
  pipelineInput: string;
  aliases: string[];
  globbing: boolean;
  description: string[];
}

export interface HelpExample {
  title: string;
  code: string;
  remarks: string[];
}

export interface HelpContent {
  name: string;
  /** False when the command has no help page: pwsh's partial (auto-generated) help. */
  hasPage: boolean;
  synopsis: string[];
  /** One line per parameter set, without the trailing `[<CommonParameters>]`'s newline. */
  syntax: string[];
  description: string[];
  parameters: HelpParameter[];
  inputs: string[];
  outputs: string[];
  notes: string[];
  examples: HelpExample[];
  links: { text: string; uri: string }[];
  aliases: string[];
  /** Partial help's REMARKS: 'None' for a function; the Update-Help text for a cmdlet (default). */
  remarks?: string;
}

export type HelpView = 'default' | 'detailed' | 'full' | 'examples';

const COMMON_PARAMETERS_TEXT =
  '    This cmdlet supports the common parameters: Verbose, Debug,\n' +
  '    ErrorAction, ErrorVariable, WarningAction, WarningVariable,\n' +
  '    OutBuffer, PipelineVariable, and OutVariable. For more information, see\n' +
  '    about_CommonParameters (https://go.microsoft.com/fwlink/?LinkID=113216). ';

/** pwsh's StringManipulationHelper.GenerateLinesWithWordWrap, for single-cell characters. */
export function wrapWords(text: string, firstWidth: number, nextWidth: number): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\r/g, '').split('\n')) {
    if (line.length <= firstWidth) {
      out.push(line);
      continue;
    }
    let lineWidth = firstWidth;
    let left = firstWidth;
    let first = true;
    let current = '';
    const words = line.split(/(?<=[ \t])/);
    for (const word of words) {
      if (lineWidth === 0) {
        if (first) {
          first = false;
          lineWidth = nextWidth;
        }
        if (lineWidth === 0) break;
        left = lineWidth;
      }
      if (word.length > lineWidth) {
        for (const c of word) {
          if (left < 1) {
            out.push(current);
            current = c;
            if (first) {
              first = false;
              lineWidth = nextWidth;
            }
            left = lineWidth - 1;
          } else {
            current += c;
            left--;
          }
        }
      } else if (word.length > left) {
        out.push(current);
        current = word;
        if (first) {
          first = false;
          lineWidth = nextWidth;
        }
        left = lineWidth - word.length;
      } else {
        current += word;
        left -= word.length;
      }
    }
    out.push(current);
  }
  return out;
}

/** The few ComplexWriter operations the help views use. */
class ComplexText {
  readonly lines: string[] = [];
  private buffer = '';
  private indent = 0;

  constructor(private readonly width: number) {}

  text(s: string): this {
    this.buffer += s;
    return this;
  }

  nl(count = 1): this {
    for (let i = 0; i < count; i++) {
      const useful = this.width - this.indent;
      const parts = useful <= 0 ? [''] : wrapWords(this.buffer, useful, useful);
      for (const p of parts) this.lines.push(' '.repeat(this.indent) + p);
      this.buffer = '';
    }
    return this;
  }

  frame(indent: number, body: () => void): this {
    this.indent += indent;
    try {
      body();
    } finally {
      this.indent -= indent;
    }
    return this;
  }

  /** The end of the object: whatever is buffered is written at no indentation (an empty line if nothing). */
  finish(): string[] {
    this.nl();
    return this.lines;
  }
}

/** Paragraphs, each its own text item followed by a newline, with an empty item between them. */
function paragraphs(w: ComplexText, paras: string[]): void {
  paras.forEach((p, i) => {
    if (i > 0) w.nl();
    w.text(p).nl();
  });
}

function details(w: ComplexText, h: HelpContent): void {
  w.text('NAME').nl();
  w.frame(4, () => w.text(h.name).nl().nl());
  w.text('SYNOPSIS').nl();
  w.frame(4, () => {
    for (const p of h.synopsis) w.text(p).nl();
    w.nl().nl();
  });
}

function syntax(w: ComplexText, h: HelpContent): void {
  w.text('SYNTAX').nl();
  w.frame(4, () => {
    for (const line of h.syntax) w.text(line).nl(2);
    w.nl();
  });
}

function description(w: ComplexText, h: HelpContent): void {
  w.text('DESCRIPTION').nl();
  w.frame(4, () => {
    paragraphs(w, h.description);
    w.nl();
  });
  w.nl();
}

function parameterHeading(p: HelpParameter): string {
  return `-${p.name}${p.typeText ? ` <${p.typeText}>` : ''}`;
}

/** MamlFullParameterControl: the heading, the description, and the six attribute lines. */
function fullParameter(w: ComplexText, p: HelpParameter): void {
  w.text(parameterHeading(p)).nl();
  w.frame(4, () => {
    paragraphs(w, p.description);
    w.nl();
    w.text('Required?                    ').text(p.required ? 'true' : 'false').nl();
    w.text('Position?                    ').text(p.position).nl();
    w.text('Default value                ').text('None').nl();
    w.text('Accept pipeline input?       ').text(p.pipelineInput).nl();
    w.text('Aliases                      ').text(p.aliases.length ? p.aliases.join(', ') : 'none').nl();
    w.text('Accept wildcard characters?  ').text(p.globbing ? 'true' : 'false').nl();
    w.nl();
  });
}

function commonParameters(w: ComplexText): void {
  w.text('<CommonParameters>').nl();
  w.frame(4, () => w.text(COMMON_PARAMETERS_TEXT));
  w.nl().nl();
}

function examples(w: ComplexText, h: HelpContent): void {
  h.examples.forEach((e) => {
    w.text(`-------------------------- ${e.title} --------------------------`).nl().nl();
    w.text(e.code).nl();
    w.nl();
    for (const r of e.remarks) w.text(r).nl();
    w.nl();
  });
}

function typesSection(w: ComplexText, title: string, types: string[]): void {
  w.text(title).nl();
  w.frame(4, () => {
    for (const t of types) w.text(t).nl().nl();
    w.nl();
  });
}

function relatedLinks(w: ComplexText, h: HelpContent): void {
  w.text('RELATED LINKS').nl();
  w.frame(4, () => {
    for (const l of h.links) w.text(l.text).text(l.text && l.uri ? ' ' : '').text(l.uri).nl();
  });
}

function remarks(w: ComplexText, h: HelpContent): void {
  w.text('REMARKS').nl();
  w.frame(4, () => {
    w.text(`To see the examples, type: "Get-Help ${h.name} -Examples"`).nl();
    w.text(`For more information, type: "Get-Help ${h.name} -Detailed"`).nl();
    w.text(`For technical information, type: "Get-Help ${h.name} -Full"`).nl();
  });
}

/** CmdletHelp: what pwsh shows for a command without a help file. */
function partialHelp(w: ComplexText, h: HelpContent): string[] {
  w.text('NAME').nl();
  w.frame(4, () => w.text(h.name).nl().nl());
  syntax(w, h);
  w.text('ALIASES').nl();
  w.frame(4, () => {
    w.text(h.aliases.length ? h.aliases.join('\n') : 'None').nl();
    w.nl();
  });
  w.nl();
  w.text('REMARKS').nl();
  w.frame(4, () =>
    w
      .text(
        h.remarks ??
          'Get-Help cannot find the Help files for this cmdlet on this computer. It is displaying only partial help.\n' +
            '    -- To download and install Help files for the module that includes this cmdlet, use Update-Help.',
      )
      .nl(),
  );
  return w.finish();
}

/** The lines of one help object in a view, at a width (the console's usable columns, or Out-String's). */
export function renderHelp(h: HelpContent, view: HelpView, width: number): string[] {
  const w = new ComplexText(width);
  if (!h.hasPage) return partialHelp(w, h);
  details(w, h);
  if (view === 'examples') {
    w.frame(4, () => examples(w, h));
    return w.finish();
  }
  syntax(w, h);
  description(w, h);
  if (view === 'default') {
    relatedLinks(w, h);
    w.nl();
    remarks(w, h);
    return w.finish();
  }
  w.text('PARAMETERS').nl();
  if (view === 'detailed') {
    w.frame(4, () => {
      for (const p of h.parameters) {
        w.text(parameterHeading(p)).nl();
        w.frame(4, () => {
          paragraphs(w, p.description);
          w.nl();
        });
      }
      commonParameters(w);
    });
    w.frame(4, () => examples(w, h));
    remarks(w, h);
    return w.finish();
  }
  w.frame(4, () => {
    for (const p of h.parameters) fullParameter(w, p);
    commonParameters(w);
  });
  typesSection(w, 'INPUTS', h.inputs);
  typesSection(w, 'OUTPUTS', h.outputs);
  if (h.notes.length) {
    w.text('NOTES').nl();
    w.frame(4, () => {
      w.nl();
      paragraphs(w, h.notes);
      w.nl();
    });
  }
  w.frame(4, () => {
    examples(w, h);
    w.nl();
  });
  relatedLinks(w, h);
  return w.finish();
}

/** `Get-Help X -Parameter Name`: the parameter view, one block per parameter. */
export function renderHelpParameters(params: HelpParameter[], width: number): string[] {
  const w = new ComplexText(width);
  for (const p of params) fullParameter(w, p);
  return w.finish();
}

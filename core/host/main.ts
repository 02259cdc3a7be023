// `posh`: the command-line entry. Parses pwsh-style arguments (-Command, -File, -NoProfile,
// -NonInteractive, -OutputFormat, -InputFormat, -Version), or takes the rest of argv as one
// command line (`posh Get-Command -Verb Get`), or reads a script from stdin, or starts the REPL.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runspace } from '../engine/runspace';
import { engineVersion, packageVersion } from '../engine/session';
import { TerminalHost } from './terminal';

export interface HostOptions {
  command: string | null;
  file: string | null;
  fileArgs: string[];
  nonInteractive: boolean;
  noProfile: boolean;
  version: boolean;
  help: boolean;
  outputFormat: 'Text' | 'Xml' | 'Json';
  inputFormat: 'Text' | 'Xml' | 'Json';
}

/** pwsh accepts any unique prefix of its parameter names, case-insensitively. */
const switches: Record<string, keyof HostOptions> = {
  command: 'command', c: 'command', file: 'file', f: 'file', noninteractive: 'nonInteractive',
  noni: 'nonInteractive', noprofile: 'noProfile', nop: 'noProfile', version: 'version', v: 'version',
  outputformat: 'outputFormat', of: 'outputFormat', o: 'outputFormat', inputformat: 'inputFormat',
  if: 'inputFormat', nologo: 'noProfile', nol: 'noProfile', help: 'help', h: 'help', '?': 'help',
};

export class UsageError extends Error {}

function formatName(v: string, param: string): 'Text' | 'Xml' | 'Json' {
  const l = v.toLowerCase();
  if (l === 'text') return 'Text';
  if (l === 'xml') return 'Xml';
  if (l === 'json') return 'Json';
  throw new UsageError(`Cannot process the command because the value specified with -${param} is not valid. Valid values are Text, Xml and Json.`);
}

/** Quotes an argv word so that the command line re-parses to the same word. */
function quoteWord(w: string): string {
  // Commas stay bare so `posh Select-Object -Property Name,Size` passes an array, as typed.
  if (w !== '' && /^[^\s'"`$;|&(){}@#<>]+$/.test(w)) return w;
  return `'${w.replace(/'/g, "''")}'`;
}

export function parseArgs(argv: string[]): HostOptions {
  const yargsParser = require('yargs-parser') as typeof import('yargs-parser');
  const opts: HostOptions = {
    command: null, file: null, fileArgs: [], nonInteractive: false, noProfile: false, version: false, help: false,
    outputFormat: 'Text', inputFormat: 'Text',
  };
  // Leading options go through yargs-parser (single-dash long names, no short-option groups);
  // -Command and -File take the rest of argv the way pwsh does, so parsing stops at them.
  let i = 0;
  const leading: string[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!/^[-/]/.test(a) || a === '-') break;
    const key = switches[a.replace(/^--?|^\//, '').replace(/:.*$/, '').toLowerCase()];
    if (!key) throw new UsageError(`The argument '${a}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`);
    if (key === 'command' || key === 'file') break;
    leading.push(`--${key}`);
    if (key === 'outputFormat' || key === 'inputFormat') {
      if (i + 1 >= argv.length) throw new UsageError(`Missing argument for parameter ${a}.`);
      leading.push(argv[++i]);
    }
  }
  const parsed = yargsParser(leading, {
    boolean: ['nonInteractive', 'noProfile', 'version', 'help'],
    string: ['outputFormat', 'inputFormat'],
    configuration: { 'short-option-groups': false, 'camel-case-expansion': false },
  });
  opts.nonInteractive = Boolean(parsed.nonInteractive);
  opts.noProfile = Boolean(parsed.noProfile);
  opts.version = Boolean(parsed.version);
  opts.help = Boolean(parsed.help);
  if (parsed.outputFormat) opts.outputFormat = formatName(String(parsed.outputFormat), 'OutputFormat');
  if (parsed.inputFormat) opts.inputFormat = formatName(String(parsed.inputFormat), 'InputFormat');
  if (i >= argv.length) return opts;
  const a = argv[i];
  const key = /^[-/]/.test(a) && a !== '-' ? switches[a.replace(/^--?|^\//, '').toLowerCase()] : null;
  if (key === 'command') {
    const rest = argv.slice(i + 1);
    if (rest.length === 0) throw new UsageError(`Missing argument for parameter -Command.`);
    opts.command = rest.join(' ');
  } else if (key === 'file') {
    if (i + 1 >= argv.length) throw new UsageError(`Missing argument for parameter -File.`);
    opts.file = argv[i + 1];
    opts.fileArgs = argv.slice(i + 2);
  } else if (a === '-') {
    opts.command = '-';
  } else if (/\.ps1$/i.test(a) && fs.existsSync(a)) {
    // `posh script.ps1 args` runs the file, as pwsh does.
    opts.file = a;
    opts.fileArgs = argv.slice(i + 1);
  } else {
    // `posh Get-Command -Verb Get`: the rest of argv is one command line.
    opts.command = [a, ...argv.slice(i + 1).map(quoteWord)].join(' ');
  }
  return opts;
}

export function storeRoot(): string {
  if (process.env.POSH_CONTAINERS_HOME) return process.env.POSH_CONTAINERS_HOME;
  if (process.env.XDG_DATA_HOME) return path.join(process.env.XDG_DATA_HOME, 'posh-containers');
  return path.join(os.homedir(), '.local', 'share', 'posh-containers');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Objects from stdin for -InputFormat Xml/Json; Text input is lines. */
function decodeInput(text: string, format: HostOptions['inputFormat']): unknown[] {
  const { decodeObjects } = require('./interchange') as typeof import('./interchange');
  return decodeObjects(text, format);
}

const usage = `Usage: posh [-NoProfile] [-NonInteractive] [-OutputFormat Text|Xml|Json] [-InputFormat Text|Xml|Json]
            [-Command <script> | -File <path> [args] | <Command-Name> [args] | -Version]

  -Command, -c     run the script text that follows (the rest of the command line)
  -File, -f        run a script file with arguments
  -OutputFormat    Xml writes CLIXML objects (as pwsh), Json writes one JSON object per line
  -InputFormat     read objects from stdin (Xml or Json) into the first command and $input
  With no command: a script is read from stdin when it is not a terminal; otherwise an interactive prompt starts.
`;

export async function main(argv: string[]): Promise<void> {
  // A reader that goes away (`posh … | head`) ends the output quietly, as a shell tool should.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let opts: HostOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 64;
    return;
  }
  if (opts.version) {
    process.stdout.write(`posh ${packageVersion()} (PowerShell language ${engineVersion})\n`);
    return;
  }
  if (opts.help) {
    process.stdout.write(usage);
    return;
  }
  // tty.isatty does not create the stdin stream (which costs start-up time when it is not read).
  const stdinIsTerminal = (require('node:tty') as typeof import('node:tty')).isatty(0);
  const scriptFromStdin = opts.command === '-' || (opts.command === null && opts.file === null && !stdinIsTerminal);
  const inputFromStdin = opts.inputFormat !== 'Text' && !scriptFromStdin;
  const host = new TerminalHost({
    // Prompts read stdin unless it carries the script or the input objects.
    interactive: !opts.nonInteractive && !scriptFromStdin && !inputFromStdin,
  });
  const runspace = new Runspace(host, storeRoot());
  if (opts.command === null && opts.file === null && stdinIsTerminal) {
    const { runRepl } = require('./repl') as typeof import('./repl');
    await runRepl(runspace, host, storeRoot());
    process.exitCode = runspace.session.exitCode ?? 0;
    return;
  }
  let input: unknown[] | null = null;
  if (inputFromStdin) {
    try {
      input = decodeInput(await readAll(process.stdin), opts.inputFormat);
    } catch (e) {
      process.stderr.write(`Cannot read -InputFormat ${opts.inputFormat} objects from standard input: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
      return;
    }
  }
  let sink;
  let finish = () => {};
  if (opts.outputFormat !== 'Text') {
    const { objectWriter } = require('./interchange') as typeof import('./interchange');
    ({ sink, finish } = objectWriter(opts.outputFormat, (t: string) => host.writeOutput(t)));
  }
  let ok: boolean;
  if (opts.file !== null) {
    const file = path.resolve(opts.file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    } catch {
      process.stderr.write(`The argument '${opts.file}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\n`);
      process.exitCode = 64;
      return;
    }
    ok = await runspace.run(text, { fileName: file, args: opts.fileArgs, input, sink });
  } else {
    const text = scriptFromStdin ? await readAll(process.stdin) : opts.command!;
    ok = await runspace.run(text, { input, sink });
  }
  finish();
  await host.drain();
  process.exitCode = runspace.session.exitCode ?? (ok ? 0 : 1);
}

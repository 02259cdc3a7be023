// Golden transcripts: each tests/golden/*.txt holds cases of script in, exact text out, run
// through the real bin/posh. Format (see tests/golden/README.md):
//   === case name
//   --- script            (run as: posh -NonInteractive -c <script>)
//   --- argv              (instead of script: one argument per line; {TMP} is the case's directory)
//   --- stdin             (optional)
//   --- stdout / --- stderr   (exact text; {TMP} stands for the case's directory)
//   --- exit N

import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeTempDir, runPosh } from './helpers/posh';

interface GoldenCase {
  file: string;
  name: string;
  sections: Map<string, string>;
  exit: number;
}

export function parseGolden(file: string, text: string): GoldenCase[] {
  const cases: GoldenCase[] = [];
  let current: GoldenCase | null = null;
  let section: string | null = null;
  let lines: string[] = [];
  const close = () => {
    if (current && section) current.sections.set(section, lines.join('\n'));
    section = null;
    lines = [];
  };
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  for (const line of all) {
    const c = /^=== (.+)$/.exec(line);
    if (c) {
      close();
      current = { file, name: c[1], sections: new Map(), exit: 0 };
      cases.push(current);
      continue;
    }
    const s = /^--- (script|argv|stdin|stdout|stderr|exit)(?: (\d+))?$/.exec(line);
    if (s && current) {
      close();
      if (s[1] === 'exit') current.exit = Number(s[2]);
      else section = s[1];
      continue;
    }
    if (section) lines.push(line);
  }
  close();
  return cases;
}

/** Section text is literal: its lines, each ending in a newline (no lines: no output). */
function expected(text: string | undefined, tmp: string): string {
  if (text === undefined) return '';
  return text.split('\n').length && text !== '' ? text.split('{TMP}').join(tmp) + '\n' : '';
}

const dir = path.join(__dirname, 'golden');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

for (const file of files) {
  const cases = parseGolden(file, fs.readFileSync(path.join(dir, file), 'utf8'));
  describe(`golden ${file}`, () => {
    for (const c of cases) {
      test.concurrent(c.name, async () => {
        const tmp = makeTempDir();
        try {
          const argv = c.sections.has('argv')
            ? c.sections.get('argv')!.split('\n').filter((l) => l !== '').map((l) => l.split('{TMP}').join(tmp))
            : ['-NonInteractive', '-c', c.sections.get('script') ?? ''];
          const r = await runPosh(argv, { cwd: tmp, stdin: c.sections.get('stdin') });
          expect({ stdout: r.stdout, stderr: r.stderr, exit: r.code }).toEqual({
            stdout: expected(c.sections.get('stdout'), tmp),
            stderr: expected(c.sections.get('stderr'), tmp),
            exit: c.exit,
          });
        } finally {
          removeTempDir(tmp);
        }
      });
    }
  });
}

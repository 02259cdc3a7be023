// The interactive prompt: `PS <cwd>> `, history kept in the store root, Tab completion of
// command names and parameter names, and `>> ` continuation while a statement is incomplete.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Runspace } from '../engine/runspace';
import type { TerminalHost } from './terminal';
import { completeInput } from './completion';

const historyLimit = 1000;

function loadHistory(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-historyLimit).reverse();
  } catch {
    return [];
  }
}

/** Whether the text stops in the middle of a statement (another line should be read). */
function isIncomplete(text: string): boolean {
  const { parse } = require('../language/parser') as typeof import('../language/parser');
  const { ParseError } = require('../language/parse-error') as typeof import('../language/parse-error');
  try {
    parse(text);
    return false;
  } catch (e) {
    return e instanceof ParseError && e.errors.some((x) => x.incompleteInput);
  }
}

export async function runRepl(runspace: Runspace, host: TerminalHost, storeRoot: string): Promise<void> {
  const historyFile = path.join(storeRoot, 'history.txt');
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
    history: loadHistory(historyFile),
    historySize: historyLimit,
    completer: (line: string) => completeInput(runspace.session, line),
  });
  const ask = (prompt: string) =>
    new Promise<string | null>((resolve) => {
      rl.question(prompt, resolve);
      rl.once('close', () => resolve(null));
    });
  for (;;) {
    let text = await ask(`PS ${runspace.session.cwd}> `);
    if (text === null) break;
    while (isIncomplete(text)) {
      const more = await ask('>> ');
      if (more === null || more === '') break;
      text += '\n' + more;
    }
    if (text.trim() === '') continue;
    if (/^\s*exit\s*$/i.test(text)) break;
    try {
      fs.mkdirSync(storeRoot, { recursive: true });
      fs.appendFileSync(historyFile, text.replace(/\n/g, ' ') + '\n');
    } catch {
      // History is a convenience; a read-only store root must not stop the shell.
    }
    await runspace.run(text);
    if (runspace.session.exitCode !== null) break;
  }
  rl.close();
  await host.drain();
}

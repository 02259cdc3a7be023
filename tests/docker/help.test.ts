// docs/Invoke-Docker.md: the page of the real cmdlet, documenting exactly its parameters, and its
// examples run without an error on an empty store.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cmdletEntries, loadCmdlet } from '../../core/engine/session';
import { Runspace } from '../../core/engine/runspace';
import { parseHelpPage } from '../../cmdlets/utility/Get-Help';
import { CaptureHost, repoRoot } from '../helpers/posh';

const text = fs.readFileSync(path.join(repoRoot, 'docs', 'Invoke-Docker.md'), 'utf8');
const page = parseHelpPage(text);
const entry = cmdletEntries().get('invoke-docker');

test('is the page of Invoke-Docker, with its synopsis, a description and examples', () => {
  expect(text.startsWith('# Invoke-Docker\n')).toBe(true);
  expect(entry).toBeDefined();
  expect(page.synopsis).toEqual([loadCmdlet(entry!).synopsis]);
  expect(page.description.length).toBeGreaterThan(0);
  expect(page.examples.length).toBeGreaterThan(0);
});

test('documents every declared parameter and no other', () => {
  const declared = loadCmdlet(entry!).parameters.map((p) => p.name.toLowerCase()).sort();
  expect([...page.parameters.keys()].sort()).toEqual(declared);
});

test('its examples run without an error on an empty store', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posh-docker-doc-'));
  try {
    for (const ex of page.examples) {
      const script = ex.code.split('\n').map((l) => l.replace(/^PS> /, '')).join('\n');
      const host = new CaptureHost();
      const rs = new Runspace(host, path.join(dir, '.store'));
      rs.session.cwd = dir;
      await rs.run(script);
      expect({ example: ex.title, errors: host.errors }).toEqual({ example: ex.title, errors: [] });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The container cmdlets' help pages: each exists, documents exactly the declared parameters, and
// its syntax block names every parameter set's parameters (so Get-Help shows the real cmdlet).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { cmdletEntries, loadCmdlet } from '../../core/engine/session';
import { parseHelpPage } from '../../cmdlets/utility/Get-Help';
import { repoRoot } from '../helpers/posh';

const pages = ['New-Container', 'Get-Container', 'Start-Container', 'Stop-Container', 'Remove-Container', 'New-ContainerImage'];

describe.each(pages)('docs/%s.md', (name) => {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', `${name}.md`), 'utf8');
  const page = parseHelpPage(text);
  const entry = cmdletEntries().get(name.toLowerCase());

  test('is the page of an existing cmdlet, with a synopsis matching its declaration, a description and examples', () => {
    expect(text.startsWith(`# ${name}\n`)).toBe(true);
    expect(entry).toBeDefined();
    expect(page.synopsis).toEqual([loadCmdlet(entry!).synopsis]);
    expect(page.description.length).toBeGreaterThan(0);
    expect(page.examples.length).toBeGreaterThan(0);
  });

  test('documents every declared parameter and no other, and the syntax block names them all', () => {
    const declared = loadCmdlet(entry!).parameters.map((p) => p.name.toLowerCase()).sort();
    expect([...page.parameters.keys()].sort()).toEqual(declared);
    const syntax = /## SYNTAX\n\n```\n([\s\S]*?)```/.exec(text)![1].toLowerCase();
    for (const p of declared) expect({ p, found: syntax.includes(`-${p} `) || syntax.includes(`-${p}]`) }).toEqual({ p, found: true });
  });
});

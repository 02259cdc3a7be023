// Get-Help: the page parser, the syntax generated from declarations, pwsh's help layout
// (ComplexWriter word wrap, partial help), and the help pages of the utility cmdlets: each
// exists, documents every declared parameter, and its examples run without an error.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineCmdlet } from '../../core/engine/cmdlet';
import { Runspace } from '../../core/engine/runspace';
import { cmdletEntries, loadCmdlet } from '../../core/engine/session';
import { renderHelp, wrapWords, type HelpContent } from '../../core/format';
import { parseHelpPage, syntaxLines } from '../../cmdlets/utility/Get-Help';
import { CaptureHost, repoRoot } from '../helpers/posh';

describe('wrapWords (pwsh GenerateLinesWithWordWrap)', () => {
  test('breaks after blanks and keeps the blank at the end of the line', () => {
    expect(wrapWords('the quick brown fox', 10, 10)).toEqual(['the quick ', 'brown fox']);
  });
  test('a word longer than the line is cut', () => {
    expect(wrapWords('abcdefghij xy', 4, 4)).toEqual(['abcd', 'efgh', 'ij ', 'xy']);
  });
  test('newlines start new lines; short text is left alone', () => {
    expect(wrapWords('a\nbb', 10, 10)).toEqual(['a', 'bb']);
    expect(wrapWords('', 10, 10)).toEqual(['']);
  });
});

describe('parseHelpPage', () => {
  const page = parseHelpPage(
    [
      '# Get-Thing',
      '',
      '## SYNOPSIS',
      'Gets things.',
      '',
      '## DESCRIPTION',
      'First line',
      'continues here.',
      '',
      '- item one',
      '- item two',
      '',
      '## PARAMETERS',
      '',
      '### -Name',
      'The name.',
      '',
      '### -Force',
      'Forces.',
      '',
      '## EXAMPLES',
      '',
      '### Example 1: Get one',
      '```powershell',
      'PS> Get-Thing -Name a',
      '## not a heading',
      '```',
      'Gets a.',
      '',
      'More.',
      '',
      '## NOTES',
      'A note.',
      '',
      '## RELATED LINKS',
      '- [Online](https://example.org/x)',
      '- Get-Other',
    ].join('\n'),
  );
  test('sections become paragraphs; list items keep their lines', () => {
    expect(page.synopsis).toEqual(['Gets things.']);
    expect(page.description).toEqual(['First line continues here.', '- item one', '- item two']);
    expect(page.notes).toEqual(['A note.']);
  });
  test('parameters by name, examples with their code and remarks, links', () => {
    expect([...page.parameters.entries()]).toEqual([
      ['name', ['The name.']],
      ['force', ['Forces.']],
    ]);
    expect(page.examples).toEqual([{ title: 'Example 1: Get one', code: 'PS> Get-Thing -Name a\n## not a heading', remarks: ['Gets a.', '', 'More.'] }]);
    expect(page.links).toEqual([
      { text: 'Online', uri: 'https://example.org/x' },
      { text: 'Get-Other', uri: '' },
    ]);
  });
});

describe('syntax from the declaration', () => {
  const decl = defineCmdlet({
    verb: 'Get',
    noun: 'Thing',
    module: 'Test',
    synopsis: 'x',
    defaultParameterSet: 'ByName',
    supportsShouldProcess: true,
    parameters: [
      { name: 'InputObject', type: 'object', valueFromPipeline: true },
      { name: 'Name', type: 'string[]', position: 0, sets: ['ByName'] },
      { name: 'Id', type: 'int', mandatory: true, position: 0, sets: ['ById'] },
      { name: 'Path', type: 'string', mandatory: true, sets: ['ById'] },
      { name: 'Kind', type: 'string', validateSet: ['A', 'B'] },
      { name: 'Force', type: 'switch' },
    ],
  });
  test("one line per set, the default first, in pwsh's parameter order", () => {
    expect(syntaxLines(decl)).toEqual([
      'Get-Thing [[-Name] <string[]>] [-InputObject <Object>] [-Kind {A | B}] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]',
      'Get-Thing [-Id] <int> -Path <string> [-InputObject <Object>] [-Kind {A | B}] [-Force] [-WhatIf] [-Confirm] [<CommonParameters>]',
    ]);
  });
  test('a command without sets has one line', () => {
    expect(syntaxLines(defineCmdlet({ verb: 'Out', noun: 'X', module: 'T', synopsis: '', parameters: [] }))).toEqual(['Out-X [<CommonParameters>]']);
  });
});

describe('partial help (a command without a page)', () => {
  test("is pwsh's CmdletHelp layout with ALIASES and the Update-Help remark", () => {
    const h: HelpContent = {
      name: 'Get-Thing', hasPage: false, synopsis: [], syntax: ['Get-Thing [[-Name] <string>] [<CommonParameters>]'], description: [], parameters: [],
      inputs: [], outputs: [], notes: [], examples: [], links: [], aliases: ['gth'],
    };
    expect(renderHelp(h, 'default', 119)).toEqual([
      'NAME',
      '    Get-Thing',
      '    ',
      'SYNTAX',
      '    Get-Thing [[-Name] <string>] [<CommonParameters>]',
      '    ',
      '    ',
      'ALIASES',
      '    gth',
      '    ',
      '',
      'REMARKS',
      '    Get-Help cannot find the Help files for this cmdlet on this computer. It is displaying only partial help.',
      '        -- To download and install Help files for the module that includes this cmdlet, use Update-Help.',
      '',
    ]);
  });
});

describe('Get-Help objects', () => {
  async function run(script: string): Promise<CaptureHost> {
    const host = new CaptureHost();
    await new Runspace(host, path.join(os.tmpdir(), 'posh-help-store')).run(script);
    return host;
  }
  test('carry Name, Category, Synopsis and Syntax', async () => {
    const host = await run(`$h = Get-Help Out-Null; $h.Name; $h.Category; $h.Synopsis; $h.Syntax`);
    expect(host.output).toBe('Out-Null\nCmdlet\nHides the output instead of sending it down the pipeline or displaying it.\nOut-Null [-InputObject <Object>] [<CommonParameters>]\n');
  });
  test('an unknown name is a terminating HelpNotFound error', async () => {
    const host = await run(`try { Get-Help Nope-Nothing } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category }`);
    expect(host.output).toBe('HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand\nResourceUnavailable\n');
  });
});

// The pages this room owns: the utility cmdlets of the formatting issue and the engine's first cmdlets.
const pages = [
  'Format-Table', 'Format-List', 'Out-String', 'Out-File', 'Out-Null', 'Out-Host', 'Tee-Object', 'Write-Progress', 'Write-Information',
  'Sort-Object', 'Group-Object', 'Get-Member', 'Get-Alias', 'Get-Help', 'Write-Output', 'Write-Host', 'Write-Error', 'Write-Warning',
  'Write-Verbose', 'Write-Debug', 'Get-Command', 'Get-Variable', 'Set-Variable', 'Where-Object', 'ForEach-Object', 'Measure-Object', 'Select-Object',
];

describe.each(pages)('docs/%s.md', (name) => {
  const file = path.join(repoRoot, 'docs', `${name}.md`);
  const text = fs.readFileSync(file, 'utf8');
  const page = parseHelpPage(text);
  const entry = cmdletEntries().get(name.toLowerCase());

  test('is a page for an existing cmdlet, with a synopsis, a description and examples', () => {
    expect(text.startsWith(`# ${name}\n`)).toBe(true);
    expect(entry).toBeDefined();
    expect(page.synopsis.length).toBe(1);
    expect(page.description.length).toBeGreaterThan(0);
    expect(page.examples.length).toBeGreaterThan(0);
  });

  test('documents every declared parameter and no other', () => {
    const declared = loadCmdlet(entry!).parameters.map((p) => p.name.toLowerCase());
    const documented = [...page.parameters.keys()];
    const operatorSwitches = new Set(['ieq', 'ilike', 'imatch']);
    expect(documented.filter((d) => !declared.includes(d) && !operatorSwitches.has(d))).toEqual([]);
    // Where-Object documents its operator switches as a group in the description.
    const missing = declared.filter((d) => !documented.includes(d));
    if (name === 'Where-Object') expect(missing.every((m) => new RegExp(`\\b${m}\\b`, 'i').test(page.description.join(' ')))).toBe(true);
    else expect(missing).toEqual([]);
  });

  test('its examples run without an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'posh-doc-example-'));
    try {
      for (const ex of page.examples) {
        const script = ex.code
          .split('\n')
          .map((l) => l.replace(/^PS> /, ''))
          .join('\n');
        const host = new CaptureHost();
        const rs = new Runspace(host, path.join(dir, '.store'));
        rs.session.cwd = dir;
        // An example may end with $? false on purpose (Write-Error with SilentlyContinue); what
        // matters is that nothing was reported on the error stream.
        await rs.run(script);
        expect({ example: ex.title, errors: host.errors }).toEqual({ example: ex.title, errors: [] });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

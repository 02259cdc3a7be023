// Property-based fuzzing: whatever the text, parse() returns a script block or throws a
// ParseError with a sane extent — never another exception — and does so quickly.
import fc from 'fast-check';
import { parse, ParseError } from '../../core/language/parser';
import type { Extent } from '../../core/language/ast';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const TIME_LIMIT_MS = 250;

const SAMPLE_SCRIPTS = [
  'Get-ContainerImage | select Name, ParentImage',
  'Install-ContainerImage -Name NanoServer -Version 10.0.10586.0 -Force',
  '$c = New-Container -Name x -ContainerImageName NanoServer\n$c.Name.ToUpper()',
  'function Get-Thing { param([Parameter(Mandatory)][string]$Name = "x", [switch]$Force) "Hello $Name $($Name.Length)" }',
  'foreach ($i in 1..10) { if ($i % 2 -eq 0) { continue } elseif ($i -gt 7) { break } else { $i } }',
  "try { throw 'bad' } catch [System.Exception] { $_.Exception.Message } finally { 'done' }",
  '$h = @{ a = 1; b = \'x\'\n c = @(1, 2, 3) }\n$h.a += 1; $h[\'b\']',
  '[CmdletBinding()] param($x)\nbegin { $n = 0 } process { $n++ } end { $n }',
  '1..1000000 | Where-Object { $_ % 3 -eq 0 } | Measure-Object',
  "@'\nhere $x\n'@ + @\"\nthere $x `t\n\"@",
  'Get-Foo 2>&1 > out.txt; & $sb -a:1 @params -- -x; [math]::Max([int]"5", 0x10kb)',
  'while ($true) { $x = $x -replace "a","b" -split "," -join ";"; [version]$v = "1.2" }',
  '<# block #> $a?.b.c[0].d(1, 2) # tail\n$x = -not $y -and !$z -or ($w -is [int])',
];

const FRAGMENTS = [
  'Get-Foo', '-Name', '-Name:', '$x', '$_', '${a b}', '@p', '@(', '@{', '$(', '(', ')', '{', '}', '[', ']', '[int]', '[Parameter(',
  '"', "'", '"a $x"', "'s'", '@"\n', '"@', "@'\n", "'@", '`', '`n', '#', '<#', '#>', '|', ';', '\n', ',', '.', '..', '::',
  '?.', '=', '+=', '-eq', '-EQ', '-f', '-and', '-not', '!', '+', '-', '*', '/', '%', '++', '--', '2>&1', '>', '>>', '<', '&',
  '&&', 'if', 'elseif', 'else', 'foreach', 'in', 'while', 'try', 'catch', 'finally', 'throw', 'return', 'break', 'continue',
  'function', 'param', 'begin', 'process', 'end', 'switch', '0x1F', '10kb', '1.5', '5L', '1e400', '10.0.14300.1010', 'C:\\x',
  ' ', '  ', '\t', ':lbl', '$env:', '$', '--', '-5', '`u{41}', '`u{', '\r\n',
];

function checkExtent(extent: Extent, length: number): void {
  expect(extent.start.offset).toBeGreaterThanOrEqual(0);
  expect(extent.end.offset).toBeGreaterThanOrEqual(extent.start.offset);
  expect(extent.end.offset).toBeLessThanOrEqual(length);
  expect(extent.start.line).toBeGreaterThanOrEqual(1);
  expect(extent.start.column).toBeGreaterThanOrEqual(1);
}

// Parses and checks the outcome; returns the milliseconds taken.
function parseChecked(script: string, timeLimitMs = TIME_LIMIT_MS): number {
  const started = performance.now();
  try {
    const ast = parse(script);
    expect(ast.kind).toBe('ScriptBlock');
    checkExtent(ast.extent, script.length);
  } catch (e) {
    if (!(e instanceof ParseError)) {
      throw new Error(`non-ParseError for ${JSON.stringify(script)}: ${(e as Error)?.stack ?? String(e)}`);
    }
    expect(e.errors.length).toBeGreaterThan(0);
    expect(e.message).toBe(e.errors[0].message);
    expect(typeof e.errors[0].errorId).toBe('string');
    checkExtent(e.errors[0].extent, script.length);
  }
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(timeLimitMs);
  return elapsed;
}

// Random edits of a valid script: delete, insert or replace a slice.
const mutatedScript = fc
  .tuple(
    fc.constantFrom(...SAMPLE_SCRIPTS),
    fc.array(
      fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 }))),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([script, edits]) => {
    let text = script;
    for (const [at, remove, insert] of edits) {
      const position = at % (text.length + 1);
      text = text.slice(0, position) + insert + text.slice(position + remove);
    }
    return text;
  });

describe('parser fuzzing', () => {
  test('arbitrary unicode text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => void parseChecked(s)), { numRuns: RUNS });
  });

  test('arbitrary ASCII text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 300 }), (s) => void parseChecked(s)), { numRuns: RUNS });
  });

  test('sequences of PowerShell fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) => void parseChecked(parts.join(''))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) => void parseChecked(parts.join(' '))),
      { numRuns: RUNS },
    );
  });

  test('mutated valid scripts', () => {
    fc.assert(fc.property(mutatedScript, (s) => void parseChecked(s)), { numRuns: RUNS * 2 });
  });

  test('the sample scripts themselves parse', () => {
    for (const script of SAMPLE_SCRIPTS) expect(parse(script).kind).toBe('ScriptBlock');
  });

  test('pathological inputs stay fast', () => {
    // 100 KB each, parsed in tens of milliseconds; the bound allows for a busy machine but not
    // for anything quadratic (which would take minutes at this size).
    const limit = 2000;
    for (const script of [
      '('.repeat(100000),
      '{'.repeat(100000),
      '"$('.repeat(2000),
      '@{a='.repeat(5000),
      '$x.'.repeat(50000),
      '1,'.repeat(50000) + '1',
      '$a['.repeat(20000),
      '[a'.repeat(50000),
      '<#'.repeat(50000),
      '`'.repeat(50000),
      "'".repeat(50001),
      'a '.repeat(50000),
      '-'.repeat(50000),
      '$x = 1 + '.repeat(10000) + '1',
    ]) {
      parseChecked(script, limit);
    }
  });
});

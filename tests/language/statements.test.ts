import { parse } from '../../core/language/parser';
import { command, expr, firstPipeline, firstStatement, statements } from './helpers';

const v = (name: string) => ({ kind: 'Variable', name, splatted: false });
const n = (value: number, numberType = 'int') => ({ kind: 'Constant', value, numberType });
const bare = (value: string) => ({ kind: 'StringConstant', value, quote: 'bareword' });
const arg = (value: object) => ({ kind: 'CommandArgument', value, splatted: false });
const param = (name: string, extra: object = {}) => ({ kind: 'CommandParameter', name, argument: null, colon: false, ...extra });

describe('statement separation', () => {
  test('newlines and semicolons separate statements; blank lines and comments are skipped', () => {
    const list = statements('a; b\n\n# comment\nc <# block\ncomment #> d\n;;e');
    expect(list.map((s) => s.kind)).toEqual(['Pipeline', 'Pipeline', 'Pipeline', 'Pipeline']);
    expect(list.map((s) => s.extent.text)).toEqual(['a', 'b', 'c <# block\ncomment #> d', 'e']);
  });

  test('a trailing | continues the pipeline on the next line', () => {
    expect(firstPipeline('Get-Foo |\n  Select-Object Name |\n\n  Sort-Object').elements).toHaveLength(3);
  });

  test('a line starting with | continues the pipeline above (PowerShell 7)', () => {
    expect(firstPipeline('Get-Foo\n  | Select-Object Name\n  # note\n\n  | Sort-Object').elements).toHaveLength(3);
    expect(statements('Get-Foo\nGet-Bar').map((s) => s.kind)).toEqual(['Pipeline', 'Pipeline']);
  });

  test('a backtick at the end of a line continues it', () => {
    expect(command('Get-Foo `\n  -Name x `\r\n  -Force')).toMatchObject({
      elements: [param('Name'), arg(bare('x')), param('Force')],
    });
  });

  test('an empty script has no statements', () => {
    expect(parse('')).toMatchObject({ kind: 'ScriptBlock', paramBlock: null, begin: null, process: null, end: [] });
    expect(parse('  \n# only a comment\n')).toMatchObject({ end: [] });
  });
});

describe('commands in argument mode', () => {
  test('barewords are strings: versions, paths, wildcards, distinguished names', () => {
    expect(command('Get-Foo 10.0.14300.1010 C:\\path\\x.wim ./container-image Nano* CN=Microsoft_NanoServer_10.0.14304.1003')).toMatchObject({
      invocation: null,
      name: bare('Get-Foo'),
      elements: [
        arg(bare('10.0.14300.1010')),
        arg(bare('C:\\path\\x.wim')),
        arg(bare('./container-image')),
        arg(bare('Nano*')),
        arg(bare('CN=Microsoft_NanoServer_10.0.14304.1003')),
      ],
    });
  });

  test('numbers alone are numbers; 1..10 is a bareword in argument mode', () => {
    expect(command('Get-Foo 5 -5 1.0 0x10 10kb 1..10 5.txt').elements).toMatchObject([
      arg(n(5)),
      arg(n(-5)),
      arg(n(1, 'double')),
      arg(n(16)),
      arg(n(10240)),
      arg(bare('1..10')),
      arg(bare('5.txt')),
    ]);
  });

  test('parameters: -Name value, -Name:value, switches, -- stops parameter parsing', () => {
    expect(command('Install-ContainerImage -Name NanoServer -Version:10.0.10586.0 -Force -Path:$p -- -NotAParam').elements).toMatchObject([
      param('Name'),
      arg(bare('NanoServer')),
      param('Version', { argument: bare('10.0.10586.0'), colon: true }),
      param('Force'),
      param('Path', { argument: v('p'), colon: true }),
      arg(bare('-NotAParam')),
    ]);
  });

  test('the parameter extent covers -Name:value', () => {
    const element = command('Get-Foo -Name:abc').elements[0];
    expect(element.extent).toMatchObject({ text: '-Name:abc', start: { column: 9 } });
  });

  test('comma lists become one array argument', () => {
    expect(command('Get-ContainerImage | select Name, ParentImage', 1)).toMatchObject({
      name: bare('select'),
      elements: [arg({ kind: 'ArrayLiteral', elements: [bare('Name'), bare('ParentImage')] })],
    });
    expect(command('Get-Foo -Name a,\n  b').elements[1]).toMatchObject(arg({ kind: 'ArrayLiteral', elements: [bare('a'), bare('b')] }));
  });

  test('variables with member access, indexing and method calls stay expressions', () => {
    expect(command('Write-Output $c.Name $x[0] $s.ToUpper() $h.a.b').elements).toMatchObject([
      arg({ kind: 'Member', target: v('c') }),
      arg({ kind: 'Index', target: v('x') }),
      arg({ kind: 'InvokeMember', target: v('s') }),
      arg({ kind: 'Member', target: { kind: 'Member' } }),
    ]);
  });

  test('a variable joined to more text is an expandable bareword', () => {
    expect(command('Copy-Item $dir\\file.txt C:\\$name\\x a$(1)b').elements).toMatchObject([
      arg({ kind: 'ExpandableString', quote: 'bareword', parts: [v('dir'), '\\file.txt'] }),
      arg({ kind: 'ExpandableString', quote: 'bareword', parts: ['C:\\', v('name'), '\\x'] }),
      arg({ kind: 'ExpandableString', quote: 'bareword', parts: ['a', { kind: 'SubExpression' }, 'b'] }),
    ]);
  });

  test('quoted strings, expressions, script blocks and hashtables as arguments', () => {
    expect(command("Get-Foo 'a b' \"c $x\" (1 + 2) $(Get-Bar) @(1) @{a=1} { $_ }").elements).toMatchObject([
      arg({ kind: 'StringConstant', value: 'a b', quote: 'single' }),
      arg({ kind: 'ExpandableString', quote: 'double' }),
      arg({ kind: 'ParenExpression', pipeline: { kind: 'Pipeline' } }),
      arg({ kind: 'SubExpression' }),
      arg({ kind: 'ArrayExpression' }),
      arg({ kind: 'Hashtable' }),
      arg({ kind: 'ScriptBlockExpression' }),
    ]);
  });

  test("'text'.Member as an argument", () => {
    expect(command("Get-Foo 'a,b'.Split(',') 'x'").elements).toMatchObject([
      arg({ kind: 'InvokeMember', target: { kind: 'StringConstant', value: 'a,b' } }),
      arg({ kind: 'StringConstant', value: 'x' }),
    ]);
  });

  test('(…).Property as an argument', () => {
    expect(command('Get-Foo (Get-Bar).Name').elements).toMatchObject([arg({ kind: 'Member', target: { kind: 'ParenExpression' } })]);
  });

  test('backtick escapes and embedded quotes in barewords', () => {
    expect(command("Get-Foo a`tb a'b c'd a`$b").elements).toMatchObject([arg(bare('a\tb')), arg(bare('ab cd')), arg(bare('a$b'))]);
  });

  test('splatting', () => {
    expect(command('Get-Foo @params -Force').elements).toMatchObject([
      { kind: 'CommandArgument', splatted: true, value: { kind: 'Variable', name: 'params', splatted: true } },
      param('Force'),
    ]);
  });

  test('aliases and paths in command position', () => {
    expect(command('1..3 | ? { $_ -gt 1 } | % { $_ }', 1).name).toMatchObject(bare('?'));
    expect(command('1..3 | %{ $_ }', 1)).toMatchObject({ name: bare('%'), elements: [arg({ kind: 'ScriptBlockExpression' })] });
    expect(command('1..3 | foreach { $_ }', 1).name).toMatchObject(bare('foreach'));
    expect(command('./x.ps1 -a 1').name).toMatchObject(bare('./x.ps1'));
    expect(command('..\\tools\\x.ps1').name).toMatchObject(bare('..\\tools\\x.ps1'));
  });

  test('the call operator', () => {
    expect(command('& $sb a 1')).toMatchObject({ invocation: '&', name: v('sb'), elements: [arg(bare('a')), arg(n(1))] });
    expect(command("& 'Get-Foo' -x")).toMatchObject({ invocation: '&', name: { kind: 'StringConstant', value: 'Get-Foo', quote: 'single' } });
    expect(command('& { 1 }')).toMatchObject({ invocation: '&', name: { kind: 'ScriptBlockExpression' } });
  });

  test('an expression first in a pipeline, commands after', () => {
    expect(firstPipeline('1..10 | Where-Object { $_ % 3 -eq 0 } | Measure-Object')).toMatchObject({
      elements: [
        { kind: 'CommandExpression', expression: { kind: 'Binary', operator: '..' } },
        { kind: 'Command', name: bare('Where-Object') },
        { kind: 'Command', name: bare('Measure-Object') },
      ],
    });
  });
});

describe('redirection', () => {
  test('2>&1, > file, >> file, 2> $null, *>&1', () => {
    expect(command('Get-Foo 2>&1 > out.txt').redirections).toMatchObject([
      { from: '2', to: '1', append: false, target: null },
      { from: '1', to: 'file', append: false, target: bare('out.txt') },
    ]);
    expect(command('Get-Foo >> log.txt 2> $null *>&1').redirections).toMatchObject([
      { from: '1', to: 'file', append: true, target: bare('log.txt') },
      { from: '2', to: 'null', append: false, target: null },
      { from: '*', to: '1', target: null },
    ]);
    expect(command("Get-Foo 3>'w.txt'").redirections).toMatchObject([{ from: '3', to: 'file', target: { value: 'w.txt' } }]);
  });

  test('redirection of an expression', () => {
    expect(firstPipeline('$x > out.txt').elements[0]).toMatchObject({
      kind: 'CommandExpression',
      expression: v('x'),
      redirections: [{ from: '1', to: 'file', target: bare('out.txt') }],
    });
  });

  test('commands without redirections have no redirections field', () => {
    expect(command('Get-Foo').redirections).toBeUndefined();
  });
});

describe('assignment', () => {
  test.each(['=', '+=', '-=', '*=', '/=', '%='])('$x %s 1', (operator) => {
    expect(firstStatement(`$x ${operator} 1`)).toMatchObject({
      kind: 'Assignment',
      target: v('x'),
      operator,
      value: { kind: 'Pipeline', elements: [{ kind: 'CommandExpression', expression: n(1) }] },
    });
  });

  test('the value is a whole pipeline', () => {
    expect(firstStatement('$c = New-Container -Name x | Select-Object Name')).toMatchObject({
      kind: 'Assignment',
      value: { kind: 'Pipeline', elements: [{ kind: 'Command', name: bare('New-Container') }, { kind: 'Command' }] },
    });
  });

  test('targets: typed variable, property, index, list of variables', () => {
    expect(firstStatement('[int]$x = 5')).toMatchObject({ target: { kind: 'Convert', typeName: 'int', operand: v('x') } });
    expect(firstStatement('$h.a = 1')).toMatchObject({ target: { kind: 'Member' } });
    expect(firstStatement('$a[0] = 2')).toMatchObject({ target: { kind: 'Index' } });
    expect(firstStatement('$a, $b = 1, 2')).toMatchObject({ target: { kind: 'ArrayLiteral', elements: [v('a'), v('b')] } });
    expect(firstStatement('$null = Get-Foo')).toMatchObject({ target: v('null') });
  });

  test('chained assignment and statements as values', () => {
    expect(firstStatement('$a = $b = 1')).toMatchObject({ value: { kind: 'Assignment', target: v('b') } });
    expect(firstStatement('$x = if ($a) { 1 } else { 2 }')).toMatchObject({ value: { kind: 'If' } });
  });

  test('a newline after = is allowed', () => {
    expect(firstStatement('$x =\n  5')).toMatchObject({ kind: 'Assignment', value: { elements: [{ expression: n(5) }] } });
  });
});

describe('control flow', () => {
  test('if / elseif / else, keywords in any case', () => {
    expect(firstStatement('IF ($a -eq 1) { one }\nElseIf ($b) { two }\nelse { three }')).toMatchObject({
      kind: 'If',
      clauses: [
        { condition: { kind: 'Pipeline', elements: [{ expression: { kind: 'Binary', operator: '-eq' } }] }, body: [{ kind: 'Pipeline' }] },
        { condition: { elements: [{ expression: v('b') }] }, body: [{}] },
      ],
      elseBody: [{ kind: 'Pipeline', elements: [{ kind: 'Command', name: bare('three') }] }],
    });
    expect(firstStatement('if ($a) { }')).toMatchObject({ kind: 'If', clauses: [{ body: [] }], elseBody: null });
  });

  test('newlines may come between the keyword and its (', () => {
    expect(statements('if\n($a) { 1 }\nforeach\n($x in $y) { }\nwhile\n($z) { }').map((s) => s.kind)).toEqual(['If', 'ForEach', 'While']);
  });

  test('an if without else leaves the next line alone', () => {
    expect(statements('if ($a) { 1 }\nGet-Foo').map((s) => s.kind)).toEqual(['If', 'Pipeline']);
  });

  test('an assignment as a condition is wrapped in parentheses to stay a pipeline', () => {
    expect(firstStatement('if ($x = Get-Foo) { $x }')).toMatchObject({
      clauses: [
        {
          condition: {
            kind: 'Pipeline',
            elements: [{ kind: 'CommandExpression', expression: { kind: 'ParenExpression', pipeline: { kind: 'Assignment' } } }],
          },
        },
      ],
    });
  });

  test('a command as a condition', () => {
    expect(firstStatement('if (Test-Path x) { 1 }')).toMatchObject({
      clauses: [{ condition: { elements: [{ kind: 'Command', name: bare('Test-Path') }] } }],
    });
  });

  test('foreach and while, with labels', () => {
    expect(firstStatement('foreach ($img in Get-ContainerImage) { $img.Name }')).toMatchObject({
      kind: 'ForEach',
      variable: 'img',
      collection: { kind: 'Pipeline', elements: [{ kind: 'Command' }] },
      body: [{ kind: 'Pipeline' }],
      label: null,
    });
    expect(firstStatement('while ($i -lt 10) { $i++ }')).toMatchObject({
      kind: 'While',
      condition: { elements: [{ expression: { kind: 'Binary', operator: '-lt' } }] },
      label: null,
    });
    expect(firstStatement(':outer foreach ($x in 1..3) { :inner while ($true) { break outer; continue inner } }')).toMatchObject({
      kind: 'ForEach',
      label: 'outer',
      body: [{ kind: 'While', label: 'inner', body: [{ kind: 'Break', label: 'outer' }, { kind: 'Continue', label: 'inner' }] }],
    });
    expect(firstStatement('foreach ($x in $list)\n{\n}')).toMatchObject({ kind: 'ForEach', body: [] });
  });

  test('try / catch [Type] / catch / finally', () => {
    expect(firstStatement('try { Get-Foo } catch [System.IO.IOException], [TimeoutException] { 1 } catch { 2 } finally { 3 }')).toMatchObject({
      kind: 'Try',
      body: [{ kind: 'Pipeline' }],
      catches: [
        { kind: 'CatchClause', types: ['System.IO.IOException', 'TimeoutException'], body: [{}] },
        { kind: 'CatchClause', types: [], body: [{}] },
      ],
      finallyBody: [{}],
    });
    expect(firstStatement('try {\n 1\n}\nfinally {\n 2\n}')).toMatchObject({ kind: 'Try', catches: [], finallyBody: [{}] });
    expect(firstStatement('try { 1 }\ncatch\n  [A],\n  [B]\n{ 2 }')).toMatchObject({ catches: [{ types: ['A', 'B'] }] });
  });

  test('throw, return, break, continue', () => {
    expect(statements('throw; throw "bad"; return; return $x + 1; break; continue')).toMatchObject([
      { kind: 'Throw', value: null },
      { kind: 'Throw', value: { kind: 'Pipeline', elements: [{ expression: { kind: 'StringConstant', value: 'bad' } }] } },
      { kind: 'Return', value: null },
      { kind: 'Return', value: { elements: [{ expression: { kind: 'Binary' } }] } },
      { kind: 'Break', label: null },
      { kind: 'Continue', label: null },
    ]);
  });

  test('exit with and without a code', () => {
    expect(statements('exit; exit 3; EXIT ($code + 1)')).toMatchObject([
      { kind: 'Exit', value: null },
      { kind: 'Exit', value: { elements: [{ expression: { kind: 'Constant', value: 3 } }] } },
      { kind: 'Exit', value: { elements: [{ expression: { kind: 'ParenExpression' } }] } },
    ]);
  });

  test('statements inside a script block end at the closing brace', () => {
    expect(expr('{ if ($a) { 1 } else { 2 } }')).toMatchObject({ body: { end: [{ kind: 'If' }] } });
  });
});

describe('functions and param blocks', () => {
  test('function Name { param(…) … }', () => {
    expect(firstStatement('function Get-Thing {\n  param([string]$Name = "x", [switch]$Force)\n  $Name\n}')).toMatchObject({
      kind: 'FunctionDefinition',
      name: 'Get-Thing',
      body: {
        kind: 'ScriptBlock',
        paramBlock: {
          kind: 'ParamBlock',
          attributes: [],
          parameters: [
            { kind: 'Parameter', name: 'Name', typeName: 'string', defaultValue: { kind: 'StringConstant', value: 'x' }, attributes: [] },
            { kind: 'Parameter', name: 'Force', typeName: 'switch', defaultValue: null },
          ],
        },
        end: [{ kind: 'Pipeline' }],
      },
    });
  });

  test('function Name($a, $b) folds the parameters into a param block', () => {
    expect(firstStatement('function Add($a, [int]$b = 2) { $a + $b }')).toMatchObject({
      kind: 'FunctionDefinition',
      name: 'Add',
      body: {
        paramBlock: { kind: 'ParamBlock', parameters: [{ name: 'a', typeName: null }, { name: 'b', typeName: 'int', defaultValue: n(2) }] },
        end: [{}],
      },
    });
  });

  test('attributes: [CmdletBinding()], [Parameter(...)], [ValidateSet(...)], [ValidateNotNullOrEmpty()]', () => {
    const script = `[CmdletBinding(SupportsShouldProcess)]
param(
  [Parameter(Mandatory, Position=0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
  [ValidateSet('a', 'b')]
  [string[]]$Name,
  [Parameter(Mandatory=$true)][ValidateNotNullOrEmpty()]
  $Path
)
$Name`;
    const ast = parse(script);
    expect(ast.paramBlock).toMatchObject({
      attributes: [{ kind: 'Attribute', typeName: 'CmdletBinding', positionalArguments: [], namedArguments: [{ name: 'SupportsShouldProcess', value: null }] }],
      parameters: [
        {
          name: 'Name',
          typeName: 'string[]',
          attributes: [
            {
              typeName: 'Parameter',
              namedArguments: [
                { name: 'Mandatory', value: null },
                { name: 'Position', value: n(0) },
                { name: 'ValueFromPipeline', value: null },
                { name: 'ValueFromPipelineByPropertyName', value: null },
              ],
            },
            { typeName: 'ValidateSet', positionalArguments: [{ value: 'a' }, { value: 'b' }], namedArguments: [] },
          ],
        },
        {
          name: 'Path',
          typeName: null,
          attributes: [
            { typeName: 'Parameter', namedArguments: [{ name: 'Mandatory', value: v('true') }] },
            { typeName: 'ValidateNotNullOrEmpty', positionalArguments: [], namedArguments: [] },
          ],
        },
      ],
    });
    expect(ast.end).toHaveLength(1);
  });

  test('a script starting with a cast is not a param block', () => {
    const ast = parse('[int]$x = 5');
    expect(ast.paramBlock).toBeNull();
    expect(ast.end[0]).toMatchObject({ kind: 'Assignment' });
  });

  test('functions with begin/process/end', () => {
    expect(firstStatement('function f { param($x) begin { 1 } process { $_ } end { 3 } }')).toMatchObject({
      body: { paramBlock: { parameters: [{ name: 'x' }] }, begin: [{}], process: [{}], end: [{}] },
    });
  });

  test('the function extent covers the keyword to the closing brace', () => {
    expect(firstStatement('  function f { 1 }  ').extent).toMatchObject({ text: 'function f { 1 }', start: { column: 3 } });
  });
});

import { parse } from '../../core/language/parser';
import { expr, firstStatement } from './helpers';

const v = (name: string) => ({ kind: 'Variable', name, splatted: false });
const n = (value: number, numberType = 'int') => ({ kind: 'Constant', value, numberType });
const s = (value: string, quote = 'single') => ({ kind: 'StringConstant', value, quote });
const bin = (operator: string, left: object, right: object) => ({ kind: 'Binary', operator, left, right });

describe('numbers', () => {
  test.each([
    ['42', 42, 'int'],
    ['0x1F', 31, 'int'],
    ['0xFFFFFFFF', -1, 'int'],
    ['0x80000000', -2147483648, 'int'],
    ['0x100000000', 4294967296, 'long'],
    ['1.5', 1.5, 'double'],
    ['.5', 0.5, 'double'],
    ['1e3', 1000, 'double'],
    ['1.5E-2', 0.015, 'double'],
    ['5L', 5, 'long'],
    ['5l', 5, 'long'],
    ['5d', 5, 'decimal'],
    ['10kb', 10240, 'int'],
    ['1MB', 1048576, 'int'],
    ['1gb', 1073741824, 'int'],
    ['4gb', 4294967296, 'long'],
    ['1tb', 1099511627776, 'long'],
    ['1.5kb', 1536, 'double'],
    ['0x10kb', 16384, 'int'],
    ['2147483647', 2147483647, 'int'],
    ['2147483648', 2147483648, 'long'],
    ['-2147483648', -2147483648, 'int'],
    ['-2147483649', -2147483649, 'long'],
    ['9223372036854775808', 9223372036854775808, 'decimal'],
    ['100000000000000000000000000000000', 1e32, 'double'],
  ])('%s is %p (%s)', (text, value, numberType) => {
    expect(expr(text)).toMatchObject({ kind: 'Constant', value, numberType });
  });

  test('the extent of a negative literal includes the sign', () => {
    expect(expr('-5').extent).toMatchObject({ text: '-5', start: { column: 1 }, end: { column: 3 } });
  });
});

describe('strings', () => {
  test("single quotes with '' escape", () => {
    expect(expr("'it''s $x `n'")).toEqual(expect.objectContaining(s("it's $x `n")));
  });

  test('double quotes without variables are constants, with escapes applied', () => {
    expect(expr('"a""b`t`n`r`0`a`b`f`v`e`$`"``"')).toMatchObject(
      s('a"b\t\n\r\0\x07\b\f\v\x1b$"`', 'double'),
    );
  });

  test('`u{…} escapes', () => {
    expect(expr('"`u{41}`u{1F600}"')).toMatchObject(s('A\u{1F600}', 'double'));
  });

  test('$var is expanded but .Prop after it is literal text', () => {
    expect(expr('"a $x.Name b"')).toMatchObject({
      kind: 'ExpandableString',
      quote: 'double',
      parts: ['a ', v('x'), '.Name b'],
    });
  });

  test('$(…) sub-expressions, ${braced}, scoped and special variables', () => {
    expect(expr('"$($c.Name) ${my var} $env:PATH $global:x $script:y $_ $$ $? $^ $"')).toMatchObject({
      kind: 'ExpandableString',
      parts: [
        {
          kind: 'SubExpression',
          statements: [
            { kind: 'Pipeline', elements: [{ kind: 'CommandExpression', expression: { kind: 'Member', target: v('c') } }] },
          ],
        },
        ' ',
        v('my var'),
        ' ',
        v('env:PATH'),
        ' ',
        v('global:x'),
        ' ',
        v('script:y'),
        ' ',
        v('_'),
        ' ',
        v('$'),
        ' ',
        v('?'),
        ' ',
        v('^'),
        ' $',
      ],
    });
  });

  test('a string nested in a sub-expression in a string', () => {
    expect(expr('"x $("in $y") z"')).toMatchObject({
      kind: 'ExpandableString',
      parts: [
        'x ',
        {
          kind: 'SubExpression',
          statements: [
            {
              kind: 'Pipeline',
              elements: [{ expression: { kind: 'ExpandableString', parts: ['in ', v('y')] } }],
            },
          ],
        },
        ' z',
      ],
    });
  });

  test('variable extents inside strings point into the string', () => {
    const node = expr('"ab $x"');
    if (node.kind !== 'ExpandableString') throw new Error(node.kind);
    expect((node.parts[1] as { extent: object }).extent).toMatchObject({ text: '$x', start: { column: 5 } });
  });

  test("here-strings @' '@ and @\" \"@", () => {
    expect(expr("@'\nline1 $x\n'nested'\n'@")).toMatchObject(s("line1 $x\n'nested'", 'here-single'));
    expect(expr('@"\nhello $name\n"quoted"\n"@')).toMatchObject({
      kind: 'ExpandableString',
      quote: 'here-double',
      parts: ['hello ', v('name'), '\n"quoted"'],
    });
    expect(expr('@"\n"@')).toMatchObject(s('', 'here-double'));
    expect(expr("@'\r\nwindows\r\n'@")).toMatchObject(s('windows', 'here-single'));
  });
});

describe('variables', () => {
  test.each(['x', '_', 'PSItem', 'input', 'true', 'false', 'null', 'args', 'Error'])('$%s', (name) => {
    expect(expr('$' + name)).toMatchObject(v(name));
  });
  test.each([
    ['$?', '?'],
    ['$^', '^'],
    ['$$', '$'],
    ['$env:NAME', 'env:NAME'],
    ['$global:x', 'global:x'],
    ['$script:x', 'script:x'],
    ['${a b}', 'a b'],
    ['${a`}b}', 'a}b'],
  ])('%s', (text, name) => {
    expect(expr(text)).toMatchObject(v(name));
  });
});

describe('arrays, ranges, hashtables, script blocks', () => {
  test('comma arrays and unary comma', () => {
    expect(expr('1, 2, 3')).toMatchObject({ kind: 'ArrayLiteral', elements: [n(1), n(2), n(3)] });
    expect(expr(',1')).toMatchObject({ kind: 'Unary', operator: ',', operand: n(1) });
    expect(expr('1,\n2')).toMatchObject({ kind: 'ArrayLiteral', elements: [n(1), n(2)] });
  });

  test('@( ) and $( ) hold statements', () => {
    expect(expr('@(1; Get-Foo)')).toMatchObject({
      kind: 'ArrayExpression',
      statements: [{ kind: 'Pipeline' }, { kind: 'Pipeline', elements: [{ kind: 'Command' }] }],
    });
    expect(expr('@()')).toMatchObject({ kind: 'ArrayExpression', statements: [] });
    expect(expr('$(Get-Date)')).toMatchObject({ kind: 'SubExpression', statements: [{ kind: 'Pipeline' }] });
  });

  test('ranges', () => {
    expect(expr('1..10')).toMatchObject(bin('..', n(1), n(10)));
    expect(expr('$a..$b')).toMatchObject(bin('..', v('a'), v('b')));
    expect(expr('-2..2')).toMatchObject(bin('..', n(-2), n(2)));
  });

  test('hashtables: bareword, string and expression keys; ; and newline separators', () => {
    expect(expr("@{ a = 1; 'b c' = 'x'\n Version-Info = 2\n (1 + 1) = 3; 4 = Get-Foo -Bar }")).toMatchObject({
      kind: 'Hashtable',
      entries: [
        { key: s('a', 'bareword'), value: { kind: 'Pipeline', elements: [{ expression: n(1) }] } },
        { key: s('b c'), value: { elements: [{ expression: s('x') }] } },
        { key: s('Version-Info', 'bareword') },
        { key: { kind: 'ParenExpression' } },
        { key: n(4), value: { kind: 'Pipeline', elements: [{ kind: 'Command', elements: [{ kind: 'CommandParameter', name: 'Bar' }] }] } },
      ],
    });
    expect(expr('@{}')).toMatchObject({ kind: 'Hashtable', entries: [] });
  });

  test('script blocks with param() and named blocks', () => {
    expect(expr('{ param($a) $a + 1 }')).toMatchObject({
      kind: 'ScriptBlockExpression',
      body: {
        kind: 'ScriptBlock',
        paramBlock: { kind: 'ParamBlock', parameters: [{ name: 'a' }] },
        begin: null,
        process: null,
        end: [{ kind: 'Pipeline' }],
      },
    });
    expect(expr('{ begin { 1 } process { $_ } end { 2 } }')).toMatchObject({
      body: { begin: [{ kind: 'Pipeline' }], process: [{ kind: 'Pipeline' }], end: [{ kind: 'Pipeline' }] },
    });
    expect(expr('{ process { $_ } }')).toMatchObject({ body: { begin: null, process: [{}], end: [] } });
    expect(expr('{}')).toMatchObject({ body: { paramBlock: null, end: [] } });
  });
});

describe('operators and precedence', () => {
  test('* binds tighter than +, comparison below arithmetic, -and/-or lowest and left-associative', () => {
    expect(expr('1 + 2 * 3 -eq 7 -and $true -or $false')).toMatchObject(
      bin('-or', bin('-and', bin('-eq', bin('+', n(1), bin('*', n(2), n(3))), n(7)), v('true')), v('false')),
    );
  });

  test('-and and -or share one level, left to right', () => {
    expect(expr('$a -or $b -and $c')).toMatchObject(bin('-and', bin('-or', v('a'), v('b')), v('c')));
  });

  test('the comma binds tighter than binary operators', () => {
    expect(expr("1,2 -join ','")).toMatchObject(bin('-join', { kind: 'ArrayLiteral', elements: [n(1), n(2)] }, s(',')));
    expect(expr('1,2 + 3')).toMatchObject(bin('+', { kind: 'ArrayLiteral' }, n(3)));
  });

  test('-f binds tighter than + and ..', () => {
    expect(expr("'{0}' -f 1 + 1")).toMatchObject(bin('+', bin('-f', s('{0}'), n(1)), n(1)));
    expect(expr("'{0}{1}' -f 1, 2")).toMatchObject(bin('-f', s('{0}{1}'), { kind: 'ArrayLiteral' }));
    expect(expr('1..3 -f 2')).toMatchObject(bin('-f', bin('..', n(1), n(3)), n(2)));
  });

  test('unary operators bind tighter than binary ones', () => {
    expect(expr('-not $a -eq $b')).toMatchObject(bin('-eq', { kind: 'Unary', operator: '-not', operand: v('a') }, v('b')));
    expect(expr('!$a')).toMatchObject({ kind: 'Unary', operator: '!', operand: v('a') });
    expect(expr('-$x')).toMatchObject({ kind: 'Unary', operator: '-', operand: v('x') });
    expect(expr('-split "a b"')).toMatchObject({ kind: 'Unary', operator: '-split', operand: s('a b', 'double') });
    expect(expr('-join $a')).toMatchObject({ kind: 'Unary', operator: '-join', operand: v('a') });
    expect(expr('-bnot 5')).toMatchObject({ kind: 'Unary', operator: '-bnot', operand: n(5) });
  });

  test('binary minus vs. negative numbers', () => {
    expect(expr('$a -1')).toMatchObject(bin('-', v('a'), n(1)));
    expect(expr('5-3')).toMatchObject(bin('-', n(5), n(3)));
    expect(expr('$a - -1')).toMatchObject(bin('-', v('a'), n(-1)));
  });

  test.each([
    '-eq', '-ne', '-gt', '-ge', '-lt', '-le', '-like', '-notlike', '-match', '-notmatch', '-contains', '-notcontains',
    '-in', '-notin', '-replace', '-split', '-join', '-f', '-and', '-or', '-xor', '-is', '-isnot', '-as',
    '-ceq', '-cne', '-clike', '-cmatch', '-creplace', '-csplit', '-ieq', '-ilike', '-imatch', '-ireplace', '-isplit',
    '-ccontains', '-cin', '-inotin', '+', '-', '*', '/', '%',
  ])('binary %s', (op) => {
    expect(expr(`$a ${op} $b`)).toMatchObject(bin(op, v('a'), v('b')));
  });

  test('operator names are case-insensitive and normalised to lower case', () => {
    expect(expr('$a -EQ 1')).toMatchObject(bin('-eq', v('a'), n(1)));
    expect(expr('$a -CLike "x*"')).toMatchObject({ operator: '-clike' });
    expect(expr('-NOT $a')).toMatchObject({ kind: 'Unary', operator: '-not' });
  });

  test('-replace and -split with a pair of arguments', () => {
    expect(expr('$x -replace "a","b"')).toMatchObject(bin('-replace', v('x'), { kind: 'ArrayLiteral', elements: [{}, {}] }));
  });

  test('a newline after a binary operator continues the expression', () => {
    expect(expr('1 +\n 2')).toMatchObject(bin('+', n(1), n(2)));
    expect(expr('$a -and\n $b')).toMatchObject(bin('-and', v('a'), v('b')));
  });

  test('++ and -- before and after', () => {
    expect(expr('$x++')).toMatchObject({ kind: 'Unary', operator: '++post', operand: v('x') });
    expect(expr('$x--')).toMatchObject({ kind: 'Unary', operator: '--post', operand: v('x') });
    expect(expr('++$x')).toMatchObject({ kind: 'Unary', operator: '++pre', operand: v('x') });
    expect(expr('--$h.Count')).toMatchObject({ kind: 'Unary', operator: '--pre', operand: { kind: 'Member' } });
  });
});

describe('member access, methods, indexing', () => {
  test('properties: plain, quoted, dynamic, null-conditional', () => {
    expect(expr('$c.Name')).toMatchObject({ kind: 'Member', target: v('c'), member: s('Name', 'bareword'), static: false, nullConditional: false });
    expect(expr("$x.'my prop'")).toMatchObject({ kind: 'Member', member: s('my prop') });
    expect(expr('$x.$dyn')).toMatchObject({ kind: 'Member', member: v('dyn') });
    expect(expr('$x?.Name')).toMatchObject({ kind: 'Member', nullConditional: true });
    expect(expr('$a.b.c')).toMatchObject({ kind: 'Member', target: { kind: 'Member', target: v('a') }, member: s('c', 'bareword') });
  });

  test('method calls on variables, strings and results', () => {
    expect(expr('$x.ToString()')).toMatchObject({ kind: 'InvokeMember', target: v('x'), member: s('ToString', 'bareword'), arguments: [] });
    expect(expr("'a,b'.Split(',')")).toMatchObject({ kind: 'InvokeMember', target: s('a,b'), arguments: [s(',')] });
    expect(expr('$s.Substring(1,\n 2).ToUpper()')).toMatchObject({
      kind: 'InvokeMember',
      member: s('ToUpper', 'bareword'),
      target: { kind: 'InvokeMember', member: s('Substring', 'bareword'), arguments: [n(1), n(2)] },
    });
    expect(expr('(Get-Foo).Count')).toMatchObject({ kind: 'Member', target: { kind: 'ParenExpression' } });
    expect(expr('$x?.Trim()')).toMatchObject({ kind: 'InvokeMember', nullConditional: true });
  });

  test('a space before ( makes it no method call', () => {
    expect(() => expr('$x.Trim ()')).toThrow("Unexpected token '(' in expression or statement.");
  });

  test('static members and methods', () => {
    expect(expr('[math]::Max(1, 2)')).toMatchObject({
      kind: 'InvokeMember',
      static: true,
      target: { kind: 'TypeLiteral', typeName: 'math' },
      member: s('Max', 'bareword'),
      arguments: [n(1), n(2)],
    });
    expect(expr('[datetime]::Now')).toMatchObject({ kind: 'Member', static: true, target: { kind: 'TypeLiteral', typeName: 'datetime' } });
  });

  test('indexing', () => {
    expect(expr('$x[0]')).toMatchObject({ kind: 'Index', target: v('x'), index: n(0) });
    expect(expr('$x[-1]')).toMatchObject({ kind: 'Index', index: n(-1) });
    expect(expr("$h['key']")).toMatchObject({ kind: 'Index', index: s('key') });
    expect(expr('$x[1, 2]')).toMatchObject({ kind: 'Index', index: { kind: 'ArrayLiteral', elements: [n(1), n(2)] } });
    expect(expr('$x[0].Name[1]')).toMatchObject({ kind: 'Index', target: { kind: 'Member', target: { kind: 'Index' } } });
    expect(expr("'abc'[0]")).toMatchObject({ kind: 'Index', target: s('abc') });
  });
});

describe('types and casts', () => {
  test.each(['int', 'long', 'double', 'string', 'bool', 'version', 'datetime', 'array', 'hashtable', 'string[]', 'System.Version', 'int[]'])(
    '[%s] alone is a type literal and before a value a cast',
    (typeName) => {
      expect(expr(`[${typeName}]`)).toMatchObject({ kind: 'TypeLiteral', typeName });
      expect(expr(`[${typeName}]$x`)).toMatchObject({ kind: 'Convert', typeName, operand: v('x') });
    },
  );

  test('[pscustomobject]@{…} and [ordered]@{…}', () => {
    expect(expr('[pscustomobject]@{ Name = "x" }')).toMatchObject({ kind: 'Convert', typeName: 'pscustomobject', operand: { kind: 'Hashtable' } });
    expect(expr('[ordered]@{}')).toMatchObject({ kind: 'Convert', typeName: 'ordered', operand: { kind: 'Hashtable', entries: [] } });
  });

  test('a cast applies to the whole postfix expression and binds tighter than binary operators', () => {
    expect(expr('[int]$x.Length + 1')).toMatchObject(bin('+', { kind: 'Convert', operand: { kind: 'Member' } }, n(1)));
    expect(expr("[version]'10.0.14300.1010'")).toMatchObject({ kind: 'Convert', typeName: 'version', operand: s('10.0.14300.1010') });
    expect(expr('[int] "5"')).toMatchObject({ kind: 'Convert', typeName: 'int' });
  });

  test('-is / -as take a type literal', () => {
    expect(expr('$x -is [int]')).toMatchObject(bin('-is', v('x'), { kind: 'TypeLiteral', typeName: 'int' }));
    expect(expr('$x -isnot [string]')).toMatchObject(bin('-isnot', v('x'), { kind: 'TypeLiteral' }));
    expect(expr('$x -as [version]')).toMatchObject(bin('-as', v('x'), { kind: 'TypeLiteral', typeName: 'version' }));
  });

  test('generic type names keep their text', () => {
    expect(expr('[System.Collections.Generic.List[string]]::new()')).toMatchObject({
      kind: 'InvokeMember',
      target: { kind: 'TypeLiteral', typeName: 'System.Collections.Generic.List[string]' },
    });
  });
});

describe('extents', () => {
  test('nodes carry 1-based line and column and their source text', () => {
    const statement = firstStatement('\n  $x = 1 +\n    2');
    expect(statement.extent).toMatchObject({
      start: { line: 2, column: 3, offset: 3 },
      end: { line: 3, column: 6 },
      text: '$x = 1 +\n    2',
    });
  });

  test('a whole script block covers the whole script', () => {
    const source = '# comment\nGet-Foo\n';
    expect(parse(source).extent).toMatchObject({ start: { offset: 0 }, end: { offset: source.length }, text: source });
  });
});

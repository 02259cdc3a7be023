// The tokenizer on its own: the same text scans differently in expression and argument mode.
import { SourceText, Tokenizer, Token } from '../../core/language/tokenizer';

function tokenizer(text: string): Tokenizer {
  return new Tokenizer(new SourceText(text), () => {
    throw new Error('no sub-expressions in these tests');
  });
}

// All tokens of a text in one mode, up to the end of input.
function scanAll(text: string, mode: 'expression' | 'command'): Token[] {
  const t = tokenizer(text);
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    pos = t.skipTrivia(pos, false);
    const token = mode === 'expression' ? t.scanExpression(pos) : t.scanCommand(pos);
    if (token.kind === 'EndOfInput') return tokens;
    tokens.push(token);
    pos = token.end;
  }
}

const kinds = (tokens: Token[]) => tokens.map((t) => `${t.kind}:${t.text}`);

describe('two modes', () => {
  test('a version is a number and a member access in expression mode, one word in argument mode', () => {
    expect(kinds(scanAll('10.0.14300', 'command'))).toEqual(['Generic:10.0.14300']);
    expect(kinds(scanAll('10.0', 'expression'))).toEqual(['Number:10.0']);
  });

  test('-Name is a parameter in argument mode; -eq an operator in expression mode', () => {
    expect(scanAll('-Name:x -Force -5', 'command')).toMatchObject([
      { kind: 'Parameter', name: 'Name', colon: true, text: '-Name:' },
      { kind: 'Generic', text: 'x' },
      { kind: 'Parameter', name: 'Force', colon: false },
      { kind: 'Number', value: -5, numberType: 'int' },
    ]);
    expect(scanAll('-eq -NOTLIKE -foo -', 'expression')).toMatchObject([
      { kind: 'Operator', op: '-eq' },
      { kind: 'Operator', op: '-notlike', text: '-NOTLIKE' },
      { kind: 'Parameter', text: '-foo' },
      { kind: 'Operator', op: '-' },
    ]);
  });

  test('1..10 is a range in expression mode and a word in argument mode', () => {
    expect(kinds(scanAll('1..10', 'expression'))).toEqual(['Number:1', 'DotDot:..', 'Number:10']);
    expect(kinds(scanAll('1..10', 'command'))).toEqual(['Generic:1..10']);
  });

  test('argument-mode words stop at terminators but not at = . * \\ :', () => {
    expect(kinds(scanAll('a=b C:\\x.wim Nano*,x;y|z(w){v}', 'command'))).toEqual([
      'Generic:a=b',
      'Generic:C:\\x.wim',
      'Generic:Nano*',
      'Comma:,',
      'Generic:x',
      'Semi:;',
      'Generic:y',
      'Pipe:|',
      'Generic:z',
      'LParen:(',
      'Generic:w',
      'RParen:)',
      'LCurly:{',
      'Generic:v',
      'RCurly:}',
    ]);
  });

  test('-- ends parameters only when it stands alone', () => {
    expect(kinds(scanAll('-- --x', 'command'))).toEqual(['DashDash:--', 'Generic:--x']);
    expect(tokenizer('-x').scanCommand(0, true)).toMatchObject({ kind: 'Generic', text: '-x' });
  });

  test('redirection operators', () => {
    expect(scanAll('2>&1 > >> 2> *>&1 3>>', 'command')).toMatchObject([
      { kind: 'Redirection', redirection: { from: '2', merge: true, append: false } },
      { kind: 'Redirection', redirection: { from: '1', merge: false, append: false } },
      { kind: 'Redirection', redirection: { from: '1', append: true } },
      { kind: 'Redirection', redirection: { from: '2', merge: false } },
      { kind: 'Redirection', redirection: { from: '*', merge: true } },
      { kind: 'Redirection', redirection: { from: '3', append: true } },
    ]);
  });

  test('comments and line continuations are trivia; newlines are tokens', () => {
    expect(kinds(scanAll('a # c\n<# b\n #> b `\n c', 'command'))).toEqual(['Generic:a', 'NewLine:\n', 'Generic:b', 'Generic:c']);
    expect(kinds(scanAll('a\r\nb', 'command'))).toEqual(['Generic:a', 'NewLine:\r\n', 'Generic:b']);
  });

  test('variables and splats', () => {
    expect(scanAll('$x $global:y ${a b} $? @p', 'expression')).toMatchObject([
      { kind: 'Variable', name: 'x' },
      { kind: 'Variable', name: 'global:y' },
      { kind: 'Variable', name: 'a b' },
      { kind: 'Variable', name: '?' },
      { kind: 'SplattedVariable', name: 'p' },
    ]);
  });

  test('en and em dashes work as -', () => {
    expect(scanAll('\u2013eq', 'expression')).toMatchObject([{ kind: 'Operator', op: '-eq' }]);
    expect(scanAll('\u2014Name', 'command')).toMatchObject([{ kind: 'Parameter', name: 'Name' }]);
  });
});

describe('source positions', () => {
  test('lines and columns are 1-based; CRLF, LF and CR each end a line', () => {
    const source = new SourceText('ab\r\ncd\ne\rf');
    expect(source.position(0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(source.position(4)).toEqual({ offset: 4, line: 2, column: 1 });
    expect(source.position(8)).toEqual({ offset: 8, line: 3, column: 2 });
    expect(source.position(9)).toEqual({ offset: 9, line: 4, column: 1 });
    expect(source.extent(4, 6)).toMatchObject({ text: 'cd', start: { line: 2, column: 1 }, end: { line: 2, column: 3 } });
  });
});

import { parse, ParseError } from '../../core/language/parser';
import { parseFailure } from './helpers';

// [script, errorId, message, line, column]
const CASES: [string, string, string, number, number][] = [
  // Missing closers: curly braces point at the opener, parentheses just after the last token.
  ['if ($x) {', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 9],
  ['{ 1 ', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 1],
  ['function f {\n  1\n', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 12],
  ['@{a=1', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 3],
  ['(1 + 2', 'MissingEndParenthesisInExpression', "Missing closing ')' in expression.", 1, 7],
  ['(', 'ExpectedExpression', "An expression was expected after '('.", 1, 2],
  ['(1 2)', 'MissingEndParenthesisInExpression', "Missing closing ')' in expression.", 1, 3],
  ['()', 'ExpectedExpression', "An expression was expected after '('.", 1, 2],
  ['$(1', 'MissingEndParenthesisInSubexpression', "Missing closing ')' in subexpression.", 1, 4],
  ['@(1', 'MissingEndParenthesisInSubexpression', "Missing closing ')' in subexpression.", 1, 4],
  ['$x.M(1', 'MissingEndParenthesisInMethodCall', "Missing ')' in method call.", 1, 7],
  ['$x.M(1,', 'MissingExpressionAfterToken', "Missing expression after ','.", 1, 8],
  ['$x.M(', 'MissingEndParenthesisInMethodCall', "Missing ')' in method call.", 1, 6],
  ['$(1 }', 'MissingEndParenthesisInSubexpression', "Missing closing ')' in subexpression.", 1, 5],
  ['{ ) }', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 1],
  ['$x[', 'MissingArrayIndexExpression', 'Array index expression is missing or not valid.', 1, 4],
  ['$x[]', 'MissingArrayIndexExpression', 'Array index expression is missing or not valid.', 1, 4],
  ['$a[0', 'MissingEndSquareBracket', "Missing ']' after array index expression.", 1, 5],

  // Strings and comments.
  ['"abc', 'TerminatorExpectedAtEndOfString', 'The string is missing the terminator: ".', 1, 1],
  ["x\n  'abc", 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '.", 2, 3],
  ['@"\nabc', 'TerminatorExpectedAtEndOfString', 'The string is missing the terminator: "@.', 1, 1],
  ["@'\nabc\n '@", 'TerminatorExpectedAtEndOfString', "The string is missing the terminator: '@.", 1, 1],
  ["@'abc", 'UnexpectedCharactersAfterHereStringHeader', 'No characters are allowed after a here-string header but before the end of the line.', 1, 3],
  ['<# abc', 'MissingTerminatorMultiLineComment', "The terminator '#>' is missing from the multiline comment.", 1, 7],
  ['"`u{110000}"', 'InvalidUnicodeEscapeSequenceValue', 'The Unicode escape sequence value is out of range. The maximum value is 0x10FFFF.', 1, 2],
  ['"`u{}"', 'InvalidUnicodeEscapeSequence', "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.", 1, 2],
  ['"`u{1234567}"', 'TooManyDigitsInUnicodeEscapeSequence', 'The Unicode escape sequence contains more than the maximum of six hex digits between braces.', 1, 2],
  ['"`u{12"', 'MissingUnicodeEscapeSequenceTerminator', "The Unicode escape sequence is missing the closing '}'.", 1, 2],

  // Variables.
  ['$ + 1', 'InvalidVariableReference', "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.", 1, 1],
  ['$env: + 1', 'InvalidVariableReferenceWithDrive', "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.", 1, 1],
  ['${abc', 'IncompleteDollarVariableReference', "${variable} reference starting is missing the closing '}'.", 1, 1],
  ['${}', 'EmptyVariableReference', 'An empty ${} variable reference was found. A name is required inside the braces.', 1, 1],
  ['@x', 'SplattingNotPermitted', "The splatting operator '@' cannot be used to reference variables in an expression. '@x' can be used only as an argument to a command. To reference variables in an expression use '$x'.", 1, 1],

  // Tokens and operators.
  ['1 2', 'UnexpectedToken', "Unexpected token '2' in expression or statement.", 1, 3],
  ['a; }', 'UnexpectedToken', "Unexpected token '}' in expression or statement.", 1, 4],
  ['$a -band 1', 'UnexpectedToken', "Unexpected token '-band' in expression or statement.", 1, 4],
  ['$a -foo 1', 'UnexpectedToken', "Unexpected token '-foo' in expression or statement.", 1, 4],
  ['$a ? 1 : 2', 'UnexpectedToken', "Unexpected token '?' in expression or statement.", 1, 4],
  ['Get-Foo && Get-Bar', 'UnexpectedToken', "Unexpected token '&&' in expression or statement.", 1, 9],
  ['Get-Foo &', 'UnexpectedToken', "Unexpected token '&' in expression or statement.", 1, 9],
  ['. ./x.ps1', 'UnexpectedToken', "Unexpected token '.' in expression or statement.", 1, 1],
  ['else { }', 'UnexpectedToken', "Unexpected token 'else' in expression or statement.", 1, 1],
  ['$x.Trim ()', 'UnexpectedToken', "Unexpected token '(' in expression or statement.", 1, 9],
  ['1 -eq', 'ExpectedValueExpression', "You must provide a value expression following the '-eq' operator.", 1, 6],
  ['$a -EQ', 'ExpectedValueExpression', "You must provide a value expression following the '-EQ' operator.", 1, 7],
  ['1 + Get-Foo', 'ExpectedValueExpression', "You must provide a value expression following the '+' operator.", 1, 4],
  ['$x = ', 'ExpectedValueExpression', "You must provide a value expression following the '=' operator.", 1, 5],
  ['-not', 'MissingExpressionAfterOperator', "Missing expression after unary operator '-not'.", 1, 5],
  ['!', 'MissingExpressionAfterOperator', "Missing expression after unary operator '!'.", 1, 2],
  ['1,', 'MissingExpressionAfterToken', "Missing expression after ','.", 1, 3],
  ['5 = 1', 'InvalidLeftHandSide', 'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.', 1, 1],
  ['++5', 'OperatorRequiresVariableOrProperty', "The '++' operator works only on variables or on properties.", 1, 3],
  ['1.5L', 'BadNumericConstant', 'The numeric constant 1.5L is not valid.', 1, 1],
  ['$x = 1e400', 'BadNumericConstant', 'The numeric constant 1e400 is not valid.', 1, 6],
  ['$x -eq 5abc', 'BadNumericConstant', 'The numeric constant 5abc is not valid.', 1, 8],
  ['$x.', 'MissingPropertyName', 'Missing property name after reference operator.', 1, 4],

  // Pipelines, commands, redirection.
  ['Get-Foo |', 'EmptyPipeElement', 'An empty pipe element is not allowed.', 1, 10],
  ['Get-Foo | | Get-Bar', 'EmptyPipeElement', 'An empty pipe element is not allowed.', 1, 9],
  ['| Get-Foo', 'EmptyPipeElement', 'An empty pipe element is not allowed.', 1, 1],
  ['1 | 2', 'ExpressionsMustBeFirstInPipeline', 'Expressions are only allowed as the first element of a pipeline.', 1, 5],
  ['Get-Foo | $sb', 'ExpressionsMustBeFirstInPipeline', 'Expressions are only allowed as the first element of a pipeline.', 1, 11],
  ['& ', 'MissingExpression', "Missing expression after '&' in pipeline element.", 1, 2],
  ['Get-Foo @p, 1', 'SplattingNotPermittedInArgumentList', "Splatted variables like '@p' cannot be part of a comma-separated list of arguments.", 1, 9],
  ['Get-Foo -Name:', 'ParameterRequiresArgument', 'Parameter -Name requires an argument.', 1, 9],
  ['Get-Foo < in.txt', 'RedirectionNotSupported', "The '<' operator is reserved for future use.", 1, 9],
  ['Get-Foo >', 'MissingFileSpecification', 'Missing file specification after redirection operator.', 1, 10],
  ['Get-Foo > a > b', 'StreamAlreadyRedirected', 'The output stream for this command is already redirected.', 1, 13],
  ['Get-Foo 2>&2', 'RedirectionStreamCanOnlyMergeToOutputStream', 'Redirection only allows another stream to be merged with the output stream. Please correct the redirection operation to merge into the output stream then try running your script again.', 1, 9],

  // Statements.
  ['if 1', 'MissingOpenParenthesisInIfStatement', "Missing '(' after 'if' in if statement.", 1, 3],
  ['if ($a) {} elseif $b {}', 'MissingOpenParenthesisInIfStatement', "Missing '(' after 'elseif' in if statement.", 1, 18],
  ['if () {}', 'IfStatementMissingCondition', "Missing condition in if statement after 'if ('.", 1, 5],
  ['if ($a {}', 'MissingEndParenthesisAfterStatement', "Missing closing ')' after expression in 'if' statement.", 1, 8],
  ['IF ($a', 'MissingEndParenthesisAfterStatement', "Missing closing ')' after expression in 'IF' statement.", 1, 7],
  ['if ($a) 1', 'MissingStatementBlock', 'Missing statement block after if ( condition ).', 1, 7],
  ['ForEach $x', 'MissingOpenParenthesisAfterKeyword', "Missing opening '(' after keyword 'foreach'.", 1, 8],
  ['WHILE ($x', 'MissingEndParenthesisAfterStatement', "Missing closing ')' after expression in 'while' statement.", 1, 10],
  ['if ($x) {} else', 'MissingStatementBlockAfterElse', "Missing statement block after 'else' keyword.", 1, 16],
  ['foreach $x', 'MissingOpenParenthesisAfterKeyword', "Missing opening '(' after keyword 'foreach'.", 1, 8],
  ['foreach (1 in $y) {}', 'MissingVariableNameAfterForeach', 'Missing variable name after foreach.\nThe correct form is: foreach ($a in $b) {...}', 1, 10],
  ['foreach ($x 1) {}', 'MissingInInForeach', "Missing 'in' after variable in foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 1, 12],
  ['foreach ($x in ) {}', 'MissingForeachExpression', 'Missing expression in foreach loop.\nThe correct form is: foreach ($a in $b) {...}', 1, 15],
  ['foreach ($x in $y', 'MissingEndParenthesisAfterForeach', "Missing closing ')' after expression part of foreach loop.\nThe correct form is: foreach ($a in $b) {...}", 1, 18],
  ['foreach ($x in $y)', 'MissingForeachStatement', 'Missing statement body in foreach loop.\nThe correct form is: foreach ($a in $b) {...}', 1, 19],
  ['while', 'MissingOpenParenthesisAfterKeyword', "Missing opening '(' after keyword 'while'.", 1, 6],
  ['while () {}', 'MissingExpressionAfterKeyword', "Missing expression after 'while' in loop.", 1, 8],
  ['while ($x', 'MissingEndParenthesisAfterStatement', "Missing closing ')' after expression in 'while' statement.", 1, 10],
  ['while ($x)', 'MissingLoopStatement', 'Missing statement body in while loop.', 1, 11],
  ['try', 'MissingTryStatementBlock', 'The Try statement is missing its statement block.', 1, 4],
  ['try { 1 }', 'MissingCatchOrFinally', 'The Try statement is missing its Catch or Finally block.', 1, 10],
  ['try {} catch [X]', 'MissingCatchHandlerBlock', 'The Catch block is missing its statement block.', 1, 17],
  ['try {} finally', 'MissingFinallyStatementBlock', 'The Finally block is missing its statement block.', 1, 15],
  ['try {} catch {} catch [X] {}', 'EmptyCatchNotLast', 'Catch block must be the last catch block.', 1, 8],
  ['try {} catch [X], {}', 'MissingTypeLiteralToken', 'Missing type literal.', 1, 18],
  ['try {} catch [ValidateNotNull()] {}', 'MissingCatchHandlerBlock', 'The Catch block is missing its statement block.', 1, 13],
  ['function', 'MissingNameAfterKeyword', 'Missing name after function keyword.', 1, 9],
  ['function f', 'MissingFunctionBody', 'Missing function body in function declaration.', 1, 11],
  ['function f($a) { param($b) }', 'OnlyOneParameterListAllowed', 'The param statement cannot be used if arguments were specified in the function declaration.', 1, 18],
  ['function f($a', 'MissingEndParenthesisInFunctionParameterList', "Missing ')' in function parameter list.", 1, 14],
  ['param($a, $A)', 'DuplicateFormalParameter', 'Duplicate parameter $A in parameter list.', 1, 11],
  ['param(1)', 'InvalidFunctionParameter', 'Parameter declarations are a comma-separated list of variable names with optional initializer expressions.', 1, 7],
  ['[int] param()', 'TypeNotAllowedBeforeParam', 'Unexpected type [int] was found in the parameter statement.', 1, 1],
  ['[Parameter(Mandatory, Mandatory)] param()', 'DuplicateNamedArgument', "Duplicate named arguments 'Mandatory' are not allowed.", 1, 23],
  ['[Parameter()]$x', 'UnexpectedAttribute', "Unexpected attribute 'Parameter'.", 1, 1],
  ['$y = [ValidateSet("a")]"a"', 'UnexpectedAttribute', "Unexpected attribute 'ValidateSet'.", 1, 6],
  ['[', 'MissingTypename', "Missing type name after '['.", 1, 2],
  ['[int', 'EndSquareBracketExpectedAtEndOfType', 'Missing ] at end of type token.', 1, 5],
  ['[Parameter(Mandatory) param()', 'EndSquareBracketExpectedAtEndOfAttribute', 'Missing ] at end of attribute or type literal.', 1, 22],
  ['begin { } foo', 'MissingNamedBlocks', "unexpected token 'foo', expected 'begin', 'process', 'end', or 'dynamicparam'.", 1, 11],
  ['begin', 'MissingNamedStatementBlock', "Missing statement block after 'begin'.", 1, 6],
  ['begin { } Begin { }', 'DuplicateScriptCommandClause', "Script command clause 'begin' has already been defined.", 1, 11],
  ['@{ = 1 }', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 3],
  ['@{ a 1 }', 'MissingEqualsInHashLiteral', "Missing '=' operator after key in hash literal.", 1, 5],
  ['@{ a = }', 'MissingStatementInHashLiteral', "Missing statement after '=' in hash literal.", 1, 7],
  ['@{ a = 1; A = 2 }', 'DuplicateKeyInHashLiteral', "Duplicate keys 'A' are not allowed in hash literals.", 1, 11],
  ['@{ a = 1 b = 2 }', 'MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", 1, 3],

  // Outside the subset.
  ['switch ($x) {}', 'UnexpectedKeyword', "Unexpected keyword 'switch'.", 1, 1],
  ['for ($i = 0; $i -lt 3; $i++) {}', 'UnexpectedKeyword', "Unexpected keyword 'for'.", 1, 1],
  ['do { } while ($x)', 'UnexpectedKeyword', "Unexpected keyword 'do'.", 1, 1],
  ['Get-Foo\ntrap { }', 'UnexpectedKeyword', "Unexpected keyword 'trap'.", 2, 1],
  ['class Foo {}', 'UnexpectedKeyword', "Unexpected keyword 'class'.", 1, 1],
  ['Get-Foo; param($x)', 'UnexpectedKeyword', "Unexpected keyword 'param'.", 1, 10],
  ['{ dynamicparam {} }', 'UnexpectedKeyword', "Unexpected keyword 'dynamicparam'.", 1, 3],
];

describe('parse errors: PowerShell ids, texts and positions', () => {
  test.each(CASES)('%j -> %s', (script, errorId, message, line, column) => {
    const failure = parseFailure(script);
    expect(failure).toMatchObject({ errorId, message, line, column });
  });

  test('an error deep in a script names its line and column', () => {
    expect(parseFailure('Get-Foo\n$x = 1\n\tif ($x -gt) { }')).toMatchObject({ errorId: 'ExpectedValueExpression', line: 3, column: 12 });
    expect(parseFailure('a\r\nb\r\n  1 -eq')).toMatchObject({ line: 3, column: 8 });
  });

  test('the extent of an unexpected token is the token', () => {
    expect(parseFailure('Get-Foo\n  $a -foo 1')).toMatchObject({ text: '-foo', line: 2, column: 6 });
    expect(parseFailure('"abc')).toMatchObject({ text: '"abc' });
  });

  test('errors caused by the end of input are flagged as incomplete input', () => {
    for (const script of ['if ($x) {', '"abc', '(1 + 2', 'Get-Foo |', '1 -eq', "@'\nx", '<# x', '@{ a = 1', '$x = ', 'Get-Foo `']) {
      expect(parseFailure(script).incompleteInput).toBe(true);
    }
    for (const script of ['1 2', '@{ a = 1 b = 2 }', 'if 1', '1 | 2', 'if ($x) { ) }']) {
      expect(parseFailure(script).incompleteInput).toBe(false);
    }
  });

  test('ParseError is an Error with errors[] and the file name', () => {
    try {
      parse('1 2', 'C:\\scripts\\x.ps1');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect(e).toBeInstanceOf(Error);
      const error = e as ParseError;
      expect(error.name).toBe('ParseError');
      expect(error.fileName).toBe('C:\\scripts\\x.ps1');
      expect(error.errorId).toBe('UnexpectedToken');
      expect(error.errors).toHaveLength(1);
      expect(error.errors[0].extent).toMatchObject({
        start: { line: 1, column: 3, offset: 2 },
        end: { line: 1, column: 4, offset: 3 },
        text: '2',
      });
    }
  });

  test('too deep nesting is a ParseError, not a stack overflow', () => {
    expect(parseFailure('('.repeat(5000) + '1' + ')'.repeat(5000)).errorId).toBe('ScriptTooComplicated');
    expect(parseFailure('!'.repeat(20000) + '$x').errorId).toBe('ScriptTooComplicated');
    expect(parseFailure('"$('.repeat(3000)).errorId).toBe('ScriptTooComplicated');
  });
});

// Parse errors with PowerShell's own error ids and texts (ParserStrings.resx), so the host can
// print them the way pwsh does: `At line:1 char:14` followed by the message.

import type { Extent } from './ast';

export interface ParseErrorEntry {
  errorId: string;
  message: string;
  extent: Extent;
  // True when the script merely ended too early (a missing closer, a trailing `|`): a REPL can
  // read another line instead of reporting the error.
  incompleteInput?: boolean;
}

export class ParseError extends Error {
  readonly errors: ParseErrorEntry[];
  readonly fileName: string | undefined;

  constructor(errors: ParseErrorEntry[], fileName?: string) {
    super(errors.length > 0 ? errors[0].message : 'Parser errors were detected.');
    this.name = 'ParseError';
    this.errors = errors;
    this.fileName = fileName;
  }

  get errorId(): string {
    return this.errors[0].errorId;
  }

  get extent(): Extent {
    return this.errors[0].extent;
  }
}

// Texts copied from PowerShell's ParserStrings; {0}, {1} are filled in by parseErrorMessage.
const MESSAGES: Record<string, string> = {
  AmbiguousParameterBaseMessage: "Ambiguous parameter '-{0}'",
  BadNumericConstant: 'The numeric constant {0} is not valid.',
  DuplicateFormalParameter: 'Duplicate parameter ${0} in parameter list.',
  DuplicateKeyInHashLiteral: "Duplicate keys '{0}' are not allowed in hash literals.",
  DuplicateNamedArgument: "Duplicate named arguments '{0}' are not allowed.",
  DuplicateScriptCommandClause: "Script command clause '{0}' has already been defined.",
  EmptyCatchNotLast: 'Catch block must be the last catch block.',
  EmptyPipeElement: 'An empty pipe element is not allowed.',
  EmptyVariableReference: 'An empty ${} variable reference was found. A name is required inside the braces.',
  EndSquareBracketExpectedAtEndOfAttribute: 'Missing ] at end of attribute or type literal.',
  EndSquareBracketExpectedAtEndOfType: 'Missing ] at end of type token.',
  ExpectedExpression: "An expression was expected after '('.",
  ExpectedValueExpression: "You must provide a value expression following the '{0}' operator.",
  ExpressionsMustBeFirstInPipeline: 'Expressions are only allowed as the first element of a pipeline.',
  IfStatementMissingCondition: "Missing condition in if statement after '{0} ('.",
  IncompleteDollarVariableReference: "${variable} reference starting is missing the closing '}'.",
  InvalidFunctionParameter:
    'Parameter declarations are a comma-separated list of variable names with optional initializer expressions.',
  InvalidLeftHandSide:
    'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.',
  InvalidUnicodeEscapeSequence:
    "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by one to six hex digits and a closing '}'.",
  InvalidUnicodeEscapeSequenceValue: 'The Unicode escape sequence value is out of range. The maximum value is 0x10FFFF.',
  InvalidVariableReference:
    "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
  InvalidVariableReferenceWithDrive:
    "Variable reference is not valid. ':' was not followed by a valid variable name character. Consider using ${} to delimit the name.",
  MissingArrayIndexExpression: 'Array index expression is missing or not valid.',
  MissingCatchHandlerBlock: 'The Catch block is missing its statement block.',
  MissingCatchOrFinally: 'The Try statement is missing its Catch or Finally block.',
  MissingEndCurlyBrace: "Missing closing '}' in statement block or type definition.",
  MissingEndParenthesisAfterForeach:
    "Missing closing ')' after expression part of foreach loop.\nThe correct form is: foreach ($a in $b) {...}",
  MissingEndParenthesisAfterStatement: "Missing closing ')' after expression in '{0}' statement.",
  MissingEndParenthesisInExpression: "Missing closing ')' in expression.",
  MissingEndParenthesisInFunctionParameterList: "Missing ')' in function parameter list.",
  MissingEndParenthesisInMethodCall: "Missing ')' in method call.",
  MissingEndParenthesisInSubexpression: "Missing closing ')' in subexpression.",
  MissingEndSquareBracket: "Missing ']' after array index expression.",
  MissingEqualsInHashLiteral: "Missing '=' operator after key in hash literal.",
  MissingExpression: "Missing expression after '{0}' in pipeline element.",
  MissingExpressionAfterKeyword: "Missing expression after '{0}' in loop.",
  MissingExpressionAfterOperator: "Missing expression after unary operator '{0}'.",
  MissingExpressionAfterToken: "Missing expression after '{0}'.",
  MissingExpressionInNamedArgument: "Missing statement after '=' in named argument.",
  MissingFileSpecification: 'Missing file specification after redirection operator.',
  MissingFinallyStatementBlock: 'The Finally block is missing its statement block.',
  MissingForeachExpression: 'Missing expression in foreach loop.\nThe correct form is: foreach ($a in $b) {...}',
  MissingForeachStatement: 'Missing statement body in foreach loop.\nThe correct form is: foreach ($a in $b) {...}',
  MissingFunctionBody: 'Missing function body in function declaration.',
  MissingInInForeach: "Missing 'in' after variable in foreach loop.\nThe correct form is: foreach ($a in $b) {...}",
  MissingLoopStatement: 'Missing statement body in {0} loop.',
  MissingNameAfterKeyword: 'Missing name after {0} keyword.',
  MissingNamedBlocks: "unexpected token '{0}', expected 'begin', 'process', 'end', or 'dynamicparam'.",
  MissingNamedStatementBlock: "Missing statement block after '{0}'.",
  MissingOpenParenthesisAfterKeyword: "Missing opening '(' after keyword '{0}'.",
  MissingOpenParenthesisInIfStatement: "Missing '(' after '{0}' in if statement.",
  MissingPropertyName: 'Missing property name after reference operator.',
  MissingStatementBlock: 'Missing statement block after {0} ( condition ).',
  MissingStatementBlockAfterElse: "Missing statement block after 'else' keyword.",
  MissingStatementInHashLiteral: "Missing statement after '=' in hash literal.",
  MissingTerminatorMultiLineComment: "The terminator '#>' is missing from the multiline comment.",
  MissingTryStatementBlock: 'The Try statement is missing its statement block.',
  MissingTypeLiteralToken: 'Missing type literal.',
  MissingTypename: "Missing type name after '['.",
  MissingUnicodeEscapeSequenceTerminator: "The Unicode escape sequence is missing the closing '}'.",
  MissingVariableNameAfterForeach: 'Missing variable name after foreach.\nThe correct form is: foreach ($a in $b) {...}',
  OnlyOneParameterListAllowed: 'The param statement cannot be used if arguments were specified in the function declaration.',
  OperatorRequiresVariableOrProperty: "The '{0}' operator works only on variables or on properties.",
  ParameterRequiresArgument: 'Parameter {0} requires an argument.',
  RedirectionNotSupported: "The '{0}' operator is reserved for future use.",
  RedirectionStreamCanOnlyMergeToOutputStream:
    'Redirection only allows another stream to be merged with the output stream. Please correct the redirection operation to merge into the output stream then try running your script again.',
  ScriptTooComplicated: 'Processing was stopped because the script is too complex.',
  SplattingNotPermitted:
    "The splatting operator '@' cannot be used to reference variables in an expression. '@{0}' can be used only as an argument to a command. To reference variables in an expression use '${0}'.",
  SplattingNotPermittedInArgumentList: "Splatted variables like '@{0}' cannot be part of a comma-separated list of arguments.",
  StreamAlreadyRedirected: 'The {0} for this command is already redirected.',
  TerminatorExpectedAtEndOfString: 'The string is missing the terminator: {0}.',
  TooManyDigitsInUnicodeEscapeSequence:
    'The Unicode escape sequence contains more than the maximum of six hex digits between braces.',
  TypeNotAllowedBeforeParam: 'Unexpected type [{0}] was found in the parameter statement.',
  UnexpectedAttribute: "Unexpected attribute '{0}'.",
  UnexpectedCharactersAfterHereStringHeader:
    'No characters are allowed after a here-string header but before the end of the line.',
  UnexpectedKeyword: "Unexpected keyword '{0}'.",
  UnexpectedToken: "Unexpected token '{0}' in expression or statement.",
  UnrecognizedToken: 'Unrecognized token in source text.',
};

export function parseErrorMessage(errorId: string, ...args: string[]): string {
  const template = MESSAGES[errorId];
  if (template === undefined) throw new Error(`unknown parse error id ${errorId}`);
  return template.replace(/\{(\d)\}/g, (_m, index: string) => args[Number(index)] ?? '');
}

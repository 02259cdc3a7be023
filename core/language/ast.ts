// The typed syntax tree of the PowerShell subset (SPEC §4). Produced by parser.ts, consumed by
// core/engine/compiler.ts. Every node carries the extent of source text it came from so errors
// can point at a line and column.

export interface Position {
  offset: number; // 0-based character offset in the script
  line: number; // 1-based
  column: number; // 1-based
}

export interface Extent {
  start: Position;
  end: Position; // exclusive
  text: string; // the source text the node covers
}

interface NodeBase {
  extent: Extent;
}

// ---- Statements ----------------------------------------------------------------------------

export interface ScriptBlockAst extends NodeBase {
  kind: 'ScriptBlock';
  paramBlock: ParamBlockAst | null;
  // `begin {}`, `process {}`, `end {}` named blocks; a script without them has only `end`.
  begin: StatementAst[] | null;
  process: StatementAst[] | null;
  end: StatementAst[];
}

export interface ParamBlockAst extends NodeBase {
  kind: 'ParamBlock';
  attributes: AttributeAst[]; // e.g. [CmdletBinding(SupportsShouldProcess)] before param(...)
  parameters: ParameterAst[];
}

export interface ParameterAst extends NodeBase {
  kind: 'Parameter';
  name: string; // without the `$`
  attributes: AttributeAst[]; // [Parameter(...)], [ValidateSet(...)], [ValidateNotNullOrEmpty()]
  typeName: string | null; // the last type constraint: [string], [switch], [int[]] -> 'int[]'
  defaultValue: ExpressionAst | null;
}

export interface AttributeAst extends NodeBase {
  kind: 'Attribute';
  typeName: string; // 'Parameter', 'ValidateSet', 'CmdletBinding', ...
  positionalArguments: ExpressionAst[];
  // `Mandatory` alone is { name: 'Mandatory', value: null } (means $true)
  namedArguments: { name: string; value: ExpressionAst | null }[];
}

export type StatementAst =
  | PipelineAst
  | AssignmentAst
  | IfAst
  | ForEachAst
  | WhileAst
  | TryAst
  | ThrowAst
  | ReturnAst
  | ExitAst
  | BreakAst
  | ContinueAst
  | FunctionDefinitionAst;

export interface PipelineAst extends NodeBase {
  kind: 'Pipeline';
  // The first element may be an expression (`1..10 | ...`, `$x`), the rest are commands.
  elements: (CommandAst | CommandExpressionAst)[];
}

// An expression in command position: `$x.Name`, `1..10`, `'a'`.
export interface CommandExpressionAst extends NodeBase {
  kind: 'CommandExpression';
  expression: ExpressionAst;
  redirections?: RedirectionAst[]; // `$x > file`; absent when there are none
}

// `> file`, `>> file`, `2> $null` (to 'null', target null), `2>&1` / `*>&1` (to '1', target null).
export interface RedirectionAst extends NodeBase {
  from: '1' | '2' | '3' | '4' | '5' | '6' | '*';
  to: 'file' | '1' | 'null';
  append: boolean;
  target: ExpressionAst | null;
}

export interface CommandAst extends NodeBase {
  kind: 'Command';
  // `&` call operator with an expression name (`& $sb`), or a bare name (`Get-Foo`).
  invocation: '&' | null;
  name: ExpressionAst; // a bareword is a StringConstant with bareword=true
  elements: CommandElementAst[];
  redirections?: RedirectionAst[]; // `2>&1`, `> file`; absent when there are none
}

export type CommandElementAst = CommandParameterAst | CommandArgumentAst;

export interface CommandParameterAst extends NodeBase {
  kind: 'CommandParameter';
  name: string; // as typed, without the dash: `-Nam` -> 'Nam'
  // `-Name:value` binds the value directly; `-Name value` leaves argument null here and the
  // value follows as a separate CommandArgument (the binder decides if it belongs to the switch).
  argument: ExpressionAst | null;
  colon: boolean;
}

export interface CommandArgumentAst extends NodeBase {
  kind: 'CommandArgument';
  value: ExpressionAst;
  splatted: boolean; // `@params`
}

export interface AssignmentAst extends NodeBase {
  kind: 'Assignment';
  target: ExpressionAst; // Variable, Member, Index, or Convert wrapping a Variable ([int]$x = ...)
  operator: '=' | '+=' | '-=' | '*=' | '/=' | '%=';
  value: StatementAst; // usually a Pipeline; `$c = if (...) {...}` is allowed too
}

export interface IfAst extends NodeBase {
  kind: 'If';
  clauses: { condition: PipelineAst; body: StatementAst[] }[]; // if + elseif
  elseBody: StatementAst[] | null;
}

export interface ForEachAst extends NodeBase {
  kind: 'ForEach';
  variable: string; // without `$`
  collection: PipelineAst;
  body: StatementAst[];
  label: string | null;
}

export interface WhileAst extends NodeBase {
  kind: 'While';
  condition: PipelineAst;
  body: StatementAst[];
  label: string | null;
}

export interface CatchClauseAst extends NodeBase {
  kind: 'CatchClause';
  types: string[]; // empty: catches everything
  body: StatementAst[];
}

export interface TryAst extends NodeBase {
  kind: 'Try';
  body: StatementAst[];
  catches: CatchClauseAst[];
  finallyBody: StatementAst[] | null;
}

export interface ThrowAst extends NodeBase {
  kind: 'Throw';
  value: PipelineAst | null;
}

export interface ReturnAst extends NodeBase {
  kind: 'Return';
  value: PipelineAst | null;
}

// `exit` / `exit 3`: ends the script (or the posh process) with that exit code.
export interface ExitAst extends NodeBase {
  kind: 'Exit';
  value: PipelineAst | null;
}

export interface BreakAst extends NodeBase {
  kind: 'Break';
  label: string | null;
}

export interface ContinueAst extends NodeBase {
  kind: 'Continue';
  label: string | null;
}

export interface FunctionDefinitionAst extends NodeBase {
  kind: 'FunctionDefinition';
  name: string;
  // `function f($a, $b) {}` parameters are folded into body.paramBlock by the parser.
  body: ScriptBlockAst;
}

// ---- Expressions ---------------------------------------------------------------------------

export type ExpressionAst =
  | ConstantAst
  | StringConstantAst
  | ExpandableStringAst
  | VariableAst
  | ArrayLiteralAst
  | ArrayExpressionAst
  | SubExpressionAst
  | ParenExpressionAst
  | HashtableAst
  | ScriptBlockExpressionAst
  | BinaryAst
  | UnaryAst
  | ConvertAst
  | TypeLiteralAst
  | MemberAst
  | InvokeMemberAst
  | IndexAst;

export interface ConstantAst extends NodeBase {
  kind: 'Constant';
  value: number | boolean | null; // numbers: 42, 0x1F, 1.5, 1e3, 10kb (already multiplied), 5L
  numberType: 'int' | 'long' | 'double' | 'decimal' | null;
}

export interface StringConstantAst extends NodeBase {
  kind: 'StringConstant';
  value: string;
  quote: 'single' | 'double' | 'bareword' | 'here-single' | 'here-double';
}

// "text $var $($expr) more": parts are literal strings or expressions to stringify.
export interface ExpandableStringAst extends NodeBase {
  kind: 'ExpandableString';
  parts: (string | ExpressionAst)[];
  quote: 'double' | 'here-double' | 'bareword';
}

export interface VariableAst extends NodeBase {
  kind: 'Variable';
  name: string; // without `$`; scope qualifiers kept: 'global:x', 'script:y', 'env:PATH'
  splatted: boolean; // `@params` in argument position
}

// `1, 2, 3`
export interface ArrayLiteralAst extends NodeBase {
  kind: 'ArrayLiteral';
  elements: ExpressionAst[];
}

// `@( statements )`
export interface ArrayExpressionAst extends NodeBase {
  kind: 'ArrayExpression';
  statements: StatementAst[];
}

// `$( statements )`
export interface SubExpressionAst extends NodeBase {
  kind: 'SubExpression';
  statements: StatementAst[];
}

// `( pipeline )` — a pipeline or assignment in parentheses.
export interface ParenExpressionAst extends NodeBase {
  kind: 'ParenExpression';
  pipeline: StatementAst;
}

export interface HashtableAst extends NodeBase {
  kind: 'Hashtable';
  // Keys are expressions: barewords become StringConstant; values are statements (pipelines).
  entries: { key: ExpressionAst; value: StatementAst }[];
}

export interface ScriptBlockExpressionAst extends NodeBase {
  kind: 'ScriptBlockExpression';
  body: ScriptBlockAst;
}

export type BinaryOperator =
  | '+' | '-' | '*' | '/' | '%'
  | '..'
  | '-and' | '-or' | '-xor'
  | '-f'
  | '-join' | '-split' | '-replace' | '-creplace' | '-ireplace' | '-csplit' | '-isplit'
  | '-eq' | '-ne' | '-gt' | '-ge' | '-lt' | '-le'
  | '-like' | '-notlike' | '-match' | '-notmatch'
  | '-contains' | '-notcontains' | '-in' | '-notin'
  | '-ceq' | '-cne' | '-cgt' | '-cge' | '-clt' | '-cle'
  | '-clike' | '-cnotlike' | '-cmatch' | '-cnotmatch'
  | '-ccontains' | '-cnotcontains' | '-cin' | '-cnotin'
  | '-ieq' | '-ine' | '-igt' | '-ige' | '-ilt' | '-ile'
  | '-ilike' | '-inotlike' | '-imatch' | '-inotmatch'
  | '-icontains' | '-inotcontains' | '-iin' | '-inotin'
  | '-is' | '-isnot' | '-as';

export interface BinaryAst extends NodeBase {
  kind: 'Binary';
  operator: BinaryOperator;
  left: ExpressionAst;
  right: ExpressionAst;
}

export type UnaryOperator =
  | '-not' | '!' | '-' | '+' | ','
  | '++pre' | '--pre' | '++post' | '--post'
  | '-join' | '-split' | '-bnot';

export interface UnaryAst extends NodeBase {
  kind: 'Unary';
  operator: UnaryOperator;
  operand: ExpressionAst;
}

// `[int]$x`, `[version]'1.2'`, `[pscustomobject]@{...}`, `[ordered]@{...}`
export interface ConvertAst extends NodeBase {
  kind: 'Convert';
  typeName: string; // as written, without brackets: 'int', 'version', 'string[]'
  operand: ExpressionAst;
}

// `[int]` alone, as used in `$x -is [int]` or `[datetime]::Now`
export interface TypeLiteralAst extends NodeBase {
  kind: 'TypeLiteral';
  typeName: string;
}

// `$x.Name`, `$x.'Name'`, `$x.$prop`, `[datetime]::Now` (static: true)
export interface MemberAst extends NodeBase {
  kind: 'Member';
  target: ExpressionAst;
  member: ExpressionAst; // StringConstant (bareword) for plain names
  static: boolean;
  nullConditional: boolean; // `?.`
}

// `$x.ToUpper()`, `'a,b'.Split(',')`, `[math]::Max(1, 2)`
export interface InvokeMemberAst extends NodeBase {
  kind: 'InvokeMember';
  target: ExpressionAst;
  member: ExpressionAst;
  arguments: ExpressionAst[];
  static: boolean;
  nullConditional?: boolean; // `$x?.Method()`; absent means false
}

// `$x[0]`, `$h['key']`, `$x[1, 2]`, `$x[-1]`
export interface IndexAst extends NodeBase {
  kind: 'Index';
  target: ExpressionAst;
  index: ExpressionAst;
}

export type Ast = StatementAst | ExpressionAst | ScriptBlockAst | CommandElementAst | ParamBlockAst | ParameterAst | AttributeAst | CatchClauseAst;

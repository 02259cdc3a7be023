// Recursive-descent parser for the PowerShell subset (SPEC §4), producing the AST of ast.ts.
// It follows PowerShell's grammar (Parser.cs): statements start in command mode, a bareword in
// command position makes a command, anything else an expression; binary operators bind by
// PowerShell's precedence (-and/-or/-xor < comparison < + - < * / % < -f < ..), the comma binds
// tighter than all of them and unary operators tighter still. The first error stops the parse.

import type {
  AssignmentAst,
  AttributeAst,
  CatchClauseAst,
  CommandAst,
  CommandElementAst,
  CommandExpressionAst,
  ConstantAst,
  ExpressionAst,
  Extent,
  FunctionDefinitionAst,
  HashtableAst,
  ParamBlockAst,
  ParameterAst,
  PipelineAst,
  RedirectionAst,
  ScriptBlockAst,
  ScriptBlockExpressionAst,
  StatementAst,
  StringConstantAst,
  BinaryOperator,
  UnaryOperator,
  VariableAst,
} from './ast';
import { ParseError } from './parse-error';
import {
  SourceText,
  Token,
  Tokenizer,
  isDash,
  isDigit,
  isDoubleQuote,
  isIdentChar,
  isIdentStart,
  isSingleQuote,
  isCommandTerminator,
  extentStartOffset,
  extentEndOffset,
} from './tokenizer';

export { ParseError } from './parse-error';
export type { ParseErrorEntry } from './parse-error';

// Parses a whole script. Throws ParseError (never anything else) when the text is not valid.
export function parse(script: string, fileName?: string): ScriptBlockAst {
  const source = new SourceText(script);
  try {
    const shared = new SharedState(source);
    return new Parser(shared, 0).parseScript();
  } catch (e) {
    if (e instanceof ParseError) {
      if (fileName !== undefined) throw new ParseError(e.errors, fileName);
      throw e;
    }
    // Deeply nested input can still exhaust the stack inside the depth budget on small stacks.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      const error = source.error('ScriptTooComplicated', 0, 0);
      throw fileName !== undefined ? new ParseError(error.errors, fileName) : error;
    }
    throw e;
  }
}

const MAX_NESTING = 400;

const EXPR = 0;
const CMD = 1;
const CMD_STOP = 2; // command mode after `--`: `-x` is an argument
type Mode = typeof EXPR | typeof CMD | typeof CMD_STOP;

const BINARY_PRECEDENCE = new Map<string, number>();
for (const op of ['-and', '-or', '-xor']) BINARY_PRECEDENCE.set(op, 1);
for (const op of [
  '-join', '-split', '-replace', '-creplace', '-ireplace', '-csplit', '-isplit',
  '-eq', '-ne', '-gt', '-ge', '-lt', '-le', '-like', '-notlike', '-match', '-notmatch',
  '-contains', '-notcontains', '-in', '-notin',
  '-ceq', '-cne', '-cgt', '-cge', '-clt', '-cle', '-clike', '-cnotlike', '-cmatch', '-cnotmatch',
  '-ccontains', '-cnotcontains', '-cin', '-cnotin',
  '-ieq', '-ine', '-igt', '-ige', '-ilt', '-ile', '-ilike', '-inotlike', '-imatch', '-inotmatch',
  '-icontains', '-inotcontains', '-iin', '-inotin',
  '-is', '-isnot', '-as',
]) {
  BINARY_PRECEDENCE.set(op, 3);
}
BINARY_PRECEDENCE.set('+', 4);
BINARY_PRECEDENCE.set('-', 4);
BINARY_PRECEDENCE.set('*', 5);
BINARY_PRECEDENCE.set('/', 5);
BINARY_PRECEDENCE.set('%', 5);
BINARY_PRECEDENCE.set('-f', 6);
const RANGE_PRECEDENCE = 7;

const UNARY_OPERATORS = new Set(['!', '-not', '-bnot', '-split', '-join', '+', '-', '++', '--']);
const ASSIGNMENT_OPERATORS = new Set(['=', '+=', '-=', '*=', '/=', '%=']);

// PowerShell keywords that are not part of the subset: a statement starting with one is an error.
const UNSUPPORTED_KEYWORDS = new Set([
  'switch', 'for', 'do', 'until', 'trap', 'class', 'enum', 'data', 'filter', 'using', 'workflow',
  'configuration', 'dynamicparam', 'hidden', 'static', 'define', 'from', 'var', 'parallel', 'sequence',
  'inlinescript', 'param',
]);
const MISPLACED_KEYWORDS = new Set(['else', 'elseif', 'catch', 'finally', 'in']);
const NAMED_BLOCKS = new Set(['begin', 'process', 'end', 'dynamicparam']);

const STREAM_NAMES: Record<RedirectionAst['from'], string> = {
  '1': 'output stream',
  '2': 'error stream',
  '3': 'warning stream',
  '4': 'verbose stream',
  '5': 'debug stream',
  '6': 'information stream',
  '*': '* stream',
};

function isNewlineCode(c: number): boolean {
  return c === 10 || c === 13;
}

function startOf(node: { extent: Extent }): number {
  return extentStartOffset(node.extent);
}
function endOf(node: { extent: Extent }): number {
  return extentEndOffset(node.extent);
}

// State shared by the parser of a script and the parsers of `$( … )` inside its strings.
class SharedState {
  readonly source: SourceText;
  readonly tokenizer: Tokenizer;
  depth = 0;

  constructor(source: SourceText) {
    this.source = source;
    this.tokenizer = new Tokenizer(source, (offset) => new Parser(this, offset).parseStringSubExpression());
  }
}

type AttributeOrType =
  | { kind: 'attribute'; attribute: AttributeAst }
  | { kind: 'type'; typeName: string; start: number; end: number };

interface ScriptBlockBody {
  paramBlock: ParamBlockAst | null;
  begin: StatementAst[] | null;
  process: StatementAst[] | null;
  end: StatementAst[];
}

class Parser {
  private readonly shared: SharedState;
  private readonly source: SourceText;
  private readonly tokenizer: Tokenizer;
  private readonly src: string;
  private pos: number;
  private cacheStart = -1;
  private cacheMode: Mode = EXPR;
  private cacheToken: Token | null = null;

  constructor(shared: SharedState, pos: number) {
    this.shared = shared;
    this.source = shared.source;
    this.tokenizer = shared.tokenizer;
    this.src = shared.source.text;
    this.pos = pos;
  }

  // ---- Infrastructure ----

  private peek(mode: Mode): Token {
    const start = this.tokenizer.skipTrivia(this.pos, false);
    if (start === this.cacheStart && mode === this.cacheMode && this.cacheToken) return this.cacheToken;
    const token = mode === EXPR ? this.tokenizer.scanExpression(start) : this.tokenizer.scanCommand(start, mode === CMD_STOP);
    this.cacheStart = start;
    this.cacheMode = mode;
    this.cacheToken = token;
    return token;
  }

  private consume(token: Token): void {
    this.pos = token.end;
  }

  private code(offset: number): number {
    return this.src.charCodeAt(offset);
  }

  private skipSpaces(): void {
    this.pos = this.tokenizer.skipTrivia(this.pos, false);
  }

  private skipNewlines(): void {
    this.pos = this.tokenizer.skipTrivia(this.pos, true);
  }

  // Newlines and `;` between statements.
  private skipSeparators(): void {
    for (;;) {
      this.pos = this.tokenizer.skipTrivia(this.pos, true);
      if (this.code(this.pos) !== 59) return;
      this.pos++;
    }
  }

  private extent(start: number, end: number): Extent {
    return this.source.extent(start, end);
  }

  private atEndOfInput(offset: number): boolean {
    return this.tokenizer.skipTrivia(offset, true) >= this.source.length;
  }

  // An error at a token: `Unexpected token 'x'`.
  private failAt(errorId: string, token: Token, args: string[] = []): never {
    throw this.source.error(errorId, token.start, token.end, args, token.kind === 'EndOfInput');
  }

  // An error at an empty extent just after `offset`, as PowerShell's After(token).
  private failAfter(errorId: string, offset: number, args: string[] = []): never {
    throw this.source.error(errorId, offset, offset, args, this.atEndOfInput(offset));
  }

  private failNode(errorId: string, node: { extent: Extent }, args: string[] = []): never {
    throw this.source.error(errorId, startOf(node), endOf(node), args);
  }

  // A missing closer is reported at the opener `{`, as PowerShell does.
  private failUnclosed(errorId: string, opener: Token): never {
    throw this.source.error(errorId, opener.start, opener.end, [], this.atEndOfInput(this.pos));
  }

  // An error placed after `offset` but found at `found`: incomplete input when `found` ends the script.
  private failAfterFound(errorId: string, offset: number, found: Token, args: string[] = []): never {
    throw this.source.error(errorId, offset, offset, args, found.kind === 'EndOfInput');
  }

  private enter(): void {
    if (++this.shared.depth > MAX_NESTING) {
      throw this.source.error('ScriptTooComplicated', this.pos, this.pos);
    }
  }

  private leave(): void {
    this.shared.depth--;
  }

  private unexpected(token: Token): never {
    if (token.kind === 'EndOfInput') this.failAfter('UnexpectedToken', token.start, ['']);
    if (token.text === '`' && token.end >= this.source.length) {
      // A backtick ending the input asks for a continuation line.
      throw this.source.error('UnexpectedToken', token.start, token.end, [token.text], true);
    }
    this.failAt('UnexpectedToken', token, [token.text]);
  }

  // The lower-cased word of a plain bareword token (`IF` -> 'if'), or null.
  private keywordOf(token: Token): string | null {
    if (token.kind !== 'Generic' || !token.node || token.node.kind !== 'StringConstant') return null;
    if (token.node.value !== token.text) return null;
    return token.text.toLowerCase();
  }

  private isStatementEnd(token: Token): boolean {
    switch (token.kind) {
      case 'NewLine':
      case 'Semi':
      case 'EndOfInput':
      case 'RCurly':
      case 'RParen':
        return true;
      default:
        return false;
    }
  }

  // ---- Script blocks and statement lists ----

  parseScript(): ScriptBlockAst {
    const body = this.parseScriptBlockBody(null);
    this.skipSeparators();
    const token = this.peek(CMD);
    if (token.kind !== 'EndOfInput') this.unexpected(token);
    return { kind: 'ScriptBlock', ...body, extent: this.extent(0, this.source.length) };
  }

  // The statements of `$( … )` inside a string, up to and including the `)`.
  parseStringSubExpression(): { statements: StatementAst[]; end: number } {
    const statements = this.parseStatementList('RParen');
    this.skipNewlines();
    const token = this.peek(CMD);
    if (token.kind !== 'RParen') this.failAt('MissingEndParenthesisInSubexpression', token);
    return { statements, end: token.end };
  }

  private parseScriptBlockBody(closer: 'RCurly' | null): ScriptBlockBody {
    this.skipSeparators();
    const paramBlock = this.tryParseParamBlock();
    this.skipSeparators();
    const first = this.keywordOf(this.peek(CMD));
    if (first !== null && NAMED_BLOCKS.has(first)) {
      return { paramBlock, ...this.parseNamedBlocks(closer) };
    }
    return { paramBlock, begin: null, process: null, end: this.parseStatementList(closer) };
  }

  private parseNamedBlocks(closer: 'RCurly' | null): Omit<ScriptBlockBody, 'paramBlock'> {
    const blocks: Record<string, StatementAst[] | null> = { begin: null, process: null, end: null };
    for (;;) {
      this.skipSeparators();
      const token = this.peek(CMD);
      if (token.kind === 'EndOfInput' || (closer !== null && token.kind === closer)) break;
      const word = this.keywordOf(token);
      if (word === null || !NAMED_BLOCKS.has(word)) this.failAt('MissingNamedBlocks', token, [token.text]);
      if (word === 'dynamicparam') this.failAt('UnexpectedKeyword', token, [token.text]);
      if (blocks[word] !== null) this.failAt('DuplicateScriptCommandClause', token, [word]);
      this.consume(token);
      this.skipNewlines();
      const open = this.peek(EXPR);
      if (open.kind !== 'LCurly') this.failAfter('MissingNamedStatementBlock', token.end, [token.text]);
      blocks[word] = this.parseBlock(open).statements;
    }
    return { begin: blocks.begin, process: blocks.process, end: blocks.end ?? [] };
  }

  // `{ statements }` starting at the `{` token.
  private parseBlock(open: Token): { statements: StatementAst[]; end: number } {
    this.consume(open);
    const statements = this.parseStatementList('RCurly');
    const close = this.peek(CMD);
    if (close.kind !== 'RCurly') this.failUnclosed('MissingEndCurlyBrace', open);
    this.consume(close);
    return { statements, end: close.end };
  }

  private parseStatementList(closer: 'RCurly' | 'RParen' | null): StatementAst[] {
    const statements: StatementAst[] = [];
    for (;;) {
      this.skipSeparators();
      const token = this.peek(CMD);
      if (token.kind === 'EndOfInput') break;
      if (token.kind === 'RCurly' || token.kind === 'RParen') {
        // Any closer ends a nested list; the caller reports it if it is the wrong one.
        if (closer !== null) break;
        this.unexpected(token);
      }
      const statement = this.parseStatement();
      statements.push(statement);
      const next = this.peek(CMD);
      if (!this.isStatementEnd(next) && (statement.kind === 'Pipeline' || statement.kind === 'Assignment')) {
        this.unexpected(next);
      }
    }
    return statements;
  }

  // ---- Statements ----

  private parseStatement(): StatementAst {
    this.enter();
    try {
      this.skipSpaces();
      const start = this.pos;
      if (this.code(start) === 58 && isIdentStart(this.code(start + 1))) return this.parseLabeledStatement();
      if (isIdentStart(this.code(start))) {
        const token = this.peek(CMD);
        const word = this.keywordOf(token);
        if (word !== null) {
          switch (word) {
            case 'if':
              return this.parseIf(token);
            case 'foreach':
              return this.parseForEach(token, null, token.start);
            case 'while':
              return this.parseWhile(token, null, token.start);
            case 'try':
              return this.parseTry(token);
            case 'throw':
            case 'return':
            case 'exit':
              return this.parseThrowOrReturn(token, word);
            case 'break':
            case 'continue':
              return this.parseBreakOrContinue(token, word);
            case 'function':
              return this.parseFunction(token);
            default:
              if (UNSUPPORTED_KEYWORDS.has(word)) this.failAt('UnexpectedKeyword', token, [token.text]);
              if (MISPLACED_KEYWORDS.has(word)) this.unexpected(token);
          }
        }
      }
      return this.parsePipelineOrAssignment();
    } finally {
      this.leave();
    }
  }

  private parseLabeledStatement(): StatementAst {
    const start = this.pos;
    let end = start + 1;
    while (isIdentChar(this.code(end))) end++;
    const label = this.src.slice(start + 1, end);
    this.pos = end;
    this.skipSpaces();
    const token = this.peek(CMD);
    const word = this.keywordOf(token);
    if (word === 'foreach') return this.parseForEach(token, label, start);
    if (word === 'while') return this.parseWhile(token, label, start);
    if (word !== null && UNSUPPORTED_KEYWORDS.has(word)) this.failAt('UnexpectedKeyword', token, [token.text]);
    return this.unexpected(token);
  }

  // `( pipeline )` of if/while/foreach; `$x = 5` there is wrapped so the condition stays a pipeline.
  private toPipeline(statement: PipelineAst | AssignmentAst): PipelineAst {
    if (statement.kind === 'Pipeline') return statement;
    const extent = statement.extent;
    return {
      kind: 'Pipeline',
      elements: [
        { kind: 'CommandExpression', expression: { kind: 'ParenExpression', pipeline: statement, extent }, extent },
      ],
      extent,
    };
  }

  private parsePipelineOrNull(): PipelineAst | AssignmentAst | null {
    const token = this.peek(CMD);
    if (this.isStatementEnd(token) || token.kind === 'Pipe') return null;
    return this.parsePipelineOrAssignment();
  }

  private parseIf(ifToken: Token): StatementAst {
    this.consume(ifToken);
    const clauses: { condition: PipelineAst; body: StatementAst[] }[] = [];
    let elseBody: StatementAst[] | null = null;
    let keyword = ifToken;
    let end: number;
    for (;;) {
      this.skipNewlines();
      const open = this.peek(EXPR);
      if (open.kind !== 'LParen') this.failAfter('MissingOpenParenthesisInIfStatement', keyword.end, [keyword.text]);
      this.consume(open);
      this.skipNewlines();
      const condition = this.parsePipelineOrNull();
      if (!condition) this.failAfter('IfStatementMissingCondition', open.end, [keyword.text]);
      this.skipNewlines();
      const close = this.peek(CMD);
      // As PowerShell: a missing `)` is reported at the token found instead, a missing block at the `)`.
      if (close.kind !== 'RParen') this.failAt('MissingEndParenthesisAfterStatement', close, [keyword.text]);
      this.consume(close);
      this.skipNewlines();
      const blockOpen = this.peek(EXPR);
      if (blockOpen.kind !== 'LCurly') {
        throw this.source.error('MissingStatementBlock', close.start, close.end, [keyword.text], blockOpen.kind === 'EndOfInput');
      }
      const block = this.parseBlock(blockOpen);
      end = block.end;
      clauses.push({ condition: this.toPipeline(condition), body: block.statements });

      const save = this.pos;
      this.skipNewlines();
      const next = this.peek(CMD);
      const word = this.keywordOf(next);
      if (word === 'elseif') {
        this.consume(next);
        keyword = next;
        continue;
      }
      if (word === 'else') {
        this.consume(next);
        this.skipNewlines();
        const elseOpen = this.peek(EXPR);
        if (elseOpen.kind !== 'LCurly') this.failAfter('MissingStatementBlockAfterElse', next.end);
        const elseBlock = this.parseBlock(elseOpen);
        elseBody = elseBlock.statements;
        end = elseBlock.end;
        break;
      }
      this.pos = save;
      break;
    }
    return { kind: 'If', clauses, elseBody, extent: this.extent(ifToken.start, end) };
  }

  private parseForEach(keyword: Token, label: string | null, start: number): StatementAst {
    this.consume(keyword);
    this.skipNewlines();
    const open = this.peek(EXPR);
    if (open.kind !== 'LParen') this.failAfter('MissingOpenParenthesisAfterKeyword', keyword.end, ['foreach']);
    this.consume(open);
    this.skipNewlines();
    const variable = this.peek(EXPR);
    if (variable.kind !== 'Variable') this.failAfter('MissingVariableNameAfterForeach', open.end);
    this.consume(variable);
    this.skipNewlines();
    const inToken = this.peek(CMD);
    if (this.keywordOf(inToken) !== 'in') this.failAfter('MissingInInForeach', variable.end);
    this.consume(inToken);
    this.skipNewlines();
    const collection = this.parsePipelineOrNull();
    if (!collection) this.failAfter('MissingForeachExpression', inToken.end);
    this.skipNewlines();
    const close = this.peek(CMD);
    if (close.kind !== 'RParen') this.failAfter('MissingEndParenthesisAfterForeach', endOf(collection));
    this.consume(close);
    this.skipNewlines();
    const blockOpen = this.peek(EXPR);
    if (blockOpen.kind !== 'LCurly') this.failAfter('MissingForeachStatement', close.end);
    const body = this.parseBlock(blockOpen);
    return {
      kind: 'ForEach',
      variable: variable.name as string,
      collection: this.toPipeline(collection),
      body: body.statements,
      label,
      extent: this.extent(start, body.end),
    };
  }

  private parseWhile(keyword: Token, label: string | null, start: number): StatementAst {
    this.consume(keyword);
    this.skipNewlines();
    const open = this.peek(EXPR);
    if (open.kind !== 'LParen') this.failAfter('MissingOpenParenthesisAfterKeyword', keyword.end, [keyword.text]);
    this.consume(open);
    this.skipNewlines();
    const condition = this.parsePipelineOrNull();
    if (!condition) this.failAfter('MissingExpressionAfterKeyword', open.end, ['while']);
    this.skipNewlines();
    const close = this.peek(CMD);
    if (close.kind !== 'RParen') this.failAfter('MissingEndParenthesisAfterStatement', endOf(condition), ['while']);
    this.consume(close);
    this.skipNewlines();
    const blockOpen = this.peek(EXPR);
    if (blockOpen.kind !== 'LCurly') this.failAfter('MissingLoopStatement', close.end, ['while']);
    const body = this.parseBlock(blockOpen);
    return {
      kind: 'While',
      condition: this.toPipeline(condition),
      body: body.statements,
      label,
      extent: this.extent(start, body.end),
    };
  }

  private parseTry(keyword: Token): StatementAst {
    this.consume(keyword);
    this.skipNewlines();
    const open = this.peek(EXPR);
    if (open.kind !== 'LCurly') this.failAfter('MissingTryStatementBlock', keyword.end);
    const body = this.parseBlock(open);
    let end = body.end;
    const catches: CatchClauseAst[] = [];
    let finallyBody: StatementAst[] | null = null;
    for (;;) {
      const save = this.pos;
      this.skipNewlines();
      const token = this.peek(CMD);
      const word = this.keywordOf(token);
      if (word === 'catch') {
        const previous = catches[catches.length - 1];
        if (previous && previous.types.length === 0) this.failNode('EmptyCatchNotLast', previous);
        this.consume(token);
        const types: string[] = [];
        let last = token.end;
        this.skipNewlines();
        while (this.code(this.pos) === 91) {
          const item = this.parseAttributeOrType();
          // An attribute is no exception type: the catch has no block here, as PowerShell reports.
          if (item.kind === 'attribute') this.failAfter('MissingCatchHandlerBlock', last);
          types.push(item.typeName);
          last = item.end;
          this.skipNewlines();
          if (this.code(this.pos) !== 44) break;
          this.pos++;
          last = this.pos;
          this.skipNewlines();
          if (this.code(this.pos) !== 91) this.failAfter('MissingTypeLiteralToken', last);
        }
        this.skipNewlines();
        const blockOpen = this.peek(EXPR);
        if (blockOpen.kind !== 'LCurly') this.failAfter('MissingCatchHandlerBlock', last);
        const block = this.parseBlock(blockOpen);
        catches.push({ kind: 'CatchClause', types, body: block.statements, extent: this.extent(token.start, block.end) });
        end = block.end;
        continue;
      }
      if (word === 'finally') {
        this.consume(token);
        this.skipNewlines();
        const blockOpen = this.peek(EXPR);
        if (blockOpen.kind !== 'LCurly') this.failAfter('MissingFinallyStatementBlock', token.end);
        const block = this.parseBlock(blockOpen);
        finallyBody = block.statements;
        end = block.end;
        break;
      }
      this.pos = save;
      break;
    }
    if (catches.length === 0 && finallyBody === null) this.failAfter('MissingCatchOrFinally', body.end);
    return { kind: 'Try', body: body.statements, catches, finallyBody, extent: this.extent(keyword.start, end) };
  }

  private parseThrowOrReturn(keyword: Token, word: 'throw' | 'return' | 'exit'): StatementAst {
    this.consume(keyword);
    const next = this.peek(CMD);
    let value: PipelineAst | null = null;
    if (!this.isStatementEnd(next) && next.kind !== 'Pipe') value = this.toPipeline(this.parsePipelineOrAssignment());
    const extent = this.extent(keyword.start, value ? endOf(value) : keyword.end);
    return word === 'throw' ? { kind: 'Throw', value, extent } : word === 'exit' ? { kind: 'Exit', value, extent } : { kind: 'Return', value, extent };
  }

  private parseBreakOrContinue(keyword: Token, word: 'break' | 'continue'): StatementAst {
    this.consume(keyword);
    const next = this.peek(CMD);
    let label: string | null = null;
    let end = keyword.end;
    if (!this.isStatementEnd(next)) {
      if (this.keywordOf(next) === null) this.unexpected(next);
      label = next.text;
      end = next.end;
      this.consume(next);
    }
    const extent = this.extent(keyword.start, end);
    return word === 'break' ? { kind: 'Break', label, extent } : { kind: 'Continue', label, extent };
  }

  private parseFunction(keyword: Token): FunctionDefinitionAst {
    this.consume(keyword);
    const nameToken = this.peek(CMD);
    if (nameToken.kind !== 'Generic') this.failAfter('MissingNameAfterKeyword', keyword.end, [keyword.text]);
    this.consume(nameToken);
    let last = nameToken.end;
    this.skipNewlines();
    let parameters: ParamBlockAst | null = null;
    let open = this.peek(EXPR);
    if (open.kind === 'LParen') {
      const list = this.parseParameterList(open);
      parameters = { kind: 'ParamBlock', attributes: [], parameters: list.parameters, extent: this.extent(open.start, list.end) };
      last = list.end;
      this.skipNewlines();
      open = this.peek(EXPR);
    }
    if (open.kind !== 'LCurly') this.failAfter('MissingFunctionBody', last);
    this.consume(open);
    const body = this.parseScriptBlockBody('RCurly');
    const close = this.peek(CMD);
    if (close.kind !== 'RCurly') this.failUnclosed('MissingEndCurlyBrace', open);
    this.consume(close);
    if (parameters) {
      if (body.paramBlock) this.failNode('OnlyOneParameterListAllowed', body.paramBlock);
      body.paramBlock = parameters;
    }
    const scriptBlock: ScriptBlockAst = { kind: 'ScriptBlock', ...body, extent: this.extent(open.start, close.end) };
    return {
      kind: 'FunctionDefinition',
      name: nameToken.text,
      body: scriptBlock,
      extent: this.extent(keyword.start, close.end),
    };
  }

  // ---- param() and attributes ----

  // `[CmdletBinding()] param( … )` at the top of a script block, or null (position unchanged).
  private tryParseParamBlock(): ParamBlockAst | null {
    const save = this.pos;
    const start = this.pos;
    const attributes: AttributeAst[] = [];
    const types: { typeName: string; start: number; end: number }[] = [];
    try {
      while (this.code(this.pos) === 91) {
        const item = this.parseAttributeOrType();
        if (item.kind === 'attribute') attributes.push(item.attribute);
        else types.push(item);
        this.skipNewlines();
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.pos = save;
      return null;
    }
    const token = this.peek(CMD);
    if (this.keywordOf(token) !== 'param') {
      this.pos = save;
      return null;
    }
    if (types.length > 0) throw this.source.error('TypeNotAllowedBeforeParam', types[0].start, types[0].end, [types[0].typeName]);
    this.consume(token);
    this.skipNewlines();
    const open = this.peek(EXPR);
    if (open.kind !== 'LParen') this.failAfter('MissingOpenParenthesisAfterKeyword', token.end, [token.text]);
    const list = this.parseParameterList(open);
    return { kind: 'ParamBlock', attributes, parameters: list.parameters, extent: this.extent(start, list.end) };
  }

  // `( [attr] [type] $name = default, … )` starting at the `(` token.
  private parseParameterList(open: Token): { parameters: ParameterAst[]; end: number } {
    this.consume(open);
    const parameters: ParameterAst[] = [];
    const names = new Set<string>();
    this.skipNewlines();
    const first = this.peek(EXPR);
    if (first.kind === 'RParen') {
      this.consume(first);
      return { parameters, end: first.end };
    }
    for (;;) {
      this.skipNewlines();
      const start = this.pos;
      const attributes: AttributeAst[] = [];
      let typeName: string | null = null;
      while (this.code(this.pos) === 91) {
        const item = this.parseAttributeOrType();
        if (item.kind === 'attribute') attributes.push(item.attribute);
        else typeName = item.typeName;
        this.skipNewlines();
      }
      const variable = this.peek(EXPR);
      if (variable.kind !== 'Variable') this.failAt('InvalidFunctionParameter', variable);
      this.consume(variable);
      const name = variable.name as string;
      if (names.has(name.toLowerCase())) this.failAt('DuplicateFormalParameter', variable, [name]);
      names.add(name.toLowerCase());
      let defaultValue: ExpressionAst | null = null;
      let end = variable.end;
      const equals = this.peek(EXPR);
      if (equals.kind === 'Operator' && equals.op === '=') {
        this.consume(equals);
        this.skipNewlines();
        defaultValue = this.parseExpression(true);
        if (!defaultValue) this.failAfter('ExpectedValueExpression', equals.end, [equals.text]);
        end = endOf(defaultValue);
      }
      parameters.push({ kind: 'Parameter', name, attributes, typeName, defaultValue, extent: this.extent(start, end) });
      this.skipNewlines();
      const next = this.peek(EXPR);
      if (next.kind === 'Comma') {
        this.consume(next);
        continue;
      }
      if (next.kind === 'RParen') {
        this.consume(next);
        return { parameters, end: next.end };
      }
      this.failAfter('MissingEndParenthesisInFunctionParameterList', end);
    }
  }

  // `[TypeName]` or `[Attribute(args)]` at a `[`.
  private parseAttributeOrType(): AttributeOrType {
    const start = this.pos;
    this.pos++;
    this.skipSpaces();
    const nameStart = this.pos;
    const nameEnd = this.tokenizer.scanTypeName(nameStart);
    if (nameEnd === nameStart) this.failAfter('MissingTypename', start + 1);
    const typeName = this.src.slice(nameStart, nameEnd);
    this.pos = nameEnd;
    if (this.code(this.pos) === 40) {
      const open = this.peek(EXPR);
      const args = this.parseAttributeArguments(open);
      this.skipSpaces();
      if (this.code(this.pos) !== 93) this.failAfter('EndSquareBracketExpectedAtEndOfAttribute', args.end);
      this.pos++;
      const attribute: AttributeAst = {
        kind: 'Attribute',
        typeName,
        positionalArguments: args.positional,
        namedArguments: args.named,
        extent: this.extent(start, this.pos),
      };
      return { kind: 'attribute', attribute };
    }
    this.skipSpaces();
    if (this.code(this.pos) !== 93) this.failAfter('EndSquareBracketExpectedAtEndOfType', nameEnd);
    this.pos++;
    return { kind: 'type', typeName, start, end: this.pos };
  }

  private parseAttributeArguments(open: Token): {
    positional: ExpressionAst[];
    named: { name: string; value: ExpressionAst | null }[];
    end: number;
  } {
    this.consume(open);
    const positional: ExpressionAst[] = [];
    const named: { name: string; value: ExpressionAst | null }[] = [];
    this.skipNewlines();
    const first = this.peek(EXPR);
    if (first.kind === 'RParen') {
      this.consume(first);
      return { positional, named, end: first.end };
    }
    for (;;) {
      this.skipNewlines();
      const start = this.pos;
      let end: number;
      if (isIdentStart(this.code(start))) {
        let nameEnd = start;
        while (isIdentChar(this.code(nameEnd))) nameEnd++;
        const name = this.src.slice(start, nameEnd);
        if (named.some((n) => n.name.toLowerCase() === name.toLowerCase())) {
          throw this.source.error('DuplicateNamedArgument', start, nameEnd, [name]);
        }
        this.pos = nameEnd;
        const equals = this.peek(EXPR);
        if (equals.kind === 'Operator' && equals.op === '=') {
          this.consume(equals);
          this.skipNewlines();
          const value = this.parseExpression(true);
          if (!value) this.failAfter('MissingExpressionInNamedArgument', equals.end);
          named.push({ name, value });
          end = endOf(value);
        } else {
          named.push({ name, value: null });
          end = nameEnd;
        }
      } else {
        const value = this.parseExpression(true);
        if (!value) this.unexpected(this.peek(EXPR));
        positional.push(value);
        end = endOf(value);
      }
      this.skipNewlines();
      const next = this.peek(EXPR);
      if (next.kind === 'Comma') {
        this.consume(next);
        continue;
      }
      if (next.kind === 'RParen') {
        this.consume(next);
        return { positional, named, end: next.end };
      }
      this.failAfter('MissingEndParenthesisInExpression', end);
    }
  }

  // ---- Pipelines and commands ----

  // Whether the statement at `pos` is an expression rather than a command (PowerShell decides
  // by the first token: a bareword is a command name).
  private startsExpression(pos: number): boolean {
    const c = this.code(pos);
    const next = this.code(pos + 1);
    switch (c) {
      case 36: // $
      case 64: // @
      case 40: // (
      case 91: // [
      case 123: // {
      case 33: // !
      case 44: // ,
      case 43: // +
        return true;
      default:
        break;
    }
    if (isSingleQuote(c) || isDoubleQuote(c)) return true;
    if (isDash(c)) {
      if (isDash(next)) return this.code(pos + 2) === 36;
      if (isDigit(next) || (next === 46 && isDigit(this.code(pos + 2)))) return true;
      if (isIdentStart(next)) {
        let end = pos + 1;
        while (isIdentChar(this.code(end))) end++;
        const word = this.src.slice(pos + 1, end).toLowerCase();
        return word === 'not' || word === 'bnot' || word === 'split' || word === 'join';
      }
      // `-$x`, `-(1)` negate an expression; a lone `-` is a bareword command name.
      return !isCommandTerminator(next);
    }
    if (isDigit(c) || (c === 46 && isDigit(next))) {
      if (this.tokenizer.scanCommand(pos).kind === 'Number') return true;
      const number = this.tokenizer.scanNumber(pos, false);
      if (!number) return false;
      const after = this.code(number.end);
      // `1.5L`, `1e400`: a number that is not valid; parsing it as one reports BadNumericConstant.
      if (!number.valid && isCommandTerminator(after)) return true;
      if (after === 46) return this.code(number.end + 1) === 46;
      // `5-3`, `2*4`, `1+1` at the start of a statement are arithmetic, as in PowerShell.
      return after === 43 || isDash(after) || after === 42 || after === 47 || after === 37 || after === 61 || after === 91;
    }
    return false;
  }

  private parsePipelineOrAssignment(): PipelineAst | AssignmentAst {
    this.skipSpaces();
    const start = this.pos;
    let first: CommandAst | CommandExpressionAst;
    const leading = this.peek(CMD);
    if (leading.kind === 'Pipe') this.failAt('EmptyPipeElement', leading);
    if (this.startsExpression(start)) {
      const expression = this.parseExpression(false);
      if (!expression) return this.unexpected(this.peek(EXPR));
      const token = this.peek(EXPR);
      if (token.kind === 'Operator' && ASSIGNMENT_OPERATORS.has(token.op as string)) {
        return this.parseAssignment(expression, token);
      }
      first = this.finishExpressionElement(expression);
    } else {
      first = this.parseCommand();
    }
    const elements: (CommandAst | CommandExpressionAst)[] = [first];
    for (;;) {
      let pipe = this.peek(CMD);
      if (pipe.kind === 'NewLine') {
        // PowerShell 7: a line starting with `|` continues the pipeline of the line before.
        const save = this.pos;
        this.skipNewlines();
        pipe = this.peek(CMD);
        if (pipe.kind !== 'Pipe') {
          this.pos = save;
          break;
        }
      }
      if (pipe.kind !== 'Pipe') break;
      this.consume(pipe);
      this.skipNewlines();
      const next = this.peek(CMD);
      if (next.kind === 'EndOfInput') this.failAfter('EmptyPipeElement', pipe.end);
      if (this.isStatementEnd(next) || next.kind === 'Pipe') this.failAt('EmptyPipeElement', pipe);
      if (this.startsExpression(next.start)) {
        const expression = this.parseExpression(false);
        if (!expression) this.unexpected(this.peek(EXPR));
        this.failNode('ExpressionsMustBeFirstInPipeline', expression);
      }
      elements.push(this.parseCommand());
    }
    return { kind: 'Pipeline', elements, extent: this.extent(start, endOf(elements[elements.length - 1])) };
  }

  private parseAssignment(target: ExpressionAst, operator: Token): AssignmentAst {
    if (!this.isAssignable(target)) this.failNode('InvalidLeftHandSide', target);
    this.consume(operator);
    this.skipNewlines();
    const next = this.peek(CMD);
    if (this.isStatementEnd(next) || next.kind === 'Pipe') this.failAfter('ExpectedValueExpression', operator.end, [operator.text]);
    const value = this.parseStatement();
    return {
      kind: 'Assignment',
      target,
      operator: operator.op as AssignmentAst['operator'],
      value,
      extent: this.extent(startOf(target), endOf(value)),
    };
  }

  private isAssignable(expression: ExpressionAst): boolean {
    switch (expression.kind) {
      case 'Variable':
        return !expression.splatted;
      case 'Member':
      case 'Index':
        return true;
      case 'Convert':
        return this.isAssignable(expression.operand);
      case 'ArrayLiteral':
        return expression.elements.every((e) => this.isAssignable(e));
      default:
        return false;
    }
  }

  private finishExpressionElement(expression: ExpressionAst): CommandExpressionAst {
    const redirections = this.parseRedirections([]);
    const end = redirections.length > 0 ? endOf(redirections[redirections.length - 1]) : endOf(expression);
    const element: CommandExpressionAst = { kind: 'CommandExpression', expression, extent: this.extent(startOf(expression), end) };
    if (redirections.length > 0) element.redirections = redirections;
    return element;
  }

  private parseRedirections(list: RedirectionAst[]): RedirectionAst[] {
    for (;;) {
      const token = this.peek(CMD);
      if (token.kind !== 'Redirection') return list;
      this.parseRedirection(token, list);
    }
  }

  private parseRedirection(token: Token, list: RedirectionAst[]): void {
    const info = token.redirection as NonNullable<Token['redirection']>;
    if (list.some((r) => r.from === info.from)) this.failAt('StreamAlreadyRedirected', token, [STREAM_NAMES[info.from]]);
    this.consume(token);
    if (info.merge) {
      list.push({ from: info.from, to: '1', append: false, target: null, extent: this.extent(token.start, token.end) });
      return;
    }
    const next = this.peek(CMD);
    if (this.isArgumentEnd(next) || next.kind === 'Redirection') this.failAfter('MissingFileSpecification', token.end);
    const target = this.parseArgumentValue(false);
    const extent = this.extent(token.start, endOf(target));
    if (target.kind === 'Variable' && target.name.toLowerCase() === 'null') {
      list.push({ from: info.from, to: 'null', append: info.append, target: null, extent });
    } else {
      list.push({ from: info.from, to: 'file', append: info.append, target, extent });
    }
  }

  private isArgumentEnd(token: Token): boolean {
    return this.isStatementEnd(token) || token.kind === 'Pipe';
  }

  private parseCommand(): CommandAst {
    this.skipSpaces();
    const start = this.pos;
    let invocation: '&' | null = null;
    let name: ExpressionAst;
    const first = this.peek(CMD);
    if (first.kind === 'Ampersand') {
      this.consume(first);
      invocation = '&';
      const next = this.peek(CMD);
      if (this.isArgumentEnd(next)) this.failAfter('MissingExpression', first.end, ['&']);
      name = this.parseArgumentValue(false);
    } else if (first.kind === 'Generic') {
      this.consume(first);
      name = first.node as ExpressionAst;
    } else if (first.kind === 'Parameter' || first.kind === 'DashDash') {
      // `-foo` in command position is a command name, as in PowerShell.
      this.consume(first);
      name = { kind: 'StringConstant', value: first.text, quote: 'bareword', extent: this.extent(first.start, first.end) };
    } else {
      return this.unexpected(first);
    }
    let end = endOf(name);
    const elements: CommandElementAst[] = [];
    const redirections: RedirectionAst[] = [];
    let stopParsing = false;
    for (;;) {
      const token = this.peek(stopParsing ? CMD_STOP : CMD);
      if (this.isArgumentEnd(token)) break;
      switch (token.kind) {
        case 'AndAnd':
        case 'OrOr':
        case 'Ampersand':
          this.unexpected(token);
          break;
        case 'Redirection':
          this.parseRedirection(token, redirections);
          end = endOf(redirections[redirections.length - 1]);
          break;
        case 'DashDash':
          this.consume(token);
          stopParsing = true;
          end = token.end;
          break;
        case 'Parameter': {
          this.consume(token);
          const parameterName = token.name as string;
          if (token.colon) {
            const next = this.peek(CMD);
            if (this.isArgumentEnd(next)) this.failAt('ParameterRequiresArgument', token, ['-' + parameterName]);
            const argument = this.parseArgumentList();
            elements.push({
              kind: 'CommandParameter',
              name: parameterName,
              argument,
              colon: true,
              extent: this.extent(token.start, endOf(argument)),
            });
            end = endOf(argument);
          } else {
            elements.push({
              kind: 'CommandParameter',
              name: parameterName,
              argument: null,
              colon: false,
              extent: this.extent(token.start, token.end),
            });
            end = token.end;
          }
          break;
        }
        case 'SplattedVariable': {
          this.consume(token);
          const variable: VariableAst = {
            kind: 'Variable',
            name: token.name as string,
            splatted: true,
            extent: this.extent(token.start, token.end),
          };
          if (this.peek(CMD).kind === 'Comma') this.failAt('SplattingNotPermittedInArgumentList', token, [variable.name]);
          elements.push({ kind: 'CommandArgument', value: variable, splatted: true, extent: variable.extent });
          end = token.end;
          break;
        }
        default: {
          const value = this.parseArgumentList(stopParsing);
          elements.push({ kind: 'CommandArgument', value, splatted: false, extent: value.extent });
          end = endOf(value);
        }
      }
    }
    const command: CommandAst = { kind: 'Command', invocation, name, elements, extent: this.extent(start, end) };
    if (redirections.length > 0) command.redirections = redirections;
    return command;
  }

  // An argument, or a comma-separated list of them (`select Name, ParentImage`).
  private parseArgumentList(stopParsing = false): ExpressionAst {
    const first = this.parseArgumentValue(stopParsing);
    let comma = this.peek(CMD);
    if (comma.kind !== 'Comma') return first;
    const elements = [first];
    while (comma.kind === 'Comma') {
      this.consume(comma);
      this.skipNewlines();
      const next = this.peek(stopParsing ? CMD_STOP : CMD);
      if (this.isArgumentEnd(next)) this.failAfter('MissingExpressionAfterToken', comma.end, [',']);
      if (next.kind === 'SplattedVariable') this.failAt('SplattingNotPermittedInArgumentList', next, [next.name as string]);
      elements.push(this.parseArgumentValue(stopParsing));
      comma = this.peek(CMD);
    }
    return {
      kind: 'ArrayLiteral',
      elements,
      extent: this.extent(startOf(first), endOf(elements[elements.length - 1])),
    };
  }

  // One argument in command mode: a bareword, number, string, variable (with `.Prop`, `[i]`),
  // `( … )`, `$( … )`, `@( … )`, `@{ … }` or `{ … }`.
  private parseArgumentValue(stopParsing: boolean): ExpressionAst {
    const token = this.peek(stopParsing ? CMD_STOP : CMD);
    switch (token.kind) {
      case 'Number':
        this.consume(token);
        return this.constant(token);
      case 'Generic':
        this.consume(token);
        return token.node as ExpressionAst;
      case 'String': {
        this.consume(token);
        const node = token.node as ExpressionAst;
        return this.isPostfixStart(token.end) ? this.parsePostfix(node) : node;
      }
      case 'Variable': {
        this.consume(token);
        const variable = this.variable(token);
        if (this.isPostfixStart(token.end)) return this.parsePostfix(variable);
        if (!isCommandTerminator(this.code(token.end))) {
          // `$dir\file.txt`: the variable is part of a bareword, expanded as a string.
          const word = this.tokenizer.scanGeneric(token.start);
          this.pos = word.end;
          return word.node as ExpressionAst;
        }
        return variable;
      }
      case 'Parameter':
      case 'DashDash':
      case 'Dot':
        this.consume(token);
        return { kind: 'StringConstant', value: token.text, quote: 'bareword', extent: this.extent(token.start, token.end) };
      case 'LParen':
      case 'DollarParen':
      case 'AtParen':
      case 'AtCurly':
      case 'LCurly': {
        const primary = this.parsePrimary(token) as ExpressionAst;
        return this.parsePostfix(primary);
      }
      default:
        return this.unexpected(token);
    }
  }

  private isPostfixStart(offset: number): boolean {
    const c = this.code(offset);
    const next = this.code(offset + 1);
    if (c === 46) return isIdentStart(next) || next === 36 || isSingleQuote(next) || isDoubleQuote(next);
    if (c === 91) return true;
    if (c === 58) return next === 58;
    if (c === 63) return next === 46;
    return false;
  }

  // ---- Expressions ----

  private parseExpression(noComma: boolean): ExpressionAst | null {
    return this.parseBinary(1, noComma);
  }

  private binaryPrecedence(token: Token): number {
    if (token.kind === 'DotDot') return RANGE_PRECEDENCE;
    if (token.kind !== 'Operator') return 0;
    return BINARY_PRECEDENCE.get(token.op as string) ?? 0;
  }

  private parseBinary(minPrecedence: number, noComma: boolean): ExpressionAst | null {
    let left = this.parseArrayLiteral(noComma);
    if (!left) return null;
    for (;;) {
      const token = this.peek(EXPR);
      const precedence = this.binaryPrecedence(token);
      if (precedence === 0 || precedence < minPrecedence) return left;
      this.consume(token);
      this.skipNewlines();
      const right = this.parseBinary(precedence + 1, noComma);
      if (!right) this.failAfter('ExpectedValueExpression', token.end, [token.text]);
      const operator = (token.kind === 'DotDot' ? '..' : token.op) as BinaryOperator;
      left = { kind: 'Binary', operator, left, right, extent: this.extent(startOf(left), endOf(right)) };
    }
  }

  private parseArrayLiteral(noComma: boolean): ExpressionAst | null {
    const first = this.parseUnary();
    if (!first || noComma) return first;
    let comma = this.peek(EXPR);
    if (comma.kind !== 'Comma') return first;
    const elements = [first];
    while (comma.kind === 'Comma') {
      this.consume(comma);
      this.skipNewlines();
      const element = this.parseUnary();
      if (!element) this.failAfter('MissingExpressionAfterToken', comma.end, [',']);
      elements.push(element);
      comma = this.peek(EXPR);
    }
    return { kind: 'ArrayLiteral', elements, extent: this.extent(startOf(first), endOf(elements[elements.length - 1])) };
  }

  private canStartUnary(token: Token): boolean {
    switch (token.kind) {
      case 'Number':
      case 'Variable':
      case 'String':
      case 'LParen':
      case 'DollarParen':
      case 'AtParen':
      case 'AtCurly':
      case 'LCurly':
      case 'LBracket':
        return true;
      case 'Operator':
        return UNARY_OPERATORS.has(token.op as string);
      default:
        return false;
    }
  }

  private parseUnary(): ExpressionAst | null {
    this.enter();
    try {
      const token = this.peek(EXPR);
      if (token.kind === 'Comma') {
        this.consume(token);
        this.skipNewlines();
        const operand = this.parseUnary();
        if (!operand) this.failAfter('MissingExpressionAfterOperator', token.end, [',']);
        return { kind: 'Unary', operator: ',', operand, extent: this.extent(token.start, endOf(operand)) };
      }
      if (token.kind === 'Operator') {
        const op = token.op as string;
        if (!UNARY_OPERATORS.has(op)) return null;
        this.consume(token);
        if (op === '-' && (isDigit(this.code(token.end)) || (this.code(token.end) === 46 && isDigit(this.code(token.end + 1))))) {
          // `-5` is one negative constant, as PowerShell's tokenizer makes it (so -2147483648 is an int).
          const number = this.tokenizer.scanNumber(token.start, true);
          if (number && number.valid) {
            this.pos = number.end;
            const constant: ConstantAst = {
              kind: 'Constant',
              value: number.value,
              numberType: number.numberType,
              extent: this.extent(token.start, number.end),
            };
            return this.parsePostfix(constant);
          }
        }
        this.skipNewlines();
        const operand = this.parseUnary();
        if (!operand) this.failAfter('MissingExpressionAfterOperator', token.end, [token.text]);
        if ((op === '++' || op === '--') && !this.isAssignable(operand)) {
          this.failNode('OperatorRequiresVariableOrProperty', operand, [op]);
        }
        const operator = (op === '++' ? '++pre' : op === '--' ? '--pre' : op) as UnaryOperator;
        return { kind: 'Unary', operator, operand, extent: this.extent(token.start, endOf(operand)) };
      }
      if (token.kind === 'LBracket') return this.parseTypeOrCast();
      const primary = this.parsePrimary(token);
      if (!primary) return null;
      const expression = this.parsePostfix(primary);
      const after = this.peek(EXPR);
      if (after.kind === 'Operator' && (after.op === '++' || after.op === '--')) {
        if (!this.isAssignable(expression)) this.failNode('OperatorRequiresVariableOrProperty', expression, [after.op]);
        this.consume(after);
        const operator: UnaryOperator = after.op === '++' ? '++post' : '--post';
        return { kind: 'Unary', operator, operand: expression, extent: this.extent(startOf(expression), after.end) };
      }
      return expression;
    } finally {
      this.leave();
    }
  }

  // `[int]` (type literal), `[int]$x` (cast), `[datetime]::Now`; `[Attr()]` here is an error.
  private parseTypeOrCast(): ExpressionAst {
    const start = this.tokenizer.skipTrivia(this.pos, false);
    this.pos = start;
    const item = this.parseAttributeOrType();
    if (item.kind === 'attribute') this.failNode('UnexpectedAttribute', item.attribute, [item.attribute.typeName]);
    const literal: ExpressionAst = { kind: 'TypeLiteral', typeName: item.typeName, extent: this.extent(start, item.end) };
    const c = this.code(item.end);
    if ((c === 58 && this.code(item.end + 1) === 58) || (c === 46 && this.code(item.end + 1) !== 46)) {
      return this.parsePostfix(literal);
    }
    const next = this.peek(EXPR);
    if (!this.canStartUnary(next)) return literal;
    const operand = this.parseUnary();
    if (!operand) return literal;
    return { kind: 'Convert', typeName: item.typeName, operand, extent: this.extent(start, endOf(operand)) };
  }

  private constant(token: Token): ConstantAst {
    return {
      kind: 'Constant',
      value: token.value as number,
      numberType: token.numberType ?? null,
      extent: this.extent(token.start, token.end),
    };
  }

  private variable(token: Token): VariableAst {
    return { kind: 'Variable', name: token.name as string, splatted: false, extent: this.extent(token.start, token.end) };
  }

  private parsePrimary(token: Token): ExpressionAst | null {
    switch (token.kind) {
      case 'Number':
        this.consume(token);
        return this.constant(token);
      case 'Variable':
        this.consume(token);
        return this.variable(token);
      case 'SplattedVariable':
        return this.failAt('SplattingNotPermitted', token, [token.name as string]);
      case 'String':
        this.consume(token);
        return token.node as ExpressionAst;
      case 'LParen':
        return this.parseParenExpression(token);
      case 'DollarParen':
      case 'AtParen': {
        this.consume(token);
        const statements = this.parseStatementList('RParen');
        this.skipNewlines();
        const close = this.peek(CMD);
        if (close.kind !== 'RParen') this.failAt('MissingEndParenthesisInSubexpression', close);
        this.consume(close);
        const extent = this.extent(token.start, close.end);
        return token.kind === 'DollarParen'
          ? { kind: 'SubExpression', statements, extent }
          : { kind: 'ArrayExpression', statements, extent };
      }
      case 'AtCurly':
        return this.parseHashtable(token);
      case 'LCurly':
        return this.parseScriptBlockExpression(token);
      default:
        return null;
    }
  }

  private parseParenExpression(open: Token): ExpressionAst {
    this.consume(open);
    this.skipNewlines();
    const inner = this.parsePipelineOrNull();
    if (!inner) this.failAfterFound('ExpectedExpression', open.end, this.peek(CMD));
    this.skipNewlines();
    const close = this.peek(CMD);
    if (close.kind !== 'RParen') this.failAfter('MissingEndParenthesisInExpression', endOf(inner));
    this.consume(close);
    return { kind: 'ParenExpression', pipeline: inner, extent: this.extent(open.start, close.end) };
  }

  private parseScriptBlockExpression(open: Token): ScriptBlockExpressionAst {
    this.consume(open);
    const body = this.parseScriptBlockBody('RCurly');
    const close = this.peek(CMD);
    if (close.kind !== 'RCurly') this.failUnclosed('MissingEndCurlyBrace', open);
    this.consume(close);
    const extent = this.extent(open.start, close.end);
    return { kind: 'ScriptBlockExpression', body: { kind: 'ScriptBlock', ...body, extent }, extent };
  }

  private parseHashtable(open: Token): HashtableAst {
    this.consume(open);
    const entries: { key: ExpressionAst; value: StatementAst }[] = [];
    const keys = new Set<string>();
    this.skipNewlines();
    for (;;) {
      const key = this.parseHashKey();
      if (!key) break;
      const equals = this.peek(EXPR);
      if (equals.kind !== 'Operator' || equals.op !== '=') this.failAfter('MissingEqualsInHashLiteral', endOf(key));
      this.consume(equals);
      this.skipNewlines();
      const valueStart = this.peek(CMD);
      if (this.isStatementEnd(valueStart) || valueStart.kind === 'Pipe') this.failAfter('MissingStatementInHashLiteral', equals.end);
      const value = this.parseStatement();
      if (key.kind === 'StringConstant') {
        const normalized = key.value.toLowerCase();
        if (keys.has(normalized)) this.failNode('DuplicateKeyInHashLiteral', key, [key.value]);
        keys.add(normalized);
      }
      entries.push({ key, value });
      const separator = this.peek(CMD);
      if (separator.kind !== 'NewLine' && separator.kind !== 'Semi') break;
      this.skipSeparators();
    }
    const close = this.peek(EXPR);
    // PowerShell reports a hashtable it cannot close just after its `@{`.
    if (close.kind !== 'RCurly') this.failAfterFound('MissingEndCurlyBrace', open.end, close);
    this.consume(close);
    return { kind: 'Hashtable', entries, extent: this.extent(open.start, close.end) };
  }

  // A hashtable key: a bareword (`Name`, `Version-Info`), or a string, number, variable or `( … )`.
  private parseHashKey(): ExpressionAst | null {
    this.skipSpaces();
    const start = this.pos;
    if (isIdentStart(this.code(start))) {
      let end = start + 1;
      while (isIdentChar(this.code(end)) || isDash(this.code(end)) || this.code(end) === 46) end++;
      this.pos = end;
      const key: StringConstantAst = {
        kind: 'StringConstant',
        value: this.src.slice(start, end),
        quote: 'bareword',
        extent: this.extent(start, end),
      };
      return key;
    }
    const token = this.peek(EXPR);
    if (token.kind === 'Operator' && UNARY_OPERATORS.has(token.op as string)) return this.parseUnary();
    return token.kind === 'LBracket' ? this.parseUnary() : this.parsePrimaryWithPostfix(token);
  }

  private parsePrimaryWithPostfix(token: Token): ExpressionAst | null {
    const primary = this.parsePrimary(token);
    return primary ? this.parsePostfix(primary) : null;
  }

  // `.Name`, `.'Name'`, `.$name`, `::Name`, `?.Name`, `.Method(args)`, `[index]` directly after
  // an expression (no space allowed, as in PowerShell).
  private parsePostfix(target: ExpressionAst): ExpressionAst {
    let expression = target;
    for (;;) {
      const p = this.pos;
      const c = this.code(p);
      const next = this.code(p + 1);
      if (c === 46 && next !== 46) expression = this.parseMember(expression, p + 1, false, false);
      else if (c === 58 && next === 58) expression = this.parseMember(expression, p + 2, true, false);
      else if (c === 63 && next === 46) expression = this.parseMember(expression, p + 2, false, true);
      else if (c === 91) expression = this.parseIndex(expression);
      else return expression;
    }
  }

  private parseMember(target: ExpressionAst, operatorEnd: number, isStatic: boolean, nullConditional: boolean): ExpressionAst {
    // As in PowerShell, a newline may follow `.` for fluent chains.
    this.pos = operatorEnd;
    if (isNewlineCode(this.code(operatorEnd))) this.skipNewlines();
    const nameStart = this.pos;
    const c = this.code(nameStart);
    let member: ExpressionAst;
    if (isIdentStart(c)) {
      let end = nameStart + 1;
      while (isIdentChar(this.code(end))) end++;
      this.pos = end;
      member = { kind: 'StringConstant', value: this.src.slice(nameStart, end), quote: 'bareword', extent: this.extent(nameStart, end) };
    } else if (c === 36 || isSingleQuote(c) || isDoubleQuote(c) || c === 40) {
      const token = this.peek(EXPR);
      if (token.start !== nameStart) this.failAfter('MissingPropertyName', operatorEnd);
      member = this.parsePrimary(token) as ExpressionAst;
    } else {
      return this.failAfter('MissingPropertyName', operatorEnd);
    }
    if (this.code(this.pos) === 40) {
      const open = this.peek(EXPR);
      const args = this.parseMethodArguments(open);
      const invoke: ExpressionAst = {
        kind: 'InvokeMember',
        target,
        member,
        arguments: args.arguments,
        static: isStatic,
        extent: this.extent(startOf(target), args.end),
      };
      if (nullConditional) invoke.nullConditional = true;
      return invoke;
    }
    return { kind: 'Member', target, member, static: isStatic, nullConditional, extent: this.extent(startOf(target), endOf(member)) };
  }

  private parseMethodArguments(open: Token): { arguments: ExpressionAst[]; end: number } {
    this.consume(open);
    const args: ExpressionAst[] = [];
    this.skipNewlines();
    const first = this.peek(EXPR);
    if (first.kind === 'RParen') {
      this.consume(first);
      return { arguments: args, end: first.end };
    }
    let after = open.end;
    for (;;) {
      const argument = this.parseExpression(true);
      if (!argument) {
        if (args.length > 0) this.failAfter('MissingExpressionAfterToken', after, [',']);
        this.failAfter('MissingEndParenthesisInMethodCall', after);
      }
      args.push(argument);
      after = endOf(argument);
      this.skipNewlines();
      const next = this.peek(EXPR);
      if (next.kind === 'Comma') {
        this.consume(next);
        after = next.end;
        this.skipNewlines();
        continue;
      }
      if (next.kind === 'RParen') {
        this.consume(next);
        return { arguments: args, end: next.end };
      }
      this.failAfter('MissingEndParenthesisInMethodCall', after);
    }
  }

  private parseIndex(target: ExpressionAst): ExpressionAst {
    const open = this.peek(EXPR);
    this.consume(open);
    this.skipNewlines();
    const index = this.parseExpression(false);
    if (!index) this.failAfter('MissingArrayIndexExpression', open.end);
    this.skipNewlines();
    const close = this.peek(EXPR);
    if (close.kind !== 'RBracket') this.failAfter('MissingEndSquareBracket', endOf(index));
    this.consume(close);
    return { kind: 'Index', target, index, extent: this.extent(startOf(target), close.end) };
  }
}

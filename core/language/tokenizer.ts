// The tokenizer for the PowerShell subset. Like PowerShell's own, it has two modes chosen by the
// parser for each token: expression mode (`-eq` is an operator, `5abc` is two tokens) and command
// (argument) mode (`10.0.14300.1010`, `C:\x.wim` and `Nano*` are bareword strings, `-Name` is a
// parameter). The parser asks for one token at a time at an offset, so switching modes costs
// nothing. Strings are expanded here; `$( … )` inside them is handed back to the parser.

import type {
  Extent,
  ExpressionAst,
  ExpandableStringAst,
  Position,
  StatementAst,
  StringConstantAst,
  VariableAst,
} from './ast';
import { ParseError, parseErrorMessage } from './parse-error';

// ---- Source positions ------------------------------------------------------------------------

export class SourceText {
  readonly text: string;
  readonly length: number;
  private readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.length = text.length;
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) starts.push(i + 1);
      else if (c === CR) {
        if (text.charCodeAt(i + 1) === LF) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  position(offset: number): Position {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo] + 1 };
  }

  extent(start: number, end: number): Extent {
    return new SourceExtent(this, start, end);
  }

  error(errorId: string, start: number, end: number, args: string[] = [], incompleteInput = false): ParseError {
    const entry = { errorId, message: parseErrorMessage(errorId, ...args), extent: this.extent(start, end) };
    return new ParseError([incompleteInput ? { ...entry, incompleteInput: true } : entry]);
  }
}

// An extent that works out its line, column and text only when asked: most nodes' extents are
// never read, and a parse creates one per node.
export class SourceExtent implements Extent {
  private readonly source: SourceText;
  readonly startOffset: number;
  readonly endOffset: number;
  private startPosition: Position | undefined;
  private endPosition: Position | undefined;

  constructor(source: SourceText, start: number, end: number) {
    this.source = source;
    this.startOffset = start;
    this.endOffset = end;
  }

  get start(): Position {
    return (this.startPosition ??= this.source.position(this.startOffset));
  }

  get end(): Position {
    return (this.endPosition ??= this.source.position(this.endOffset));
  }

  get text(): string {
    return this.source.text.slice(this.startOffset, this.endOffset);
  }

  toJSON(): { start: Position; end: Position; text: string } {
    return { start: this.start, end: this.end, text: this.text };
  }
}

// Offsets of an extent without working out lines and columns.
export function extentStartOffset(extent: Extent): number {
  return extent instanceof SourceExtent ? extent.startOffset : extent.start.offset;
}
export function extentEndOffset(extent: Extent): number {
  return extent instanceof SourceExtent ? extent.endOffset : extent.end.offset;
}

// ---- Character classes -------------------------------------------------------------------------

const TAB = 9;
const LF = 10;
const VT = 11;
const FF = 12;
const CR = 13;
const SPACE = 32;
const BANG = 33;
const DQUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const PERCENT = 37;
const AMP = 38;
const SQUOTE = 39;
const LPAREN = 40;
const RPAREN = 41;
const STAR = 42;
const PLUS = 43;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const SEMI = 59;
const LT = 60;
const EQUALS = 61;
const GT = 62;
const QUESTION = 63;
const AT = 64;
const LBRACKET = 91;
const RBRACKET = 93;
const CARET = 94;
const UNDERSCORE = 95;
const BACKTICK = 96;
const LCURLY = 123;
const PIPE = 124;
const RCURLY = 125;

const NON_ASCII_LETTER = /\p{L}/u;

export function isWhitespace(c: number): boolean {
  return (
    c === SPACE || c === TAB || c === VT || c === FF || c === 0xa0 || c === 0xfeff || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000
  );
}
export function isNewline(c: number): boolean {
  return c === LF || c === CR;
}
export function isDash(c: number): boolean {
  return c === DASH || c === 0x2013 || c === 0x2014 || c === 0x2015;
}
export function isSingleQuote(c: number): boolean {
  return c === SQUOTE || c === 0x2018 || c === 0x2019 || c === 0x201a || c === 0x201b;
}
export function isDoubleQuote(c: number): boolean {
  return c === DQUOTE || c === 0x201c || c === 0x201d || c === 0x201e;
}
export function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
export function isLetter(c: number): boolean {
  if (c < 128) return isAsciiLetter(c);
  return NON_ASCII_LETTER.test(String.fromCharCode(c));
}
export function isIdentStart(c: number): boolean {
  return c === UNDERSCORE || isLetter(c);
}
export function isIdentChar(c: number): boolean {
  return c === UNDERSCORE || isDigit(c) || isLetter(c);
}
// `?` is deliberately not a name character so `$x?.Name` is a null-conditional member access.
function isVariableNameChar(c: number): boolean {
  return isIdentChar(c);
}

// Characters that end a bareword in argument mode and start a new token.
export function isCommandTerminator(c: number): boolean {
  return (
    Number.isNaN(c) || isWhitespace(c) || isNewline(c) || c === SEMI || c === PIPE || c === AMP ||
    c === LPAREN || c === RPAREN || c === LCURLY || c === RCURLY || c === COMMA || c === GT || c === LT
  );
}

// ---- Tokens ------------------------------------------------------------------------------------

export type TokenKind =
  | 'EndOfInput'
  | 'NewLine'
  | 'Semi'
  | 'Pipe'
  | 'AndAnd'
  | 'OrOr'
  | 'Ampersand'
  | 'LParen'
  | 'RParen'
  | 'LCurly'
  | 'RCurly'
  | 'LBracket'
  | 'RBracket'
  | 'AtParen'
  | 'AtCurly'
  | 'DollarParen'
  | 'Comma'
  | 'Dot'
  | 'DotDot'
  | 'ColonColon'
  | 'QuestionDot'
  | 'Number'
  | 'Variable'
  | 'SplattedVariable'
  | 'String' // quoted or here-string; `node` holds the StringConstant / ExpandableString
  | 'Generic' // an argument-mode bareword; `node` holds the StringConstant / ExpandableString
  | 'Parameter' // `-Name` / `-Name:` in argument mode; an unknown `-word` in expression mode
  | 'DashDash' // `--` in argument mode: the rest are arguments, not parameters
  | 'Operator'
  | 'Redirection'
  | 'Unknown';

export type NumberType = 'int' | 'long' | 'double' | 'decimal';

export interface RedirectionInfo {
  from: '1' | '2' | '3' | '4' | '5' | '6' | '*';
  merge: boolean; // `2>&1`
  append: boolean; // `>>`
}

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
  op?: string; // Operator: lower-cased ('-eq', '+', '++', '+=', '=')
  name?: string; // Variable / SplattedVariable / Parameter
  colon?: boolean; // Parameter written `-Name:`
  value?: number;
  numberType?: NumberType;
  node?: StringConstantAst | ExpandableStringAst;
  redirection?: RedirectionInfo;
}

// Every operator word the parser knows, binary or unary; other `-words` are not operators.
export const OPERATOR_WORDS = new Set([
  'and', 'or', 'xor', 'not', 'bnot', 'f', 'join', 'split', 'replace', 'creplace', 'ireplace', 'csplit', 'isplit',
  'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains', 'in', 'notin',
  'ceq', 'cne', 'cgt', 'cge', 'clt', 'cle', 'clike', 'cnotlike', 'cmatch', 'cnotmatch', 'ccontains', 'cnotcontains',
  'cin', 'cnotin', 'ieq', 'ine', 'igt', 'ige', 'ilt', 'ile', 'ilike', 'inotlike', 'imatch', 'inotmatch', 'icontains',
  'inotcontains', 'iin', 'inotin', 'is', 'isnot', 'as',
]);

export type SubExpressionParser = (offset: number) => { statements: StatementAst[]; end: number };

interface NumberScan {
  end: number;
  value: number;
  numberType: NumberType;
  valid: boolean;
}

// Literal text and embedded expressions of an expandable string.
class PartsBuilder {
  parts: (string | ExpressionAst)[] = [];
  literal = '';
  hasExpressions = false;
  hasSubExpressions = false;

  addText(text: string): void {
    this.literal += text;
  }
  addExpression(expression: ExpressionAst): void {
    if (this.literal.length > 0) this.parts.push(this.literal);
    this.literal = '';
    this.parts.push(expression);
    this.hasExpressions = true;
  }
  finish(): (string | ExpressionAst)[] {
    if (this.literal.length > 0) this.parts.push(this.literal);
    this.literal = '';
    return this.parts;
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_MAX = 2n ** 96n - 1n;

function classifyInteger(value: bigint, explicitLong: boolean): { value: number; numberType: NumberType } | null {
  if (explicitLong) {
    if (value < INT64_MIN || value > INT64_MAX) return null;
    return { value: Number(value), numberType: 'long' };
  }
  if (value >= BigInt(INT32_MIN) && value <= BigInt(INT32_MAX)) return { value: Number(value), numberType: 'int' };
  if (value >= INT64_MIN && value <= INT64_MAX) return { value: Number(value), numberType: 'long' };
  if (value >= -DECIMAL_MAX && value <= DECIMAL_MAX) return { value: Number(value), numberType: 'decimal' };
  return { value: Number(value), numberType: 'double' };
}

function escapedCharacter(c: number): string {
  switch (c) {
    case ZERO:
      return '\0';
    case 97: // a
      return '\x07';
    case 98: // b
      return '\b';
    case 101: // e
      return '\x1b';
    case 102: // f
      return '\f';
    case 110: // n
      return '\n';
    case 114: // r
      return '\r';
    case 116: // t
      return '\t';
    case 118: // v
      return '\v';
    default:
      return String.fromCharCode(c);
  }
}

export class Tokenizer {
  readonly source: SourceText;
  private readonly src: string;
  private readonly length: number;
  private readonly parseSubExpression: SubExpressionParser;
  // Strings holding `$( … )` are scanned once even when the parser looks at the same offset
  // again; nested ones would otherwise be re-parsed once per look, exponentially.
  private readonly stringCache = new Map<number, Token>();

  constructor(source: SourceText, parseSubExpression: SubExpressionParser) {
    this.source = source;
    this.src = source.text;
    this.length = source.length;
    this.parseSubExpression = parseSubExpression;
  }

  code(offset: number): number {
    return this.src.charCodeAt(offset);
  }

  // Skips spaces, comments and backtick line continuations; newlines too when asked.
  skipTrivia(offset: number, newlines: boolean): number {
    const src = this.src;
    let i = offset;
    for (;;) {
      const c = src.charCodeAt(i);
      if (isWhitespace(c)) {
        i++;
      } else if (c === BACKTICK && isNewline(src.charCodeAt(i + 1))) {
        i += src.charCodeAt(i + 1) === CR && src.charCodeAt(i + 2) === LF ? 3 : 2;
      } else if (c === HASH) {
        while (i < this.length && !isNewline(src.charCodeAt(i))) i++;
      } else if (c === LT && src.charCodeAt(i + 1) === HASH) {
        const close = src.indexOf('#>', i + 2);
        if (close < 0) throw this.source.error('MissingTerminatorMultiLineComment', this.length, this.length, [], true);
        i = close + 2;
      } else if (newlines && isNewline(c)) {
        i++;
      } else {
        return i;
      }
    }
  }

  private token(kind: TokenKind, start: number, end: number): Token {
    return { kind, start, end, text: this.src.slice(start, end) };
  }

  private operator(op: string, start: number, end: number): Token {
    const t = this.token('Operator', start, end);
    t.op = op;
    return t;
  }

  // Tokens both modes share; null when the character needs mode-specific handling.
  private scanCommon(pos: number): Token | null {
    const src = this.src;
    if (pos >= this.length) return this.token('EndOfInput', pos, pos);
    const c = src.charCodeAt(pos);
    const next = src.charCodeAt(pos + 1);
    switch (c) {
      case LF:
        return this.token('NewLine', pos, pos + 1);
      case CR:
        return this.token('NewLine', pos, next === LF ? pos + 2 : pos + 1);
      case SEMI:
        return this.token('Semi', pos, pos + 1);
      case PIPE:
        return next === PIPE ? this.token('OrOr', pos, pos + 2) : this.token('Pipe', pos, pos + 1);
      case AMP:
        return next === AMP ? this.token('AndAnd', pos, pos + 2) : this.token('Ampersand', pos, pos + 1);
      case LPAREN:
        return this.token('LParen', pos, pos + 1);
      case RPAREN:
        return this.token('RParen', pos, pos + 1);
      case LCURLY:
        return this.token('LCurly', pos, pos + 1);
      case RCURLY:
        return this.token('RCurly', pos, pos + 1);
      case COMMA:
        return this.token('Comma', pos, pos + 1);
      case AT:
        if (next === LPAREN) return this.token('AtParen', pos, pos + 2);
        if (next === LCURLY) return this.token('AtCurly', pos, pos + 2);
        if (isSingleQuote(next) || isDoubleQuote(next)) return this.scanHereString(pos);
        if (isVariableNameChar(next)) {
          let end = pos + 1;
          while (end < this.length && isVariableNameChar(src.charCodeAt(end))) end++;
          const t = this.token('SplattedVariable', pos, end);
          t.name = src.slice(pos + 1, end);
          return t;
        }
        return this.token('Unknown', pos, pos + 1);
      case DOLLAR:
        if (next === LPAREN) return this.token('DollarParen', pos, pos + 2);
        return null;
      default:
        if (isSingleQuote(c)) return this.scanSingleQuoted(pos);
        if (isDoubleQuote(c)) return this.scanDoubleQuoted(pos);
        return null;
    }
  }

  // ---- Expression mode ----

  scanExpression(pos: number): Token {
    const common = this.scanCommon(pos);
    if (common) return common;
    const src = this.src;
    const c = src.charCodeAt(pos);
    const next = src.charCodeAt(pos + 1);
    if (c === DOLLAR) {
      const variable = this.scanVariable(pos, false);
      if (variable) return variable;
      throw this.source.error('InvalidVariableReference', pos, pos + 1);
    }
    if (isDigit(c) || (c === DOT && isDigit(next))) {
      const number = this.scanNumber(pos, false);
      if (number) {
        if (!number.valid) {
          let end = number.end;
          while (isIdentChar(src.charCodeAt(end))) end++;
          throw this.source.error('BadNumericConstant', pos, end, [src.slice(pos, end)]);
        }
        return this.numberToken(pos, number);
      }
    }
    if (isDash(c)) {
      if (isDash(next)) return this.operator('--', pos, pos + 2);
      if (next === EQUALS) return this.operator('-=', pos, pos + 2);
      if (isAsciiLetter(next)) {
        let end = pos + 1;
        while (end < this.length && isAsciiLetter(src.charCodeAt(end))) end++;
        const word = src.slice(pos + 1, end).toLowerCase();
        if (OPERATOR_WORDS.has(word) && !isIdentChar(src.charCodeAt(end))) return this.operator('-' + word, pos, end);
        // Not an operator: report the whole `-word` as PowerShell does (`Unexpected token '-foo'`).
        while (end < this.length && !isCommandTerminator(src.charCodeAt(end)) && src.charCodeAt(end) !== COLON) end++;
        const t = this.token('Parameter', pos, end);
        t.name = src.slice(pos + 1, end);
        return t;
      }
      return this.operator('-', pos, pos + 1);
    }
    switch (c) {
      case LBRACKET:
        return this.token('LBracket', pos, pos + 1);
      case RBRACKET:
        return this.token('RBracket', pos, pos + 1);
      case DOT:
        return next === DOT ? this.token('DotDot', pos, pos + 2) : this.token('Dot', pos, pos + 1);
      case COLON:
        return next === COLON ? this.token('ColonColon', pos, pos + 2) : this.token('Unknown', pos, pos + 1);
      case QUESTION:
        return next === DOT ? this.token('QuestionDot', pos, pos + 2) : this.token('Unknown', pos, pos + 1);
      case PLUS:
        if (next === PLUS) return this.operator('++', pos, pos + 2);
        if (next === EQUALS) return this.operator('+=', pos, pos + 2);
        return this.operator('+', pos, pos + 1);
      case STAR:
        return next === EQUALS ? this.operator('*=', pos, pos + 2) : this.operator('*', pos, pos + 1);
      case SLASH:
        return next === EQUALS ? this.operator('/=', pos, pos + 2) : this.operator('/', pos, pos + 1);
      case PERCENT:
        return next === EQUALS ? this.operator('%=', pos, pos + 2) : this.operator('%', pos, pos + 1);
      case BANG:
        return this.operator('!', pos, pos + 1);
      case EQUALS:
        return this.operator('=', pos, pos + 1);
      case GT:
      case LT:
        return this.scanRedirection(pos) ?? this.token('Unknown', pos, pos + 1);
      default:
        break;
    }
    if (isIdentChar(c) || c === BACKTICK) {
      // A bareword where an expression belongs; the parser reports it as an unexpected token.
      const t = this.scanGeneric(pos);
      return t;
    }
    return this.token('Unknown', pos, pos + 1);
  }

  // ---- Command (argument) mode ----

  scanCommand(pos: number, stopParsing = false): Token {
    const common = this.scanCommon(pos);
    if (common) return common;
    const src = this.src;
    const c = src.charCodeAt(pos);
    const next = src.charCodeAt(pos + 1);
    if (c === DOLLAR) {
      const variable = this.scanVariable(pos, false);
      if (variable) return variable;
      return this.scanGeneric(pos);
    }
    if (c === GT || c === LT || ((isDigit(c) || c === STAR) && next === GT)) {
      const redirection = this.scanRedirection(pos);
      if (redirection) return redirection;
    }
    if (isDash(c) && !stopParsing) {
      if (isDash(next) && isCommandTerminator(src.charCodeAt(pos + 2))) return this.token('DashDash', pos, pos + 2);
      if (isIdentStart(next) || next === QUESTION) return this.scanParameter(pos);
    }
    if (isDigit(c) || ((c === DOT || isDash(c)) && isDigit(next)) || (isDash(c) && next === DOT && isDigit(src.charCodeAt(pos + 2)))) {
      const number = this.scanNumber(pos, true);
      if (number && number.valid && isCommandTerminator(src.charCodeAt(number.end))) return this.numberToken(pos, number);
    }
    if (c === DOT && (isCommandTerminator(next) || pos + 1 >= this.length)) return this.token('Dot', pos, pos + 1);
    return this.scanGeneric(pos);
  }

  private numberToken(pos: number, number: NumberScan): Token {
    const t = this.token('Number', pos, number.end);
    t.value = number.value;
    t.numberType = number.numberType;
    return t;
  }

  private scanParameter(pos: number): Token {
    const src = this.src;
    let end = pos + 1;
    while (end < this.length) {
      const c = src.charCodeAt(end);
      if (isCommandTerminator(c) || c === COLON) break;
      if (!(isIdentChar(c) || isDash(c) || c === QUESTION)) return this.scanGeneric(pos);
      end++;
    }
    const t = this.token('Parameter', pos, end);
    t.name = src.slice(pos + 1, end);
    t.colon = false;
    if (src.charCodeAt(end) === COLON) {
      t.colon = true;
      t.end = end + 1;
      t.text = src.slice(pos, end + 1);
    }
    return t;
  }

  // `>`, `>>`, `2>`, `2>>`, `2>&1`, `*>&1`; null when the text is not a redirection.
  private scanRedirection(pos: number): Token | null {
    const src = this.src;
    let i = pos;
    let from: RedirectionInfo['from'] = '1';
    const c = src.charCodeAt(i);
    if (c === LT) {
      throw this.source.error('RedirectionNotSupported', pos, pos + 1, ['<']);
    }
    if (c === STAR || isDigit(c)) {
      if (c !== STAR && (c < 49 || c > 54)) return null;
      from = src[i] as RedirectionInfo['from'];
      i++;
    }
    if (src.charCodeAt(i) !== GT) return null;
    i++;
    let append = false;
    let merge = false;
    if (src.charCodeAt(i) === GT) {
      append = true;
      i++;
    } else if (src.charCodeAt(i) === AMP && isDigit(src.charCodeAt(i + 1))) {
      if (src.charCodeAt(i + 1) !== 49 || from === '1') {
        throw this.source.error('RedirectionStreamCanOnlyMergeToOutputStream', pos, i + 2);
      }
      merge = true;
      i += 2;
    }
    const t = this.token('Redirection', pos, i);
    t.redirection = { from, merge, append };
    return t;
  }

  // ---- Numbers ----

  scanNumber(pos: number, allowSign: boolean): NumberScan | null {
    const src = this.src;
    let i = pos;
    let negative = false;
    if (allowSign && isDash(src.charCodeAt(i))) {
      negative = true;
      i++;
    }
    const c = src.charCodeAt(i);
    const x = src.charCodeAt(i + 1);
    if (c === ZERO && (x === 120 || x === 88) && isHexDigit(src.charCodeAt(i + 2))) {
      let j = i + 2;
      while (isHexDigit(src.charCodeAt(j))) j++;
      const digits = src.slice(i + 2, j);
      const suffix = this.scanNumberSuffix(j);
      let big = BigInt('0x' + digits);
      let valid = suffix.valid && !suffix.decimal;
      // Hex literals are bit patterns: 0xFFFFFFFF is the int -1, 0xFFFFFFFFFFFFFFFF the long -1.
      if (!suffix.long && big <= 0xffffffffn) {
        if (big > 0x7fffffffn) big -= 0x100000000n;
      } else if (big <= 0xffffffffffffffffn) {
        if (big > 0x7fffffffffffffffn) big -= 0x10000000000000000n;
      } else {
        valid = false;
      }
      big *= suffix.multiplier;
      if (negative) big = -big;
      const classified = classifyInteger(big, suffix.long);
      if (!classified || classified.numberType === 'decimal' || classified.numberType === 'double') valid = false;
      return { end: suffix.end, value: classified ? classified.value : 0, numberType: classified?.numberType ?? 'int', valid };
    }
    const digitsStart = i;
    while (isDigit(src.charCodeAt(i))) i++;
    let real = false;
    if (src.charCodeAt(i) === DOT && isDigit(src.charCodeAt(i + 1))) {
      real = true;
      i++;
      while (isDigit(src.charCodeAt(i))) i++;
    }
    if (i === digitsStart) return null;
    const e = src.charCodeAt(i);
    if (e === 101 || e === 69) {
      const sign = src.charCodeAt(i + 1);
      if (isDigit(sign)) {
        real = true;
        i += 1;
      } else if ((sign === PLUS || isDash(sign)) && isDigit(src.charCodeAt(i + 2))) {
        real = true;
        i += 2;
      }
      if (real) while (isDigit(src.charCodeAt(i))) i++;
    }
    const literalEnd = i;
    const suffix = this.scanNumberSuffix(i);
    if (!real && !suffix.decimal) {
      const digits = src.slice(digitsStart, literalEnd);
      let big = BigInt(digits) * suffix.multiplier;
      if (negative) big = -big;
      const classified = classifyInteger(big, suffix.long);
      if (!classified) return { end: suffix.end, value: 0, numberType: 'long', valid: false };
      return { end: suffix.end, value: classified.value, numberType: classified.numberType, valid: suffix.valid };
    }
    const text = src.slice(digitsStart, literalEnd).replace(/[\u2013\u2014\u2015]/g, '-');
    let value = Number(text) * Number(suffix.multiplier);
    if (negative) value = -value;
    if (suffix.long) {
      const valid = suffix.valid && Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
      return { end: suffix.end, value, numberType: 'long', valid };
    }
    const valid = suffix.valid && Number.isFinite(value);
    return { end: suffix.end, value, numberType: suffix.decimal ? 'decimal' : 'double', valid };
  }

  // The `L`/`D` type suffix and the kb/mb/gb/tb/pb multiplier after a numeric literal.
  private scanNumberSuffix(pos: number): { end: number; long: boolean; decimal: boolean; multiplier: bigint; valid: boolean } {
    const src = this.src;
    let i = pos;
    let long = false;
    let decimal = false;
    const c = src.charCodeAt(i);
    if (c === 108 || c === 76) {
      long = true;
      i++;
    } else if (c === 100 || c === 68) {
      decimal = true;
      i++;
    }
    let multiplier = 1n;
    const m = src.charCodeAt(i) | 0x20;
    const b = src.charCodeAt(i + 1) | 0x20;
    if (b === 98) {
      const power = m === 107 ? 1n : m === 109 ? 2n : m === 103 ? 3n : m === 116 ? 4n : m === 112 ? 5n : 0n;
      if (power > 0n) {
        multiplier = 1024n ** power;
        i += 2;
      }
    }
    // A letter or digit straight after the literal (`5abc`, `1u`) makes it something else.
    const valid = !isIdentChar(src.charCodeAt(i));
    return { end: i, long, decimal, multiplier, valid };
  }

  // ---- Variables ----

  // `$name`, `$scope:name`, `${any name}`, `$$`, `$?`, `$^`. Null when `$` starts no variable.
  scanVariable(pos: number, inString: boolean): Token | null {
    const src = this.src;
    const c = src.charCodeAt(pos + 1);
    if (c === LCURLY) {
      let i = pos + 2;
      let name = '';
      for (;;) {
        if (i >= this.length) {
          throw this.source.error('IncompleteDollarVariableReference', pos, this.length, [], true);
        }
        const ch = src.charCodeAt(i);
        if (ch === RCURLY) break;
        if (ch === BACKTICK && i + 1 < this.length) {
          name += escapedCharacter(src.charCodeAt(i + 1));
          i += 2;
          continue;
        }
        name += src[i];
        i++;
      }
      if (name.length === 0) throw this.source.error('EmptyVariableReference', pos, i + 1);
      const t = this.token('Variable', pos, i + 1);
      t.name = name;
      return t;
    }
    if (c === DOLLAR || c === QUESTION || c === CARET) {
      const t = this.token('Variable', pos, pos + 2);
      t.name = src[pos + 1];
      return t;
    }
    if (!isVariableNameChar(c)) return null;
    let i = pos + 1;
    while (isVariableNameChar(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) === COLON && src.charCodeAt(i + 1) !== COLON) {
      if (isVariableNameChar(src.charCodeAt(i + 1))) {
        i++;
        while (isVariableNameChar(src.charCodeAt(i))) i++;
      } else if (!inString && isIdentStart(c)) {
        throw this.source.error('InvalidVariableReferenceWithDrive', pos, i + 1);
      }
    }
    const t = this.token('Variable', pos, i);
    t.name = src.slice(pos + 1, i);
    return t;
  }

  private variableNode(t: Token): VariableAst {
    return { kind: 'Variable', name: t.name as string, splatted: false, extent: this.source.extent(t.start, t.end) };
  }

  // ---- Strings ----

  private scanSingleQuoted(pos: number): Token {
    let value = '';
    const end = this.scanSingleQuotedBody(pos, (text) => {
      value += text;
    });
    const t = this.token('String', pos, end);
    t.node = { kind: 'StringConstant', value, quote: 'single', extent: this.source.extent(pos, end) };
    return t;
  }

  // Scans '…' starting at the opening quote, feeding the text to `add`; returns the end offset.
  private scanSingleQuotedBody(pos: number, add: (text: string) => void): number {
    const src = this.src;
    let i = pos + 1;
    let chunkStart = i;
    for (;;) {
      if (i >= this.length) {
        throw this.source.error('TerminatorExpectedAtEndOfString', pos, this.length, ["'"], true);
      }
      const c = src.charCodeAt(i);
      if (isSingleQuote(c)) {
        add(src.slice(chunkStart, i));
        if (isSingleQuote(src.charCodeAt(i + 1))) {
          add("'");
          i += 2;
          chunkStart = i;
          continue;
        }
        return i + 1;
      }
      i++;
    }
  }

  private scanDoubleQuoted(pos: number): Token {
    const cached = this.stringCache.get(pos);
    if (cached) return cached;
    const builder = new PartsBuilder();
    const end = this.scanDoubleQuotedBody(pos, builder);
    const t = this.token('String', pos, end);
    t.node = this.stringNode(builder, pos, end, 'double');
    if (builder.hasSubExpressions) this.stringCache.set(pos, t);
    return t;
  }

  private scanDoubleQuotedBody(pos: number, builder: PartsBuilder): number {
    const src = this.src;
    let i = pos + 1;
    for (;;) {
      if (i >= this.length) {
        throw this.source.error('TerminatorExpectedAtEndOfString', pos, this.length, ['"'], true);
      }
      const c = src.charCodeAt(i);
      if (isDoubleQuote(c)) {
        if (isDoubleQuote(src.charCodeAt(i + 1))) {
          builder.addText('"');
          i += 2;
          continue;
        }
        return i + 1;
      }
      i = this.scanExpandableChar(i, builder, pos, '"');
    }
  }

  // One character (or escape, or `$…` reference) of an expandable string; returns the next offset.
  private scanExpandableChar(i: number, builder: PartsBuilder, stringStart: number, terminator: string): number {
    const src = this.src;
    const c = src.charCodeAt(i);
    if (c === BACKTICK) {
      if (i + 1 >= this.length) {
        throw this.source.error('TerminatorExpectedAtEndOfString', stringStart, this.length, [terminator], true);
      }
      return this.scanEscape(i, builder);
    }
    if (c === DOLLAR) {
      const next = this.scanDollarPart(i, builder);
      if (next >= 0) return next;
    }
    // Copy a run of ordinary characters at once.
    let j = i + 1;
    while (j < this.length) {
      const d = src.charCodeAt(j);
      if (d === BACKTICK || d === DOLLAR || isDoubleQuote(d) || isNewline(d)) break;
      j++;
    }
    builder.addText(src.slice(i, j));
    return j;
  }

  private scanEscape(i: number, builder: PartsBuilder): number {
    const src = this.src;
    const c = src.charCodeAt(i + 1);
    if (c === 117 && src.charCodeAt(i + 2) === LCURLY) {
      let j = i + 3;
      while (isHexDigit(src.charCodeAt(j))) j++;
      const digits = src.slice(i + 3, j);
      if (digits.length === 0) throw this.source.error('InvalidUnicodeEscapeSequence', i, j);
      if (digits.length > 6) throw this.source.error('TooManyDigitsInUnicodeEscapeSequence', i, j);
      if (src.charCodeAt(j) !== RCURLY) throw this.source.error('MissingUnicodeEscapeSequenceTerminator', i, j);
      const codePoint = parseInt(digits, 16);
      if (codePoint > 0x10ffff) throw this.source.error('InvalidUnicodeEscapeSequenceValue', i, j + 1);
      builder.addText(String.fromCodePoint(codePoint));
      return j + 1;
    }
    if (c === CR && src.charCodeAt(i + 2) === LF) {
      builder.addText('\r\n');
      return i + 3;
    }
    builder.addText(escapedCharacter(c));
    return i + 2;
  }

  // `$name`, `${name}`, `$(…)` inside an expandable string or bareword; -1 when the `$` is literal.
  private scanDollarPart(i: number, builder: PartsBuilder): number {
    const src = this.src;
    if (src.charCodeAt(i + 1) === LPAREN) {
      const { statements, end } = this.parseSubExpression(i + 2);
      builder.addExpression({ kind: 'SubExpression', statements, extent: this.source.extent(i, end) });
      builder.hasSubExpressions = true;
      return end;
    }
    const variable = this.scanVariable(i, true);
    if (!variable) return -1;
    builder.addExpression(this.variableNode(variable));
    return variable.end;
  }

  private stringNode(
    builder: PartsBuilder,
    start: number,
    end: number,
    quote: 'double' | 'here-double' | 'bareword',
  ): StringConstantAst | ExpandableStringAst {
    const extent = this.source.extent(start, end);
    const parts = builder.finish();
    if (!builder.hasExpressions) {
      return { kind: 'StringConstant', value: parts.length === 1 ? (parts[0] as string) : '', quote, extent };
    }
    return { kind: 'ExpandableString', parts, quote, extent };
  }

  private scanHereString(pos: number): Token {
    const cached = this.stringCache.get(pos);
    if (cached) return cached;
    const src = this.src;
    const expandable = isDoubleQuote(src.charCodeAt(pos + 1));
    const terminator = expandable ? '"@' : "'@";
    let i = pos + 2;
    while (isWhitespace(src.charCodeAt(i))) i++;
    if (i >= this.length) {
      throw this.source.error('TerminatorExpectedAtEndOfString', pos, this.length, [terminator], true);
    }
    if (!isNewline(src.charCodeAt(i))) {
      throw this.source.error('UnexpectedCharactersAfterHereStringHeader', pos + 2, i + 1);
    }
    i += src.charCodeAt(i) === CR && src.charCodeAt(i + 1) === LF ? 2 : 1;
    const quoteIsFooter = (at: number) => {
      const q = src.charCodeAt(at);
      return (expandable ? isDoubleQuote(q) : isSingleQuote(q)) && src.charCodeAt(at + 1) === AT;
    };
    const builder = new PartsBuilder();
    let end = -1;
    if (quoteIsFooter(i)) {
      end = i + 2;
    } else {
      while (i < this.length) {
        const c = src.charCodeAt(i);
        if (isNewline(c)) {
          const after = c === CR && src.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
          if (quoteIsFooter(after)) {
            end = after + 2;
            break;
          }
          builder.addText(src.slice(i, after));
          i = after;
          continue;
        }
        if (!expandable) {
          let j = i + 1;
          while (j < this.length && !isNewline(src.charCodeAt(j))) j++;
          builder.addText(src.slice(i, j));
          i = j;
          continue;
        }
        if (isDoubleQuote(c)) {
          builder.addText(src[i]);
          i++;
          continue;
        }
        i = this.scanExpandableChar(i, builder, pos, terminator);
      }
    }
    if (end < 0) throw this.source.error('TerminatorExpectedAtEndOfString', pos, this.length, [terminator], true);
    const t = this.token('String', pos, end);
    if (expandable) {
      t.node = this.stringNode(builder, pos, end, 'here-double');
    } else {
      t.node = { kind: 'StringConstant', value: builder.finish().join(''), quote: 'here-single', extent: this.source.extent(pos, end) };
    }
    if (builder.hasSubExpressions) this.stringCache.set(pos, t);
    return t;
  }

  // An argument-mode bareword: everything up to a terminator, with backtick escapes, embedded
  // quoted sections (`a'b c'd` is `ab cd`) and `$var` / `$( … )` expansion.
  scanGeneric(pos: number): Token {
    const cached = this.stringCache.get(pos);
    if (cached && cached.kind === 'Generic') return cached;
    const src = this.src;
    const builder = new PartsBuilder();
    let i = pos;
    while (i < this.length) {
      const c = src.charCodeAt(i);
      if (isCommandTerminator(c)) break;
      if (c === BACKTICK) {
        if (i + 1 >= this.length || isNewline(src.charCodeAt(i + 1))) break;
        i = this.scanEscape(i, builder);
        continue;
      }
      if (isSingleQuote(c)) {
        i = this.scanSingleQuotedBody(i, (text) => builder.addText(text));
        continue;
      }
      if (isDoubleQuote(c)) {
        i = this.scanDoubleQuotedBody(i, builder);
        continue;
      }
      if (c === DOLLAR) {
        const next = this.scanDollarPart(i, builder);
        if (next >= 0) {
          i = next;
          continue;
        }
      }
      let j = i + 1;
      while (j < this.length) {
        const d = src.charCodeAt(j);
        if (isCommandTerminator(d) || d === BACKTICK || d === DOLLAR || isSingleQuote(d) || isDoubleQuote(d)) break;
        j++;
      }
      builder.addText(src.slice(i, j));
      i = j;
    }
    // A lone backtick at the end of the input makes no word.
    if (i === pos) return this.token('Unknown', pos, Math.min(pos + 1, this.length));
    const t = this.token('Generic', pos, i);
    t.node = this.stringNode(builder, pos, i, 'bareword');
    if (builder.hasSubExpressions) this.stringCache.set(pos, t);
    return t;
  }

  // A type name inside `[ ]`: `int`, `System.Version`, `string[]`, `List[string]`. Returns the
  // end offset, or `pos` when no name starts there.
  scanTypeName(pos: number): number {
    const src = this.src;
    let i = pos;
    if (!isIdentStart(src.charCodeAt(i))) return pos;
    while (isIdentChar(src.charCodeAt(i)) || (src.charCodeAt(i) === DOT && isIdentStart(src.charCodeAt(i + 1)))) i++;
    for (;;) {
      if (src.charCodeAt(i) !== LBRACKET) return i;
      // Array rank `[]`, `[,]` or generic arguments `[string]`, `[string,int]`.
      let j = i + 1;
      while (src.charCodeAt(j) === COMMA) j++;
      if (src.charCodeAt(j) === RBRACKET) {
        i = j + 1;
        continue;
      }
      j = i + 1;
      for (;;) {
        while (isWhitespace(src.charCodeAt(j))) j++;
        const inner = this.scanTypeName(j);
        if (inner === j) return i;
        j = inner;
        while (isWhitespace(src.charCodeAt(j))) j++;
        if (src.charCodeAt(j) === COMMA) {
          j++;
          continue;
        }
        break;
      }
      if (src.charCodeAt(j) !== RBRACKET) return i;
      i = j + 1;
    }
  }
}

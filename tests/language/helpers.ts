// Shared helpers for the language tests: parse a script and reach into the usual places.
import { parse, ParseError } from '../../core/language/parser';
import type { CommandAst, ExpressionAst, PipelineAst, StatementAst } from '../../core/language/ast';

export function statements(script: string): StatementAst[] {
  return parse(script).end;
}

export function firstStatement(script: string): StatementAst {
  const list = statements(script);
  expect(list.length).toBeGreaterThan(0);
  return list[0];
}

export function firstPipeline(script: string): PipelineAst {
  const statement = firstStatement(script);
  expect(statement.kind).toBe('Pipeline');
  return statement as PipelineAst;
}

// The expression of a statement that is a single expression (`1 + 2`).
export function expr(script: string): ExpressionAst {
  const pipeline = firstPipeline(script);
  expect(pipeline.elements).toHaveLength(1);
  const element = pipeline.elements[0];
  expect(element.kind).toBe('CommandExpression');
  if (element.kind !== 'CommandExpression') throw new Error('not an expression');
  return element.expression;
}

export function command(script: string, index = 0): CommandAst {
  const element = firstPipeline(script).elements[index];
  expect(element.kind).toBe('Command');
  return element as CommandAst;
}

export interface CaughtError {
  errorId: string;
  message: string;
  line: number;
  column: number;
  text: string;
  incompleteInput: boolean;
}

// The first parse error of a script that must fail.
export function parseFailure(script: string): CaughtError {
  try {
    parse(script);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const first = e.errors[0];
    expect(e.message).toBe(first.message);
    return {
      errorId: first.errorId,
      message: first.message,
      line: first.extent.start.line,
      column: first.extent.start.column,
      text: first.extent.text,
      incompleteInput: first.incompleteInput === true,
    };
  }
  throw new Error(`expected a parse error for ${JSON.stringify(script)}`);
}

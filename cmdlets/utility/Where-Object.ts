import { defineCmdlet, ParameterDecl } from '../../core/engine/cmdlet';
import { toBool } from '../../core/engine/coerce';
import { getMember } from '../../core/engine/members';
import { compareOp, containsOp, typeOp } from '../../core/engine/operators';
import { isPromise } from '../../core/engine/pipeline';
import { toDisplayString } from '../../core/engine/values';

/** The simplified syntax's operator switches: `Where-Object Name -like 'Nano*'`; each is its own parameter set. */
const operators = [
  'EQ', 'NE', 'GT', 'GE', 'LT', 'LE', 'Like', 'NotLike', 'Match', 'NotMatch', 'Contains', 'NotContains', 'In', 'NotIn',
  'CEQ', 'CNE', 'CGT', 'CGE', 'CLT', 'CLE', 'CLike', 'CNotLike', 'CMatch', 'CNotMatch', 'CContains', 'CNotContains',
  'CIn', 'CNotIn', 'Is', 'IsNot', 'Not',
];
const setOf = (op: string) => `${op}Set`;
const operatorSets = operators.map(setOf);

const operatorParameters: ParameterDecl[] = operators.map((op) => ({
  name: op,
  type: 'switch',
  // -EQ is optional in its set so that `Where-Object Name` (truthiness) resolves to it.
  mandatory: op !== 'EQ',
  sets: [setOf(op)],
  aliases: op === 'EQ' ? ['IEQ'] : op === 'Like' ? ['ILike'] : op === 'Match' ? ['IMatch'] : undefined,
  description: `The -${op.toLowerCase()} comparison.`,
}));

function test(op: string, value: unknown, operand: unknown): boolean {
  const lower = op.toLowerCase();
  switch (lower) {
    case 'not':
      return !toBool(value);
    case 'contains':
    case 'notcontains':
    case 'ccontains':
    case 'cnotcontains': {
      const r = containsOp(`-${lower}`, value, operand);
      return lower.includes('not') ? !r : r;
    }
    case 'in':
    case 'notin':
    case 'cin':
    case 'cnotin': {
      const r = containsOp(`-${lower}`, operand, value);
      return lower.includes('not') ? !r : r;
    }
    case 'is':
    case 'isnot':
      return Boolean(typeOp(`-${lower}` as '-is', value, toDisplayString(operand)));
  }
  return toBool(compareOp(`-${lower}`, value, operand));
}

export default defineCmdlet({
  verb: 'Where',
  noun: 'Object',
  module: 'Microsoft.PowerShell.Core',
  synopsis: 'Selects objects from a collection based on their property values.',
  defaultParameterSet: 'EQSet',
  parameters: [
    { name: 'InputObject', type: 'object', valueFromPipeline: true, description: 'The objects to filter.' },
    { name: 'FilterScript', type: 'scriptblock', mandatory: true, position: 0, sets: ['ScriptBlockSet'], description: 'The script block that decides, with $_ as the object.' },
    { name: 'Property', type: 'string', mandatory: true, position: 0, sets: operatorSets, description: 'The property to compare (simplified syntax).' },
    { name: 'Value', type: 'object', position: 1, sets: operatorSets, description: 'The value to compare the property with.' },
    ...operatorParameters,
  ],
  process(ctx) {
    const input = ctx.params.InputObject;
    if (input === undefined) return;
    if (ctx.parameterSetName === 'ScriptBlockSet') {
      const out = ctx.invoke(ctx.params.FilterScript, { dollarUnder: input });
      if (isPromise(out)) return out.then((o) => (toBool(o) ? ctx.write(input) : undefined));
      if (out.length !== 0 && toBool(out.length === 1 ? out[0] : out)) return ctx.write(input);
      return;
    }
    const value = getMember(input, ctx.params.Property as string);
    const op = ctx.parameterSetName.slice(0, -3);
    const matched = op === 'EQ' && !ctx.boundParameters.has('Value') && !ctx.boundParameters.has('EQ') ? toBool(value) : test(op, value, ctx.params.Value);
    if (matched) return ctx.write(input);
  },
});

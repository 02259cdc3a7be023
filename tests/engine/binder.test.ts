// The parameter binder on its own: PowerShell's binding order, parameter sets and error texts
// (ParameterBinderStrings.resx), checked against a declaration made for the test.

import { bindArguments, bindPipelineInput, CommandArgument, CommandMeta, missingMandatory, resolveParameterSet } from '../../core/engine/binder';
import { RuntimeException } from '../../core/engine/errors';
import { PSObject, PSVersion } from '../../core/engine/values';

const meta: CommandMeta = {
  name: 'Get-Thing',
  advanced: true,
  supportsShouldProcess: true,
  defaultParameterSet: 'ByName',
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, sets: ['ByName'], valueFromPipelineByPropertyName: true, aliases: ['N'] },
    { name: 'Id', type: 'int', mandatory: true, sets: ['ById'], valueFromPipelineByPropertyName: true },
    { name: 'InputObject', type: 'object', sets: ['ByObject'], mandatory: true, valueFromPipeline: true },
    { name: 'Version', type: 'version', position: 1 },
    { name: 'Force', type: 'switch' },
    { name: 'Kind', type: 'string', validateSet: ['Base', 'Derived'] },
  ],
};

const named = (name: string, value?: unknown): CommandArgument => ({ kind: 'named', name, value, hasValue: value !== undefined, extent: null });
const pos = (value: unknown): CommandArgument => ({ kind: 'positional', value, extent: null });

function bindError(args: CommandArgument[]): { message: string; id: string } {
  try {
    bindArguments(meta, args);
  } catch (e) {
    if (e instanceof RuntimeException) return { message: e.record.message, id: e.record.fullyQualifiedErrorId };
    throw e;
  }
  throw new Error('binding did not fail');
}

describe('named and positional binding', () => {
  test('exact names, aliases and unique prefixes bind, with type coercion', () => {
    const b = bindArguments(meta, [named('na', 'x'), named('Vers', '10.0.14300.1010'), named('Force')]);
    expect(b.bound.get('Name')).toEqual(['x']);
    expect((b.bound.get('Version') as PSVersion).toString()).toBe('10.0.14300.1010');
    expect(b.bound.get('Force')).toBe(true);
    expect(bindArguments(meta, [named('N', 'y')]).bound.get('Name')).toEqual(['y']);
  });

  test('`-Name value` takes the next argument; switches never do', () => {
    const b = bindArguments(meta, [named('Force'), pos('a'), named('Version'), pos('1.2')]);
    expect(b.bound.get('Force')).toBe(true);
    expect(b.bound.get('Name')).toEqual(['a']);
    expect((b.bound.get('Version') as PSVersion).minor).toBe(2);
  });

  test('positional arguments fill positions in order within the possible sets', () => {
    const b = bindArguments(meta, [pos('NanoServer'), pos('10.0')]);
    expect(b.bound.get('Name')).toEqual(['NanoServer']);
    expect((b.bound.get('Version') as PSVersion).toString()).toBe('10.0');
    expect([...b.candidateSets]).toEqual(['ByName']);
  });

  test('the errors have PowerShell texts and ids naming the command', () => {
    expect(bindError([named('Nmae', 'x')])).toEqual({ message: "A parameter cannot be found that matches parameter name 'Nmae'.", id: 'NamedParameterNotFound,Get-Thing' });
    expect(bindError([named('Ver', 'x'), named('V', '1.0')]).id).toBe('AmbiguousParameter,Get-Thing');
    expect(bindError([named('V', '1.0')]).message).toBe("Parameter cannot be processed because the parameter name 'V' is ambiguous. Possible matches include: -Version -Verbose.");
    expect(bindError([pos('a'), pos('1.0'), pos('extra')])).toEqual({ message: "A positional parameter cannot be found that accepts argument 'extra'.", id: 'PositionalParameterNotFound,Get-Thing' });
    expect(bindError([named('Force'), named('Force')]).id).toBe('ParameterAlreadyBound,Get-Thing');
    expect(bindError([named('Name', 'a'), named('Id', 1)])).toEqual({
      message: 'Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.',
      id: 'AmbiguousParameterSet,Get-Thing',
    });
    expect(bindError([named('Id', 'x')]).message).toBe(`Cannot bind parameter 'Id'. Cannot convert value "x" to type "System.Int32". Error: "The input string 'x' was not in a correct format."`);
    expect(bindError([named('Kind', 'Other')]).message).toBe(
      `Cannot validate argument on parameter 'Kind'. The argument "Other" does not belong to the set "Base,Derived" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`,
    );
    expect(bindError([named('Version')])).toEqual({ message: "Missing an argument for parameter 'Version'. Specify a parameter of type 'System.Version' and try again.", id: 'MissingArgument,Get-Thing' });
  });

  test('common and ShouldProcess parameters are accepted', () => {
    const b = bindArguments(meta, [named('ErrorAction', 'Stop'), named('WhatIf'), named('ev', 'errs')]);
    expect(b.bound.get('ErrorAction')).toBe('Stop');
    expect(b.bound.get('WhatIf')).toBe(true);
    expect(b.bound.get('ErrorVariable')).toBe('errs');
  });
});

describe('parameter sets and mandatory parameters', () => {
  test('the default set wins when several remain; a set whose mandatory parameters are bound is chosen', () => {
    const b = bindArguments(meta, [named('Force')]);
    expect(resolveParameterSet(meta, b.candidateSets, b.bound)).toBe('ByName');
    const byId = bindArguments(meta, [named('Id', '7')]);
    expect(resolveParameterSet(meta, byId.candidateSets, byId.bound)).toBe('ById');
    expect(missingMandatory(meta, 'ById', new Map(), false).map((p) => p.name)).toEqual(['Id']);
  });
});

describe('pipeline input', () => {
  const noArgs = () => bindArguments(meta, []);

  test('an object binds by value to a parameter that takes any object', () => {
    const r = bindPipelineInput(meta, noArgs(), 42);
    expect(r.bound.get('InputObject')).toBe(42);
    expect([...r.sets]).toEqual(['ByObject']);
  });

  test('properties bind by name before any conversion by value', () => {
    const image = PSObject.fromEntries([['Name', 'NanoServer'], ['Extra', 1]]);
    const r = bindPipelineInput(meta, bindArguments(meta, [named('Force')]), image);
    expect(r.bound.get('Name')).toEqual(['NanoServer']);
    expect(r.boundNow).toEqual(['Name']);
  });

  test('input that fits no parameter is refused with InputObjectNotBound', () => {
    const noPipe: CommandMeta = { ...meta, parameters: meta.parameters.filter((p) => p.name === 'Force') };
    expect(() => bindPipelineInput(noPipe, bindArguments(noPipe, []), 'x')).toThrow(
      'The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.',
    );
  });
});

describe('passThruArguments (commands that parse their own arguments)', () => {
  const passMeta: CommandMeta = {
    name: 'Invoke-Thing',
    advanced: true,
    supportsShouldProcess: false,
    passThruArguments: true,
    parameters: [{ name: 'Arguments', type: 'object[]', position: 0, valueFromRemainingArguments: true }],
  };

  test('named and positional arguments reach the remaining-arguments parameter in order, as written', () => {
    const b = bindArguments(passMeta, [pos('images'), named('a'), named('-no-trunc'), named('f', 'x=1'), pos(3), named('Verbose')]);
    expect(b.bound.get('Arguments')).toEqual(['images', '-a', '--no-trunc', '-f:x=1', 3, '-Verbose']);
    expect(b.unbound).toEqual([]);
  });

  test('no arguments bind nothing', () => {
    expect(bindArguments(passMeta, []).bound.has('Arguments')).toBe(false);
  });

  test('without the opt-in an unknown named argument is still an error', () => {
    const strict = { ...passMeta, passThruArguments: false };
    expect(() => bindArguments(strict, [pos('images'), named('q')])).toThrow("A parameter cannot be found that matches parameter name 'q'.");
  });
});

// The parameter binder, in PowerShell's order: named arguments (exact name, alias, then unique
// prefix), positional arguments per parameter set, then pipeline input by value and by property
// name; then parameter-set resolution and the mandatory check. Error texts and ids are
// PowerShell 7's (ParameterBinderStrings.resx).

import type { ParameterDecl, ParameterType } from './cmdlet';
import { convertTo, SwitchParameter, toArray } from './coerce';
import { ErrorRecord, RuntimeException } from './errors';
import { getMember } from './members';
import { Hashtable, PSObject, PSVersion, toDisplayString } from './values';
import type { Extent } from '../language/ast';

export const allSets = '__AllParameterSets';

/** What the binder knows of a command: from a cmdlet declaration or a function's param() block. */
export interface CommandMeta {
  name: string;
  parameters: ParameterDecl[];
  defaultParameterSet?: string;
  /** Advanced commands get the common parameters and reject unknown ones; simple functions put them in $args. */
  advanced: boolean;
  supportsShouldProcess: boolean;
  /**
   * Every argument, named or positional, goes in order to the remaining-arguments parameter as
   * written (`-a`, `--no-trunc`, `-f:x` as `-f:x`): for commands that parse their own arguments.
   */
  passThruArguments?: boolean;
  /** Type conversion for parameters whose type is not one of ParameterType (function params like [hashtable[]]). */
  typeNames?: Record<string, string>;
}

/** One argument as the command line gave it, already evaluated. */
export type CommandArgument =
  | { kind: 'named'; name: string; value: unknown; hasValue: boolean; extent: Extent | null; literal?: string }
  | { kind: 'positional'; value: unknown; extent: Extent | null; literal?: string };
// `literal`: the text of a number typed as an argument (`-Version 1.0`). PowerShell keeps it, so
// the argument converts to [string] or [version] as typed, not as the number's string ("1").

export const commonParameters: ParameterDecl[] = [
  { name: 'Verbose', type: 'switch', aliases: ['vb'] },
  { name: 'Debug', type: 'switch', aliases: ['db'] },
  { name: 'ErrorAction', type: 'string', aliases: ['ea'], validateSet: ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend', 'Break'] },
  { name: 'WarningAction', type: 'string', aliases: ['wa'], validateSet: ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend', 'Break'] },
  { name: 'InformationAction', type: 'string', aliases: ['infa'], validateSet: ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend', 'Break'] },
  { name: 'ProgressAction', type: 'string', aliases: ['proga'], validateSet: ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend', 'Break'] },
  { name: 'ErrorVariable', type: 'string', aliases: ['ev'] },
  { name: 'WarningVariable', type: 'string', aliases: ['wv'] },
  { name: 'InformationVariable', type: 'string', aliases: ['iv'] },
  { name: 'OutVariable', type: 'string', aliases: ['ov'] },
  { name: 'OutBuffer', type: 'int', aliases: ['ob'] },
  { name: 'PipelineVariable', type: 'string', aliases: ['pv'] },
];

export const shouldProcessParameters: ParameterDecl[] = [
  { name: 'WhatIf', type: 'switch', aliases: ['wi'] },
  { name: 'Confirm', type: 'switch', aliases: ['cf'] },
];

export const commonParameterNames = new Set([...commonParameters, ...shouldProcessParameters].map((p) => p.name));

const dotnetTypeOf: Record<ParameterType, string> = {
  string: 'System.String', 'string[]': 'System.String[]', int: 'System.Int32', 'int[]': 'System.Int32[]',
  long: 'System.Int64', double: 'System.Double', bool: 'System.Boolean',
  switch: 'System.Management.Automation.SwitchParameter', version: 'System.Version',
  datetime: 'System.DateTime', scriptblock: 'System.Management.Automation.ScriptBlock', 'scriptblock[]': 'System.Management.Automation.ScriptBlock[]',
  hashtable: 'System.Collections.Hashtable', object: 'System.Object', 'object[]': 'System.Object[]',
};

function bindingError(
  meta: CommandMeta,
  errorId: string,
  message: string,
  category: ErrorRecord['category'] = 'InvalidArgument',
  target: unknown = null,
  extent: Extent | null = null,
): RuntimeException {
  return new RuntimeException(
    new ErrorRecord({
      message,
      errorId: `${errorId},${meta.name}`,
      category,
      exceptionType: 'System.Management.Automation.ParameterBindingException',
      targetObject: target,
      invocationInfo: { commandName: meta.name, extent, script: null },
    }),
  );
}

function setsOf(p: ParameterDecl): string[] {
  return p.sets && p.sets.length ? p.sets : [allSets];
}

/** Every named parameter set of the command (without the all-sets marker). */
export function parameterSets(meta: CommandMeta): string[] {
  const out = new Set<string>();
  for (const p of meta.parameters) for (const s of setsOf(p)) if (s !== allSets) out.add(s);
  if (out.size === 0) out.add(meta.defaultParameterSet ?? allSets);
  return [...out];
}

function inSets(p: ParameterDecl, sets: Set<string>): boolean {
  const ps = setsOf(p);
  return ps.includes(allSets) || ps.some((s) => sets.has(s));
}

export function allParameters(meta: CommandMeta): ParameterDecl[] {
  if (!meta.advanced) return meta.parameters;
  return meta.supportsShouldProcess
    ? [...meta.parameters, ...commonParameters, ...shouldProcessParameters]
    : [...meta.parameters, ...commonParameters];
}

/** Resolves `-Nam` to a parameter: exact name or alias first, then a unique prefix. */
export function resolveParameterName(meta: CommandMeta, given: string, extent: Extent | null): ParameterDecl | null {
  const lower = given.toLowerCase();
  const params = allParameters(meta);
  for (const p of params) {
    if (p.name.toLowerCase() === lower || p.aliases?.some((a) => a.toLowerCase() === lower)) return p;
  }
  const matches: { p: ParameterDecl; shown: string }[] = [];
  for (const p of params) {
    if (p.name.toLowerCase().startsWith(lower)) matches.push({ p, shown: p.name });
    else {
      const alias = p.aliases?.find((a) => a.toLowerCase().startsWith(lower));
      if (alias) matches.push({ p, shown: alias });
    }
  }
  const unique = [...new Map(matches.map((m) => [m.p.name, m])).values()];
  if (unique.length === 1) return unique[0].p;
  if (unique.length > 1) {
    throw bindingError(
      meta,
      'AmbiguousParameter',
      `Parameter cannot be processed because the parameter name '${given}' is ambiguous. Possible matches include: ${unique.map((m) => `-${m.shown}`).join(' ')}.`,
      'InvalidArgument',
      null,
      extent,
    );
  }
  return null;
}

/** Converts an argument to the parameter's type, with the binder's error text on failure. */
export function coerceArgument(meta: CommandMeta, p: ParameterDecl, value: unknown, extent: Extent | null, literal?: string): unknown {
  const typeName = meta.typeNames?.[p.name];
  if (literal !== undefined && typeof value === 'number' && (p.type === 'version' || p.type === 'string' || p.type === 'string[]' || /^(system\.)?(version|string)$/i.test(typeName ?? ''))) value = literal;
  let result: unknown;
  try {
    if (typeName) result = convertTo(value, typeName);
    else result = coerceToParameterType(p.type, value);
  } catch (e) {
    if (!(e instanceof RuntimeException)) throw e;
    throw bindingError(
      meta,
      'CannotConvertArgumentNoMessage',
      `Cannot bind parameter '${p.name}'. ${e.record.message}`,
      'InvalidArgument',
      null,
      extent,
    );
  }
  validate(meta, p, result, extent);
  return result;
}

function coerceToParameterType(type: ParameterType, value: unknown): unknown {
  switch (type) {
    case 'object':
      return value;
    case 'object[]':
      return toArray(value);
    case 'switch':
      return value instanceof SwitchParameter ? value.isPresent : convertTo(value, 'bool');
    case 'string':
      if (Array.isArray(value) && value.length !== 1) return value.map(toDisplayString).join(' ');
      return value === null || value === undefined ? null : convertTo(value, 'string');
    case 'string[]':
      return toArray(value).map((v) => convertTo(v, 'string'));
    case 'int':
      return convertTo(value, 'int');
    case 'int[]':
      return toArray(value).map((v) => convertTo(v, 'int'));
    case 'long':
      return convertTo(value, 'long');
    case 'double':
      return convertTo(value, 'double');
    case 'bool':
      return convertTo(value, 'bool');
    case 'version':
      return convertTo(value, 'version');
    case 'datetime':
      return convertTo(value, 'datetime');
    case 'hashtable':
      return convertTo(value, 'hashtable');
    case 'scriptblock[]':
      return toArray(value).map((v) => coerceToParameterType('scriptblock', v));
    case 'scriptblock': {
      const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (v !== null && typeof v === 'object' && (v as { isScriptBlock?: boolean }).isScriptBlock) return v;
      throw new RuntimeException(
        new ErrorRecord({
          message: `Cannot convert the "${toDisplayString(v)}" value of type "${v === null || v === undefined ? 'null' : typeof v === 'string' ? 'System.String' : 'System.Object'}" to type "System.Management.Automation.ScriptBlock".`,
          errorId: 'ConvertToFinalInvalidCastException',
          category: 'InvalidArgument',
        }),
      );
    }
  }
}

function validate(meta: CommandMeta, p: ParameterDecl, value: unknown, extent: Extent | null): void {
  const values = Array.isArray(value) ? value : [value];
  if (p.validateNotNullOrEmpty) {
    if (value === null || value === undefined || values.length === 0 || values.some((v) => v === null || v === undefined || v === '')) {
      throw bindingError(
        meta,
        'ParameterArgumentValidationError',
        `Cannot validate argument on parameter '${p.name}'. The argument is null or empty. Provide an argument that is not null or empty, and then try the command again.`,
        'InvalidData',
        null,
        extent,
      );
    }
  }
  if (p.validateSet) {
    for (const v of values) {
      const s = toDisplayString(v);
      if (!p.validateSet.some((allowed) => allowed.toLowerCase() === s.toLowerCase())) {
        throw bindingError(
          meta,
          'ParameterArgumentValidationError',
          `Cannot validate argument on parameter '${p.name}'. The argument "${s}" does not belong to the set "${p.validateSet.join(',')}" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`,
          'InvalidData',
          null,
          extent,
        );
      }
    }
  }
  if (p.mandatory && (value === null || value === undefined) && p.type !== 'object' && p.type !== 'object[]') {
    throw bindingError(
      meta,
      'ParameterArgumentValidationErrorNullNotAllowed',
      `Cannot bind argument to parameter '${p.name}' because it is null.`,
      'InvalidData',
      null,
      extent,
    );
  }
  if (p.mandatory && p.type === 'string' && value === '') {
    throw bindingError(
      meta,
      'ParameterArgumentValidationErrorEmptyStringNotAllowed',
      `Cannot bind argument to parameter '${p.name}' because it is an empty string.`,
      'InvalidData',
      null,
      extent,
    );
  }
}

/** The outcome of binding the command line (before any pipeline input). */
export interface StaticBinding {
  bound: Map<string, unknown>;
  /** Parameter sets still possible given the bound parameters. */
  candidateSets: Set<string>;
  /** Simple functions: arguments no parameter took ($args). */
  unbound: unknown[];
}

/** Binds named and positional arguments from the command line. */
export function bindArguments(meta: CommandMeta, args: CommandArgument[]): StaticBinding {
  const bound = new Map<string, unknown>();
  const boundExtent = new Map<string, Extent | null>();
  const positional: { value: unknown; extent: Extent | null; literal?: string }[] = [];
  const unbound: unknown[] = [];

  if (meta.passThruArguments) {
    const rest = meta.parameters.find((p) => p.valueFromRemainingArguments);
    if (rest && args.length) {
      const values = args.map((a) => (a.kind === 'positional' ? a.value : a.hasValue ? `-${a.name}:${argumentText(a.value)}` : `-${a.name}`));
      bound.set(rest.name, coerceArgument(meta, rest, values, args[0].extent));
    }
    return { bound, candidateSets: new Set(parameterSets(meta)), unbound };
  }

  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.kind === 'positional') {
      positional.push({ value: a.value, extent: a.extent, literal: a.literal });
      continue;
    }
    const p = resolveParameterName(meta, a.name, a.extent);
    if (!p) {
      if (!meta.advanced) {
        unbound.push(`-${a.name}`);
        if (a.hasValue) unbound.push(a.value);
        continue;
      }
      throw bindingError(meta, 'NamedParameterNotFound', `A parameter cannot be found that matches parameter name '${a.name}'.`, 'InvalidArgument', null, a.extent);
    }
    if (bound.has(p.name)) {
      throw bindingError(
        meta,
        'ParameterAlreadyBound',
        `Cannot bind parameter because parameter '${p.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
        'InvalidArgument',
        null,
        a.extent,
      );
    }
    let value: unknown;
    let literal = a.literal;
    if (p.type === 'switch') value = a.hasValue ? a.value : true;
    else if (a.hasValue) value = a.value;
    else {
      // `-Name value`: the next argument, if it is not itself a parameter, is the value.
      const next = args[i + 1];
      if (next && next.kind === 'positional') {
        value = next.value;
        literal = next.literal;
        i++;
      } else {
        const t = meta.typeNames?.[p.name] ?? dotnetTypeOf[p.type];
        throw bindingError(
          meta,
          'MissingArgument',
          `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${t}' and try again.`,
          'InvalidArgument',
          null,
          a.extent,
        );
      }
    }
    bound.set(p.name, coerceArgument(meta, p, value, a.extent, literal));
    boundExtent.set(p.name, a.extent);
  }

  let candidateSets = new Set(parameterSets(meta));
  for (const name of bound.keys()) {
    const p = allParameters(meta).find((x) => x.name === name)!;
    const ps = setsOf(p);
    if (ps.includes(allSets)) continue;
    candidateSets = new Set([...candidateSets].filter((s) => ps.includes(s)));
  }
  if (candidateSets.size === 0) throw ambiguousSet(meta);

  // Positional binding: in position order, over the parameters of the sets still possible.
  if (positional.length) {
    const remaining = positional.slice();
    const positions = [
      ...new Set(
        meta.parameters
          .filter((p) => p.position !== undefined && !bound.has(p.name) && inSets(p, candidateSets))
          .map((p) => p.position!),
      ),
    ].sort((a, b) => a - b);
    for (const pos of positions) {
      if (!remaining.length) break;
      const atPos = meta.parameters.filter((p) => p.position === pos && !bound.has(p.name) && inSets(p, candidateSets));
      // Several sets may put a parameter at this position: prefer one whose type the argument
      // already has (a script block goes to -FilterScript), then the default set's.
      const arg = remaining[0];
      const p =
        (atPos.length > 1 ? atPos.find((x) => x.type !== 'object' && x.type !== 'object[]' && matchesWithoutConversion(x.type, arg.value)) : undefined) ??
        atPos.find((x) => meta.defaultParameterSet && setsOf(x).includes(meta.defaultParameterSet)) ??
        atPos[0];
      if (!p) continue;
      if (p.valueFromRemainingArguments) {
        // `Write-Output a b c`: a remaining-arguments parameter at a position takes them all.
        const values = remaining.splice(0).map((r) => r.value);
        bound.set(p.name, coerceArgument(meta, p, values.length === 1 ? values[0] : values, arg.extent));
        continue;
      }
      remaining.shift();
      bound.set(p.name, coerceArgument(meta, p, arg.value, arg.extent, arg.literal));
      const ps = setsOf(p);
      if (!ps.includes(allSets)) candidateSets = new Set([...candidateSets].filter((s) => ps.includes(s)));
    }
    if (remaining.length) {
      const rest = meta.parameters.find((p) => p.valueFromRemainingArguments && !bound.has(p.name) && inSets(p, candidateSets));
      if (rest) {
        const values = remaining.map((r) => r.value);
        bound.set(rest.name, coerceArgument(meta, rest, values.length === 1 ? values[0] : values, remaining[0].extent));
      } else if (!meta.advanced) {
        unbound.push(...remaining.map((r) => r.value));
      } else {
        const first = remaining[0];
        throw bindingError(
          meta,
          'PositionalParameterNotFound',
          `A positional parameter cannot be found that accepts argument '${argumentText(first.value)}'.`,
          'InvalidArgument',
          first.value,
          first.extent,
        );
      }
    }
  }
  return { bound, candidateSets, unbound };
}

function argumentText(v: unknown): string {
  if (Array.isArray(v)) return 'System.Object[]';
  if (v instanceof Hashtable) return 'System.Collections.Hashtable';
  return toDisplayString(v);
}

function ambiguousSet(meta: CommandMeta): RuntimeException {
  return bindingError(
    meta,
    'AmbiguousParameterSet',
    'Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.',
  );
}

/** Whether any parameter of the still-possible sets takes pipeline input. */
export function takesPipelineInput(meta: CommandMeta, sets: Set<string>): boolean {
  return meta.parameters.some((p) => (p.valueFromPipeline || p.valueFromPipelineByPropertyName) && inSets(p, sets));
}

/**
 * The common case of a command whose only pipeline parameter takes any object by value
 * (-InputObject of Where-Object, ForEach-Object, Measure-Object…): each record can be bound by
 * assignment, without running the binder per object.
 */
export function directPipelineParameter(meta: CommandMeta, sets: Set<string>): ParameterDecl | null {
  const ps = meta.parameters.filter((p) => (p.valueFromPipeline || p.valueFromPipelineByPropertyName) && inSets(p, sets));
  if (ps.length !== 1) return null;
  const p = ps[0];
  return p.valueFromPipeline && !p.valueFromPipelineByPropertyName && p.type === 'object' && !p.mandatory && !p.validateNotNullOrEmpty && !p.validateSet && setsOf(p).includes(allSets) ? p : null;
}

function matchesWithoutConversion(type: ParameterType, v: unknown): boolean {
  switch (type) {
    case 'object':
    case 'object[]':
      return true;
    case 'string':
    case 'string[]':
      return typeof v === 'string';
    case 'int':
    case 'long':
    case 'double':
    case 'int[]':
      return typeof v === 'number';
    case 'version':
      return v instanceof PSVersion;
    case 'datetime':
      return v instanceof Date;
    case 'bool':
    case 'switch':
      return typeof v === 'boolean';
    case 'hashtable':
      return v instanceof Hashtable;
    case 'scriptblock':
    case 'scriptblock[]':
      return typeof v === 'object' && v !== null && (v as { isScriptBlock?: boolean }).isScriptBlock === true;
  }
}

function propertyFor(input: unknown, p: ParameterDecl): { found: boolean; value: unknown } {
  if (!(input instanceof PSObject) && !(input instanceof Hashtable)) {
    if (input === null || typeof input !== 'object') return { found: false, value: undefined };
  }
  for (const name of [p.name, ...(p.aliases ?? [])]) {
    if (input instanceof PSObject ? input.has(name) : input instanceof Hashtable ? false : getMember(input, name) !== undefined) {
      return { found: true, value: getMember(input, name) };
    }
  }
  return { found: false, value: undefined };
}

/**
 * Binds one pipeline object: by value without conversion, by property name, then by value with
 * conversion. Returns the parameters bound for this record and the sets they leave possible.
 */
export function bindPipelineInput(
  meta: CommandMeta,
  staticBinding: StaticBinding,
  input: unknown,
): { bound: Map<string, unknown>; sets: Set<string>; boundNow: string[] } {
  // The default parameter set is tried first when it is still possible, as PowerShell does.
  const def = meta.defaultParameterSet;
  if (def && staticBinding.candidateSets.has(def) && staticBinding.candidateSets.size > 1) {
    const first = bindPipelineInSets(meta, staticBinding, input, new Set([def]));
    if (first.boundNow.length) return first;
  }
  const r = bindPipelineInSets(meta, staticBinding, input, staticBinding.candidateSets);
  if (r.boundNow.length === 0) {
    if (r.firstError) throw r.firstError;
    throw bindingError(
      meta,
      'InputObjectNotBound',
      'The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.',
      'InvalidArgument',
      input,
    );
  }
  if (r.sets.size === 0) throw ambiguousSet(meta);
  return r;
}

/** One binding attempt within some sets: by value without conversion, by property name, by value with conversion. */
function bindPipelineInSets(
  meta: CommandMeta,
  staticBinding: StaticBinding,
  input: unknown,
  within: Set<string>,
): { bound: Map<string, unknown>; sets: Set<string>; boundNow: string[]; firstError: RuntimeException | null } {
  const bound = new Map(staticBinding.bound);
  let sets = new Set(within);
  const boundNow: string[] = [];
  const take = (p: ParameterDecl, value: unknown) => {
    bound.set(p.name, value);
    boundNow.push(p.name);
    const ps = setsOf(p);
    if (!ps.includes(allSets)) sets = new Set([...sets].filter((s) => ps.includes(s)));
  };
  const open = () => meta.parameters.filter((p) => !bound.has(p.name) && inSets(p, sets));

  let firstError: RuntimeException | null = null;
  const byValue = open().filter((p) => p.valueFromPipeline);
  // A typed parameter that the object already fits beats one that takes any object.
  const exact =
    byValue.find((p) => p.type !== 'object' && p.type !== 'object[]' && matchesWithoutConversion(p.type, input)) ??
    byValue.find((p) => p.type === 'object' || p.type === 'object[]');
  if (exact) take(exact, coerceArgument(meta, exact, input, null));
  else {
    for (const p of open().filter((x) => x.valueFromPipelineByPropertyName && propertyFor(input, x).found)) {
      try {
        take(p, coerceArgument(meta, p, propertyFor(input, p).value, null));
      } catch (e) {
        if (!(e instanceof RuntimeException)) throw e;
        firstError ??= e;
      }
    }
    if (boundNow.length === 0) {
      for (const p of open().filter((x) => x.valueFromPipeline)) {
        try {
          take(p, coerceArgument(meta, p, input, null));
          break;
        } catch (e) {
          if (!(e instanceof RuntimeException)) throw e;
          firstError ??= e;
        }
      }
    }
  }
  return { bound, sets, boundNow, firstError };
}

/** Picks the parameter set: the only one left, the default, or the one whose mandatory parameters are all bound. */
export function resolveParameterSet(meta: CommandMeta, sets: Set<string>, bound: Map<string, unknown>): string {
  if (sets.size === 1) return [...sets][0];
  if (meta.defaultParameterSet && sets.has(meta.defaultParameterSet)) return meta.defaultParameterSet;
  const satisfied = [...sets].filter((s) =>
    meta.parameters.every((p) => !p.mandatory || !setsOf(p).includes(s) || bound.has(p.name)),
  );
  if (satisfied.length === 1) return satisfied[0];
  if (sets.size === 1 || (sets.size > 0 && [...sets][0] === allSets)) return [...sets][0];
  throw ambiguousSet(meta);
}

/** Mandatory parameters of the set not yet bound (optionally leaving those pipeline input may still fill). */
export function missingMandatory(meta: CommandMeta, set: string, bound: Map<string, unknown>, skipPipelineBindable: boolean): ParameterDecl[] {
  return meta.parameters.filter(
    (p) =>
      p.mandatory &&
      !bound.has(p.name) &&
      (setsOf(p).includes(set) || setsOf(p).includes(allSets)) &&
      !(skipPipelineBindable && (p.valueFromPipeline || p.valueFromPipelineByPropertyName)),
  );
}

export function missingMandatoryError(meta: CommandMeta, missing: ParameterDecl[]): RuntimeException {
  return bindingError(
    meta,
    'MissingMandatoryParameter',
    `Cannot process command because of one or more missing mandatory parameters: ${missing.map((p) => p.name).join(' ')}.`,
    'InvalidArgument',
  );
}

export { dotnetTypeOf };

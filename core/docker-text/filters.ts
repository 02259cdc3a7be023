// `--filter name=value` as the docker CLI parses it (opts.FilterOpt / filters.ParseFlag) and as the
// engine validates it (filters.Args.Validate, GetBoolOrDefault), plus the reference matcher of
// `docker images --filter reference=…` (path.Match on the familiar name, with and without tag).

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Filter values by name (lower-cased, trimmed), in the order given. */
export class FilterArgs {
  private readonly map = new Map<string, string[]>();

  add(name: string, value: string): void {
    const v = this.map.get(name) ?? [];
    if (!v.includes(value)) v.push(value);
    this.map.set(name, v);
  }

  get(name: string): string[] {
    return this.map.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  get size(): number {
    return this.map.size;
  }

  /** The engine's check: every name must be accepted; else `invalid filter '<name>'`. */
  validate(accepted: readonly string[]): void {
    for (const k of this.map.keys()) if (!accepted.includes(k)) throw new FilterError(`invalid filter '${k}'`);
  }

  /** A boolean filter (e.g. dangling): absent → `def`; values must all be true/1 or all false/0. */
  getBool(name: string, def: boolean): boolean {
    const v = this.get(name);
    if (v.length === 0) return def;
    const lower = v.map((x) => x.toLowerCase());
    if (lower.every((x) => x === 'true' || x === '1')) return true;
    if (lower.every((x) => x === 'false' || x === '0')) return false;
    throw new FilterError(`invalid filter '${name}=[${v.join(' ')}]'`);
  }
}

/** Parses repeated `--filter` arguments: `name=value`; the name is lower-cased and both are trimmed. */
export function parseFilters(args: readonly string[]): FilterArgs {
  const f = new FilterArgs();
  for (const arg of args) {
    if (arg.length === 0) continue;
    const eq = arg.indexOf('=');
    if (eq < 0) throw new FilterError('bad format of filter (expected name=value)');
    f.add(arg.slice(0, eq).trim().toLowerCase(), arg.slice(eq + 1).trim());
  }
  return f;
}

/** The filter names `docker images` accepts. */
export const IMAGE_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'] as const;

/**
 * Go's path.Match: `*` any run of non-'/' characters, `?` one non-'/' character, `[...]` a class
 * (`^` or `!` negates, ranges `a-z`), `\` escapes. A malformed pattern matches nothing.
 */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return false;
      re += escapeRe(pattern[i]);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^' || pattern[j] === '!') {
        cls += '^';
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === '\\') {
          j++;
          if (j >= pattern.length) return false;
          cls += escapeRe(pattern[j]);
        } else if (d === '-') cls += '-';
        else cls += escapeRe(d);
      }
      if (!closed) return false;
      re += cls.startsWith('^') ? `(?!/)[${cls}]` : `[${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  re += '$';
  try {
    return new RegExp(re, 'u').test(name);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * reference.FamiliarMatch as `docker images --filter reference=<pattern>` uses it: path.Match of
 * the pattern against the familiar `name:tag`, else against the familiar name alone.
 */
export function matchReference(pattern: string, repository: string, tag?: string): boolean {
  if (tag !== undefined && pathMatch(pattern, `${repository}:${tag}`)) return true;
  return pathMatch(pattern, repository);
}

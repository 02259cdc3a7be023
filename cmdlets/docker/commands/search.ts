// `docker search`: the images the package sources' feeds offer (the ContainerImage provider's
// find), in the docker CLI's NAME DESCRIPTION STARS OFFICIAL AUTOMATED table.

import type { CmdletContext } from '../../../core/engine/cmdlet';
import { dockerError, writeRendered } from '../common';

/** The docker CLI 20.10 table (Debian's docker.io, the test peer; newer CLIs dropped AUTOMATED). */
const DEFAULT_FORMAT = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}\t{{.IsAutomated}}';
const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
/** registry.DefaultSearchLimit; the engine accepts 1 to 100. */
const DEFAULT_LIMIT = 25;

interface SearchFlags {
  limit: number;
  noTrunc: boolean;
  format?: string;
  filters: string[];
  term: string;
}

/** pflag-style parsing of `docker search` flags; a string is the usage error. */
function parseFlags(args: string[]): SearchFlags | string {
  const flags: SearchFlags = { limit: DEFAULT_LIMIT, noTrunc: false, filters: [], term: '' };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = (): string | null => (i + 1 < args.length ? args[++i] : null);
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (name === 'no-trunc') {
        flags.noTrunc = true;
        continue;
      }
      if (name !== 'limit' && name !== 'format' && name !== 'filter') return `unknown flag: --${name}`;
      const v = eq < 0 ? next() : a.slice(eq + 1);
      if (v === null) return `flag needs an argument: --${name}`;
      if (name === 'format') flags.format = v;
      else if (name === 'filter') flags.filters.push(v);
      else {
        if (!/^[+-]?\d+$/.test(v.trim()) || v !== v.trim()) return `invalid argument "${v}" for "--limit" flag: strconv.ParseInt: parsing "${v}": invalid syntax`;
        flags.limit = Number(v);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      if (a[1] !== 'f') return `unknown shorthand flag: '${a[1]}' in ${a}`;
      const v = a.length > 2 ? a.slice(2).replace(/^=/, '') : next();
      if (v === null) return `flag needs an argument: 'f' in -f`;
      flags.filters.push(v);
    } else positional.push(a);
  }
  if (positional.length !== 1) return '"docker search" requires exactly 1 argument.';
  flags.term = positional[0];
  return flags;
}

/** One search result, as the registry's search API returns it. */
interface SearchResult {
  name: string;
  description: string;
  starCount: number;
  isOfficial: boolean;
  isAutomated: boolean;
}

/**
 * `docker search [--limit N] [--no-trunc] [--format F] [-f is-official=…|is-automated=…|stars=N] TERM`:
 * the newest image of each name in the ContainerImage provider's sources whose name (or summary)
 * contains TERM, or whose name matches it when it has wildcards (`docker search *`). NAME is the
 * name in lower case (what `docker pull` takes); feeds have no stars (0) and no automated builds;
 * OFFICIAL is [OK] for an image from a trusted source (the embedded gallery is).
 */
export default async function search(ctx: CmdletContext, args: string[]): Promise<void> {
  const flags = parseFlags(args);
  if (typeof flags === 'string') ctx.throwTerminating(dockerError(ctx, `${flags}\nSee 'docker search --help'.`, 'DockerUsage'));
  const dt = require('../../../core/docker-text') as typeof import('../../../core/docker-text');
  const daemonError = (message: string): never => ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${message}`, 'DockerSearch'));

  // The engine's checks, in its order: filter names, boolean and number values, then the limit.
  let filters;
  try {
    filters = dt.parseFilters(flags.filters);
  } catch (e) {
    if (!(e instanceof dt.FilterError)) throw e;
    const bad = flags.filters.find((f) => !f.includes('=')) ?? '';
    return ctx.throwTerminating(dockerError(ctx, `invalid argument "${bad}" for "-f, --filter" flag: ${e.message}\nSee 'docker search --help'.`, 'DockerUsage'));
  }
  for (const k of filters.keys()) if (!['is-automated', 'is-official', 'stars'].includes(k)) daemonError(`Invalid filter '${k}'`);
  const boolFilter = (name: string): boolean | undefined => {
    if (!filters.has(name)) return undefined;
    const v = filters.get(name);
    if (v.length === 1 && (v[0] === 'true' || v[0] === 'false')) return v[0] === 'true';
    return daemonError(`Invalid filter '${name}=[${[...v].sort().join(' ')}]'`);
  };
  const automated = boolFilter('is-automated');
  const official = boolFilter('is-official');
  let minStars = 0;
  for (const s of filters.get('stars')) {
    if (!/^[+-]?\d+$/.test(s)) daemonError(`Invalid filter 'stars=${s}'`);
    minStars = Math.max(minStars, Number(s));
  }
  if (flags.limit < 1 || flags.limit > 100) daemonError(`Limit ${flags.limit} is outside the range of [1, 100]`);

  const results = await find(ctx, flags.term);
  const shown = results
    .slice(0, flags.limit) // the registry returns at most limit results; the engine filters those
    .filter((r) => (automated === undefined || r.isAutomated === automated) && (official === undefined || r.isOfficial === official) && r.starCount >= minStars);
  shown.sort((a, b) => b.starCount - a.starCount); // stable: ties keep the feeds' order

  const rows = shown.map((r) => {
    let description = r.description.replace(/[\n\r]/g, ' ');
    if (!flags.noTrunc) description = dt.ellipsis(description, 45);
    return {
      Name: r.name,
      Description: description,
      StarCount: String(r.starCount),
      IsOfficial: r.isOfficial ? '[OK]' : '',
      IsAutomated: r.isAutomated ? '[OK]' : '',
    };
  });
  const format = flags.format === undefined || flags.format === '' || flags.format === 'table' ? DEFAULT_FORMAT : flags.format;
  await writeRendered(ctx, () => dt.renderFormat({ format, headers: HEADERS, typeName: '*registry.searchContext', rows }));
}

/** The provider's find over every registered source: one result per lower-case name, first source first. */
async function find(ctx: CmdletContext, term: string): Promise<SearchResult[]> {
  const support = await import('../../../providers/cmdlet-support');
  const { findImages, nameMatches } = await import('../../../providers/containerimage');
  const { PackageError } = await import('../../../providers/provider');
  const { hasWildcard } = await import('../../../core/engine/operators');
  let found;
  try {
    found = await findImages({ names: [] }, support.makeRequest(ctx));
  } catch (e) {
    if (e instanceof PackageError) ctx.throwTerminating(dockerError(ctx, `Error response from daemon: ${e.message}`, 'DockerSearch', 'ResourceUnavailable'));
    throw e;
  }
  for (const f of found.failures) ctx.writeError(dockerError(ctx, `Error response from daemon: ${f.message}`, 'DockerSearchSource', 'ResourceUnavailable'));
  const needle = term.toLowerCase();
  const matches = (name: string, summary: string): boolean =>
    hasWildcard(term) ? nameMatches(name, term) : name.toLowerCase().includes(needle) || summary.toLowerCase().includes(needle);
  const out: SearchResult[] = [];
  const seen = new Set<string>();
  for (const r of found.refs) {
    const name = r.name.toLowerCase();
    if (seen.has(name) || !matches(r.name, r.summary)) continue;
    seen.add(name);
    out.push({ name, description: r.summary, starCount: 0, isOfficial: r.trusted, isAutomated: false });
  }
  return out;
}

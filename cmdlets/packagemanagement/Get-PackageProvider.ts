// Get-PackageProvider: the package providers loaded in this session (installed built-ins and
// imported ones); -ListAvailable also shows the bundled providers not installed yet.

import { defineCmdlet } from '../../core/engine/cmdlet';
import { wildcardMatch, hasWildcard } from '../../core/engine/operators';
import { activeProviders, BUILTIN_PROVIDERS, providerMatches } from '../../providers/provider';

export default defineCmdlet({
  verb: 'Get',
  noun: 'PackageProvider',
  module: 'PackageManagement',
  synopsis: 'Returns a list of package providers that are connected to PackageManagement.',
  outputType: ['Microsoft.PackageManagement.Implementation.PackageProvider'],
  parameters: [
    { name: 'Name', type: 'string[]', position: 0, description: 'Provider names; wildcards allowed.' },
    { name: 'ListAvailable', type: 'switch', description: 'Also the bundled providers that are not installed yet.' },
    { name: 'Force', type: 'switch', description: 'Accepted for compatibility.' },
  ],
  async end(ctx) {
    const s = await import('../../providers/cmdlet-support');
    const { providerObject } = await import('../../providers/provider-object');
    const names = s.namesParam(ctx.params.Name);
    const active = activeProviders(s.sessionOf(ctx));
    type Row = { name: string; aliases: string[]; version: string; features: Record<string, string[]>; dynamicOptions: import('../../providers/provider').DynamicOption[]; from: string };
    const rows: Row[] = active.map((a) => ({ name: a.provider.name, aliases: a.provider.aliases ?? [], version: a.provider.version, features: a.provider.features, dynamicOptions: a.provider.dynamicOptions, from: a.from }));
    if (ctx.params.ListAvailable === true) {
      for (const b of BUILTIN_PROVIDERS) {
        if (rows.some((r) => r.name.toLowerCase() === b.name.toLowerCase())) continue;
        const p = b.load();
        rows.push({ name: p.name, aliases: p.aliases ?? [], version: p.version, features: p.features, dynamicOptions: p.dynamicOptions, from: 'Built-in (not installed)' });
      }
    }
    const matches = (r: Row, n: string) => providerMatches({ name: r.name, aliases: r.aliases } as never, n, wildcardMatch);
    const chosen = names.length ? rows.filter((r) => names.some((n) => matches(r, n))) : rows;
    for (const r of chosen) await ctx.write(providerObject(r, r.from));
    for (const n of names) {
      if (hasWildcard(n) || rows.some((r) => matches(r, n))) continue;
      ctx.writeError(s.errorRecord(ctx, `Unable to find package provider '${n}'. It may not be imported yet. Try 'Get-PackageProvider -ListAvailable'.`, 'UnknownProviderFromActivatedList', 'InvalidArgument', n));
    }
  },
});

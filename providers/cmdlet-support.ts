// What the PackageManagement and ContainerImage cmdlets share: a ProviderRequest built from the
// cmdlet context, provider selection by -ProviderName, PackageManagement's error records and
// texts, and the untrusted-source confirmation.

import { isAbsolute, resolve } from 'node:path';
import type { CmdletContext } from '../core/engine/cmdlet';
import { ErrorRecord, type ErrorCategory } from '../core/engine/errors';
import { hasWildcard, wildcardMatch } from '../core/engine/operators';
import type { SessionState } from '../core/engine/session';
import { promptChoice } from '../core/engine/streams';
import { activeProviders, PackageError, providerMatches, type ActiveProvider, type ProviderRequest } from './provider';

export function sessionOf(ctx: CmdletContext): SessionState {
  return ctx.session as SessionState;
}

/** A path relative to the session's current location. */
export function resolveHere(ctx: CmdletContext, p: string): string {
  return isAbsolute(p) ? p : resolve(sessionOf(ctx).cwd, p);
}

export function makeRequest(ctx: CmdletContext, options: Record<string, unknown> = {}): ProviderRequest {
  const s = sessionOf(ctx);
  return {
    storeRoot: s.storeRoot,
    cwd: s.cwd,
    force: ctx.params.Force === true,
    options,
    writeVerbose: (m) => ctx.writeVerbose(m),
    writeWarning: (m) => ctx.writeWarning(m),
    writeDebug: (m) => ctx.writeDebug(m),
    writeProgress: (r) => ctx.writeProgress(r),
    get stopping() {
      return ctx.stopping;
    },
  };
}

/** The .NET class behind each PackageManagement cmdlet, for FullyQualifiedErrorIds. */
const CMDLET_CLASSES: Record<string, string> = {
  'Find-Package': 'Microsoft.PowerShell.PackageManagement.Cmdlets.FindPackage',
  'Install-Package': 'Microsoft.PowerShell.PackageManagement.Cmdlets.InstallPackage',
  'Save-Package': 'Microsoft.PowerShell.PackageManagement.Cmdlets.SavePackage',
  'Get-Package': 'Microsoft.PowerShell.PackageManagement.Cmdlets.GetPackage',
  'Uninstall-Package': 'Microsoft.PowerShell.PackageManagement.Cmdlets.UninstallPackage',
  'Get-PackageSource': 'Microsoft.PowerShell.PackageManagement.Cmdlets.GetPackageSource',
  'Register-PackageSource': 'Microsoft.PowerShell.PackageManagement.Cmdlets.RegisterPackageSource',
  'Set-PackageSource': 'Microsoft.PowerShell.PackageManagement.Cmdlets.SetPackageSource',
  'Unregister-PackageSource': 'Microsoft.PowerShell.PackageManagement.Cmdlets.UnregisterPackageSource',
  'Get-PackageProvider': 'Microsoft.PowerShell.PackageManagement.Cmdlets.GetPackageProvider',
  'Install-PackageProvider': 'Microsoft.PowerShell.PackageManagement.Cmdlets.InstallPackageProvider',
  'Import-PackageProvider': 'Microsoft.PowerShell.PackageManagement.Cmdlets.ImportPackageProvider',
};

export function errorRecord(ctx: CmdletContext, message: string, id: string, category: ErrorCategory, target: unknown = null, exceptionType = 'System.Exception'): ErrorRecord {
  const cls = CMDLET_CLASSES[ctx.commandName] ?? ctx.commandName;
  return new ErrorRecord({ message, errorId: `${id},${cls}`, category, targetObject: target, exceptionType });
}

/** PackageError → ErrorRecord; anything else is reported with its message. */
export function toErrorRecord(ctx: CmdletContext, e: unknown): ErrorRecord {
  if (e instanceof PackageError) return errorRecord(ctx, e.message, e.errorId, e.category, e.target);
  const se = e as { errorId?: string; category?: ErrorCategory; target?: unknown; message?: string };
  if (se && typeof se.errorId === 'string' && typeof se.message === 'string') {
    return errorRecord(ctx, se.message, se.errorId, se.category ?? 'InvalidOperation', se.target ?? null);
  }
  return errorRecord(ctx, (e as Error)?.message ?? String(e), 'UnhandledException', 'InvalidOperation');
}

/** PackageManagement's NoMatchFoundForCriteria. */
export function noMatch(ctx: CmdletContext, name: string): ErrorRecord {
  return errorRecord(ctx,
    `No match was found for the specified search criteria and package name '${name}'. Try Get-PackageSource to see all available registered package sources.`,
    'NoMatchFoundForCriteria', 'ObjectNotFound', name, 'Microsoft.PowerShell.PackageManagement.Cmdlets.Exception');
}

/**
 * The providers a -ProviderName selects (all active ones when absent). A name that matches
 * nothing is PackageManagement's UnknownProviders error.
 */
export function selectProviders(ctx: CmdletContext, names: string[] | undefined): ActiveProvider[] {
  const all = activeProviders(sessionOf(ctx));
  if (!names || names.length === 0) return all;
  const out: ActiveProvider[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const m = all.filter((a) => providerMatches(a.provider, n, wildcardMatch));
    if (!m.length && !hasWildcard(n)) unknown.push(n);
    for (const a of m) if (!out.includes(a)) out.push(a);
  }
  if (unknown.length) {
    ctx.throwTerminating(errorRecord(ctx, `Unable to find package providers (${unknown.join(', ')}).`, 'UnknownProviders', 'InvalidArgument', unknown.join(', ')));
  }
  return out;
}

/**
 * PackageManagement's question before installing from a source that is not trusted:
 *   The package(s) come(s) from a package source that is not marked as trusted.
 *   Are you sure you want to install software from '<source>'?
 *   [Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "N"):
 * -Force skips it (as does -Confirm:$false); a host that cannot ask raises the engine's error.
 * Answers for a source are remembered for the rest of the command.
 */
export async function confirmUntrustedSource(ctx: CmdletContext, sourceName: string): Promise<boolean> {
  if (ctx.params.Force === true) return true;
  if (ctx.boundParameters.has('Confirm') && ctx.params.Confirm === false) return true;
  const st = ctx.state as { trustedSources?: Set<string>; deniedSources?: Set<string>; yesToAll?: boolean; noToAll?: boolean };
  st.trustedSources ??= new Set();
  st.deniedSources ??= new Set();
  const key = sourceName.toLowerCase();
  if (st.yesToAll || st.trustedSources.has(key)) return true;
  if (st.noToAll || st.deniedSources.has(key)) return false;
  const answer = await promptChoice(
    sessionOf(ctx),
    'The package(s) come(s) from a package source that is not marked as trusted.',
    `Are you sure you want to install software from '${sourceName}'?`,
    ['&Yes', 'Yes to &All', '&No', 'No to A&ll', '&Suspend'],
    2,
  );
  if (answer === 1) st.yesToAll = true;
  if (answer === 3) st.noToAll = true;
  const yes = answer === 0 || answer === 1;
  (yes ? st.trustedSources : st.deniedSources).add(key);
  return yes;
}

/** `User declined to install untrusted package (X).` */
export function declined(ctx: CmdletContext, name: string): ErrorRecord {
  return errorRecord(ctx, `User declined to install untrusted package (${name}).`, 'UserDeclinedUntrustedPackageInstall', 'OperationStopped', name);
}

/** `Downloaded in 0 hours, 0 minutes, 10 seconds.` — TimeSpan's Hours, Minutes and Seconds components. */
export function downloadedIn(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600) % 24;
  const minutes = Math.floor(totalSeconds / 60) % 60;
  const seconds = totalSeconds % 60;
  return `Downloaded in ${hours} hours, ${minutes} minutes, ${seconds} seconds.`;
}

/** Names from a -Name parameter ([] when absent). */
export function namesParam(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/**
 * The generic cmdlets' version parameters, checked with PackageManagement's own messages
 * (the ContainerImage cmdlets use the original module's, in versions.ts).
 */
export function packageVersionCriteria(ctx: CmdletContext): import('./versions').VersionCriteria {
  const { versionCriteria } = require('./versions') as typeof import('./versions');
  let c: import('./versions').VersionCriteria;
  try {
    c = versionCriteria(ctx.params);
  } catch (e) {
    return ctx.throwTerminating(toErrorRecord(ctx, e));
  }
  if (c.allVersions && (c.requiredVersion || c.minimumVersion || c.maximumVersion)) {
    ctx.throwTerminating(errorRecord(ctx, 'You cannot use the parameter AllVersions with RequiredVersion, MinimumVersion or MaximumVersion in the same command.', 'AllVersionsCannotBeUsedWithOtherVersionParameters', 'InvalidArgument'));
  }
  if (c.requiredVersion && (c.minimumVersion || c.maximumVersion)) {
    ctx.throwTerminating(errorRecord(ctx, 'You cannot use the parameters RequiredVersion and either MinimumVersion or MaximumVersion in the same command.', 'VersionRangeAndRequiredVersionCannotBeSpecifiedTogether', 'InvalidArgument'));
  }
  if (c.minimumVersion && c.maximumVersion && c.minimumVersion.compareTo(c.maximumVersion) > 0) {
    ctx.throwTerminating(errorRecord(ctx, `The specified MinimumVersion '${String(ctx.params.MinimumVersion)}' is greater than the specified MaximumVersion '${String(ctx.params.MaximumVersion)}'`, 'MinimumVersionMustBeLessThanMaximumVersion', 'InvalidArgument'));
  }
  return c;
}

/**
 * Runs a query against each selected provider. A provider that does not know a requested
 * -Source is skipped; when none knows it, the SourceNotFound error is reported.
 */
export async function findAcrossProviders(
  ctx: CmdletContext,
  providers: ActiveProvider[],
  query: import('./provider').PackageQuery,
  request: ProviderRequest,
): Promise<{ found: import('./provider').SoftwareIdentity[]; sourceMissing: PackageError | null }> {
  const found: import('./provider').SoftwareIdentity[] = [];
  let sourceMissing: PackageError | null = null;
  let anyAnswered = false;
  for (const a of providers) {
    try {
      found.push(...(await a.provider.findPackage(query, request)));
      anyAnswered = true;
    } catch (e) {
      if (e instanceof PackageError && e.errorId === 'SourceNotFound') {
        sourceMissing = e;
        continue;
      }
      throw e;
    }
  }
  return { found, sourceMissing: anyAnswered ? null : sourceMissing };
}

/** The newest of several identities ([version] order; text order for versions that are not). */
export function newest(list: import('./provider').SoftwareIdentity[]): import('./provider').SoftwareIdentity {
  const { toVersion } = require('./versions') as typeof import('./versions');
  let best = list[0];
  for (const p of list.slice(1)) {
    const a = toVersion(p.version);
    const b = toVersion(best.version);
    if (a && b ? a.compareTo(b) > 0 : p.version > best.version) best = p;
  }
  return best;
}

export function nameMatch(name: string, pattern: string): boolean {
  if (pattern === '' || pattern === '*') return true;
  return hasWildcard(pattern) ? wildcardMatch(name, pattern) : name.toLowerCase() === pattern.toLowerCase();
}

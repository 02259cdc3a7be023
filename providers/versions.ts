// Version parameters and selection with [version] semantics (never semver): versions are
// normalised to four parts as the ContainerImage module's Convert-Version did ('10.0' →
// '10.0.0.0', '.5' → '0.5.0.0') and compared part by part.

import { PSVersion } from '../core/engine/values';
import { PackageError } from './provider';

/** Converts a parameter or feed value to a four-part version; null when it is not one. */
export function toVersion(value: unknown): PSVersion | null {
  if (value === null || value === undefined) return null;
  if (value instanceof PSVersion) return value.normalized();
  let text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : String(value);
  if (text === '') return null;
  if (text.startsWith('.')) text = '0' + text;
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return null;
  while (parts.length < 4) parts.push('0');
  return PSVersion.tryParse(parts.join('.'));
}

export interface VersionCriteria {
  requiredVersion: PSVersion | null;
  minimumVersion: PSVersion | null;
  maximumVersion: PSVersion | null;
  allVersions: boolean;
}

/** Parses the version parameters of a cmdlet call; a bad value is the binder-style conversion error. */
export function versionCriteria(params: Record<string, unknown>): VersionCriteria {
  const one = (key: string): PSVersion | null => {
    const v = params[key];
    if (v === undefined || v === null) return null;
    const r = toVersion(v);
    if (!r) throw new PackageError(`Cannot convert value "${String(v)}" to type "System.Version".`, 'InvalidVersion', 'InvalidArgument', v);
    return r;
  };
  return {
    requiredVersion: one('RequiredVersion'),
    minimumVersion: one('MinimumVersion'),
    maximumVersion: one('MaximumVersion'),
    allVersions: params.AllVersions === true,
  };
}

/** The original module's CheckVersion rules and messages; returns the failure or null. */
export function checkVersionCombination(c: VersionCriteria): PackageError | null {
  if (c.allVersions && c.requiredVersion) {
    return new PackageError('AllVersions and RequiredVersion cannot be used together', 'AllVersionsAndRequiredVersion', 'InvalidArgument');
  }
  if ((c.allVersions || c.requiredVersion) && (c.minimumVersion || c.maximumVersion)) {
    return new PackageError('AllVersions and RequiredVersion switch cannot be used with MinimumVersion or MaximumVersion', 'VersionRangeWithAllOrRequired', 'InvalidArgument');
  }
  if (c.minimumVersion && c.maximumVersion && c.maximumVersion.compareTo(c.minimumVersion) < 0) {
    return new PackageError('Minimum Version cannot be more than Maximum Version', 'MinimumVersionGreaterThanMaximum', 'InvalidArgument');
  }
  return null;
}

/** Min/Max need a name (not empty, not '*'), as the original Find-Package said. */
export function checkNameForRange(names: string[], c: VersionCriteria): PackageError | null {
  if (!c.minimumVersion && !c.maximumVersion) return null;
  const blank = names.length === 0 || names.some((n) => n.trim() === '' || n.trim() === '*');
  return blank ? new PackageError('Name is required when either MinimumVersion or MaximumVersion parameter is used', 'NameRequiredForMinOrMaxVersion', 'InvalidData') : null;
}

/** Whether a version satisfies the criteria (ignoring "newest only"). */
export function versionMatches(v: PSVersion, c: VersionCriteria): boolean {
  if (c.requiredVersion && v.compareTo(c.requiredVersion) !== 0) return false;
  if (c.minimumVersion && v.compareTo(c.minimumVersion) < 0) return false;
  if (c.maximumVersion && v.compareTo(c.maximumVersion) > 0) return false;
  return true;
}

/**
 * Filters entries by the criteria, then keeps the newest version of each name unless
 * AllVersions. Names keep their first-seen order; with AllVersions a name's versions come
 * newest first.
 */
export function selectVersions<T>(entries: T[], nameOf: (e: T) => string, versionOf: (e: T) => PSVersion, c: VersionCriteria): T[] {
  const groups = new Map<string, T[]>();
  for (const e of entries) {
    if (!versionMatches(versionOf(e), c)) continue;
    const key = nameOf(e).toLowerCase();
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(e);
  }
  const out: T[] = [];
  for (const g of groups.values()) {
    const sorted = g.slice().sort((a, b) => versionOf(b).compareTo(versionOf(a)));
    if (c.allVersions) out.push(...sorted);
    else out.push(sorted[0]);
  }
  return out;
}

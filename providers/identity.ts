// SoftwareIdentity and PackageSource objects as the pipeline carries them (PSObjects whose first
// type name selects the registered views), and the way back from a pipeline object to what a
// provider needs.

import { PSObject } from '../core/engine/values';
import type { PackageSource, SoftwareIdentity } from './provider';

export const SOFTWARE_IDENTITY_TYPE = 'Microsoft.PackageManagement.Packaging.SoftwareIdentity';
export const PACKAGE_SOURCE_TYPE = 'Microsoft.PackageManagement.Packaging.PackageSource';
export const PACKAGE_PROVIDER_TYPE = 'Microsoft.PackageManagement.Implementation.PackageProvider';

export function identityObject(p: SoftwareIdentity): PSObject {
  const o = new PSObject([SOFTWARE_IDENTITY_TYPE, 'Microsoft.PackageManagement.Packaging.Swidtag', 'System.Object']);
  o.set('Name', p.name);
  o.set('Version', p.version);
  o.set('Status', p.status);
  o.set('Source', p.source);
  o.set('Summary', p.summary);
  o.set('ProviderName', p.providerName);
  o.set('FastPackageReference', p.fastPackageReference);
  o.set('FromTrustedSource', p.fromTrustedSource);
  o.set('FullPath', p.fullPath ?? '');
  o.set('VersionScheme', 'MultiPartNumeric');
  for (const [k, v] of Object.entries(p.extra ?? {})) o.set(k, v);
  o.toStringFn = () => SOFTWARE_IDENTITY_TYPE;
  return o;
}

/** Reads a SoftwareIdentity back from a pipeline object (also a deserialized one). */
export function identityFromObject(o: unknown): SoftwareIdentity | null {
  if (!(o instanceof PSObject)) return null;
  const ref = o.get('FastPackageReference');
  const provider = o.get('ProviderName');
  if (typeof ref !== 'string' || typeof provider !== 'string') return null;
  const str = (k: string) => {
    const v = o.get(k);
    return v === undefined || v === null ? '' : String(v);
  };
  const status = str('Status');
  return {
    name: str('Name'),
    version: str('Version'),
    status: status === 'Installed' || status === 'Downloaded' ? status : 'Available',
    source: str('Source'),
    summary: str('Summary'),
    providerName: provider,
    fastPackageReference: ref,
    fromTrustedSource: o.get('FromTrustedSource') === true,
    fullPath: str('FullPath'),
  };
}

export function sourceObject(s: PackageSource): PSObject {
  const o = new PSObject([PACKAGE_SOURCE_TYPE, 'System.Object']);
  o.set('Name', s.name);
  o.set('Location', s.location);
  o.set('Source', s.name);
  o.set('ProviderName', s.providerName);
  o.set('IsTrusted', s.isTrusted);
  o.set('IsRegistered', s.isRegistered);
  o.set('IsValidated', true);
  o.toStringFn = () => s.name;
  return o;
}

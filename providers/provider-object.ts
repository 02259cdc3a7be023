// PackageProvider objects (Get-PackageProvider, Import-PackageProvider) for the pipeline.

import { PSObject } from '../core/engine/values';
import { toVersion } from './versions';
import { PACKAGE_PROVIDER_TYPE } from './identity';
import type { PackageProvider } from './provider';

export function providerObject(p: Pick<PackageProvider, 'name' | 'version' | 'features' | 'dynamicOptions'>, from: string): PSObject {
  const o = new PSObject([PACKAGE_PROVIDER_TYPE, 'System.Object']);
  o.set('Name', p.name);
  o.set('Version', toVersion(p.version) ?? p.version);
  o.set('DynamicOptions', p.dynamicOptions.map((d) => PSObject.fromEntries([['Name', d.name], ['Category', d.category], ['Type', d.type], ['IsRequired', d.isRequired]])));
  o.set('ProviderName', p.name);
  o.set('ProviderPath', from);
  o.set('Features', Object.fromEntries(Object.entries(p.features)));
  o.toStringFn = () => p.name;
  return o;
}

// Builders for the objects the cmdlets will emit, shaped as SPEC §9/§11 describe them.
import { PSObject, PSVersion } from '../../core/engine/values';
import { TYPE_NAMES } from '../../core/format';

export function obj(entries: Record<string, unknown>, typeNames?: string[]): PSObject {
  return PSObject.fromEntries(Object.entries(entries), typeNames);
}

export function containerImage(
  name: string,
  publisher: string,
  version: string,
  isOS: boolean,
  parent: PSObject | null = null,
): PSObject {
  const o = obj(
    {
      Name: name,
      Publisher: publisher,
      Version: PSVersion.tryParse(version),
      IsOSImage: isOS,
      ParentImage: parent,
      FullName: `${publisher}_${name}_${version}`,
      ImageId: 'sha256:' + '0'.repeat(64),
      Size: 1234567,
      Created: new Date(2016, 4, 2, 10, 0, 0),
      Path: `/store/images/${name}`,
    },
    [TYPE_NAMES.ContainerImage, 'System.Object'],
  );
  o.toStringFn = () => `ContainerImage (Name = '${name}') [Publisher = '${publisher}', Version = '${version}']`;
  return o;
}

export function softwareIdentity(name: string, version: string, source: string, summary: string): PSObject {
  return obj(
    { Name: name, Version: version, Source: source, Summary: summary, ProviderName: 'ContainerImage' },
    [TYPE_NAMES.SoftwareIdentity, 'System.Object'],
  );
}

/** What Select-Object produces: a PSCustomObject named after the source type. */
export function selected(from: PSObject, props: string[]): PSObject {
  return obj(
    Object.fromEntries(props.map((p) => [p, from.get(p)])),
    ['Selected.' + from.typeNames[0], 'System.Management.Automation.PSCustomObject', 'System.Object'],
  );
}

export function custom(entries: Record<string, unknown>): PSObject {
  return obj(entries);
}

/** Lines of a text block, for readable expectations. */
export function lines(...ls: string[]): string {
  return ls.map((l) => l + '\n').join('');
}

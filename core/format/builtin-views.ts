// The views the product ships, as data (SPEC §6 and pwsh 7's built-in format data for the types
// our engine emits). Cmdlet authors: put the TYPE_NAMES value first in an object's typeNames
// (e.g. `new PSObject([TYPE_NAMES.ContainerImage, 'System.Object'])`); the short names
// ('ContainerImage', 'Container', 'SoftwareIdentity', 'PackageProvider', 'PackageSource') are
// registered as well, so either spelling selects the view.
import { PSObject } from '../engine/values';
import { registerView, type View } from './views';

export const TYPE_NAMES = {
  /** Get-ContainerImage, New-ContainerImage (TP5's Containers module type). */
  ContainerImage: 'Microsoft.Containers.PowerShell.Objects.ContainerImage',
  /** Get-Container, New-Container. */
  Container: 'Microsoft.Containers.PowerShell.Objects.Container',
  /** Find-ContainerImage, Find-Package, Get-Package (PackageManagement's type). */
  SoftwareIdentity: 'Microsoft.PackageManagement.Packaging.SoftwareIdentity',
  PackageProvider: 'Microsoft.PackageManagement.Implementation.PackageProvider',
  PackageSource: 'Microsoft.PackageManagement.Packaging.PackageSource',
  /** Get-Command; CmdletInfo/FunctionInfo/AliasInfo/... share the view. */
  CmdletInfo: 'System.Management.Automation.CmdletInfo',
  FunctionInfo: 'System.Management.Automation.FunctionInfo',
  AliasInfo: 'System.Management.Automation.AliasInfo',
  CommandInfo: 'System.Management.Automation.CommandInfo',
  PSVariable: 'System.Management.Automation.PSVariable',
  GroupInfo: 'Microsoft.PowerShell.Commands.GroupInfo',
  GenericMeasureInfo: 'Microsoft.PowerShell.Commands.GenericMeasureInfo',
  MemberDefinition: 'Microsoft.PowerShell.Commands.MemberDefinition',
  /** What a Hashtable's entries become when formatted (Name/Value). */
  DictionaryEntry: 'System.Collections.DictionaryEntry',
} as const;

/** DynamicOptions print as their names joined by ", " (PackageManagement's view does the same). */
function joinNames(value: unknown): string {
  if (!Array.isArray(value)) return value === null || value === undefined ? '' : String(value);
  return value.map((o) => (o instanceof PSObject && o.has('Name') ? String(o.get('Name')) : String(o))).join(', ');
}

const commandInfoView: View = {
  kind: 'table',
  columns: [
    { label: 'CommandType', value: 'CommandType', width: 15 },
    {
      label: 'Name',
      // Aliases show `dir -> Get-ChildItem` (their DisplayName), as pwsh's view script does.
      value: (o) =>
        o instanceof PSObject && String(o.get('CommandType')) === 'Alias' && o.has('DisplayName')
          ? o.get('DisplayName')
          : o instanceof PSObject
            ? o.get('Name')
            : undefined,
      width: 50,
    },
    { label: 'Version', value: 'Version', width: 10 },
    { label: 'Source', value: 'Source', width: null },
  ],
};

/** [type names, views in order (the first is the default)]. */
export const BUILTIN_VIEWS: [string[], View[]][] = [
  [
    [TYPE_NAMES.ContainerImage, 'ContainerImage'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: null },
          { label: 'Publisher', value: 'Publisher', width: null },
          { label: 'Version', value: 'Version', width: null },
          { label: 'IsOSImage', value: 'IsOSImage', width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.SoftwareIdentity, 'SoftwareIdentity'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: 30 },
          { label: 'Version', value: 'Version', width: 16 },
          { label: 'Source', value: 'Source', width: 16 },
          { label: 'Summary', value: 'Summary', width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.Container, 'Container'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: null },
          { label: 'State', value: 'State', width: null },
          { label: 'Uptime', value: 'Uptime', width: null },
          { label: 'ParentImageName', value: 'ParentImageName', width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.PackageProvider, 'PackageProvider'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: null },
          { label: 'Version', value: 'Version', width: null },
          { label: 'DynamicOptions', value: (o) => joinNames(o instanceof PSObject ? o.get('DynamicOptions') : undefined), width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.PackageSource, 'PackageSource'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: null },
          { label: 'ProviderName', value: 'ProviderName', width: null },
          { label: 'IsTrusted', value: 'IsTrusted', width: null },
          { label: 'Location', value: 'Location', width: null },
        ],
      },
    ],
  ],
  [
    [
      TYPE_NAMES.CommandInfo,
      TYPE_NAMES.CmdletInfo,
      TYPE_NAMES.FunctionInfo,
      TYPE_NAMES.AliasInfo,
      'System.Management.Automation.ApplicationInfo',
      'System.Management.Automation.ExternalScriptInfo',
      'System.Management.Automation.FilterInfo',
      'System.Management.Automation.ScriptInfo',
    ],
    [commandInfoView],
  ],
  [
    [TYPE_NAMES.PSVariable],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: 30 },
          { label: 'Value', value: 'Value', width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.DictionaryEntry],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: 30 },
          { label: 'Value', value: 'Value', width: null },
        ],
      },
    ],
  ],
  [
    // Get-Help with a wildcard that matches several commands.
    ['HelpInfoShort'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Name', value: 'Name', width: 33 },
          { label: 'Category', value: 'Category', width: 9 },
          { label: 'Module', value: 'Module', width: 25 },
          { label: 'Synopsis', value: 'Synopsis', width: null },
        ],
      },
    ],
  ],
  [
    // Group-Object -NoElement: its GroupInfoNoElement has no Group to show.
    ['Microsoft.PowerShell.Commands.GroupInfoNoElement'],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Count', value: 'Count', width: 5, alignment: 'Right' },
          { label: 'Name', value: 'Name', width: null },
        ],
      },
    ],
  ],
  [
    [TYPE_NAMES.GroupInfo],
    [
      {
        kind: 'table',
        columns: [
          { label: 'Count', value: 'Count', width: 5, alignment: 'Right' },
          { label: 'Name', value: 'Name', width: 25 },
          { label: 'Group', value: 'Group', width: null },
        ],
      },
      {
        kind: 'list',
        entries: ['Name', 'Count', 'Group', 'Values'].map((p) => ({ label: p, value: p })),
      },
    ],
  ],
  [
    [TYPE_NAMES.GenericMeasureInfo],
    [
      {
        kind: 'list',
        // pwsh 7 prints these seven, StandardDeviation included, in this order.
        entries: ['Count', 'Average', 'Sum', 'Maximum', 'Minimum', 'StandardDeviation', 'Property'].map((p) => ({
          label: p,
          value: p,
        })),
      },
    ],
  ],
  [
    [TYPE_NAMES.MemberDefinition],
    [
      {
        kind: 'table',
        autoSize: true,
        groupBy: { label: 'TypeName', value: 'TypeName' },
        columns: [
          { label: 'Name', value: 'Name', width: null },
          { label: 'MemberType', value: 'MemberType', width: null },
          { label: 'Definition', value: 'Definition', width: null },
        ],
      },
    ],
  ],
];

/** pwsh 7.4 on Unix (FileSystem_format_ps1xml.cs, childrenWithUnixStat): grouped by parent folder. */
const directoryGroup = {
  // DirectoryDisplayGrouping is `    Directory: ` (four spaces); the group header adds three.
  label: ' Directory',
  value: (o: unknown) => (o instanceof PSObject ? String(o.get('PSParentPath') ?? '').replace(/^Microsoft\.PowerShell\.Core\\FileSystem::/, '') : ''),
};

function fileTime(o: unknown): string {
  const d = o instanceof PSObject ? o.get('LastWriteTime') : undefined;
  if (!(d instanceof Date)) return '';
  const p2 = (n: number) => String(n).padStart(2, '0');
  // '{0:d} {0:HH}:{0:mm}' in the invariant culture the engine formats dates with.
  return `${p2(d.getMonth() + 1)}/${p2(d.getDate())}/${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

BUILTIN_VIEWS.push(
  [
    ['System.IO.DirectoryInfo', 'System.IO.FileInfo'],
    [
      {
        kind: 'table',
        groupBy: directoryGroup,
        columns: [
          { label: 'UnixMode', value: 'UnixMode', width: 10, alignment: 'Left' },
          { label: 'User', value: 'User', width: 10, alignment: 'Right' },
          { label: 'Group', value: 'Group', width: 10, alignment: 'Left' },
          { label: 'LastWriteTime', value: fileTime, width: 16, alignment: 'Right' },
          { label: 'Size', value: 'Size', width: 12, alignment: 'Right' },
          { label: 'Name', value: 'NameString', width: null, alignment: 'Left' },
        ],
      },
    ],
  ],
  [
    ['System.Management.Automation.PathInfo'],
    [{ kind: 'table', columns: [{ label: 'Path', value: 'Path', width: null }] }],
  ],
);

let registered = false;

/** Registers the built-in views once (the formatter calls it before its first use). */
export function registerBuiltinViews(): void {
  if (registered) return;
  registered = true;
  for (const [names, views] of BUILTIN_VIEWS) for (const n of names) for (const v of views) registerView(n, v);
}

// The objects the utility cmdlets return (not their display): GroupInfo, MemberDefinition,
// AliasInfo, Hashtable, FormatStartData, and Sort-Object's ordering rules
// (expectations from pwsh's Sort-Object.Tests.ps1 and Group-Object.Tests.ps1 where noted).
import { Hashtable, PSObject } from '../../core/engine/values';
import { FormatRequest } from '../../core/format';
import { evaluate } from '../helpers/posh';

const props = (o: unknown) => (o as PSObject).properties().map((p) => p.name);

describe('Group-Object', () => {
  test('GroupInfo: Values, Count, Group, Name in that order, typed for its view', async () => {
    const [g] = (await evaluate(`'a', 'a' | Group-Object`)) as PSObject[];
    expect(props(g)).toEqual(['Values', 'Count', 'Group', 'Name']);
    expect(g.typeNames).toEqual(['Microsoft.PowerShell.Commands.GroupInfo', 'System.Object']);
    expect([g.get('Values'), g.get('Count'), g.get('Group'), g.get('Name')]).toEqual([['a'], 2, ['a', 'a'], 'a']);
  });

  test('-NoElement: an empty Group and the GroupInfoNoElement type', async () => {
    const [g] = (await evaluate(`'a', 'a' | Group-Object -NoElement`)) as PSObject[];
    expect(g.get('Group')).toEqual([]);
    expect(g.get('Count')).toBe(2);
    expect(g.typeNames[0]).toBe('Microsoft.PowerShell.Commands.GroupInfoNoElement');
  });

  test('several properties: Name joins the values, Values keeps them', async () => {
    const out = (await evaluate(`[pscustomobject]@{a='x'; b=1}, [pscustomobject]@{a='x'; b=1}, [pscustomobject]@{a='y'; b=2} | Group-Object a, b`)) as PSObject[];
    expect(out.map((g) => g.get('Name'))).toEqual(['x, 1', 'y, 2']);
    expect(out[0].get('Values')).toEqual(['x', 1]);
  });

  test('-AsHashTable returns one Hashtable keyed by value; -AsString by text', async () => {
    const [t] = (await evaluate(`1, 2, 1 | Group-Object -AsHashTable`)) as Hashtable[];
    expect(t).toBeInstanceOf(Hashtable);
    expect(t.keys()).toEqual([1, 2]);
    expect(t.get(1)).toEqual([1, 1]);
    const [s] = (await evaluate(`1, 2, 1 | Group-Object -AsHashTable -AsString`)) as Hashtable[];
    expect(s.keys()).toEqual(['1', '2']);
  });

  test('a collection value is named {a, b}', async () => {
    const out = (await evaluate(`[pscustomobject]@{t=@('a','b')} | Group-Object t`)) as PSObject[];
    expect(out[0].get('Name')).toBe('{a, b}');
  });

  test('no input, no output', async () => {
    expect(await evaluate(`@() | Group-Object`)).toEqual([]);
  });
});

describe('Sort-Object', () => {
  // pwsh's Sort-Object.Tests.ps1: "Sort-Object with Two Order Entry Keys should work"
  test('two hashtable keys with their own directions under -Descending', async () => {
    const out = (await evaluate(`
      $m = [pscustomobject]@{FirstName='john'; LastName='smith'; YearsInMS=5}, [pscustomobject]@{FirstName='joesph'; LastName='smith'; YearsInMS=15}, [pscustomobject]@{FirstName='john'; LastName='smyth'; YearsInMS=2}
      $m | Sort-Object -Property @{expression='LastName'; ascending=$false}, @{expression='FirstName'; ascending=$true} -Descending`)) as PSObject[];
    expect(out.map((o) => o.get('YearsInMS'))).toEqual([2, 15, 5]);
  });

  test('$null sorts before strings, and as 0 among numbers', async () => {
    expect(await evaluate(`'b', $null, 'a' | Sort-Object`)).toEqual([null, 'a', 'b']);
    expect(await evaluate(`1, $null, -1 | Sort-Object`)).toEqual([-1, null, 1]);
    expect(await evaluate(`1, $null, -1 | Sort-Object -Descending`)).toEqual([1, null, -1]);
  });

  test('booleans and dates', async () => {
    expect(await evaluate(`$true, $false | Sort-Object`)).toEqual([false, true]);
    const dates = (await evaluate(`[datetime]'2020-01-02', [datetime]'2019-05-01' | Sort-Object`)) as Date[];
    expect(dates.map((d) => d.getFullYear())).toEqual([2019, 2020]);
  });

  test('objects without -Property compare by their text', async () => {
    const out = (await evaluate(`[pscustomobject]@{a='b'}, [pscustomobject]@{a='a'} | Sort-Object`)) as PSObject[];
    expect(out.map((o) => o.get('a'))).toEqual(['a', 'b']);
  });

  test('a wildcard property expands against the first object', async () => {
    const out = (await evaluate(`[pscustomobject]@{k1=2; k2='b'}, [pscustomobject]@{k1=1; k2='z'}, [pscustomobject]@{k1=1; k2='a'} | Sort-Object k*`)) as PSObject[];
    expect(out.map((o) => `${o.get('k1')}${o.get('k2')}`)).toEqual(['1a', '1z', '2b']);
  });
});

describe('Get-Member', () => {
  test('MemberDefinition objects: TypeName, Name, MemberType, Definition', async () => {
    const out = (await evaluate(`[pscustomobject]@{Size=1} | Get-Member -MemberType NoteProperty`)) as PSObject[];
    expect(out).toHaveLength(1);
    expect(out[0].typeNames[0]).toBe('Microsoft.PowerShell.Commands.MemberDefinition');
    expect(out[0].properties()).toEqual([
      { name: 'TypeName', value: 'System.Management.Automation.PSCustomObject' },
      { name: 'Name', value: 'Size' },
      { name: 'MemberType', value: 'NoteProperty' },
      { name: 'Definition', value: 'int Size=1' },
    ]);
    expect(String(out[0])).toBe('int Size=1');
  });

  test('-MemberType Methods is every method type; the hidden members need -Force', async () => {
    const names = async (s: string) => ((await evaluate(s)) as PSObject[]).map((m) => m.get('Name'));
    expect(await names(`[pscustomobject]@{a=1} | Get-Member -MemberType Methods`)).toEqual(['Equals', 'GetHashCode', 'GetType', 'ToString']);
    expect(await names(`[pscustomobject]@{a=1} | Get-Member -Name ps*`)).toEqual([]);
    expect(await names(`[pscustomobject]@{a=1} | Get-Member -Name ps* -Force`)).toEqual(['pstypenames', 'psadapted', 'psbase', 'psextended', 'psobject']);
  });

  test('Select-Object results are custom objects with note properties', async () => {
    const out = (await evaluate(`'abc' | Select-Object Length | Get-Member -MemberType NoteProperty`)) as PSObject[];
    expect(out.map((m) => [m.get('TypeName'), m.get('Definition')])).toEqual([['Selected.System.String', 'int Length=3']]);
  });

  test('versions and dates list their properties', async () => {
    const v = (await evaluate(`[version]'1.2.3.4' | Get-Member -MemberType Property`)) as PSObject[];
    expect(v.map((m) => m.get('Definition'))).toEqual([
      'int Build {get;}', 'int Major {get;}', 'short MajorRevision {get;}', 'int Minor {get;}', 'short MinorRevision {get;}', 'int Revision {get;}',
    ]);
  });
});

describe('Get-Alias', () => {
  test('AliasInfo objects sorted by name, with the definition', async () => {
    const out = (await evaluate(`Get-Alias -Definition Get-Help`)) as PSObject[];
    expect(out.map((a) => [a.get('Name'), a.get('Definition'), a.get('DisplayName'), a.get('CommandType')])).toEqual([
      ['help', 'Get-Help', 'help -> Get-Help', 'Alias'],
      ['man', 'Get-Help', 'man -> Get-Help', 'Alias'],
    ]);
    expect(out[0].typeNames[0]).toBe('System.Management.Automation.AliasInfo');
  });

  test('names from the pipeline; within one call each alias once', async () => {
    const names = async (s: string) => ((await evaluate(s)) as PSObject[]).map((a) => a.get('Name'));
    expect(await names(`'gcm', 'ft' | Get-Alias`)).toEqual(['gcm', 'ft']);
    expect(await names(`Get-Alias gcm, g?m, gc?`)).toEqual(['gcm', 'gci']);
  });
});

describe('Format-Table and Format-List', () => {
  test('emit one format object for all their input', async () => {
    const out = await evaluate(`1, 2, 3 | Format-Table`);
    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(FormatRequest);
    expect((out[0] as FormatRequest).values).toEqual([1, 2, 3]);
    const list = await evaluate(`Format-List -InputObject ([pscustomobject]@{a=1})`);
    expect((list[0] as FormatRequest).shape).toBe('list');
  });
});

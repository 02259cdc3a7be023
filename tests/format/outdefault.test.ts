// Out-Default's streaming formatter: shape choice, mixed types, batching, format requests.
import { Hashtable, PSVersion } from '../../core/engine/values';
import { OutputFormatter, TYPE_NAMES, formatList, formatTable, formatToString } from '../../core/format';
import { containerImage, custom, lines, obj } from './helpers';

function run(values: unknown[], opts: ConstructorParameters<typeof OutputFormatter>[0] = {}): { chunks: string[]; text: string } {
  const f = new OutputFormatter(opts);
  const chunks = values.map((v) => f.write(v));
  chunks.push(f.flush());
  return { chunks, text: chunks.join('') };
}

describe('default shape', () => {
  test('scalars print one per line, with no blank lines', () => {
    const { text } = run(['a', 42, 1.5, true, null, new PSVersion(10, 0, 14300, 1010), new Date(2016, 4, 2, 9, 5, 7)]);
    expect(text).toBe(lines('a', '42', '1.5', 'True', '10.0.14300.1010', '05/02/2016 09:05:07'));
  });

  test('arrays are enumerated, a hashtable prints as its Name/Value entries (Name is 30 wide)', () => {
    const h = new Hashtable();
    h.set('a', 1);
    h.set('bb', 'two');
    expect(run([[h]]).text).toBe(
      lines('', 'Name                           Value', '----                           -----', 'a                              1', 'bb                             two', ''),
    );
  });

  test('up to four properties make a table, five a list', () => {
    expect(run([custom({ a: 1, b: 2, c: 3, d: 4 })]).text).toBe(lines('', 'a b c d', '- - - -', '1 2 3 4', ''));
    expect(run([custom({ a: 1, b: 2, c: 3, d: 4, e: 5 })]).text).toBe(lines('', 'a : 1', 'b : 2', 'c : 3', 'd : 4', 'e : 5', ''));
  });

  test('a scalar before objects does not decide the shape', () => {
    expect(run(['x', custom({ a: 1 })]).text).toBe(lines('x', '', 'a', '-', '1', ''));
  });
});

describe('mixed types (pwsh: the first object decides)', () => {
  test('same type, other properties: stays in the first table with blanks', () => {
    expect(run([custom({ a: 1 }), custom({ b: 2 }), custom({ a: 3 })]).text).toBe(lines('', 'a', '-', '1', '', '3', ''));
  });

  test('another type while a table is open is printed as a list; the table carries on', () => {
    const img = containerImage('NanoServer', 'CN=Microsoft', '10.0.10586.0', true);
    const other = obj({ Name: 'c1', State: 'Off' }, [TYPE_NAMES.Container]);
    const text = run([img, other, img]).text;
    expect(text).toBe(
      lines(
        '',
        'Name       Publisher    Version      IsOSImage',
        '----       ---------    -------      ---------',
        'NanoServer CN=Microsoft 10.0.10586.0 True',
        '',
        'Name  : c1',
        'State : Off',
        '',
        'NanoServer CN=Microsoft 10.0.10586.0 True',
        '',
      ),
    );
  });

  test('a list stays a list for every later object', () => {
    const five = custom({ a: 1, b: 2, c: 3, d: 4, e: 5 });
    expect(run([five, obj({ x: 1 }, ['Other'])]).text).toBe(lines('', 'a : 1', 'b : 2', 'c : 3', 'd : 4', 'e : 5', '', 'x : 1', ''));
  });
});

describe('streaming', () => {
  test('a table waits for its batch; widths come from the batch; later rows print at once', () => {
    const rows = [custom({ N: 'a' }), custom({ N: 'bbbbb' }), custom({ N: 'cccccccc' })];
    const { chunks } = run(rows, { batchSize: 2 });
    expect(chunks[0]).toBe('');
    // The first two objects were the window: N is 5 wide; the later, longer value is truncated.
    expect(chunks[1]).toBe(lines('', 'N', '-', 'a', 'bbbbb'));
    expect(chunks[2]).toBe(lines('cc...'));
    expect(chunks[3]).toBe(lines(''));
  });

  test('scalars and lists are not held back; printHeld() sizes a waiting table from what is held', () => {
    const f = new OutputFormatter();
    expect(f.write('Downloading...')).toBe(lines('Downloading...'));
    expect(f.write(custom({ a: 1, b: 2, c: 3, d: 4, e: 5 }))).toBe(lines('', 'a : 1', 'b : 2', 'c : 3', 'd : 4', 'e : 5'));
    expect(f.flush()).toBe(lines(''));
    expect(f.write(custom({ Name: 'x' }))).toBe('');
    expect(f.holding).toBe(true);
    expect(f.write('note')).toBe('');
    expect(f.printHeld()).toBe(lines('', 'Name', '----', 'x', 'note'));
    expect(f.holding).toBe(false);
    expect(f.write(custom({ Name: 'longer' }))).toBe(lines('l...'));
    expect(f.flush()).toBe(lines(''));
  });

  test('the console width leaves one column free', () => {
    const row = custom({ T: 'z'.repeat(50) });
    expect(run([row], { width: 30 }).text).toContain('z'.repeat(26) + '...');
    expect(run([row], { width: 30, console: false }).text).toContain('z'.repeat(27) + '...');
  });

  test('flush closes the table; a new pipeline starts a new header', () => {
    const f = new OutputFormatter();
    f.write(custom({ a: 1 }));
    expect(f.flush()).toBe(lines('', 'a', '-', '1', ''));
    f.write(custom({ b: 2 }));
    expect(f.flush()).toBe(lines('', 'b', '-', '2', ''));
  });

  test('Format-Table / Format-List output is rendered by the Out-* that receives it, at its width', () => {
    const rows = [custom({ Name: 'x', Text: 'y'.repeat(100) })];
    const req = formatTable(rows, { property: ['Text'] });
    expect(formatToString([req], { width: 20 })).toBe(lines('', 'Text', '----', 'y'.repeat(17) + '...', ''));
    expect(formatToString([formatList(rows, { property: ['Name'] })])).toBe(lines('', 'Name : x', ''));
    expect(String(req)).toBe('Microsoft.PowerShell.Commands.Internal.Format.FormatStartData');
  });
});

describe('built-in views', () => {
  test('Get-Command: CommandType 15, Name 50, Version 10, Source; aliases by DisplayName', () => {
    const cmd = obj({ CommandType: 'Cmdlet', Name: 'Get-ContainerImage', Version: new PSVersion(1, 0, 0, 0), Source: 'ContainerImage' }, [
      TYPE_NAMES.CmdletInfo,
      TYPE_NAMES.CommandInfo,
    ]);
    const alias = obj(
      { CommandType: 'Alias', Name: 'gci', DisplayName: 'gci -> Get-ChildItem', Version: null, Source: '' },
      [TYPE_NAMES.AliasInfo, TYPE_NAMES.CommandInfo],
    );
    expect(run([cmd, alias]).text).toBe(
      lines(
        '',
        'CommandType     Name                                               Version    Source',
        '-----------     ----                                               -------    ------',
        'Cmdlet          Get-ContainerImage                                 1.0.0.0    ContainerImage',
        'Alias           gci -> Get-ChildItem',
        '',
      ),
    );
  });

  test('objects read back from CLIXML (Deserialized.*) keep their view', () => {
    const img = containerImage('NanoServer', 'CN=Microsoft', '10.0.10586.0', true);
    const back = obj(Object.fromEntries(img.properties().map((p) => [p.name, p.value])), [
      'Deserialized.' + TYPE_NAMES.ContainerImage,
      'Deserialized.System.Object',
    ]);
    expect(run([back]).text).toBe(run([img]).text);
  });

  test('Get-Variable: Name 30, Value', () => {
    const v = obj({ Name: 'x', Value: [1, 2] }, [TYPE_NAMES.PSVariable]);
    expect(run([v]).text).toBe(lines('', 'Name                           Value', '----                           -----', 'x                              {1, 2}', ''));
  });

  test('Group-Object: Count right-aligned in 5, Name 25, Group', () => {
    const g = obj({ Count: 2, Name: 'CN=Microsoft', Group: ['NanoServer', 'WindowsServerCore'], Values: ['CN=Microsoft'] }, [
      TYPE_NAMES.GroupInfo,
    ]);
    expect(run([g]).text).toBe(
      lines('', 'Count Name                      Group', '----- ----                      -----', '    2 CN=Microsoft              {NanoServer, WindowsServerCore}', ''),
    );
  });

  test('Get-Member: grouped by TypeName, sized from the data', () => {
    const m = (name: string, type: string, def: string): unknown =>
      obj({ Name: name, MemberType: type, Definition: def, TypeName: 'System.String' }, [TYPE_NAMES.MemberDefinition]);
    expect(run([m('Clone', 'Method', 'System.Object Clone()'), m('Length', 'Property', 'int Length {get;}')]).text).toBe(
      lines(
        '',
        '   TypeName: System.String',
        '',
        'Name   MemberType Definition',
        '----   ---------- ----------',
        'Clone  Method     System.Object Clone()',
        'Length Property   int Length {get;}',
        '',
      ),
    );
  });

  test('Get-PackageProvider joins DynamicOptions names; Get-PackageSource', () => {
    const opt = (n: string): unknown => obj({ Name: n }, ['Microsoft.PackageManagement.Internal.Api.DynamicOption']);
    const p = obj({ Name: 'ContainerImage', Version: new PSVersion(0, 5, 3, 0), DynamicOptions: [opt('Destination'), opt('Force')] }, [
      TYPE_NAMES.PackageProvider,
    ]);
    expect(run([p]).text).toBe(
      lines('', 'Name           Version DynamicOptions', '----           ------- --------------', 'ContainerImage 0.5.3.0 Destination, Force', ''),
    );
    const s = obj({ Name: 'ContainerImageGallery', ProviderName: 'ContainerImage', IsTrusted: true, Location: 'file:///gallery/feed.xml' }, [
      'PackageSource',
    ]);
    expect(run([s]).text).toBe(
      lines(
        '',
        'Name                  ProviderName   IsTrusted Location',
        '----                  ------------   --------- --------',
        'ContainerImageGallery ContainerImage True      file:///gallery/feed.xml',
        '',
      ),
    );
  });

  test('Get-Container', () => {
    const c = obj({ Name: 'web', State: 'Running', Uptime: '00:01:02', ParentImageName: 'NanoServer', ContainerId: 'x' }, [
      TYPE_NAMES.Container,
    ]);
    expect(run([c]).text).toBe(
      lines('', 'Name State   Uptime   ParentImageName', '---- -----   ------   ---------------', 'web  Running 00:01:02 NanoServer', ''),
    );
  });
});

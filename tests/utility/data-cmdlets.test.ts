// The data cmdlets in-process: Get-Date's .NET and Unix formats, CSV and JSON streaming and
// the values the cmdlets return (not their formatting).
import { evaluate, runInProcess } from '../helpers/posh';
import { formatDotNetDate, formatUnixDate } from '../../cmdlets/utility/Get-Date';
import { Hashtable, PSObject } from '../../core/engine/values';

describe('Get-Date formats', () => {
  const d = new Date(2026, 0, 4, 19, 5, 7, 89); // Sunday 4 January 2026, 19:05:07.089 local

  test.each([
    ['yyyy-MM-dd HH:mm:ss.fff', '2026-01-04 19:05:07.089'],
    ['yy M d H m s', '26 1 4 19 5 7'],
    ['hh h tt t', '07 7 PM P'],
    ['dddd ddd MMMM MMM', 'Sunday Sun January Jan'],
    ['fffffff FFFFFFF ff F', '0890000 089 08 '], // F drops trailing zeros: nothing is left of 0
    ["'literal' \"quoted\" \\y", 'literal quoted y'],
    ['%d', '4'],
    ['%M', '1'],
    ['d', '01/04/2026'],
    ['D', 'Sunday, 04 January 2026'],
    ['f', 'Sunday, 04 January 2026 19:05'],
    ['F', 'Sunday, 04 January 2026 19:05:07'],
    ['g', '01/04/2026 19:05'],
    ['G', '01/04/2026 19:05:07'],
    ['M', 'January 04'],
    ['s', '2026-01-04T19:05:07'],
    ['t', '19:05'],
    ['T', '19:05:07'],
    ['Y', '2026 January'],
    ['u', '2026-01-04 19:05:07Z'],
  ])('-Format %s', (format, expected) => {
    expect(formatDotNetDate(d, format)).toBe(expected);
  });

  test('-Format o carries seven fraction digits and the local offset', () => {
    const off = -d.getTimezoneOffset();
    const sign = off < 0 ? '-' : '+';
    const z = `${sign}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
    expect(formatDotNetDate(d, 'o')).toBe(`2026-01-04T19:05:07.0890000${z}`);
    expect(formatDotNetDate(d, 'zzz')).toBe(z);
    expect(formatDotNetDate(new Date(Date.UTC(2026, 0, 4)), 'o', true)).toBe('2026-01-04T00:00:00.0000000Z');
  });

  test('an unknown standard format is a FormatException', () => {
    expect(() => formatDotNetDate(d, 'Q')).toThrow('Input string was not in a correct format.');
  });

  test.each([
    ['%Y-%m-%d %H:%M:%S', '2026-01-04 19:05:07'],
    ['%a %A %b %B %h', 'Sun Sunday Jan January Jan'],
    ['%C %y %g %G', '20 26 26 2026'],
    ['%d %e %j', '04  4 004'],
    ['%D %x %F', '01/04/26 01/04/26 2026-01-04'],
    ['%H %I %k %l %p', '19 07 19  7 PM'],
    ['%R %T %X %r', '19:05 19:05:07 19:05:07 07:05:07 PM'],
    ['%u %w', '7 0'],
    ['%U %W %V', '1 0 01'],
    ['+%Y', '2026'],
    ['%n%t%%', '\n\t%'],
    ['%c', 'Sun 04 Jan 2026 19:05:07'],
    ['%z %P %N %q', 'z P N q'],
  ])('-UFormat %s', (format, expected) => {
    expect(formatUnixDate(d, format)).toBe(expected);
  });

  test('-UFormat ISO weeks at year ends', () => {
    expect(formatUnixDate(new Date(2027, 0, 1), '%V %G')).toBe('53 2026');
    expect(formatUnixDate(new Date(2024, 11, 30), '%V %G %g')).toBe('01 2025 25');
  });

  test('-UFormat %s is whole seconds since the epoch', () => {
    expect(formatUnixDate(new Date(86400 * 1000 + 999), '%s')).toBe('86400');
  });

  test('Get-Date returns a Date; -Day past the month end rolls over as AddDays does', async () => {
    const [a] = await evaluate("Get-Date -Date '2026-02-01T00:00:00' -Day 31");
    expect(a).toBeInstanceOf(Date);
    expect((a as Date).getMonth()).toBe(2);
    expect((a as Date).getDate()).toBe(3);
    const [b] = await evaluate("Get-Date -Date '2026-03-31T12:00:00' -Month 2");
    expect([(b as Date).getMonth(), (b as Date).getDate()]).toEqual([1, 28]);
  });

  test('dates come from the pipeline by value', async () => {
    expect(await evaluate("[datetime]'2026-05-06T07:08:09' | Get-Date -Format 'dd.MM.yyyy'")).toEqual(['06.05.2026']);
  });
});

describe('Get-Date -UFormat (Pester Get-Date.Tests.ps1)', () => {
  test('the composite format strings', async () => {
    expect(
      await evaluate(
        "Get-Date -Date 0030-01-01T00:00:00 -UFormat %y/%m/%d-%H; Get-Date -Date 0030-01-01T00:00:00 -UFormat '%a%A%b%B%c%C%d%D%e%h%H%I%k%l%j%m%M%p%r'; Get-Date -Date 0030-01-01T00:00:00 -UFormat '%S%T%u%U%w%W%x%X%y%Y%%'",
      ),
    ).toEqual([
      '30/01/01-00',
      'TueTuesdayJanJanuaryTue 01 Jan 0030 00:00:0000101/01/30 1Jan0012 0120010100AM12:00:00 AM',
      '0000:00:00202001/01/3000:00:00300030%',
    ]);
  });

  test.each([
    ['1998-01-02', '01', '1998', '98', '5'],
    ['2005-01-01', '53', '2004', '04', '6'],
    ['2005-01-02', '53', '2004', '04', '7'],
    ['2005-12-31', '52', '2005', '05', '6'],
    ['2006-01-01', '52', '2005', '05', '7'],
    ['2007-12-31', '01', '2008', '08', '1'],
    ['2008-12-29', '01', '2009', '09', '1'],
    ['2009-12-31', '53', '2009', '09', '4'],
    ['2010-01-03', '53', '2009', '09', '7'],
    ['2010-01-04', '01', '2010', '10', '1'],
    ['2026-01-02', '01', '2026', '26', '5'],
  ])('%s: %%V %%G %%g %%u', async (date, week, year, yy, dow) => {
    expect(await evaluate(`Get-Date -Date ${date}T00:00:00 -UFormat '%V %G %g %u'`)).toEqual([`${week} ${year} ${yy} ${dow}`]);
  });

  test.each([
    ['0055-12-31', '0055'],
    ['0325-01-01', '0325'],
    ['0777-01-01', '0776'],
  ])('%s: %%G keeps four digits', async (date, year) => {
    expect(await evaluate(`Get-Date -Date ${date}T00:00:00 -UFormat %G`)).toEqual([year]);
  });

  test('2030-04-05 01:02:03.09', async () => {
    const out = await evaluate("$d = Get-Date -Date '2030-04-05T01:02:03.09'; '%c','%C','%d','%D','%e','%F','%H','%I','%j','%k','%l','%m','%M','%p','%r','%R','%S','%T','%u','%U','%W','%x','%y','%Y' | ForEach-Object { Get-Date -Date $d -UFormat $_ }");
    expect(out).toEqual(['Fri 05 Apr 2030 01:02:03', '20', '05', '04/05/30', ' 5', '2030-04-05', '01', '01', '095', ' 1', ' 1', '04', '02', 'AM', '01:02:03 AM', '01:02', '03', '01:02:03', '5', '13', '13', '04/05/30', '30', '2030']);
  });

  test.each([
    ['$null', 'ParameterArgumentValidationErrorNullNotAllowed'],
    ["''", 'ParameterArgumentValidationErrorEmptyStringNotAllowed'],
  ])('-UFormat %s is %s', async (value, id) => {
    const { runspace } = await runInProcess(`Get-Date -Date 1/1/1970 -UFormat ${value}`);
    expect(runspace.session.errors[0].fullyQualifiedErrorId).toBe(`${id},Get-Date`);
  });

  test('-Format MMM-dd-yy and FileDate', async () => {
    expect(await evaluate("Get-Date -Date 2020-01-01T00:00:00 -Format 'MMM-dd-yy'; Get-Date -Date 0030-01-01T01:02:03 -Format FileDate")).toEqual(['Jan-01-20', '00300101']);
  });
});

describe('CSV', () => {
  test('ConvertTo-Csv streams: the first lines go down before the input ends', async () => {
    const out = await evaluate("1..100000 | ForEach-Object { [pscustomobject]@{N=$_} } | ConvertTo-Csv | Select-Object -First 3");
    expect(out).toEqual(['"N"', '"1"', '"2"']);
  });

  test('ConvertTo-Csv of hashtables uses their keys as columns', async () => {
    expect(await evaluate("[ordered]@{a=1; b='x'} | ConvertTo-Csv")).toEqual(['"a","b"', '"1","x"']);
  });

  test('ConvertTo-Csv skips $null and objects without properties (ConvertToCsvCommand)', async () => {
    expect(await evaluate("$null | ConvertTo-Csv; 1, $null, 2 | ConvertTo-Csv; [pscustomobject]@{a=1}, $null | ConvertTo-Csv")).toEqual(['"a"', '"1"']);
  });

  test('Export-Csv -Append checks only the first object against the columns; -Force leaves a read-only file read-only', async () => {
    const { makeTempDir, removeTempDir } = await import('../helpers/posh');
    const fs = await import('node:fs');
    const dir = makeTempDir();
    try {
      const out = await evaluate(
        `Set-Location '${dir}'; [pscustomobject]@{a=1;b=2} | Export-Csv t.csv; [pscustomobject]@{a=3;b=4}, [pscustomobject]@{a=5} | Export-Csv t.csv -Append; Get-Content t.csv`,
      );
      expect(out).toEqual(['"a","b"', '"1","2"', '"3","4"', '"5",']);
      fs.chmodSync(`${dir}/t.csv`, 0o444);
      await evaluate(`Set-Location '${dir}'; [pscustomobject]@{a=6;b=7} | Export-Csv t.csv -Append -Force`);
      expect(fs.readFileSync(`${dir}/t.csv`, 'utf8').split('\n').slice(-2)).toEqual(['"6","7"', '']);
      expect(fs.statSync(`${dir}/t.csv`).mode & 0o777).toBe(0o444);
    } finally {
      removeTempDir(dir);
    }
  });

  test('ConvertFrom-Csv objects are PSCustomObjects with string values', async () => {
    const [o] = (await evaluate("'a,b', '1,\"x,y\"' | ConvertFrom-Csv")) as PSObject[];
    expect(o).toBeInstanceOf(PSObject);
    expect(o.properties()).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x,y' },
    ]);
  });

  test('ConvertFrom-Csv with a #TYPE line gives the objects that type name', async () => {
    const [o] = (await evaluate("'#TYPE My.Image', 'Name', 'nano' | ConvertFrom-Csv")) as PSObject[];
    expect(o.typeNames.slice(0, 2)).toEqual(['My.Image', 'CSV:My.Image']);
  });
});

describe('JSON', () => {
  test('ConvertFrom-Json -AsHashtable gives ordered hashtables', async () => {
    const [h] = (await evaluate(`'{"z":1,"a":{"b":[1,2]}}' | ConvertFrom-Json -AsHashtable`)) as Hashtable[];
    expect(h).toBeInstanceOf(Hashtable);
    expect(h.keys()).toEqual(['z', 'a']);
    expect((h.get('a') as Hashtable).get('b')).toEqual([1, 2]);
  });

  test('ConvertTo-Json of a hashtable with a non-string key', async () => {
    const { host, ok } = await runInProcess('@{1 = 2} | ConvertTo-Json');
    expect(ok).toBe(false);
    expect(host.errors).toEqual([
      "ConvertTo-Json: The type 'System.Collections.Hashtable' is not supported for serialization or deserialization of a dictionary. Keys must be strings.",
    ]);
  });

  test('the depth warning goes to the warning stream, once', async () => {
    const { host } = await runInProcess('@{a=@{b=@{c=@{d=1}}}}, @{e=@{f=@{g=@{}}}} | ConvertTo-Json -Compress');
    expect(host.warnings).toEqual(['Resulting JSON is truncated as serialization has exceeded the set depth of 2.']);
    expect(host.output).toBe('[{"a":{"b":"System.Collections.Hashtable"}},{"e":{"f":"System.Collections.Hashtable"}}]\n');
  });

  test('ConvertTo-Json -InputObject of an array is one array value', async () => {
    expect(await evaluate('ConvertTo-Json -InputObject @(1, 2) -Compress')).toEqual(['[1,2]']);
  });
});

describe('Start-Sleep -Duration', () => {
  test('TimeSpan text as TimeSpan.Parse reads it (ticks)', async () => {
    const { parseTimeSpan } = await import('../../cmdlets/utility/Start-Sleep');
    expect(parseTimeSpan('00:00:01')).toBe(10_000_000);
    expect(parseTimeSpan('0:0:0.5')).toBe(5_000_000);
    expect(parseTimeSpan('1.02:03:04.0000005')).toBe((((24 + 2) * 60 + 3) * 60 + 4) * 10_000_000 + 5);
    expect(parseTimeSpan('2')).toBe(2 * 24 * 3600 * 10_000_000);
    expect(parseTimeSpan('-0:1')).toBe(-60 * 10_000_000);
    expect(parseTimeSpan('25:00')).toBeNull();
    expect(parseTimeSpan('soon')).toBeNull();
  });

  test('a TimeSpan object read from CLIXML', async () => {
    const { makeTimeSpan } = await import('../../core/serialization');
    const { runspace } = await runInProcess('');
    runspace.session.global.setLocal('t', makeTimeSpan(1_000_000));
    const start = Date.now();
    expect(await runspace.run('Start-Sleep -Duration $t')).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(95);
  });
});

// The docker CLI's text helpers, with exact strings (go-units, stringid, tabwriter, formatter).

import {
  humanDuration,
  createdSince,
  humanSize,
  humanSize4,
  formatG,
  shortId,
  ellipsis,
  tabwrite,
  renderImages,
  renderHistory,
  executeTemplate,
  parseFilters,
  matchReference,
  pathMatch,
  IMAGE_FILTERS,
  TemplateError,
  FilterError,
  type ImageRow,
} from '../../core/docker-text';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (go-units)', () => {
  test.each([
    [450, 'Less than a second'],
    [1 * S, '1 second'],
    [47 * S, '47 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [3 * M, '3 minutes'],
    [35 * M + 40 * S, '35 minutes'],
    [59 * M, '59 minutes'],
    [1 * H, 'About an hour'],
    [1 * H + 29 * M, 'About an hour'],
    [1 * H + 31 * M, '2 hours'],
    [3 * H + 29 * M, '3 hours'],
    [3 * H + 31 * M, '4 hours'],
    [24 * H, '24 hours'],
    [36 * H, '36 hours'],
    [2 * D, '2 days'],
    [13 * D + 5 * H, '13 days'],
    [14 * D, '2 weeks'],
    [18 * D, '2 weeks'],
    [30 * D, '4 weeks'],
    [44 * D, '6 weeks'],
    [60 * D, '2 months'],
    [97 * D, '3 months'],
    [390 * D, '13 months'],
    [720 * D, '24 months'],
    [734 * D, '2 years'],
    [3 * 365 * D + 60 * D, '3 years'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  test('createdSince appends " ago"', () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    expect(createdSince(now - 61 * S, now)).toBe('About a minute ago');
    expect(createdSince(new Date(now - 15 * D), now)).toBe('2 weeks ago');
  });
});

describe('humanSize (base 1000, %.3g, no space)', () => {
  test.each([
    [0, '0B'],
    [126, '126B'],
    [999, '999B'],
    [1000, '1kB'],
    [1125, '1.12kB'], // exact tie → even
    [1135, '1.14kB'], // exact tie → even (3 is odd → up)
    [1126, '1.13kB'],
    [10_200, '10.2kB'],
    [10_250, '10.2kB'],
    [10_350, '10.3kB'], // 10.35 is 10.3499999… in binary: below the tie
    [44_900_000, '44.9MB'],
    [44_949_999, '44.9MB'],
    [123_456_789, '123MB'],
    [999_499, '999kB'],
    [999_500, '1e+03kB'], // Go's %.3g of 999.5
    [1_000_000, '1MB'],
    [7_516_192_768, '7.52GB'],
    [2 ** 60, '1.15EB'],
  ])('%d → %s', (n, text) => {
    expect(humanSize(n)).toBe(text);
  });

  test('four digits (HumanSize) and %g edge cases', () => {
    expect(humanSize4(2_746_000)).toBe('2.746MB');
    expect(humanSize4(796_000)).toBe('796kB');
    expect(formatG(0.00001234, 3)).toBe('1.23e-05');
    expect(formatG(0.0001234, 3)).toBe('0.000123');
    expect(formatG(123456, 3)).toBe('1.23e+05');
    expect(formatG(100, 3)).toBe('100');
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(3.5, 1)).toBe('4');
  });
});

describe('ids and ellipsis', () => {
  test('shortId drops the algorithm and keeps 12 hex', () => {
    expect(shortId('sha256:4a415e3663882fbc554ee830889c68a33b3585503892cc718a4698e91ef2a526')).toBe('4a415e366388');
    expect(shortId('4a415e3663882fbc')).toBe('4a415e366388');
    expect(shortId('<missing>')).toBe('<missing>');
  });
  test('ellipsis cuts to 45 cells with …', () => {
    const s = '/bin/sh -c #(nop) ADD file:71356d2ad59aa3119d0000000';
    expect(ellipsis(s, 45)).toBe('/bin/sh -c #(nop) ADD file:71356d2ad59aa3119…');
    expect([...ellipsis(s, 45)].length).toBe(45);
    expect(ellipsis('short', 45)).toBe('short');
    expect(ellipsis('文字文字文字', 5)).toBe('文字…');
  });
});

describe('tabwriter (minwidth 10, padding 3)', () => {
  test('columns are the widest cell + 3, at least 10; the last cell is not padded', () => {
    expect(tabwrite('A\tBB\tC\nlonger-cell\tx\tlast\n')).toBe('A             BB        C\nlonger-cell   x         last\n');
  });
  test('a line with fewer cells ends a column block', () => {
    expect(tabwrite('a\tb\nno tabs here\nccccccccccccc\td\n')).toBe('a         b\nno tabs here\nccccccccccccc   d\n');
  });
  test('widths count code points', () => {
    expect(tabwrite('ñandú\tx\nab\ty\n')).toBe('ñandú     x\nab        y\n');
  });
});

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const rows: ImageRow[] = [
  { repository: 'windowsservercore', tag: 'latest', id: 'sha256:4a415e3663882fbc554ee830889c68a33b3585503892cc718a4698e91ef2a526', created: NOW - 90 * S, size: 9_344_000_000 },
  { repository: 'windowsservercore', tag: '10.0.14300.1000', id: 'sha256:4a415e3663882fbc554ee830889c68a33b3585503892cc718a4698e91ef2a526', created: NOW - 90 * S, size: 9_344_000_000 },
  { repository: 'nanoserver', tag: '10.0.14300.1016', id: 'sha256:3a703c6e97a2f4e4d7ad3b59ce2f3cde15bdb7d8ad2f6e6dbd3e2d3d5a1c6a2b', created: NOW - 15 * D, size: 817_000_000 },
  { id: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', created: undefined, size: 126 },
];

describe('docker images', () => {
  test('the classic table', () => {
    expect(renderImages(rows, { now: NOW })).toBe(
      [
        'REPOSITORY          TAG               IMAGE ID       CREATED              SIZE',
        'windowsservercore   latest            4a415e366388   About a minute ago   9.34GB',
        'windowsservercore   10.0.14300.1000   4a415e366388   About a minute ago   9.34GB',
        'nanoserver          10.0.14300.1016   3a703c6e97a2   2 weeks ago          817MB',
        '<none>              <none>            0123456789ab   N/A                  126B',
        '',
      ].join('\n'),
    );
  });

  test('-q, --no-trunc, --digests', () => {
    expect(renderImages(rows.slice(0, 2), { quiet: true, now: NOW })).toBe('4a415e366388\n4a415e366388\n');
    expect(renderImages(rows.slice(3), { noTrunc: true, now: NOW })).toBe(
      'REPOSITORY   TAG       IMAGE ID                                                                  CREATED   SIZE\n' +
        '<none>       <none>    sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef   N/A       126B\n',
    );
    expect(renderImages(rows.slice(2, 3), { digests: true, now: NOW })).toBe(
      'REPOSITORY   TAG               DIGEST    IMAGE ID       CREATED       SIZE\n' + 'nanoserver   10.0.14300.1016   <none>    3a703c6e97a2   2 weeks ago   817MB\n',
    );
  });

  test('--format with placeholders, table mode, functions and \\t', () => {
    expect(renderImages(rows.slice(0, 3), { format: '{{.Repository}}:{{.Tag}}', now: NOW })).toBe('windowsservercore:latest\nwindowsservercore:10.0.14300.1000\nnanoserver:10.0.14300.1016\n');
    expect(renderImages(rows.slice(2, 4), { format: 'table {{.ID}}\\t{{.Repository}}', now: NOW })).toBe('IMAGE ID       REPOSITORY\n3a703c6e97a2   nanoserver\n0123456789ab   <none>\n');
    expect(renderImages(rows.slice(2, 3), { format: '{{json .Repository}} {{upper .Tag}} {{.Size | lower}}', now: NOW })).toBe('"nanoserver" 10.0.14300.1016 817mb\n');
    expect(renderImages(rows.slice(2, 3), { format: 'table {{.Repository}}\\t{{.CreatedAt}}', now: NOW })).toBe(
      'REPOSITORY   CREATED AT\nnanoserver   2026-11-08 12:00:00 +0000 UTC\n',
    );
    expect(renderImages(rows.slice(3), { format: '{{if .CreatedSince}}{{.CreatedSince}}{{else}}never{{end}}|{{- " trimmed" }}', now: NOW })).toBe('never| trimmed\n');
    expect(() => renderImages(rows, { format: '{{.Nope}}', now: NOW })).toThrow(new TemplateError(`template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.imageContext`));
    expect(() => renderImages(rows, { format: '{{.ID', now: NOW })).toThrow(TemplateError);
  });
});

describe('docker history', () => {
  test('the table: IMAGE, CREATED, CREATED BY (45 cells), SIZE, COMMENT', () => {
    const out = renderHistory(
      [
        { id: 'sha256:4a415e3663882fbc554ee830889c68a33b3585503892cc718a4698e91ef2a526', created: NOW - 3 * H, createdBy: 'cmd /S /C powershell -Command\tInstall-WindowsFeature Web-Server', size: 10_200, comment: '' },
        { id: '<missing>', created: NOW - 40 * D, createdBy: 'Apply image 10.0.14300.1000', size: 9_344_000_000, comment: 'Imported from -' },
      ],
      { now: NOW },
    );
    expect(out).toBe(
      [
        'IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT',
        '4a415e366388   3 hours ago   cmd /S /C powershell -Command Install-Window…   10.2kB    ',
        '<missing>      5 weeks ago   Apply image 10.0.14300.1000                     9.34GB    Imported from -',
        '',
      ].join('\n'),
    );
    expect(renderHistory([{ id: '<missing>', created: NOW - 40 * D, createdBy: 'x', size: 5 }], { human: false, format: '{{.CreatedSince}} {{.Size}}' })).toBe('2026-10-14T12:00:00Z 5\n');
  });
});

describe('filters', () => {
  test('name=value parsing, validation and booleans as the CLI and engine word them', () => {
    const f = parseFilters(['dangling=true', ' Reference = windows* ', 'reference=nano*']);
    expect(f.keys()).toEqual(['dangling', 'reference']);
    expect(f.get('reference')).toEqual(['windows*', 'nano*']);
    expect(f.getBool('dangling', false)).toBe(true);
    f.validate(IMAGE_FILTERS);
    expect(() => parseFilters(['dangling'])).toThrow(new FilterError('bad format of filter (expected name=value)'));
    expect(() => parseFilters(['foo=bar']).validate(IMAGE_FILTERS)).toThrow(new FilterError(`invalid filter 'foo'`));
    expect(() => parseFilters(['dangling=maybe']).getBool('dangling', false)).toThrow(new FilterError(`invalid filter 'dangling=[maybe]'`));
  });

  test('reference patterns match name:tag and the name (path.Match)', () => {
    expect(matchReference('windowsservercore', 'windowsservercore', 'latest')).toBe(true);
    expect(matchReference('windows*', 'windowsservercore', 'latest')).toBe(true);
    expect(matchReference('*:10.0.*', 'nanoserver', '10.0.14300.1016')).toBe(true);
    expect(matchReference('*:latest', 'nanoserver', '10.0.14300.1016')).toBe(false);
    expect(matchReference('library/*', 'busybox', 'latest')).toBe(false);
    expect(matchReference('*', 'team/app', 'v1')).toBe(false); // * does not cross '/'
    expect(matchReference('*/*', 'team/app', 'v1')).toBe(true);
    expect(pathMatch('[a-c]?x', 'b1x')).toBe(true);
    expect(pathMatch('[!a-c]?x', 'b1x')).toBe(false);
    expect(pathMatch('a\\*', 'a*')).toBe(true);
    expect(pathMatch('[', '[')).toBe(false);
  });

  test('templates outside tables', () => {
    expect(executeTemplate('{{range .L}}<{{.}}>{{else}}none{{end}} {{join .L ","}} {{len .L}}', { L: ['a', 'b'] })).toBe('<a><b> a,b 2');
    expect(executeTemplate('{{range .L}}x{{else}}none{{end}}', { L: [] })).toBe('none');
    expect(executeTemplate('{{if eq .A "x"}}yes{{else if .B}}b{{else}}no{{end}}', { A: 'y', B: 1 })).toBe('b');
    expect(executeTemplate('{{truncate .A 3}}|{{pad .A 1 2}}|{{title .A}}', { A: 'hello world' })).toBe('hel| hello world  |Hello World');
  });
});

describe('Go values in templates and JSON (docker inspect)', () => {
  const { GoTime, NIL_SLICE, NIL_MAP, goJson, rfc3339Nano } = require('../../core/docker-text') as typeof import('../../core/docker-text');

  test('a nil slice or map prints [] / map[], is false and empty in a template, and null in JSON', () => {
    const v = { Env: NIL_SLICE, Labels: NIL_MAP, Cmd: ['a'] };
    expect(executeTemplate('{{.Env}} {{.Labels}} {{len .Env}} {{if .Env}}set{{else}}unset{{end}} {{range .Env}}x{{else}}none{{end}} {{json .Env}}', v)).toBe(
      '[] map[] 0 unset none null',
    );
    expect(goJson(v)).toBe('{"Env":null,"Labels":null,"Cmd":["a"]}');
  });

  test('time.Time: Go String() in a template, RFC 3339 with trimmed nanoseconds in JSON', () => {
    const t = Date.parse('2026-11-23T17:29:27.360Z');
    expect(executeTemplate('{{.T}}|{{.Z}}|{{json .T}}', { T: new GoTime(t), Z: new GoTime(null) })).toBe(
      '2026-11-23 17:29:27.36 +0000 UTC|0001-01-01 00:00:00 +0000 UTC|"2026-11-23T17:29:27.36Z"',
    );
    expect(goJson({ Z: new GoTime(null) })).toBe('{"Z":"0001-01-01T00:00:00Z"}');
    expect(rfc3339Nano('2026-11-23T17:29:27.000Z')).toBe('2026-11-23T17:29:27Z');
    expect(rfc3339Nano('2026-11-23T17:29:27.007Z')).toBe('2026-11-23T17:29:27.007Z');
    expect(executeTemplate('{{.T}}', { T: new GoTime(Date.parse('2026-01-02T03:04:05Z')) })).toBe('2026-01-02 03:04:05 +0000 UTC');
  });

  test('goJson is json.MarshalIndent: HTML characters and U+2028/9 escaped; the json function leaves HTML alone', () => {
    expect(goJson([{ A: '<a & b>', B: [], C: {} }], '    ')).toBe('[\n    {\n        "A": "\\u003ca \\u0026 b\\u003e",\n        "B": [],\n        "C": {}\n    }\n]');
    expect(goJson('\u2028')).toBe('"\\u2028"');
    expect(executeTemplate('{{json .A}}', { A: '<a & b>\u2029' })).toBe('"<a & b>\\u2029"');
  });

  test('missingkey=error: a missing field of a map is "map has no entry for key"', () => {
    expect(() => executeTemplate('{{.Foo}}', { Id: 'x' }, '', { missingKey: 'error' })).toThrow(
      new TemplateError('template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"'),
    );
    expect(() => executeTemplate('a {{.Config.Nope}}', { Config: { Env: NIL_SLICE } }, '', { missingKey: 'error' })).toThrow(
      new TemplateError('template: :1:4: executing "" at <.Config.Nope>: map has no entry for key "Nope"'),
    );
    expect(() => executeTemplate('{{.Foo}}', { Id: 'x' }, '*formatter.imageContext')).toThrow(/can't evaluate field Foo in type \*formatter\.imageContext$/);
  });
});

describe('templates: variables, parentheses, with, printf and comparisons (docker inspect examples)', () => {
  const data = {
    Name: '/web',
    Config: { Labels: { b: '2', a: '1' }, Env: ['A=1', 'B=2'] },
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
    Size: 1234,
    Empty: '',
  };

  test('$ is the data; range declares $i, $v (index or sorted key, element); scopes end with the block', () => {
    expect(executeTemplate('{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}', data)).toBe('0=A=1;1=B=2;');
    expect(executeTemplate('{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}', data)).toBe('a:1 b:2 ');
    expect(executeTemplate('{{range $e := .Config.Env}}[{{$e}} {{$.Name}}]{{end}}', data)).toBe('[A=1 /web][B=2 /web]');
    expect(executeTemplate('{{$n := .Name}}{{$n}} {{$.Config.Labels.a}}', data)).toBe('/web 1');
    expect(() => executeTemplate('{{range .Config.Env}}{{$x := .}}{{end}}{{$x}}', data)).toThrow(new TemplateError('template: :1: undefined variable "$x"'));
  });

  test('parenthesized pipelines, with a field after the parenthesis', () => {
    expect(executeTemplate('{{(index (index .Ports "80/tcp") 0).HostPort}}', data)).toBe('8080');
    expect(executeTemplate('{{len (index .Config.Env 1)}} {{upper (index .Config.Labels "a" | printf "x%s")}}', data)).toBe('3 X1');
    expect(() => executeTemplate('{{(index .Ports "80/tcp"}}', data)).toThrow(new TemplateError('template: :1: unclosed left paren'));
    expect(() => executeTemplate('{{.Name)}}', data)).toThrow(new TemplateError('template: :1: unexpected ")" in operand'));
  });

  test('with sets the dot when the value is not empty, else runs its else', () => {
    expect(executeTemplate('{{with .Config}}{{.Labels.b}}{{end}}|{{with .Empty}}x{{else}}none {{.Name}}{{end}}', data)).toBe('2|none /web');
  });

  test('printf (Go verbs, widths, missing and extra arguments) and lt/le/gt/ge', () => {
    expect(executeTemplate('{{printf "%s has %d bytes (%q) %5s|%-5s|%05d %x %.2f %t %%" .Name .Size .Name "ab" "cd" 42 255 1.5 true}}', data)).toBe(
      '/web has 1234 bytes ("/web")    ab|cd   |00042 ff 1.50 true %',
    );
    expect(executeTemplate('{{printf "%s %s" .Name}}|{{printf "%s" .Name "x"}}|{{printf "%d" .Name}}', data)).toBe('/web %!s(MISSING)|/web%!(EXTRA string=x)|%!d(string=/web)');
    expect(executeTemplate('{{if gt .Size 1000}}big{{end}} {{lt "a" "b"}} {{le 2 2}} {{ge 1 2}}', data)).toBe('big true true false');
    expect(() => executeTemplate('{{lt .Size "x"}}', data)).toThrow(/error calling lt: incompatible types for comparison$/);
  });
});

describe("docker inspect's raw JSON fallback (Go's json decoding with UseNumber)", () => {
  const { rawJsonView, NIL_SLICE } = require('../../core/docker-text') as typeof import('../../core/docker-text');
  const raw = rawJsonView({ Size: 8, Tags: ['a', 'b'], Env: NIL_SLICE, Name: 'x' });

  test('numbers are json.Number: printed as written, a bad %d, not comparable with a number', () => {
    expect(executeTemplate('{{.Size}} {{printf "%5d|%s" .Size .Size}} {{len .Size}} {{json .Size}} {{eq .Size "8"}}', raw, '', { missingKey: 'error' })).toBe('8 %!d(json.Number=    8)|8 1 8 true');
    expect(() => executeTemplate('{{if gt .Size 5}}big{{end}}', raw, '', { missingKey: 'error' })).toThrow(
      new TemplateError('template: :1:5: executing "" at <gt .Size 5>: error calling gt: incompatible types for comparison'),
    );
  });

  test('null is a nil interface{} (<nil>); arrays are []interface{}, which join refuses', () => {
    expect(executeTemplate('{{.Env}} {{if .Env}}set{{else}}unset{{end}} {{range .Tags}}<{{.}}>{{end}} {{index .Tags 1}}', raw, '', { missingKey: 'error' })).toBe('<nil> unset <a><b> b');
    expect(() => executeTemplate('{{upper .Name}} {{join .Tags ","}}', raw, '', { missingKey: 'error' })).toThrow(
      new TemplateError('template: :1:23: executing "" at <.Tags>: wrong type for value; expected []string; got []interface {}'),
    );
  });
});

test('a typed Go map: a missing key prints <no value>, index gives the zero value; a struct field that is not there is an error', () => {
  const { markGoMap, NIL_MAP } = require('../../core/docker-text') as typeof import('../../core/docker-text');
  const v = { Labels: markGoMap({ a: '1' }), Data: NIL_MAP, Config: { Env: [] } };
  expect(executeTemplate('{{.Labels.a}}|{{.Labels.nope}}|{{index .Labels "nope"}}|{{.Data.nope}}|{{index .Data "x"}}', v)).toBe('1|<no value>||<no value>|');
  expect(() => executeTemplate('{{.Config.Nope}}', v, 'types.ImageInspect')).toThrow(/can't evaluate field Nope in type interface \{\}$/);
  expect(() => executeTemplate('{{.Labels.nope}}', v, '', { missingKey: 'error' })).toThrow(new TemplateError('template: :1:2: executing "" at <.Labels.nope>: map has no entry for key "nope"'));
});

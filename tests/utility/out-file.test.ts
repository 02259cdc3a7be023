// Out-File and Tee-Object: bytes on disk for each encoding, appending, -NoClobber, -Force,
// paths relative to the session's location, and the failure paths.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Runspace } from '../../core/engine/runspace';
import { CaptureHost, makeTempDir, removeTempDir } from '../helpers/posh';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('posh-outfile-');
});
afterEach(() => removeTempDir(dir));

/** Runs a script with the session's current location in the temp folder. */
async function run(script: string): Promise<{ host: CaptureHost; ok: boolean }> {
  const host = new CaptureHost();
  const rs = new Runspace(host, path.join(dir, '.store'));
  rs.session.cwd = dir;
  const ok = await rs.run(script);
  return { host, ok };
}

const bytes = (name: string) => [...fs.readFileSync(path.join(dir, name))];

describe('Out-File encodings', () => {
  test.each([
    ['utf8', [0xc3, 0xa9, 0x0a]],
    ['utf8NoBOM', [0xc3, 0xa9, 0x0a]],
    ['utf8BOM', [0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0x0a]],
    ['unicode', [0xff, 0xfe, 0xe9, 0x00, 0x0a, 0x00]],
    ['bigendianunicode', [0xfe, 0xff, 0x00, 0xe9, 0x00, 0x0a]],
    ['utf32', [0xff, 0xfe, 0x00, 0x00, 0xe9, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00]],
    ['bigendianutf32', [0x00, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x00, 0xe9, 0x00, 0x00, 0x00, 0x0a]],
    ['ascii', [0x3f, 0x0a]],
  ])('-Encoding %s writes the exact bytes', async (encoding, expected) => {
    const { ok, host } = await run(`'é' | Out-File e.txt -Encoding ${encoding}`);
    expect(host.errors).toEqual([]);
    expect(ok).toBe(true);
    expect(bytes('e.txt')).toEqual(expected);
  });

  test('the default is UTF-8 without a byte-order mark', async () => {
    await run(`'é' | Out-File d.txt`);
    expect(bytes('d.txt')).toEqual([0xc3, 0xa9, 0x0a]);
  });

  test('-Append does not write a second byte-order mark', async () => {
    await run(`'a' | Out-File u.txt -Encoding unicode; 'b' | Out-File u.txt -Encoding unicode -Append`);
    expect(bytes('u.txt')).toEqual([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00, 0x62, 0x00, 0x0a, 0x00]);
  });
});

describe('Out-File', () => {
  test('writes the formatted table relative to the session location, at -Width', async () => {
    const { ok } = await run(`[pscustomobject]@{Name='WindowsServerCore'; Summary='Container OS Image of Windows Server 2016'} | Out-File -FilePath t.txt -Width 30`);
    expect(ok).toBe(true);
    expect(fs.readFileSync(path.join(dir, 't.txt'), 'utf8')).toBe(
      '\nName              Summary\n----              -------\nWindowsServerCore Container...\n\n',
    );
  });

  test('-LiteralPath takes the name as it is (brackets are not wildcards)', async () => {
    await run(`'x' | Out-File -LiteralPath 'a[1].txt'`);
    expect(fs.readFileSync(path.join(dir, 'a[1].txt'), 'utf8')).toBe('x\n');
  });

  test('with no input the file is still created (emptied)', async () => {
    fs.writeFileSync(path.join(dir, 'old.txt'), 'old content');
    await run(`@() | Out-File old.txt`);
    expect(fs.readFileSync(path.join(dir, 'old.txt'), 'utf8')).toBe('');
  });

  test('-NoClobber refuses an existing file and leaves it as it was', async () => {
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'keep');
    const { ok, host } = await run(`'new' | Out-File keep.txt -NoClobber`);
    expect(ok).toBe(false);
    expect(host.errors).toEqual([`Out-File: The file '${path.join(dir, 'keep.txt')}' already exists.`]);
    expect(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('keep');
  });

  test('-NoClobber with -Append adds to the file', async () => {
    fs.writeFileSync(path.join(dir, 'log.txt'), 'a\n');
    await run(`'b' | Out-File log.txt -NoClobber -Append`);
    expect(fs.readFileSync(path.join(dir, 'log.txt'), 'utf8')).toBe('a\nb\n');
  });

  test('-Force overwrites a read-only file', async () => {
    const file = path.join(dir, 'ro.txt');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o444);
    await run(`'new' | Out-File ro.txt -Force`);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
  });

  test('a folder as the path is refused', async () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    const { ok, host } = await run(`'x' | Out-File sub`);
    expect(ok).toBe(false);
    expect(host.errors).toEqual([`Out-File: Access to the path '${path.join(dir, 'sub')}' is denied.`]);
  });

  test('the error record carries pwsh ids', async () => {
    const { host } = await run(`try { 'x' | Out-File nope/x.txt } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category }`);
    expect(host.output).toBe('FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand\nOpenError\n');
  });

  test('-WhatIf writes nothing', async () => {
    const { host } = await run(`'x' | Out-File w.txt -WhatIf`);
    expect(fs.existsSync(path.join(dir, 'w.txt'))).toBe(false);
    expect(host.hostText).toBe(`What if: Performing the operation "Output to File" on target "${path.join(dir, 'w.txt')}".\n`);
  });
});

describe('Tee-Object', () => {
  test('-FilePath writes the formatted objects and passes them on', async () => {
    const { host } = await run(`[pscustomobject]@{a=1} | Tee-Object -FilePath tee.txt | ForEach-Object { $_.a + 1 }`);
    expect(host.output).toBe('2\n');
    expect(fs.readFileSync(path.join(dir, 'tee.txt'), 'utf8')).toBe('\na\n-\n1\n\n');
  });

  test('-Variable stores one object as itself and several as an array', async () => {
    const { host } = await run(`1 | Tee-Object -Variable one | Out-Null; 1, 2 | Tee-Object -Variable two | Out-Null; $one.GetType().Name; $two.GetType().Name; $two.Count`);
    expect(host.output).toBe('Int32\nObject[]\n2\n');
  });
});

// Credentials: stored mode 0600 whatever the umask, never shown, and references parsed as docker does.

import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Credentials, CredentialsFile, registryKey, parseReference, familiarName, formatReference, RegistryError, parseChallenges } from '../../core/registry';
import { rmrf, tempDir } from '../oci/helpers';

let work: string;
beforeAll(() => (work = tempDir('creds')));
afterAll(() => rmrf(work));

describe('credentials file', () => {
  test('written 0600 even with umask 0, read back, removed; the secret is never shown', async () => {
    const old = process.umask(0);
    try {
      const f = new CredentialsFile(join(work, 'sub', 'auth.json'));
      expect(await f.get('127.0.0.1:5000')).toBeUndefined();
      await f.set('127.0.0.1:5000', new Credentials('alice', 'pa:ss w0rd'));
      await f.set('https://index.docker.io/v1/', new Credentials('bob', 'hub-secret'));
      expect(statSync(f.path).mode & 0o777).toBe(0o600);
      const text = readFileSync(f.path, 'utf8');
      expect(text).not.toContain('pa:ss w0rd');
      expect(JSON.parse(text)).toEqual({ auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:pa:ss w0rd').toString('base64') }, 'docker.io': { auth: Buffer.from('bob:hub-secret').toString('base64') } } });
      const c = (await f.get('127.0.0.1:5000'))!;
      expect([c.username, c.reveal()]).toEqual(['alice', 'pa:ss w0rd']);
      expect(await f.registries()).toEqual(['127.0.0.1:5000', 'docker.io']);
      expect((await f.get('registry-1.docker.io'))!.username).toBe('bob');
      expect(await f.remove('127.0.0.1:5000')).toBe(true);
      expect(await f.remove('127.0.0.1:5000')).toBe(false);
      expect(statSync(f.path).mode & 0o777).toBe(0o600);
      for (const shown of [String(c), inspect(c), JSON.stringify(c), inspect({ nested: c }), `${c}`]) expect(shown).not.toContain('pa:ss w0rd');
      expect(String(c)).toBe('Credentials(alice, ********)');
    } finally {
      process.umask(old);
    }
  });

  test('an existing world-readable file becomes 0600 on write; a corrupt file is named, not quoted', async () => {
    const p = join(work, 'loose.json');
    writeFileSync(p, '{"auths":{}}', { mode: 0o644 });
    await new CredentialsFile(p).set('r.example:443', new Credentials('u', 'secret-value'));
    expect(statSync(p).mode & 0o777).toBe(0o600);
    writeFileSync(p, '{"auths": secret-value');
    const e = await new CredentialsFile(p).get('x').catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toBe(`the credentials file ${p} is not valid JSON`);
  });

  test('registry keys fold schemes, paths and docker.io aliases', () => {
    expect(registryKey('HTTP://127.0.0.1:5000/')).toBe('127.0.0.1:5000');
    expect(registryKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryKey('registry-1.docker.io')).toBe('docker.io');
  });
});

describe('references and challenges', () => {
  test.each([
    ['windowsservercore', { registry: 'docker.io', repository: 'library/windowsservercore', tag: 'latest' }],
    ['windowsservercore:10.0.14300.1000', { registry: 'docker.io', repository: 'library/windowsservercore', tag: '10.0.14300.1000' }],
    ['team/app', { registry: 'docker.io', repository: 'team/app', tag: 'latest' }],
    ['127.0.0.1:5000/posh/one:v1', { registry: '127.0.0.1:5000', repository: 'posh/one', tag: 'v1' }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
    [`mcr.microsoft.com/windows/nanoserver@sha256:${'a'.repeat(64)}`, { registry: 'mcr.microsoft.com', repository: 'windows/nanoserver', digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s', (ref, want) => {
    expect(parseReference(ref)).toEqual(want);
  });

  test('invalid references and familiar names', () => {
    expect(() => parseReference('UPPER/case')).toThrow('invalid reference format: "UPPER/case": repository names must be lowercase letters, digits and separators');
    expect(() => parseReference('a@sha256:zz')).toThrow('invalid reference format: "a@sha256:zz": the digest is not sha256:<64 hex>');
    expect(() => parseReference('a:b:c')).toThrow(RegistryError);
    expect(familiarName(parseReference('busybox'))).toBe('busybox');
    expect(formatReference(parseReference('127.0.0.1:5000/posh/one:v1'))).toBe('127.0.0.1:5000/posh/one:v1');
  });

  test('WWW-Authenticate parsing', () => {
    expect(parseChallenges('Basic realm="posh-test-realm"')).toEqual([{ scheme: 'basic', params: { realm: 'posh-test-realm' } }]);
    expect(parseChallenges('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push", error="insufficient_scope"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' } },
    ]);
    expect(parseChallenges('Basic realm="a\\"b", Bearer realm="x"')).toEqual([
      { scheme: 'basic', params: { realm: 'a"b' } },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
  });
});

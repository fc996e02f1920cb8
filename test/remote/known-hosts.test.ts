import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostKey, fingerprint, hostMatches } from '../../capture/remote/known-hosts.js';
import { findExecutable } from '../../capture/probes/find-executable.js';
import { tempDir } from '../fixture-bundles.js';

// known_hosts as OpenSSH writes it: keys made by ssh-keygen, a file hashed by `ssh-keygen -H`,
// fingerprints compared with `ssh-keygen -lf`.

const keygen = findExecutable('ssh-keygen');
const dir = tempDir('misertrace-kh-');
afterAll(() => dir.remove());

function newKey(name: string): { blob: Buffer; line: string } {
  const f = join(dir.path, name);
  execFileSync(keygen!, ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
  const pub = readFileSync(`${f}.pub`, 'utf8').trim();
  return { blob: Buffer.from(pub.split(' ')[1]!, 'base64'), line: pub.split(' ').slice(0, 2).join(' ') };
}

describe.skipIf(keygen === null)('known_hosts', () => {
  it('fingerprints as ssh-keygen -l shows them', () => {
    const k = newKey('fp');
    const shown = execFileSync(keygen!, ['-l', '-E', 'sha256', '-f', join(dir.path, 'fp.pub')], { encoding: 'utf8' });
    expect(shown).toContain(fingerprint(k.blob));
  });

  it('plain, port-qualified and hashed entries; a different key of the same type is a change; negation excludes', async () => {
    const a = newKey('a');
    const b = newKey('b');
    const file = join(dir.path, 'known_hosts');
    writeFileSync(file, `# comment\nbuild-vm,10.0.0.5 ${a.line}\n[127.0.0.1]:2222 ${a.line}\n*.lab,!secret.lab ${b.line}\n`);
    expect(await checkHostKey([file], ['build-vm'], a.blob)).toMatchObject({ kind: 'known', line: 2 });
    expect(await checkHostKey([file], ['[127.0.0.1]:2222'], a.blob)).toMatchObject({ kind: 'known', line: 3 });
    expect(await checkHostKey([file], ['127.0.0.1'], a.blob)).toEqual({ kind: 'unknown' });
    expect(await checkHostKey([file], ['10.0.0.5'], b.blob)).toMatchObject({ kind: 'changed', line: 2 });
    expect(await checkHostKey([file], ['x.lab'], b.blob)).toMatchObject({ kind: 'known' });
    expect(hostMatches('*.lab,!secret.lab', 'secret.lab')).toBe(false);
    // The same file hashed by OpenSSH: the same answers.
    execFileSync(keygen!, ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/m);
    expect(await checkHostKey([file], ['[127.0.0.1]:2222'], a.blob)).toMatchObject({ kind: 'known' });
    expect(await checkHostKey([file], ['10.0.0.5'], b.blob)).toMatchObject({ kind: 'changed' });
    writeFileSync(file, `@revoked * ${a.line}\n`, { flag: 'a' });
    expect(await checkHostKey([file], ['build-vm'], a.blob)).toMatchObject({ kind: 'revoked' });
  });
});

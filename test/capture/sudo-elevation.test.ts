import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../capture/probes/find-executable.js';
import { PROJECT_ROOT } from '../fixtures.js';

// The sudo path of the capture child, for real: an unprivileged user runs a command as root through
// sudo in our pty, the password typed through our own prompt callback. Needs root (to create the
// throwaway user `mtsudo-test` and its sudoers rule, both removed afterwards) and sudo installed.

const USER = 'mtsudo-test';
const SUDOERS = '/etc/sudoers.d/mtsudo-test';
const root = process.getuid?.() === 0;
const sudo = findExecutable('sudo');
const skip = !root ? 'not root (creating the test user needs root)' : !sudo ? 'sudo is not installed (apt-get install -y sudo)' : null;
if (skip) console.warn(`[skip] sudo elevation: ${skip}`);

describe.skipIf(skip !== null)('elevation through sudo with our password prompt', () => {
  const password = `pw-${randomBytes(6).toString('hex')}`;

  beforeAll(() => {
    if (spawnSync('id', ['-u', USER]).status !== 0) execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    execFileSync('chpasswd', [], { input: `${USER}:${password}\n` });
    writeFileSync(SUDOERS, `${USER} ALL=(root) /usr/bin/env\n`, { mode: 0o440 });
  });

  afterAll(() => {
    rmSync(SUDOERS, { force: true });
    spawnSync('userdel', [USER]);
  });

  function runAsUser(answers: (string | null)[], argv: string[]) {
    const r = spawnSync('runuser', ['-u', USER, '--', process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'test', 'capture', 'sudo-helper.ts')], {
      cwd: PROJECT_ROOT,
      input: JSON.stringify({ answers, argv }),
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/tmp' },
    });
    if (r.status !== 0) throw new Error(`helper failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as { exit: { exitCode: number }; attempts: number[]; lines: string[]; transcript: string; authError: string | null };
  }

  it('asks through the callback, retries after a wrong password, runs the command as root with its environment', () => {
    const r = runAsUser(['wrong-password', password], ['/usr/bin/sh', '-c', 'echo "uid=$(id -u) var=$MT_ELEVATED_VAR"']);
    expect(r.attempts).toEqual([1, 2]);
    expect(r.exit.exitCode).toBe(0);
    expect(r.lines).toContain('uid=0 var=passed');
    expect(r.transcript).toContain('Sorry, try again.');
    // The password never shows up in anything we keep or show.
    expect(r.transcript).not.toContain(password);
    expect(r.transcript).not.toContain('wrong-password');
    expect(r.authError).toBeNull();
  }, 90_000);

  it('cancelling the prompt stops the child and says so', () => {
    const r = runAsUser([null], ['/usr/bin/id', '-u']);
    expect(r.attempts).toEqual([1]);
    expect(r.authError).toBe('auth-cancelled');
    expect(r.lines).not.toContain('0');
  }, 90_000);

  it('three wrong passwords end with sudo refusing, reported as such', () => {
    const r = runAsUser(['a', 'b', 'c'], ['/usr/bin/id', '-u']);
    expect(r.attempts).toEqual([1, 2, 3]);
    expect(r.exit.exitCode).not.toBe(0);
    expect(r.authError).toBe('auth-failed');
    expect(existsSync(SUDOERS)).toBe(true);
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../capture/session/capture-errors.js';
import { chooseElevation, planElevation, SUDO_PROMPT } from '../../capture/session/elevation.js';

const base = { argv: ['/usr/bin/bpftrace', '-o', '/tmp/raw.psv', '/tmp/a b.bt'], env: { BPFTRACE_PERF_RB_PAGES: '1024' } };

describe('elevation of the capture child', () => {
  it('runs directly as root, with the environment in the spawn', () => {
    const p = planElevation({ ...base, uid: 0, sudo: '/usr/bin/sudo', pkexec: null });
    expect(p).toMatchObject({ method: 'direct', file: '/usr/bin/bpftrace', args: ['-o', '/tmp/raw.psv', '/tmp/a b.bt'], env: base.env, prompt: null });
  });

  it('goes through sudo with our own prompt, env as argv (sudo resets the environment), never a shell', () => {
    const p = planElevation({ ...base, uid: 1000, sudo: '/usr/bin/sudo', pkexec: '/usr/bin/pkexec' });
    expect(p.method).toBe('sudo');
    expect(p.file).toBe('/usr/bin/sudo');
    expect(p.args).toEqual(['-p', SUDO_PROMPT, '--', '/usr/bin/env', 'BPFTRACE_PERF_RB_PAGES=1024', '/usr/bin/bpftrace', '-o', '/tmp/raw.psv', '/tmp/a b.bt']);
    expect(p.prompt!.test('[misertrace] sudo password for alice: ')).toBe(true);
    expect(p.prompt!.test('Password: ')).toBe(false);
  });

  it('names the program itself when it needs no variables (a sudoers line or polkit action can name exactly it)', () => {
    const helper = { argv: ['/opt/mt/misertrace-ftrace-helper.sh', '/tmp/w', '8192'], env: {} };
    expect(planElevation({ ...helper, uid: 1000, sudo: '/usr/bin/sudo', pkexec: null }).args).toEqual(['-p', SUDO_PROMPT, '--', '/opt/mt/misertrace-ftrace-helper.sh', '/tmp/w', '8192']);
    expect(planElevation({ ...helper, uid: 1000, sudo: null, pkexec: '/usr/bin/pkexec' }).args).toEqual(['/opt/mt/misertrace-ftrace-helper.sh', '/tmp/w', '8192']);
  });

  it('falls back to pkexec (absolute env program), and says what to do with neither', () => {
    const p = planElevation({ ...base, uid: 1000, sudo: null, pkexec: '/usr/bin/pkexec' });
    expect(p.file).toBe('/usr/bin/pkexec');
    expect(p.args.slice(0, 3)).toEqual(['/usr/bin/env', 'BPFTRACE_PERF_RB_PAGES=1024', '/usr/bin/bpftrace']);
    expect(p.prompt!.test('Password: ')).toBe(true);
    expect(() => chooseElevation({ uid: 1000, sudo: null, pkexec: null })).toThrow(CaptureError);
    expect(() => chooseElevation({ uid: 1000, sudo: null, pkexec: null })).toThrow(/needs root, and neither sudo nor pkexec is installed/);
    expect(() => chooseElevation({ method: 'sudo', uid: 0, sudo: null, pkexec: null })).toThrow('sudo is not installed');
  });

  it('refuses relative programs and odd variable names (bugs, not user errors)', () => {
    expect(() => planElevation({ argv: ['bpftrace'], env: {}, uid: 0, sudo: null, pkexec: null })).toThrow(/absolute program path/);
    expect(() => planElevation({ argv: ['/bin/x'], env: { 'A;B': '1' }, uid: 1000, sudo: '/usr/bin/sudo', pkexec: null })).toThrow(/bad environment variable name/);
  });
});

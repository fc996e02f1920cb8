import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ftraceHelperPath } from '../capture/ftrace/helper-command.js';
import { findExecutable } from '../capture/probes/find-executable.js';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { userProcesses } from './nonroot/throwaway-user.js';
import { chromiumMissingReason } from './ui/harness/browser.js';
import { buildRenderer } from './ui/harness/renderer-build.js';

// Issue 16 item 1, the app's side: the UI capture spec (e2e/ui/capture.test.ts: Chromium, the
// app's real capture services, both backends) run by a throwaway unprivileged user in the docker
// group whose sudo rules allow exactly the elevated parts without a password (the spec answers no
// password prompt). The user cannot write to the checkout: the renderer is built first (vite
// writes its bundled config into node_modules), vitest loads its config without bundling it
// (--configLoader runner), and the screenshots go to the user's own folder.

const env = await captureEnvironment();
const sudo = findExecutable('sudo');
const skip = env.skipReason ?? chromiumMissingReason() ?? (sudo === null ? 'sudo is not installed (apt-get install -y sudo)' : null);
announceSkip('the UI capture spec as a non-root user', skip);

describe.skipIf(skip !== null)('the UI capture spec as a non-root user with sudo', () => {
  const user = `mtui-${randomBytes(3).toString('hex')}`;
  const sudoers = `/etc/sudoers.d/${user}`;
  let uid = -1;
  let home = '';

  beforeAll(async () => {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', 'docker', user]);
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    home = mkdtempSync(join(tmpdir(), 'misertrace-nonroot-ui-'));
    chownSync(home, uid, uid);
    // Exactly the elevated parts (docs/adr/0020): the ftrace helper, and env for bpftrace's sizes.
    writeFileSync(sudoers, `${user} ALL=(root) NOPASSWD: ${ftraceHelperPath()}\n${user} ALL=(root) NOPASSWD: /usr/bin/env\n`, { mode: 0o440 });
    await buildRenderer();
  }, 300_000);

  afterAll(() => {
    for (const pid of userProcesses(uid)) spawnSync('kill', ['-KILL', String(pid)]);
    rmSync(sudoers, { force: true });
    spawnSync('userdel', [user]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('captures the demo app with both backends through the UI, as that user', () => {
    const r = spawnSync('runuser', ['-u', user, '--', process.execPath, join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--configLoader', 'runner', 'e2e/ui/capture.test.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 540_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmpdir(), MISERTRACE_SHOT_DIR: join(home, 'shots'), CI: process.env['CI'] ?? '' },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out.slice(-6000)).toBe(0);
    // Every case ran (none skipped for want of rights), the captures among them.
    expect(out).toMatch(/Tests\s+.*4 passed/);
    expect(out).not.toMatch(/skipped/);
    expect(out).toMatch(/captures the demo app with ftrace through the UI/);
    expect(out).toMatch(new RegExp(`as uid ${uid}: To start: `));
  }, 600_000);
});

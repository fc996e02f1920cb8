import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { findExecutable } from '../capture/probes/find-executable.js';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { DemoApp } from './demo-app/demo-app.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { expectedShape, traceViews } from './helpers/trace-match.js';
import type { RunReport, RunRequest } from './nonroot/capture-as-user.js';
import { sudoersFor, userProcesses } from './nonroot/throwaway-user.js';

// The normal case of docs/adr/0020: an unprivileged user (in the docker group) who may run the
// capture's elevated part through sudo. A throwaway user is created for the run and removed
// afterwards (with its sudoers rule, files and processes); it captures the demo app with each
// backend, through the session (the CLI's path) and through the app's capture services.

const env = await captureEnvironment();
const sudo = findExecutable('sudo');
const skip = env.skipReason ?? (sudo === null ? 'sudo is not installed (apt-get install -y sudo)' : null);
announceSkip('capture as a non-root user', skip);

describe.skipIf(skip !== null)('capture as a non-root user with sudo', () => {
  const user = `mtcap-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const sudoers = `/etc/sudoers.d/${user}`;
  let uid = -1;
  let dir = '';
  let app: DemoApp;

  beforeAll(async () => {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', 'docker', user]);
    execFileSync('chpasswd', [], { input: `${user}:${password}\n` });
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    dir = mkdtempSync(join(tmpdir(), 'misertrace-nonroot-'));
    chownSync(dir, uid, uid);
    app = new DemoApp();
    await app.up();
  }, 180_000);

  afterAll(async () => {
    for (const pid of userProcesses(uid)) spawnSync('kill', ['-KILL', String(pid)]);
    rmSync(sudoers, { force: true });
    spawnSync('userdel', [user]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await app?.down();
  }, 60_000);

  function runAsUser(req: Omit<RunRequest, 'password' | 'network' | 'url'>): RunReport {
    writeFileSync(sudoers, sudoersFor(user, req.backend), { mode: 0o440 });
    const r = spawnSync('runuser', ['-u', user, '--', process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'e2e', 'nonroot', 'capture-as-user.ts')], {
      cwd: PROJECT_ROOT,
      input: JSON.stringify({ ...req, password, network: app.network, url: app.url }),
      encoding: 'utf8',
      timeout: 150_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, TMPDIR: dir },
    });
    if (r.status !== 0) throw new Error(`the capture as ${user} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunReport;
  }

  for (const via of ['session', 'app'] as const) {
    for (const backend of ['ftrace', 'bpftrace'] as const) {
      it(`${backend} through ${via === 'app' ? "the app's capture services" : 'the capture session'}: a bundle of the user's own, one trace per request`, () => {
        const output = join(dir, `${via}-${backend}.mstrace`);
        const r = runAsUser({ via, backend, output });
        expect(r.uid).toBe(uid);
        expect(r.error, r.logs.join('\n')).toBeNull();
        expect(r.partial).toBe(false);
        expect(statSync(output).uid).toBe(uid);
        // Nothing of the capture is left behind (the work folder held files of the elevated part).
        expect(readdirSync(dir).filter((n) => n.includes(`${via}-${backend}`))).toEqual([`${via}-${backend}.mstrace`]);
        const bundle = Bundle.open(output);
        try {
          expect(traceViews(bundle, app).map((t) => t.shape)).toEqual(r.sent.map((s) => expectedShape(s.endpoint)));
        } finally {
          bundle.close();
        }
      }, 180_000);
    }
  }
});

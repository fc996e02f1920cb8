import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, copyFileSync, chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ftraceHelperArgs, ftraceHelperPath, HELPER_NAME } from '../../capture/ftrace/helper-command.js';
import { findExecutable } from '../../capture/probes/find-executable.js';
import { planElevation } from '../../capture/session/elevation.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { PROJECT_ROOT } from '../fixtures.js';

// The ftrace helper through pkexec (docs/adr/0020, 0077): the shipped polkit action
// (capture/ftrace/misertrace-ftrace-helper.policy.in) names exactly the helper's path; a site rule
// grants it to one user. That user's pkexec runs the helper as root, which writes only the user's
// files; the same user's pkexec of any other program, or of a copy of the helper elsewhere, is
// refused. polkitd (and a system bus when none runs) are started for the test and stopped after.

const POLKITD = '/usr/lib/polkit-1/polkitd';
const pkexec = findExecutable('pkexec');
const dbusDaemon = findExecutable('dbus-daemon');
const root = process.getuid?.() === 0;
const tracefs = existsSync('/sys/kernel/tracing/events') ? '/sys/kernel/tracing' : null;
const skip = !root
  ? 'not root'
  : pkexec === null || !existsSync(POLKITD) || dbusDaemon === null
    ? 'polkit is not installed (apt-get install -y pkexec polkitd dbus-daemon)'
    : tracefs === null
      ? 'no tracefs at /sys/kernel/tracing'
      : null;
if (skip) console.warn(`[polkit helper] skipped: ${skip}`);

const EVENTS = { bufferKb: 64, traced: ['sched:sched_process_fork'], syscalls: { send: [], recv: [] }, userEvents: [], sockets: [] };

function hasOwner(name: string): boolean {
  const r = spawnSync('dbus-send', ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && /boolean true/.test(r.stdout);
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip !== null)('the ftrace helper through pkexec and its polkit action', () => {
  const tag = randomBytes(3).toString('hex');
  const user = `mtpk-${tag}`;
  const actionId = `io.misertrace.test${tag}.ftrace-helper`;
  const actionFile = `/usr/share/polkit-1/actions/${actionId}.policy`;
  const ruleFile = `/etc/polkit-1/rules.d/49-misertrace-test-${tag}.rules`;
  const started: ChildProcess[] = [];
  let dbusPid: number | null = null;
  let uid = -1;
  let work: TempDir;
  const helper = ftraceHelperPath();

  beforeAll(async () => {
    if (!hasOwner('org.freedesktop.DBus')) {
      // No system bus answers (a socket left by a bus that was killed does not count).
      execFileSync('mkdir', ['-p', '/run/dbus']);
      rmSync('/run/dbus/system_bus_socket', { force: true });
      dbusPid = Number(execFileSync(dbusDaemon!, ['--system', '--fork', '--print-pid', '--nopidfile'], { encoding: 'utf8' }).trim());
    }
    const template = readFileSync(join(PROJECT_ROOT, 'capture', 'ftrace', 'misertrace-ftrace-helper.policy.in'), 'utf8');
    writeFileSync(actionFile, template.replaceAll('@ACTION_ID@', actionId).replaceAll('@HELPER_PATH@', helper));
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    // What a site administrator adds: this action, for this user, without a password.
    writeFileSync(ruleFile, `polkit.addRule(function (action, subject) {\n  if (action.id == "${actionId}" && subject.user == "${user}") return polkit.Result.YES;\n});\n`);
    if (!hasOwner('org.freedesktop.PolicyKit1')) {
      started.push(spawn(POLKITD, ['--no-debug'], { stdio: 'ignore' }));
      await until('polkitd on the system bus', () => hasOwner('org.freedesktop.PolicyKit1'));
    }
    work = tempDir('mt-polkit-');
    chownSync(work.path, uid, uid);
  }, 60_000);

  afterAll(() => {
    rmSync(actionFile, { force: true });
    rmSync(ruleFile, { force: true });
    work?.remove();
    if (uid >= 0) spawnSync('userdel', [user]);
    for (const c of started) c.kill('SIGTERM');
    if (dbusPid !== null) {
      process.kill(dbusPid, 'SIGTERM');
      rmSync('/run/dbus/system_bus_socket', { force: true });
    }
  });

  function asUser(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
    const child = spawn('runuser', ['-u', user, '--', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { child, out: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
  }

  it('runs exactly the helper as root, writing the user\'s files; the action names its path', async () => {
    const plan = planElevation({ argv: [helper, ...ftraceHelperArgs(work.path, { ...EVENTS, tids: [process.pid] })], env: {}, method: 'pkexec', uid, sudo: null, pkexec });
    // pkexec gets the helper itself, no env in front: the path the action names.
    expect(plan.args[0]).toBe(helper);
    const run = asUser([plan.file, ...plan.args]);
    const messages = join(work.path, 'messages');
    await until('the helper attached', () => existsSync(messages) && readFileSync(messages, 'utf8').includes('@misertrace_attached'), 20_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${run.out()}`);
    });
    // Tracing runs in root's instance, named after the helper's pid.
    expect(readdirSync('/sys/kernel/tracing/instances').some((n) => n.startsWith('misertrace-'))).toBe(true);
    run.child.stdin!.end();
    expect(await run.exited, run.out()).toBe(0);
    for (const f of ['formats', 'pages', 'messages']) expect(statSync(join(work.path, f)).uid).toBe(uid);
    expect(run.out()).toMatch(/ftrace helper: stopped after \d+ rounds/);
  }, 60_000);

  it('refuses any other program, and the same helper at another path', async () => {
    const other = asUser([pkexec!, '/usr/bin/id']);
    other.child.stdin!.end();
    expect(await other.exited).not.toBe(0);
    expect(other.out()).not.toMatch(/uid=0/);
    const copyDir = tempDir('mt-polkit-copy-');
    try {
      chmodSync(copyDir.path, 0o755);
      const copy = join(copyDir.path, HELPER_NAME);
      copyFileSync(helper, copy);
      chmodSync(copy, 0o755);
      const moved = asUser([pkexec!, copy, work.path, '64', String(process.pid), 'traced|sched:sched_process_fork']);
      moved.child.stdin!.end();
      expect(await moved.exited).not.toBe(0);
      expect(moved.out()).not.toMatch(/Attaching/);
    } finally {
      copyDir.remove();
    }
  }, 60_000);
});

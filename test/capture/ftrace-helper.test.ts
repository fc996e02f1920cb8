import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';
import { HELPER_NAME, ftraceHelperArgs, ftraceHelperPath } from '../../capture/ftrace/helper-command.js';
import { findExecutable } from '../../capture/probes/find-executable.js';
import { planElevation } from '../../capture/session/elevation.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { PROJECT_ROOT } from '../fixtures.js';

// The ftrace backend's root helper (misertrace-ftrace-helper.sh) for real: tracefs instances set
// up with plain writes, the raw pages written as the invoking user, the instances removed on ^C,
// when its stdin closes, never on a closed terminal alone; hostile arguments refused; and run the
// way the packaged app runs it: from resources/, through sudo, with a sudoers line naming it.

const root = process.getuid?.() === 0;
const tracefs = existsSync('/sys/kernel/tracing/instances');
const skip = !root ? 'not root' : !tracefs ? 'tracefs is not mounted' : null;
if (skip) console.warn(`[skip] ftrace helper: ${skip}`);

const HELPER = ftraceHelperPath();
const EVENTS = { tids: [] as number[], traced: ['syscalls:sys_enter_write'], syscalls: { send: [], recv: [] }, userEvents: [], sockets: [{ event: 'sock:inet_sock_set_state', filter: 'newstate == 1' }], bufferKb: 1024 };
const WRITES = 300;

interface Running {
  helper: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function instancesOf(pid: number | undefined): string[] {
  return readdirSync('/sys/kernel/tracing/instances').filter((n) => n.startsWith(`misertrace-${pid}-`));
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip !== null)('the ftrace root helper', () => {
  let dir: TempDir;
  let traced: ChildProcess;
  const started: ChildProcess[] = [];

  beforeAll(() => {
    // A thread that writes WRITES times when told to: the traced instance follows it.
    traced = spawn('/bin/sh', ['-c', `read go; i=0; while [ $i -lt ${WRITES} ]; do echo x > /dev/null; i=$((i+1)); done; read end`], { stdio: ['pipe', 'ignore', 'ignore'] });
  });
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    dir?.remove();
  });
  afterAll(() => {
    traced.kill('SIGKILL');
  });

  function start(args: string[], program = HELPER): Running {
    let out = '';
    const helper = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(helper);
    helper.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    helper.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => helper.on('exit', (code) => r(code)));
    return { helper, out: () => out, exited };
  }

  it('sets up its instances, writes the pages as the caller, counts exactly, removes everything on ^C', async () => {
    dir = tempDir('mt-helper-');
    const raw = join(dir.path, 'raw.psv');
    const cfg = { ...EVENTS, tids: [traced.pid!] };
    const run = start(ftraceHelperArgs(dir.path, cfg));
    const relay = new FtraceRelay(dir.path, raw, { tids: cfg.tids, comms: {}, syscalls: cfg.syscalls });
    await until('the attach marker', async () => (await relay.poll(), existsSync(raw) && readFileSync(raw, 'utf8').includes('@misertrace_attached: ')));
    expect(instancesOf(run.helper.pid).sort()).toEqual([`misertrace-${run.helper.pid}-sockets`, `misertrace-${run.helper.pid}-traced`]);
    traced.stdin!.write('go\n');
    // Live figures: the relay counts the helper's pages by event name, unprivileged.
    const counted = () => [...readFileSync(raw, 'utf8').matchAll(/@misertrace_events: \d+ (.*)/g)].map((m) => (JSON.parse(m[1]!) as Record<string, number>)['syscalls:sys_enter_write'] ?? 0).pop() ?? 0;
    await until(`${WRITES} writes counted`, async () => (await relay.poll(), counted() === WRITES));
    run.helper.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/stopped after \d+ rounds, 0 events lost/);
    const r = await relay.finish();
    expect(r.cutBytes).toBe(0);
    expect(relay.result!.events).toBeGreaterThanOrEqual(WRITES);
    expect(instancesOf(run.helper.pid)).toEqual([]);
    expect(readdirSync('/tmp').filter((n) => n.startsWith(`misertrace-ftrace-${run.helper.pid}.`))).toEqual([]);
  }, 60_000);

  it('counts the events its full buffers dropped, exactly once each, and keeps capturing', async () => {
    dir = tempDir('mt-helper-');
    // 4 KiB per CPU and a second between rounds: 200,000 writes overflow it many times over.
    // (What made a count unreadable once, a stats line read while another event's count changed
    // its length, is too rare to provoke here; the helper now reads each stats file at once.)
    const writer = spawn('python3', ['-c', 'import os, sys\nsys.stdin.readline()\nfd = os.open("/dev/null", os.O_WRONLY)\nfor _ in range(200000): os.write(fd, b"x")\nsys.stdin.readline()'], { stdio: ['pipe', 'ignore', 'inherit'] });
    started.push(writer);
    const run = start(ftraceHelperArgs(dir.path, { ...EVENTS, tids: [writer.pid!], bufferKb: 4 }));
    const messages = () => (existsSync(join(dir.path, 'messages')) ? readFileSync(join(dir.path, 'messages'), 'utf8') : '');
    await until('attached', () => messages().includes('@misertrace_attached'));
    writer.stdin!.write('go\n');
    await until('events lost', () => /Lost \d+ events/.test(messages()));
    await new Promise((r) => setTimeout(r, 2500));
    expect(run.helper.exitCode).toBeNull();
    run.helper.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const reported = [...messages().matchAll(/Lost (\d+) events/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(reported).toBeGreaterThan(1000);
    expect(run.out()).toContain(`stopped after`);
    expect(run.out()).toMatch(new RegExp(`, ${reported} events lost`));
    expect(run.out()).not.toMatch(/arithmetic|ERROR/);
  }, 60_000);

  it('survives its terminal closing (SIGHUP), stops and cleans up when its stdin closes', async () => {
    dir = tempDir('mt-helper-');
    const run = start(ftraceHelperArgs(dir.path, { ...EVENTS, tids: [traced.pid!] }));
    await until('attached', () => existsSync(join(dir.path, 'messages')) && readFileSync(join(dir.path, 'messages'), 'utf8').includes('@misertrace_attached'));
    run.helper.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    expect(run.helper.exitCode).toBeNull();
    expect(instancesOf(run.helper.pid)).toHaveLength(2);
    run.helper.stdin!.end();
    expect(await run.exited).toBe(0);
    expect(instancesOf(run.helper.pid)).toEqual([]);
  }, 30_000);

  it('refuses hostile arguments before touching tracefs', async () => {
    dir = tempDir('mt-helper-');
    const cases: [string[], RegExp][] = [
      [['relative/dir', '1024', '1', 'traced|syscalls:sys_enter_write'], /absolute path/],
      [[dir.path, '99999999', '1', 'traced|syscalls:sys_enter_write'], /BUFFER_KB/],
      [[dir.path, '1024', '1;rm', 'traced|syscalls:sys_enter_write'], /PIDS/],
      [[dir.path, '1024', '1', 'traced|../../../etc:passwd'], /bad event name/],
      [[dir.path, '1024', '1', 'global|syscalls:sys_enter_write'], /bad event spec/],
      [[dir.path, '1024', '1', 'traced|nosuch:event'], /tracepoint not found: nosuch:event/],
    ];
    for (const [args, re] of cases) {
      const run = start(args);
      expect(await run.exited).toBe(1);
      expect(run.out()).toMatch(re);
      expect(instancesOf(run.helper.pid)).toEqual([]);
    }
  }, 30_000);

  const sudo = findExecutable('sudo');
  describe.skipIf(sudo === null)('in the packaged layout, through sudo, for a user whose sudoers line names only the helper', () => {
    const user = `mthelp-${randomBytes(3).toString('hex')}`;
    const sudoers = `/etc/sudoers.d/${user}`;
    let uid = -1;
    let resources: TempDir;

    beforeAll(() => {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
      uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
      // resources/ as electron-builder lays it out (extraResources), readable by everyone, root's.
      resources = tempDir('mt-resources-');
      chmodSync(resources.path, 0o755);
      copyFileSync(join(PROJECT_ROOT, 'capture', 'ftrace', HELPER_NAME), join(resources.path, HELPER_NAME));
      chmodSync(join(resources.path, HELPER_NAME), 0o755);
      writeFileSync(sudoers, `${user} ALL=(root) NOPASSWD: ${join(resources.path, HELPER_NAME)}\n`, { mode: 0o440 });
    });
    afterAll(() => {
      rmSync(sudoers, { force: true });
      spawnSync('userdel', [user]);
      resources?.remove();
    });

    it('the packaged main finds the helper in resources/ and runs no Node child (RunAsNode is fused off)', () => {
      const b = spawnSync('npm', ['run', 'build:app'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000 });
      expect(b.status, b.stderr).toBe(0);
      const main = readFileSync(join(PROJECT_ROOT, '.vite', 'build', 'main.js'), 'utf8');
      expect(main).toContain(HELPER_NAME);
      expect(main).not.toMatch(/ftrace-child|ELECTRON_RUN_AS_NODE/);
      // The resolver as Electron's main runs it: process.resourcesPath set.
      const probe = `process.resourcesPath = ${JSON.stringify(resources.path)}; const m = await import(${JSON.stringify(join(PROJECT_ROOT, 'capture', 'ftrace', 'helper-command.ts'))}); console.log(m.ftraceHelperPath());`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      expect(r.stdout.trim()).toBe(join(resources.path, HELPER_NAME));
    }, 300_000);

    it('captures as root, writes only the user\'s files; the user cannot aim it at a folder that is not theirs', async () => {
      dir = tempDir('mt-helper-');
      chownSync(dir.path, uid, uid);
      const cfg = { ...EVENTS, tids: [traced.pid!] };
      const plan = planElevation({ argv: [join(resources.path, HELPER_NAME), ...ftraceHelperArgs(dir.path, cfg)], env: {}, method: 'sudo', uid, sudo: sudo!, pkexec: null });
      // The argv after sudo's options is the session's: the helper named directly, no env.
      expect(plan.args.slice(2, 4)).toEqual(['--', join(resources.path, HELPER_NAME)]);
      const asUser = (args: string[]) => start(['-u', user, '--', sudo!, '-n', ...args], 'runuser');
      const run = asUser(plan.args.slice(2));
      await until('attached', () => existsSync(join(dir.path, 'messages')) && readFileSync(join(dir.path, 'messages'), 'utf8').includes('@misertrace_attached'));
      run.helper.stdin!.end();
      expect(await run.exited).toBe(0);
      for (const f of ['formats', 'pages', 'messages']) expect(statSync(join(dir.path, f)).uid).toBe(uid);
      const other = tempDir('mt-notyours-');
      try {
        const bad = asUser(plan.args.slice(2).map((a) => (a === dir.path ? other.path : a)));
        expect(await bad.exited).toBe(1);
        expect(bad.out()).toMatch(/cannot write to .* as uid/);
        expect(readdirSync(other.path)).toEqual([]);
      } finally {
        other.remove();
      }
    }, 60_000);
  });
});

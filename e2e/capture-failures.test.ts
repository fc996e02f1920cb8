import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../capture/session/capture-errors.js';
import { CaptureSession, type CaptureState } from '../capture/session/capture-session.js';
import { DiscoveryError } from '../capture/discovery/discovery-errors.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { ProbeSupportError } from '../capture/probes/probe-support.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';

// What a capture does when things go wrong before it starts: each failure is a clear message
// before anything starts (no child, no work directory, no bundle). Captures that end early once
// attached (the child dies, the host runs short, a cancel) are in capture-ends-early.test.ts.

const env = await captureEnvironment();
announceSkip('capture failures (docker)', env.dockerSkipReason);
announceSkip('capture failures (capture)', env.skipReason);

const CLI = join(PROJECT_ROOT, 'bin', 'misertrace.js');

function cli(args: string[], extraEnv: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...extraEnv }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: TempDir;
beforeAll(() => {
  dir = tempDir('misertrace-fail-');
});
afterAll(() => dir.remove());

/** Nothing of a failed start is left beside the output. */
function expectNothingLeft(): void {
  expect(readdirSync(dir.path).filter((f) => f !== 'custom.bt' && f !== 'kprobe.bt')).toEqual([]);
}

async function expectStartFails(session: CaptureSession, check: (e: unknown) => void): Promise<CaptureState[]> {
  const states: CaptureState[] = [];
  session.onState.on((s) => states.push(s));
  try {
    await expect(session.start()).rejects.toSatisfy((e: unknown) => {
      check(e);
      return true;
    });
    expect(session.childPid).toBeNull();
    return states;
  } finally {
    session.dispose();
  }
}

describe('Docker down', () => {
  it('discovery says Docker is not reachable, with what to do', async () => {
    const svc = new DiscoveryService({ socketPath: '/nonexistent/misertrace-test/docker.sock' });
    await expect(svc.discover('anything')).rejects.toMatchObject({ code: 'docker-unreachable', exitCode: 3 });
    await expect(svc.ping()).rejects.toThrow(/Docker is not reachable: no socket at \/nonexistent\/misertrace-test\/docker\.sock/);
  });

  it('misertrace capture exits 3 with the message and a hint, no stack trace', () => {
    const r = cli(['capture', '-n', 'whatever', '-o', join(dir.path, 'x.mstrace'), '--docker-socket', '/nonexistent/docker.sock']);
    expect(r.stdout).toBe('');
    if (env.root && env.bpftrace && env.tracefs) {
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/error: Docker is not reachable: no socket at \/nonexistent\/docker\.sock/);
      expect(r.stderr).toMatch(/hint: start the Docker engine/);
    } else expect(r.status).toBe(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectNothingLeft();
  });

  it('misertrace discover exits 3 too', () => {
    const r = cli(['discover', '-n', 'x', '-m', join(dir.path, 'm.psv'), '-o', join(dir.path, 'p.bt'), '--docker-socket', '/nonexistent/docker.sock']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/Docker is not reachable/);
    expectNothingLeft();
  });
});

describe.skipIf(env.dockerSkipReason !== null)('unknown network', () => {
  it('discovery names the network and lists the ones that exist', async () => {
    const err = await new DiscoveryService().discover('mtdemo-no-such-network').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as DiscoveryError).code).toBe('unknown-network');
    expect((err as DiscoveryError).message).toBe('no Docker network named "mtdemo-no-such-network"');
    expect((err as DiscoveryError).hint).toMatch(/networks on this engine: .*bridge/);
  });

  it.skipIf(env.skipReason !== null)('a capture fails before starting anything', async () => {
    const session = new CaptureSession({ network: 'mtdemo-no-such-network', output: join(dir.path, 'u.mstrace') });
    await expectStartFails(session, (e) => expect(e).toMatchObject({ code: 'unknown-network' }));
    expectNothingLeft();
  });
});

describe('bpftrace missing', () => {
  it('is named before capture, with how to install it', async () => {
    // A PATH without bpftrace (and without sudo/pkexec, which do not matter as root).
    const session = new CaptureSession({ network: 'unused', output: join(dir.path, 'b.mstrace'), backend: 'bpftrace', pathEnv: '/nonexistent-bin' });
    const states = await expectStartFails(session, (e) => {
      expect(e).toBeInstanceOf(ProbeSupportError);
      expect((e as ProbeSupportError).message).toMatch(/cannot run the bpftrace probe set \(.*the bpftrace program/);
      expect((e as ProbeSupportError).hint).toMatch(/apt-get install -y bpftrace|--backend ftrace/);
    });
    expect(states).toEqual(['preparing', 'failed']);
    expectNothingLeft();
  });

  it('misertrace capture --backend bpftrace exits 3 when PATH has no bpftrace', () => {
    const r = cli(['capture', '-n', 'unused', '-o', join(dir.path, 'b.mstrace'), '--backend', 'bpftrace'], { PATH: '/nonexistent-bin' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/the bpftrace program/);
    expectNothingLeft();
  });

  it.skipIf(env.skipReason !== null)('the default backend (auto) does not need bpftrace: it goes on to discovery with ftrace', async () => {
    const session = new CaptureSession({ network: 'mtdemo-no-such-network', output: join(dir.path, 'a.mstrace'), pathEnv: '/nonexistent-bin' });
    const logs: string[] = [];
    session.onLog.on((l) => logs.push(l.text));
    await expectStartFails(session, (e) => expect(e).toMatchObject({ code: 'unknown-network' }));
    expect(logs).toContain('backend: ftrace (the kernel supports it and it costs the application the least)');
    expectNothingLeft();
  });
});

describe.skipIf(env.skipReason !== null)('probe missing in the kernel', () => {
  it('a custom probe on a tracepoint this kernel lacks is named, with its file and line', async () => {
    const custom = join(dir.path, 'custom.bt');
    writeFileSync(
      custom,
      `tracepoint:sched:sched_migrate_task\n/@pids[tid] == 1/\n{\n  printf("%s|%d|%llu|%d|%s\\n", comm, tid, nsecs, cpu, probe);\n}\n\n` +
        `tracepoint:sched:misertrace_no_such_event\n/@pids[tid] == 1/\n{\n  printf("%s|%d|%llu|%d|%s\\n", comm, tid, nsecs, cpu, probe);\n}\n`,
    );
    const session = new CaptureSession({ network: 'unused', output: join(dir.path, 'p.mstrace'), customProbeFiles: [custom] });
    await expectStartFails(session, (e) => {
      expect(e).toBeInstanceOf(ProbeSupportError);
      expect((e as Error).message).toContain(`${custom}:7: tracepoint sched:misertrace_no_such_event is not in this kernel`);
    });
    expectNothingLeft();
  });

  it('a kprobe on a kernel without kprobes is refused before capture (this machine has none)', async () => {
    const custom = join(dir.path, 'kprobe.bt');
    writeFileSync(custom, `kprobe:tcp_sendmsg\n/@pids[tid] == 1/\n{\n  printf("%s|%d|%llu|%d|%s\\n", comm, tid, nsecs, cpu, probe);\n}\n`);
    const session = new CaptureSession({ network: 'unused', output: join(dir.path, 'k.mstrace'), customProbeFiles: [custom] });
    const { detectKernelFeatures } = await import('../capture/probes/kernel-features.js');
    const kprobes = (await detectKernelFeatures()).kprobes;
    if (kprobes !== false) {
      session.dispose();
      console.warn('[skip] kprobe refusal: this kernel has kprobes');
      return;
    }
    await expectStartFails(session, (e) => expect((e as Error).message).toMatch(/kprobe:tcp_sendmsg needs kprobes/));
  });

  it('misertrace capture exits 3 naming the probe', () => {
    const r = cli(['capture', '-n', 'unused', '-o', join(dir.path, 'p.mstrace'), '-i', join(dir.path, 'custom.bt')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/misertrace_no_such_event is not in this kernel/);
  });
});

describe('output path not writable', () => {
  it('a missing directory is refused before anything starts', async () => {
    const session = new CaptureSession({ network: 'unused', output: '/nonexistent-dir/misertrace/out.mstrace' });
    await expectStartFails(session, (e) => {
      expect(e).toBeInstanceOf(CaptureError);
      expect((e as CaptureError).code).toBe('output-unwritable');
      expect((e as CaptureError).message).toMatch(/its directory does not exist/);
    });
  });

  it('a directory where nothing can be created (even by root) is refused', async () => {
    const session = new CaptureSession({ network: 'unused', output: '/proc/misertrace-test.mstrace' });
    await expectStartFails(session, (e) => {
      expect(e).toBeInstanceOf(CaptureError);
      expect((e as CaptureError).code).toBe('output-unwritable');
    });
    expect(existsSync('/proc/misertrace-test.mstrace')).toBe(false);
  });

  it('misertrace capture exits 2 (bad output path)', () => {
    const r = cli(['capture', '-n', 'unused', '-o', '/nonexistent-dir/out.mstrace']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write \/nonexistent-dir\/out\.mstrace: its directory does not exist/);
  });
});

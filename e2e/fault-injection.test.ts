import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { fixture, PROJECT_ROOT } from '../test/fixtures.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';

// Faults a capture meets on an unlucky day (issue 16 item 8 and the issue's checks): a disk that
// fills up (a small tmpfs), a Docker socket that never answers, DOCKER_HOST pointing elsewhere,
// and kernel buffers too small for the load. Each ends with a message that says what happened and
// what was kept, never a stack trace, never a silent success.

const env = await captureEnvironment();
const CLI = join(PROJECT_ROOT, 'bin', 'misertrace.js');
const root = process.getuid?.() === 0;
announceSkip('fault injection (capture)', env.skipReason);

function cli(args: string[], extraEnv: Record<string, string> = {}, timeout = 60_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, env: { ...process.env, ...extraEnv } });
  return { code: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout, ms: Date.now() - t0 };
}

let dir: TempDir;
beforeAll(() => {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first (the CLI runs from dist/)');
  dir = tempDir('misertrace-faults-');
});
afterAll(() => dir?.remove());

describe.skipIf(!root)('a full disk (a 300 KiB tmpfs)', () => {
  let mnt = '';
  beforeAll(() => {
    mnt = join(dir.path, 'small');
    mkdirSync(mnt);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', mnt]);
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  it('bundle import says the disk is full (exit 3), leaves no partial file, keeps the input', () => {
    const input = fixture('mixed50', 'trace.psv');
    const gw = readFileSync(fixture('mixed50', 'gateway.txt'), 'utf8').trim();
    const r = cli(['bundle', 'import', '-i', input, '-m', fixture('mixed50', 'meta.psv'), '-g', gw, '-o', join(mnt, 'b.mstrace')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the disk is full/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(mnt)).toEqual([]);
  });
});

describe('Docker that cannot be used', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let sock = '';
  beforeAll(async () => {
    sock = join(dir.path, 'silent.sock');
    // Accepts connections and never answers, like a hung dockerd.
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(sock, r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('a socket that never answers times out with a message (exit 3)', () => {
    const r = cli(['capture', '-n', 'any-network', '-o', join(dir.path, 'never.mstrace'), '--docker-socket', sock], {}, 60_000);
    expect(r.signal, 'it hung until killed').toBeNull();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Docker did not answer on .*silent\.sock within \d+ s/);
    expect(existsSync(join(dir.path, 'never.mstrace'))).toBe(false);
  }, 90_000);

  it('DOCKER_HOST=tcp://… is named in the error, not /var/run/docker.sock', () => {
    const r = cli(['capture', '-n', 'any-network', '-o', join(dir.path, 'tcp.mstrace')], { DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/DOCKER_HOST is tcp:\/\/127\.0\.0\.1:2375/);
    expect(r.stderr).not.toMatch(/docker\.sock: /);
  });
});

describe.skipIf(env.skipReason !== null)('kernel buffers too small for the load', () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = new DemoApp();
    await app.up();
  }, 180_000);
  afterAll(async () => {
    await app?.down();
  }, 60_000);

  it('the root helper killed while attaching: a clear error, nothing written, no work folder left', async () => {
    const { CaptureSession } = await import('../capture/session/capture-session.js');
    const output = join(dir.path, 'killed-attaching.mstrace');
    const session = new CaptureSession({ network: app.network, output, backend: 'ftrace' });
    try {
      const started = session.start().then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      for (let i = 0; i < 400 && session.childPid === null; i++) await new Promise((r) => setTimeout(r, 5));
      expect(session.childPid).not.toBeNull();
      process.kill(session.childPid!, 'SIGKILL');
      const err = await started;
      expect(err, 'it attached before the kill').not.toBeNull();
      expect(err!.message).toMatch(/ftrace child was killed by signal 9 before its probes were attached/);
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(dir.path).filter((n) => n.startsWith('.killed-attaching'))).toEqual([]);
    } finally {
      session.dispose();
    }
  }, 120_000);

  it.skipIf(!root)('a capture onto a disk that fills up (host guard off): keeps what fits, says the disk is full, no partial bundle file', async () => {
    const { CaptureSession } = await import('../capture/session/capture-session.js');
    const { isDiskFull } = await import('../cli/main.js');
    const mnt = join(dir.path, 'tiny');
    mkdirSync(mnt);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt]);
    const output = join(mnt, 'full.mstrace');
    // The guard would stop the capture before the disk fills (it does, with 256 MiB to spare): off here.
    const session = new CaptureSession({ network: app.network, output, backend: 'ftrace', hostLimits: false, keepWorkDir: true });
    const logs: string[] = [];
    session.onLog.on((l) => logs.push(`${l.level}: ${l.text}`));
    try {
      const a = await session.start();
      await sendRequests(app.url, planRequests(15), 4);
      await new Promise((r) => setTimeout(r, 1000));
      const outcome = await (session.finished ?? session.stop()).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      console.log(`[full disk capture] ${outcome.ok ? `bundle, partial ${String(outcome.r.partial)}` : `failed: ${String((outcome.e as Error).message)}`}\n${logs.join('\n')}`);
      expect(readdirSync(mnt).filter((n) => n.includes('.partial')), readdirSync(mnt).join(' ')).toEqual([]);
      if (outcome.ok) {
        expect(outcome.r.partial).toBe(true);
      } else {
        expect(isDiskFull(outcome.e) || /disk is full|no space/i.test(String((outcome.e as Error).message))).toBe(true);
        // What fit is kept: the pages the helper wrote before the disk filled.
        expect(readdirSync(a.workDir)).toEqual(expect.arrayContaining(['pages', 'formats']));
      }
    } finally {
      session.dispose();
      spawnSync('umount', ['-l', mnt]);
    }
  }, 120_000);

  it('forced event loss (--buffer-kb 4): the bundle is partial, exit 1, the advice fits ftrace', async () => {
    const output = join(dir.path, 'lossy.mstrace');
    const child = spawn(process.execPath, [CLI, 'capture', '-n', app.network, '-o', output, '--backend', 'ftrace', '--buffer-kb', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      for (let i = 0; i < 600 && !stdout.includes('capturing:'); i++) await new Promise((r) => setTimeout(r, 50));
      await sendRequests(app.url, planRequests(10), 8);
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/the bundle is PARTIAL: \d+ events were lost/);
      expect(stderr).toMatch(/larger --buffer-kb/);
      expect(stderr).not.toMatch(/--rb-pages|bpftrace/);
      const b = Bundle.open(output);
      try {
        expect(b.manifest.capture.partial).toBe(true);
        expect(b.manifest.capture.lostEvents).toBeGreaterThan(0);
      } finally {
        b.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { CaptureSession, type CaptureResult } from '../capture/session/capture-session.js';
import { tempDir, type TempDir } from '../test/fixture-bundles.js';
import { DemoApp } from './demo-app/demo-app.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';

// Captures that end early once their probes are attached: a child that dies mid-capture or a
// host running short keeps what was captured in a bundle marked partial, and so does a cancel
// unless it discards the capture (then nothing is left).

/** The result of a capture that ends without being stopped (its child died, the host guard). */
function finishedByItself(session: CaptureSession): Promise<CaptureResult> {
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (session.finished) {
        clearInterval(t);
        session.finished.then(resolve, reject);
      }
    }, 50);
  });
}

const env = await captureEnvironment();
announceSkip('captures that end early (capture)', env.skipReason);

let dir: TempDir;
beforeAll(() => {
  dir = tempDir('misertrace-early-');
});
afterAll(() => dir.remove());

describe.skipIf(env.skipReason !== null)('the capture child dies mid-capture', () => {
  let app: DemoApp;
  beforeAll(async () => {
    app = new DemoApp();
    await app.up();
  }, 120_000);
  afterAll(async () => {
    await app?.down();
  }, 60_000);

  for (const backend of ['bpftrace', 'ftrace'] as const) {
    it(`${backend} killed: the bundle keeps what was captured, opens, and says it is partial`, async () => {
      const session = new CaptureSession({ network: app.network, output: join(dir.path, `killed-${backend}.mstrace`), backend });
      try {
        await session.start();
        const sent = await sendRequests(app.url, planRequests(2), 1);
        expect(sent.every((s) => s.status === 200)).toBe(true);
        // Let the records reach the file, then kill the child as the OOM killer would.
        await new Promise((r) => setTimeout(r, 1500));
        process.kill(session.childPid!, 'SIGKILL');
        const result = await finishedByItself(session);
        expect(result.partial).toBe(true);
        expect(result.partialReason).toMatch(new RegExp(`the ${backend} child was killed by signal 9 during the capture`));
        const bundle = Bundle.open(result.output);
        try {
          expect(bundle.manifest.capture.partial).toBe(true);
          expect(bundle.manifest.capture.partialReason).toBe(result.partialReason);
          expect(bundle.manifest.complete).toBe(true);
          expect(bundle.traceCount).toBeGreaterThan(0);
          expect(bundle.recordCount).toBeGreaterThan(0);
        } finally {
          bundle.close();
        }
        // The ftrace child cannot clean up after SIGKILL: the next capture removes its instance.
      } finally {
        session.dispose();
      }
    }, 120_000);
  }

  // Right after the kills: any later ftrace capture (the default backend) would remove the instance first.
  it('a stale tracefs instance of a killed ftrace child is removed by the next capture', async () => {
    const { readdirSync: ls } = await import('node:fs');
    const before = ls('/sys/kernel/tracing/instances').filter((n) => n.startsWith('misertrace-'));
    expect(before.length).toBeGreaterThan(0);
    const session = new CaptureSession({ network: app.network, output: join(dir.path, 'after-kill.mstrace'), backend: 'ftrace' });
    try {
      await session.start();
      const mine = ls('/sys/kernel/tracing/instances').filter((n) => n.startsWith('misertrace-'));
      for (const b of before) expect(mine).not.toContain(b);
      await sendRequests(app.url, planRequests(1), 1);
      const r = await session.stop();
      expect(r.partial).toBe(false);
    } finally {
      session.dispose();
    }
    expect(ls('/sys/kernel/tracing/instances').filter((n) => n.startsWith('misertrace-'))).toEqual([]);
  }, 120_000);

  it('the host running short of memory stops the capture early and keeps what it has', async () => {
    // A limit no host meets: the guard (checked every second) must stop the capture.
    const session = new CaptureSession({ network: app.network, output: join(dir.path, 'short.mstrace'), hostLimits: { minAvailableMemory: Number.MAX_SAFE_INTEGER, minFreeDisk: 1 } });
    try {
      await session.start();
      await sendRequests(app.url, planRequests(1), 1);
      const result = await finishedByItself(session);
      expect(result.partial).toBe(true);
      expect(result.partialReason).toMatch(/^the host is short of memory \(\d+ MiB available\)$/);
      const bundle = Bundle.open(result.output);
      expect(bundle.manifest.capture.partialReason).toBe(result.partialReason);
      bundle.close();
    } finally {
      session.dispose();
    }
  }, 120_000);

  it('cancelling after attach keeps the capture as a partial bundle; discarding leaves nothing', async () => {
    const keep = new CaptureSession({ network: app.network, output: join(dir.path, 'cancelled.mstrace') });
    try {
      await keep.start();
      await sendRequests(app.url, planRequests(1), 1);
      const r = await keep.cancel();
      expect(r?.partial).toBe(true);
      expect(r?.partialReason).toBe('cancelled by the user');
      expect(r?.traceCount).toBeGreaterThan(0);
    } finally {
      keep.dispose();
    }
    const discard = new CaptureSession({ network: app.network, output: join(dir.path, 'discarded.mstrace') });
    try {
      await discard.start();
      expect(await discard.cancel({ keep: false })).toBeNull();
      expect(discard.state).toBe('cancelled');
    } finally {
      discard.dispose();
    }
    expect(existsSync(join(dir.path, 'discarded.mstrace'))).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.startsWith('.discarded'))).toEqual([]);
  }, 120_000);
});

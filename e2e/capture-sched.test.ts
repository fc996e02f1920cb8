import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { CaptureSession } from '../capture/session/capture-session.js';
import { loadCatalog, probeGroup } from '../capture/probes/probe-catalog.js';
import { criticalPath } from '../engine/figure/critical-path.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment, expectNoChildProcesses } from './helpers/capture-env.js';
import { spawnCapture } from './helpers/cli-capture.js';
import { demoAppSuite } from './helpers/demo-suite.js';

// Where the time went, captured for real (issue 14, ADR 0090): the demo app under the scheduler
// group, with bpftrace (the session) and with ftrace (`misertrace capture --sched`, from dist/:
// run `npm run build` first). Every span of every request gets a split that covers it exactly;
// the frontend's root spans block while their calls run; the critical path's total is the root's.

const env = await captureEnvironment();
announceSkip('capture --sched', env.skipReason);

describe.skipIf(env.skipReason !== null)('capture with the scheduler group', () => {
  const demo = demoAppSuite('misertrace-sched-e2e-');

  function checkSplits(path: string): void {
    const b = Bundle.open(path);
    try {
      const names = b.probes.map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['tracepoint:sched:sched_switch', 'tracepoint:sched:sched_wakeup']));
      expect(b.traceCount).toBeGreaterThanOrEqual(4);
      let spans = 0;
      let withBlocked = 0;
      for (const t of b.traces()) {
        const sched = b.spanSched(t.id, t.spans.length);
        expect(sched, `trace ${t.id} has a split`).not.toBeNull();
        t.spans.forEach((s, i) => {
          const x = sched!.spans[i];
          expect(x, `trace ${t.id} span ${i} (tid ${s.tid}) has a split`).not.toBeNull();
          // The three states cover the span exactly (ns, rounded once each).
          expect(Math.abs(x!.onCpuNs + x!.runnableNs + x!.blockedNs - (s.end - s.start))).toBeLessThanOrEqual(2);
          spans++;
        });
        const root = sched!.spans[0]!;
        // A request's first handler ran (it read the request), and one with calls waited for them.
        expect(root.onCpuNs).toBeGreaterThan(0);
        if (t.spans.length > 1 && root.blockedNs > 0) withBlocked++;
        const cp = sched!.criticalPath!;
        const rootLen = t.spans[0]!.end - t.spans[0]!.start;
        const covered = criticalPath(t.spans).segments.reduce((n, g) => n + g.end - g.start, 0);
        expect(covered).toBe(rootLen);
        expect(Math.abs(cp.onCpuNs + cp.runnableNs + cp.blockedNs - rootLen)).toBeLessThanOrEqual(2 * t.spans.length);
      }
      console.log(`[sched] ${path}: ${b.traceCount} traces, ${spans} spans with a split; ${withBlocked} roots with calls blocked while they ran`);
      expect(withBlocked).toBeGreaterThan(0);
    } finally {
      b.close();
    }
  }

  it('bpftrace: every span of every request gets its on-CPU / runnable / blocked split', async () => {
    const out = join(demo.dir.path, 'bpftrace.mstrace');
    const session = new CaptureSession({ network: demo.app.network, output: out, backend: 'bpftrace', probes: probeGroup(loadCatalog(), 'sched'), drain: { quietMs: 300, maxMs: 10_000 } });
    try {
      await session.start();
      const sent = await sendRequests(demo.app.url, planRequests(2), 1);
      expect(sent.every((s) => s.status === 200)).toBe(true);
      const r = await session.stop();
      expect(r.lostEvents).toBe(0);
    } finally {
      session.dispose();
      await expectNoChildProcesses();
    }
    checkSplits(out);
  }, 180_000);

  it('ftrace through `misertrace capture --sched`', async () => {
    const out = join(demo.dir.path, 'ftrace.mstrace');
    const c = spawnCapture(['-n', demo.app.network, '-o', out, '--backend', 'ftrace', '--sched']);
    try {
      expect(await c.attached()).toMatch(/^capturing: /);
      const sent = await sendRequests(demo.app.url, planRequests(2), 1);
      expect(sent.every((s) => s.status === 200)).toBe(true);
      c.child.kill('SIGINT');
      expect(await c.exited, c.err()).toBe(0);
    } finally {
      c.kill();
      await c.exited;
    }
    checkSplits(out);
  }, 180_000);
});

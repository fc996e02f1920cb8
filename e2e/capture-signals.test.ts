import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { requireBuiltCli, spawnCapture } from './helpers/cli-capture.js';
import { demoAppSuite } from './helpers/demo-suite.js';
import { expectedShape, traceViews } from './helpers/trace-match.js';

// Ctrl-C during `misertrace capture` (issue 16 item 5): a second one stops faster and never loses
// data; the last one ends the process at once and says where the data is; the root helper, whose
// terminal is then gone, still removes its tracefs instances by itself.

const env = await captureEnvironment();
announceSkip('capture signals', env.skipReason);

/** tracefs instances of captures; `of` limits them to those of one helper pid (others may run tests on this machine). */
function instances(of?: number | null): string[] {
  return readdirSync('/sys/kernel/tracing/instances').filter((n) => n.startsWith(of === undefined ? 'misertrace-' : `misertrace-${of}-`));
}

/** Our capture's instances: the ones that appeared after `before`. */
function ours(before: readonly string[]): string[] {
  return instances().filter((n) => !before.includes(n));
}

describe.skipIf(env.skipReason !== null)('Ctrl-C during misertrace capture', () => {
  const children: ChildProcess[] = [];
  beforeAll(() => requireBuiltCli());
  const demo = demoAppSuite('misertrace-signals-');
  // After hooks unwind in reverse: this one runs before the demo app goes down.
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function capture(name: string) {
    const output = join(demo.dir.path, `${name}.mstrace`);
    const c = spawnCapture(['-n', demo.app.network, '-o', output, '--backend', 'ftrace']);
    children.push(c.child);
    const until = async (what: string, cond: () => boolean) => {
      for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!cond()) throw new Error(`no ${what}: ${c.err()}`);
    };
    return { ...c, output, until };
  }

  it('Ctrl-C while attaching: exit 130, nothing written, no instance or work folder left', async () => {
    const before = instances();
    const c = capture('attaching');
    await c.until('discovery', () => /network \S+: \d+ containers/.test(c.err()));
    c.child.kill('SIGINT');
    const code = await c.exited;
    expect(c.err()).not.toMatch(/\n\s+at /);
    if (c.out().includes('capturing:')) {
      // The probes attached just before the signal: a stop, with its bundle.
      expect(code, c.err()).toBe(0);
    } else {
      expect(code, c.err()).toBe(130);
      expect(c.err()).toMatch(/interrupted/);
      expect(readdirSync(demo.dir.path).filter((n) => n.includes('attaching'))).toEqual([]);
    }
    for (let i = 0; i < 50 && ours(before).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ours(before)).toEqual([]);
  }, 120_000);

  it('a second Ctrl-C while draining stops the child now; the bundle is whole', async () => {
    const before = instances();
    const c = capture('hurried');
    await c.until('attach line', () => c.out().includes('capturing:'));
    const mine = ours(before);
    const sent = await sendRequests(demo.app.url, planRequests(1), 1);
    c.child.kill('SIGINT');
    await c.until('draining', () => c.err().includes('draining'));
    c.child.kill('SIGINT');
    expect(await c.exited).toBe(0);
    expect(c.err()).toMatch(/stopping faster/);
    const b = Bundle.open(c.output);
    try {
      expect(b.manifest.capture.partial).toBe(false);
      expect(traceViews(b, demo.app).map((t) => t.shape)).toEqual(sent.map((s) => expectedShape(s.endpoint)));
    } finally {
      b.close();
    }
    expect(instances().filter((n) => mine.includes(n))).toEqual([]);
    expect(readdirSync(demo.dir.path).filter((n) => n.startsWith('.hurried'))).toEqual([]);
  }, 120_000);

  it('the last Ctrl-C ends at once, says where the capture is kept; the helper cleans up by itself', async () => {
    const before = instances();
    const c = capture('ended');
    await c.until('attach line', () => c.out().includes('capturing:'));
    const mine = ours(before);
    await sendRequests(demo.app.url, planRequests(1), 1);
    for (let i = 0; i < 3; i++) {
      c.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(await c.exited).toBe(130);
    const m = /interrupted again: ending now; the raw capture is kept in (\S+)/.exec(c.err());
    expect(m, c.err()).not.toBeNull();
    expect(statSync(m![1]!).isDirectory()).toBe(true);
    expect(readdirSync(m![1]!)).toEqual(expect.arrayContaining(['pages', 'formats']));
    // Its terminal closed with us: the helper's stdin watcher stops it, and it removes its instances.
    const left = () => instances().filter((n) => mine.includes(n));
    for (let i = 0; i < 100 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(left()).toEqual([]);
  }, 120_000);
});

// The same at the session (what the CLI and the app drive), at each phase after the capture: a
// hurry while sorting or generating stops building and keeps every record, deterministically
// (asked from the state change itself).
describe.skipIf(env.skipReason !== null)('stop faster while the bundle is built', () => {
  const demo = demoAppSuite('misertrace-hurry-');

  for (const phase of ['sorting', 'generating'] as const) {
    it(`while ${phase}: nothing captured is lost, and what is kept is where the error says`, async () => {
      const { CaptureSession } = await import('../capture/session/capture-session.js');
      const output = join(demo.dir.path, `${phase}.mstrace`);
      const session = new CaptureSession({ network: demo.app.network, output, backend: 'ftrace', drain: { quietMs: 300, maxMs: 5000 } });
      try {
        const a = await session.start();
        const helper = session.childPid;
        expect(instances(helper)).toHaveLength(2);
        await sendRequests(demo.app.url, planRequests(1), 1);
        session.onState.on((s) => {
          if (s === phase) session.hurry();
        });
        const err = await session.stop().then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(err, 'the build was not stopped').not.toBeNull();
        expect(instances(helper)).toEqual([]);
        if (existsSync(output)) {
          // Records first: the bundle holds every record, its traces to be generated again.
          expect(err!.message).toMatch(/keeps its \d+ records/);
          const b = Bundle.open(output);
          try {
            expect(b.recordCount).toBeGreaterThan(0);
          } finally {
            b.close();
          }
        } else {
          // Before the bundle was written: the raw capture stays in the work folder.
          expect(readdirSync(a.workDir)).toEqual(expect.arrayContaining(['raw.psv', 'pages']));
        }
      } finally {
        session.dispose();
      }
    }, 120_000);
  }
});

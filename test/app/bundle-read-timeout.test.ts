import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineBundleAccess } from '../../electron/app-services/engine-bundle-access.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import { WorkerEngineClient } from '../../engine/worker/engine-client.js';
import { buildFixtureBundle, tamperedCopy, tempDir, type TempDir } from '../fixture-bundles.js';
import { composeForTest } from './test-services.js';

// Issue 16 item 6, the app's side: its bundle reads run in the engine worker with a timeout and
// can be cancelled (docs/adr/0076). A hostile bundle is refused on open (a recursive view), and one
// that passes the schema checks but takes too long to read (a trace of a million spans) fails
// with a message while the app goes on with a fresh worker: other bundles open, the first one's
// reads work again once asked with time enough.

let dir: TempDir;
let good: string;
let recursive: string;
let huge: string;

function tampered(name: string, sql: string): string {
  return tamperedCopy(good, dir.path, name, sql);
}

beforeAll(async () => {
  dir = tempDir('misertrace-readtimeout-');
  good = await buildFixtureBundle('seq20', dir.path);
  recursive = tampered('view', `DROP TABLE traces; CREATE VIEW traces AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n AS id, 0 AS start, 0 AS end, 0 AS span_count, '' AS root FROM r;`);
  // Trace 1 gets a million more spans: a schema of ours, a read far longer than the timeout.
  huge = tampered(
    'huge',
    `WITH RECURSIVE n(i) AS (SELECT 100000 UNION ALL SELECT i + 1 FROM n WHERE i < 1100000)
     INSERT INTO spans (trace_id, idx, parent, depth, kind, tid, container, ip, start, end, child_count, event_count) SELECT 1, i, 0, 1, 'network', 1, 'c', '10.0.0.1', 0, 1, 0, 0 FROM n;`,
  );
}, 120_000);
afterAll(() => dir.remove());

function app(timeoutMs: number) {
  const engine = new WorkerEngineClient();
  const s = composeForTest(dir.path, { engine, bundles: new EngineBundleAccess(engine, timeoutMs) });
  for (const p of [good, recursive, huge]) s.services.grants.allow(p, 'open');
  return { s, engine };
}

describe('the app reads bundles in the engine worker, with a timeout', () => {
  it('a recursive view in place of the traces table is refused at once; the app goes on', async () => {
    const { s, engine } = app(60_000);
    try {
      const t0 = Date.now();
      await expect(s.handlers.openBundle({ path: recursive })).rejects.toThrow(/has a view "traces"/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const b = await s.handlers.openBundle({ path: good });
      expect(b.traceCount).toBe(20);
    } finally {
      await engine.dispose();
    }
  });

  it('a read longer than the timeout fails with a message; a fresh worker serves the next reads', async () => {
    const { s, engine } = app(300);
    try {
      // The worker's first job loads the engine's modules: not a read to time.
      const warm = await engine.run({ kind: 'bundle-open', path: good }).result;
      await engine.run({ kind: 'bundle-close', handle: warm.handle }).result;
      const g = await s.handlers.openBundle({ path: good });
      const t0 = Date.now();
      await expect(s.handlers.openBundle({ path: huge })).rejects.toThrow(/^opening .*huge\.mstrace took longer than 0\.3 s and was stopped/);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(engine.generation).toBe(1);
      const warmAgain = await engine.run({ kind: 'bundle-open', path: good }).result;
      await engine.run({ kind: 'bundle-close', handle: warmAgain.handle }).result;
      // The bundle opened before is opened again in the new worker, transparently.
      const d = await s.handlers.traceDetail({ bundleId: g.bundleId, traceId: 2 });
      expect(d.spans.length).toBeGreaterThan(0);
      await s.handlers.closeBundle({ bundleId: g.bundleId });
    } finally {
      await engine.dispose();
    }
  }, 60_000);

  it('a read cancelled while it is inside one long statement ends within seconds', async () => {
    const engine = new WorkerEngineClient();
    try {
      // Open first (it may be quick on an idle machine), then read the million-span trace: one
      // statement over a million rows, long on any machine, cancelled while it runs.
      const opened = await engine.run({ kind: 'bundle-open', path: huge }).result;
      const job = engine.run({ kind: 'bundle-trace', handle: opened.handle, traceId: 1 });
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      job.cancel();
      await expect(job.result).rejects.toBeInstanceOf(CancelledError);
      expect(Date.now() - t0).toBeLessThan(4_000);
      // The engine still answers.
      const r = await engine.run({ kind: 'bundle-open', path: good }).result;
      expect(r.manifest.traceCount).toBe(20);
    } finally {
      await engine.dispose();
    }
  }, 60_000);
});

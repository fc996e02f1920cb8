import { serialize } from 'node:v8';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSyntheticBundle, type SyntheticShape } from '../../bench/synthetic-capture.js';
import { WorkerEngineClient } from '../../engine/worker/engine-client.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { formatDelay, mainDelayDuring } from './main-delay.js';
import { composeForTest } from './test-services.js';

// Opening a 50,000-trace bundle as the app does (open, then the trace table to the renderer's
// table port) while main's event loop is measured (docs/adr/0055, 0105). MessagePortMain
// serializes what main posts on main; v8.serialize stands in for it. Before the table was packed
// (0105) the same run held main 250-400 ms.

const FIFTY_K: SyntheticShape = { requests: 50_000, fanout: 1, grandchildren: 0, userRecords: 0 };

let dir: TempDir;
let bundle: string;
beforeAll(async () => {
  dir = tempDir('misertrace-open-');
  bundle = (await buildSyntheticBundle(dir.path, FIFTY_K, 'fifty-k.mstrace')).path;
}, 300_000);
afterAll(() => dir.remove());

describe('opening a large bundle', () => {
  it('holds main under 50 ms while a 50,000-trace table goes to the renderer', { retry: 1, timeout: 120_000 }, async () => {
    const engine = new WorkerEngineClient();
    let count = 0;
    const s = composeForTest(dir.path, {
      engine,
      tables: (m) => {
        count = m.table.count;
        serialize(m); // what main's port posts
        return true;
      },
    });
    s.services.grants.allow(bundle, 'open');
    try {
      // The worker's first job loads the engine's modules: not what is measured.
      await s.handlers.openBundle({ path: bundle }).then((b) => s.handlers.closeBundle({ bundleId: b.bundleId }));
      const rows: string[] = [];
      const busy: number[] = [];
      for (let run = 0; run < 3; run++) {
        count = 0;
        const d = await mainDelayDuring(async () => {
          const info = await s.handlers.openBundle({ path: bundle });
          expect(await s.handlers.traceTable({ bundleId: info.bundleId })).toEqual({ bundleId: info.bundleId, count: FIFTY_K.requests });
          await s.handlers.closeBundle({ bundleId: info.bundleId });
        });
        expect(count).toBe(FIFTY_K.requests);
        rows.push(`open ${count} traces, run ${run + 1}: ${formatDelay(d)}`);
        busy.push(d.maxBusy);
      }
      console.log(rows.join('\n'));
      // The median run: on a loaded 2-core machine one run now and then counts a preemption as busy;
      // the table copied through main (ADR 0105's before) held it 250-400 ms on every run.
      expect(busy.sort((a, b) => a - b)[1]).toBeLessThan(50);
    } finally {
      await s.dispose();
      await engine.dispose();
    }
  });
});

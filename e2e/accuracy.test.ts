import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTable } from './accuracy/accuracy-table.js';
import { runAccuracy, SHORT } from './accuracy/accuracy-suite.js';
import { belowFloors, readFloors } from './accuracy/floors.js';
import { removeStaleDemoResources } from './demo-app/demo-app.js';
import { announceSkip, captureEnvironment, expectNoChildProcesses } from './helpers/capture-env.js';

// The short accuracy run (`npm run accuracy -- --short`) as a test: the demo app with its
// third-party servers, captured at concurrency 1 and 8 with both backends (the causal probe set
// where the capture has it), every model the CLI
// offers checked request by request against the services' own logs; fails when a model falls
// below its floor in e2e/accuracy/thresholds.json.

const env = await captureEnvironment();
announceSkip('accuracy (short)', env.skipReason);

describe.skipIf(env.skipReason !== null)('accuracy against ground truth (short run)', () => {
  it('every model the CLI offers stays above its floors at concurrency 1 and 8, both backends', async () => {
    await removeStaleDemoResources();
    const { rows, offer } = await runAccuracy({ ...SHORT, workDir: join(tmpdir(), `misertrace-accuracy-test-${process.pid}`) });
    console.log(`models ${offer.models.join(', ')}; probe sets ${offer.probeSets.join(', ') || 'default'}\n${formatTable(rows)}`);
    // Every model was measured on every backend and concurrency (the probe set the capture picks), and
    // every request answered and was checked.
    const perRun = new Set(rows.map((r) => `${r.backend}/${r.probeSet}/${r.model}/${r.concurrency}`));
    expect(perRun.size).toBe(SHORT.backends.length * offer.models.length * SHORT.concurrency.length);
    expect(rows.every((r) => r.requests > 0 && r.unlogged === 0 && r.failed === 0)).toBe(true);
    expect(belowFloors(rows, readFloors())).toEqual([]);
    await expectNoChildProcesses();
  }, 300_000);
});

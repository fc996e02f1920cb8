import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../engine/bundle/bundle-reader.js';
import { CaptureSession } from '../capture/session/capture-session.js';
import { cli } from '../test/engine/cli-harness.js';
import { planRequests } from './demo-app/endpoints.js';
import { sendRequests } from './demo-app/load-generator.js';
import { announceSkip, captureEnvironment } from './helpers/capture-env.js';
import { demoAppSuite } from './helpers/demo-suite.js';

// The ftrace backend's records exist only once the session converted the root helper's pages,
// after the capture. A session killed before that leaves a work folder whose records file holds
// the helper's messages only: `bundle recover` converts the pages again (helper-replay.ts, which
// also replaced the retired Node child's page spool and MISERTRACE_FTRACE_TEE).

const env = await captureEnvironment();
announceSkip('recovering an ftrace work folder (capture)', env.skipReason);

describe.skipIf(env.skipReason !== null)('bundle recover of an ftrace capture killed before its conversion', () => {
  const demo = demoAppSuite('misertrace-recover-ft-');

  it('converts the helper\'s pages again: the traces of the capture as it finished', async () => {
    const output = join(demo.dir.path, 'whole.mstrace');
    const session = new CaptureSession({ network: demo.app.network, output, backend: 'ftrace', keepWorkDir: true });
    let work: string;
    let traces: number;
    try {
      await session.start();
      expect((await sendRequests(demo.app.url, planRequests(4), 1)).every((s) => s.status === 200)).toBe(true);
      const r = await session.stop();
      expect(r.partial).toBe(false);
      work = r.workDir!;
      traces = r.traceCount;
      expect(traces).toBeGreaterThan(0);
    } finally {
      session.dispose();
    }
    // As a session killed before the conversion leaves it: the records file has the helper's lines only.
    const raw = readFileSync(join(work, 'raw.psv'), 'utf8');
    writeFileSync(join(work, 'raw.psv'), raw.split('\n').filter((l) => l.startsWith('Attaching') || l.startsWith('@misertrace')).join('\n') + '\n');
    const out = join(demo.dir.path, 'recovered.mstrace');
    const rec = await cli('bundle', 'recover', work, '-o', out);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toMatch(/converted the ftrace helper's pages: \d+ events -> \d+ records/);
    const b = Bundle.open(out);
    try {
      expect(b.traceCount).toBe(traces);
      expect(b.manifest.capture.partial).toBe(true);
    } finally {
      b.close();
    }
  }, 180_000);
});

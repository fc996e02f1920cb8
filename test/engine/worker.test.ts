import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { parseMeta } from '../../engine/model/meta.js';
import { InputError } from '../../engine/model/meta.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import { InProcessEngineClient, WorkerEngineClient, type EngineClient } from '../../engine/worker/engine-client.js';
import type { EngineProgress } from '../../engine/worker/protocol.js';
import { replicateCapture } from '../../bench/replicate.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture, FIXTURES } from '../fixtures.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const meta = () => parseMeta(readFileSync(fixture('mixed50', 'meta.psv'), 'utf8'));

for (const [name, make] of [
  ['worker thread', () => new WorkerEngineClient()],
  ['in-process', () => new InProcessEngineClient()],
] as const) {
  describe(`engine client (${name})`, () => {
    let client: EngineClient;
    beforeAll(() => {
      client = make();
    });
    afterAll(() => client.dispose());

    it('imports a raw capture into a bundle, reporting progress per stage', async () => {
      const out = join(dir.path, `${name}.mstrace`);
      const stages = new Set<string>();
      const job = client.run(
        { kind: 'import', input: fixture('mixed50', 'trace.psv'), meta: meta(), gateway: '172.29.77.1', output: out, capture: { backend: 'bpftrace' } },
        (p: EngineProgress) => stages.add(p.stage),
      );
      const res = await job.result;
      expect(res.kind).toBe('bundle');
      expect(res.manifest.traceCount).toBe(50);
      expect(res.manifest.capture.attachedProbes).toBe(24);
      expect([...stages]).toEqual(['generate', 'count', 'write']);
      const b = Bundle.open(out);
      expect(b.traceCount).toBe(50);
      b.close();
    });

    it('carries user errors across as InputError with their hint', async () => {
      const job = client.run({ kind: 'sort', input: join(dir.path, 'missing.psv'), output: join(dir.path, 'x.psv') });
      const err = await job.result.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/no such file/);
    });

    it('runs handler modules over a bundle', async () => {
      const out = join(dir.path, `${name}.mstrace`);
      const res = await client.run({ kind: 'handlers', bundle: out, handlers: 'count', traceIds: [2, 3] }).result;
      expect(Object.keys(res.trace)).toEqual(['2', '3']);
      expect((res.span[2]![0] as { count: number }).count).toBeGreaterThan(0);
    });

    it('cancels a running job: it rejects as cancelled and leaves no output', async () => {
      const raw = join(dir.path, `${name}-big.psv`);
      await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 20, tracePath: raw, metaPath: join(dir.path, `${name}-big.meta`) });
      const out = join(dir.path, `${name}-cancelled.mstrace`);
      let job: ReturnType<EngineClient['run']> | undefined;
      let cancelled = false;
      job = client.run({ kind: 'import', input: raw, meta: meta(), gateway: '172.29.77.1', output: out }, (p) => {
        if (!cancelled && p.stage === 'generate') {
          cancelled = true;
          job!.cancel();
        }
      });
      await expect(job.result).rejects.toBeInstanceOf(CancelledError);
      expect(cancelled).toBe(true);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(dir.path).filter((f) => f.includes(`${name}-cancelled`) || f.startsWith('.misertrace-import'))).toEqual([]);
    });
  });
}

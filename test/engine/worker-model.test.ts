import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { parseMeta } from '../../engine/model/meta.js';
import { InProcessEngineClient, WorkerEngineClient, type EngineClient } from '../../engine/worker/engine-client.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture } from '../fixtures.js';

// The engine worker's jobs take a model: an import with the causal model, then the same bundle's
// traces made again with the original model and back (what the app's "regenerate" runs).

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

for (const [name, make] of [
  ['worker thread', () => new WorkerEngineClient()],
  ['in-process', () => new InProcessEngineClient()],
] as const) {
  describe(`engine client (${name}) with a model`, () => {
    let client: EngineClient;
    beforeAll(() => {
      client = make();
    });
    afterAll(() => client.dispose());

    it('imports with the causal model, then regenerates the bundle with the original one and back', async () => {
      const out = join(dir.path, `${name.replace(' ', '-')}.mstrace`);
      const meta = parseMeta(readFileSync(fixture('seq20', 'meta.psv'), 'utf8'));
      const imported = await client.run({ kind: 'import', input: fixture('seq20', 'trace.psv'), meta, gateway: '172.29.77.1', output: out, model: 'causal' }).result;
      expect(imported.manifest.model).toBe('causal');
      const stages = new Set<string>();
      const orig = await client.run({ kind: 'regenerate', bundle: out, model: 'original' }, (p) => stages.add(p.stage)).result;
      expect(orig.manifest.model).toBe('original');
      expect(orig.manifest.traceCount).toBe(20);
      expect([...stages]).toEqual(['generate', 'count', 'write']);
      let b = Bundle.open(out);
      expect(b.trace(1)!.spans.every((s) => s.link === undefined)).toBe(true);
      expect(b.threadCounts().size).toBe(0);
      b.close();
      const back = await client.run({ kind: 'regenerate', bundle: out, model: 'causal' }).result;
      expect(back.manifest.model).toBe('causal');
      b = Bundle.open(out);
      expect(b.trace(1)!.spans[0]!.link).toEqual({ rule: 'root', exact: true });
      expect(b.threadCounts().size).toBeGreaterThan(0);
      b.close();
    });
  });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { startModel } from '../../engine/model/model-run.js';
import { Diagnostics } from '../../engine/model/diagnostics.js';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { generateFromFile } from '../../engine/records/generate.js';
import { fixture, FIXTURE_NAMES, PROJECT_ROOT } from '../fixtures.js';

// Sequential captures give the same trees with both models: same tree shape, tids and kinds.
// The one documented difference (ADR 0040): /checkout's /reserve call reaches the kvstore over the
// inventory's persistent connection, which the original folds into the /stock call's kvstore span
// (REQUEST-MODEL section 7); the causal model gives /reserve its own kvstore span.

const shape = (t: AssembledTrace) => t.spans.map((s) => `${'  '.repeat(s.depth)}${s.kind}:${s.tid}`);

/** Both trees with the causal model's extra span removed: a kvstore leaf under /reserve. */
function withoutReserveStore(t: AssembledTrace, original: AssembledTrace): { tree: string[]; removed: number } {
  const a = shape(t);
  const b = shape(original);
  if (a.length === b.length) return { tree: a, removed: 0 };
  const kids = t.spans.filter((s) => s.parent === 0);
  const reserve = kids[kids.length - 1]!; // the last call of the root: /reserve on the inventory
  const extra = t.spans.filter((s) => s.parent === reserve.index && s.childCount === 0 && s.kind === 'network');
  expect(reserve.container).toMatch(/inventory$/);
  expect(extra.map((s) => s.container.replace(/.*-/, ''))).toEqual(['kvstore']);
  return { tree: a.filter((_, i) => i !== extra[0]!.index), removed: 1 };
}

function compare(causal: AssembledTrace[], original: AssembledTrace[]): { extra: number } {
  expect(causal.length).toBe(original.length);
  let extra = 0;
  causal.forEach((t, i) => {
    const r = withoutReserveStore(t, original[i]!);
    expect(r.tree, `trace ${i + 1}`).toEqual(shape(original[i]!));
    extra += r.removed;
  });
  return { extra };
}

function reserveCalls(name: string): number {
  const text = readFileSync(fixture(name as (typeof FIXTURE_NAMES)[number], 'workload.txt'), 'utf8');
  // The requests sent during the capture (the warm-up ones before it are listed first).
  return text
    .slice(text.indexOf('requests (path'))
    .split('\n')
    .filter((l) => /^\s+\/checkout\S* \d{3} /.test(l)).length;
}

for (const name of FIXTURE_NAMES) {
  describe(`both models on ${name}`, () => {
    it('give the same trees, but for a kvstore span of its own for each /checkout\'s /reserve', async () => {
      const meta = parseMeta(readFileSync(fixture(name, 'meta.psv'), 'utf8'));
      const gw = parseGateway(readFileSync(fixture(name, 'gateway.txt'), 'utf8'));
      const orig = await generateFromFile(fixture(name, 'sorted.psv'), meta, gw, { model: 'original' });
      const causal = await generateFromFile(fixture(name, 'sorted.psv'), meta, gw, { model: 'causal' });
      expect(causal.model).toBe('causal');
      expect(causal.diagnostics.summary()).toEqual({});
      const { extra } = compare(causal.traces, orig.traces);
      expect(extra).toBe(reserveCalls(name));
      // Sequential requests: each link is exact.
      const rules = new Set(causal.traces.flatMap((t) => t.spans.map((s) => `${s.link!.rule}${s.link!.exact ? '' : '?'}`)));
      expect([...rules].sort()).toEqual(['fork', 'root', 'thread']);
    });
  });
}

for (const name of ['seq20', 'mixed50']) {
  it(`both models on the records of samples/${name}.mstrace give the same trees (but /reserve's kvstore span)`, () => {
    const b = Bundle.open(join(PROJECT_ROOT, 'samples', `${name}.mstrace`));
    try {
      const gw = b.manifest.capture.gateway;
      const runs = (['original', 'causal'] as const).map((m) => startModel(m, b.meta(), gw, new Diagnostics()));
      for (const batch of b.recordBatches()) for (const r of batch) for (const run of runs) run.feed(r);
      const [o, c] = runs.map((r) => r.finish());
      expect(o!.traces).toHaveLength(b.traceCount);
      compare(c!.traces, o!.traces);
    } finally {
      b.close();
    }
  });
}

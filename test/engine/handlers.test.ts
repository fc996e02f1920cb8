import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { countHandlers } from '../../engine/handlers/default-handlers.js';
import { runHandlers } from '../../engine/handlers/run-handlers.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { cli } from './cli-harness.js';

const fx = fixtureBundleForFile('seq20', 'original');

describe('per-span handlers', () => {
  it('the count handler over the records gives the counts stored in the bundle', async () => {
    const b = Bundle.open(fx.path);
    try {
      const traces = b.traces();
      const res = await runHandlers(traces, b.recordBatches(), countHandlers);
      for (const t of traces) {
        const stored = b.spanCounts(t.id);
        expect(res.span.get(t.id)!.map((x) => (x as { count: number }).count)).toEqual(stored.map((c) => c.total));
        expect((res.trace.get(t.id) as { count: number }).count).toBe(stored.reduce((a, c) => a + c.total, 0));
      }
    } finally {
      b.close();
    }
  });

  it('runs a user TypeScript module; recordValid lets a span take other threads\' records', async () => {
    const mod = join(fx.dir.path, 'faults.ts');
    writeFileSync(
      mod,
      `import type { HandlerModule } from '${join(process.cwd(), 'engine/handlers/handler-api.js')}';
const faults = (p: string) => p.endsWith('page_fault_user');
const handlers: HandlerModule = {
  name: 'faults',
  createSpanHandler: (span) => {
    let own = 0, others = 0;
    return {
      consume: (r) => { if (r.tid === span.tid) own++; else others++; },
      // Also take page faults of any thread in the same window.
      recordValid: (r) => faults(r.probe.name),
      result: () => ({ own, others }),
    };
  },
  createTraceHandler: () => { let n = 0; return { consume: () => { n++; }, result: () => ({ consumed: n }) }; },
};
export default handlers;
`,
    );
    const r = await cli('render', '-i', fx.path, '-t', 'custom', '-r', '-n', '1', '--handlers', mod);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { '1': { TraceOutput: { consumed: number }; ThreadOutput: { own: number; others: number } } };
    const root = out['1'];
    expect(root.ThreadOutput.own).toBe(61); // its own records: the same as the count handler
    expect(root.ThreadOutput.others).toBeGreaterThan(0); // faults of other threads during the request
    expect(root.TraceOutput.consumed).toBeGreaterThan(root.ThreadOutput.own + root.ThreadOutput.others - 1);
  });

  it('runs a plain JS module from -l sorted logs, and the built-in count-by-probe', async () => {
    const mod = join(fx.dir.path, 'probe-names.mjs');
    writeFileSync(
      mod,
      `export function createSpanHandler() { const s = new Set(); return { consume: (r) => s.add(r.probe.shortName), result: () => [...s].sort() }; }
export function createTraceHandler() { return { consume() {}, result: () => null }; }`,
    );
    const r = await cli('render', '-i', fx.path, '-t', 'custom', '-r', '-n', '1', '--handlers', mod, '-l', join(fx.dir.path, 'seq20.sorted.psv'));
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { '1': { ThreadOutput: string[] } })['1'].ThreadOutput;
    expect(names).toContain('tcp_rcv_space_adjust');
    expect(names).toContain('page_fault_user');
    const byProbe = await cli('render', '-i', fx.path, '-t', 'custom', '-r', '-n', '1', '--handlers', 'count-by-probe');
    const root = (JSON.parse(byProbe.stdout) as { '1': { ThreadOutput: { count: number; probes: Record<string, number> } } })['1'].ThreadOutput;
    expect(root.count).toBe(61);
    expect(Object.values(root.probes).reduce((a, c) => a + c, 0)).toBe(61);
  });

  it('a module without the handler functions gets a clear message', async () => {
    const mod = join(fx.dir.path, 'empty.mjs');
    writeFileSync(mod, 'export const x = 1;\n');
    const r = await cli('render', '-i', fx.path, '-t', 'custom', '--handlers', mod);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must export createSpanHandler\(span\) and createTraceHandler\(trace\)/);
    const broken = join(fx.dir.path, 'broken.mjs');
    writeFileSync(broken, 'export default {{;\n');
    const r2 = await cli('render', '-i', fx.path, '-t', 'custom', '--handlers', broken);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/failed to load/);
  });
});

import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceSched } from '../../engine/analysis/sched-timeline.js';
import { chromeTraceJson } from '../../engine/export/chrome-trace.js';
import type { ExportInput } from '../../engine/export/export-types.js';
import { jaegerJson } from '../../engine/export/jaeger.js';
import { otlpJson } from '../../engine/export/otlp.js';
import { TimeBase } from '../../engine/model/time.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { PROJECT_ROOT } from '../fixtures.js';

// Where the time went travels with the interchange exports (ADR 0090): misertrace.sched.* on
// each span that has a split in Jaeger and OTLP, sched_* in the Trace Event slice's args; a span
// without one, or a bundle without scheduler records, has none.

const trace: AssembledTrace = {
  id: 1,
  spans: [
    { index: 0, parent: -1, depth: 0, kind: 'network', tid: 10, container: 'front', ip: '172.18.0.2', start: 0, end: 1000, childCount: 1 },
    { index: 1, parent: 0, depth: 1, kind: 'network', tid: 20, container: 'back', ip: '172.18.0.3', start: 100, end: 900, childCount: 0 },
  ],
};
const sched: TraceSched = { spans: [{ onCpuNs: 300, runnableNs: 100, blockedNs: 600, faults: 2, migrations: 1 }, null], criticalPath: null };
const input = (withSched: boolean): ExportInput => ({ traces: [{ trace, ...(withSched ? { sched } : {}) }], base: TimeBase.fromString('5000000000') });
const WANT = { 'misertrace.sched.on_cpu_ns': 300, 'misertrace.sched.runnable_ns': 100, 'misertrace.sched.blocked_ns': 600, 'misertrace.sched.page_faults': 2, 'misertrace.sched.migrations': 1 };

function schedOf(list: { key: string; value: unknown }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of list) {
    if (!t.key.startsWith('misertrace.sched.')) continue;
    const v = t.value as number | { intValue: string };
    out[t.key] = typeof v === 'number' ? v : Number(v.intValue);
  }
  return out;
}

describe('the split in the exports', () => {
  it('Jaeger: tags on the span that has a split, valid against the JSON model', () => {
    const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/export/schemas/jaeger-json-model.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    const doc = JSON.parse(jaegerJson(input(true)));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const spans = doc.data[0].spans as { tags: { key: string; value: unknown }[] }[];
    expect(schedOf(spans[0]!.tags)).toEqual(WANT);
    expect(schedOf(spans[1]!.tags)).toEqual({});
    expect(jaegerJson(input(false))).not.toContain('misertrace.sched');
  });

  it('OTLP: integer attributes', () => {
    const doc = JSON.parse(otlpJson(input(true)));
    const spans = doc.resourceSpans.flatMap((r: { scopeSpans: { spans: unknown[] }[] }) => r.scopeSpans.flatMap((s) => s.spans)) as { attributes: { key: string; value: unknown }[] }[];
    const all = spans.map((s) => schedOf(s.attributes));
    expect(all).toContainEqual(WANT);
    expect(all).toContainEqual({});
    expect(otlpJson(input(false))).not.toContain('misertrace.sched');
  });

  it('Trace Event format: sched_* in the slice args', () => {
    const doc = JSON.parse(chromeTraceJson(input(true)));
    const slices = (doc.traceEvents as { ph: string; args: Record<string, unknown> }[]).filter((e) => e.ph === 'X');
    expect(slices.find((s) => s.args['span'] === 0)!.args).toMatchObject({ sched_on_cpu_ns: 300, sched_runnable_ns: 100, sched_blocked_ns: 600, sched_page_faults: 2, sched_migrations: 1 });
    expect(slices.find((s) => s.args['span'] === 1)!.args).not.toHaveProperty('sched_on_cpu_ns');
  });
});

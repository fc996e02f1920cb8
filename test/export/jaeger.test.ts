import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportInput } from '../../engine/export/export-types.js';
import { jaegerJson } from '../../engine/export/jaeger.js';
import { parseSpanIdHex, parseTraceIdHex } from '../../engine/export/trace-ids.js';
import { openFixture, type OpenFixture } from '../figure/fixture-traces.js';
import { PROJECT_ROOT } from '../fixtures.js';
import { expected, inOrder, type ReadSpan } from './round-trip.js';

// Jaeger JSON (the UI's "JSON File" upload): valid against Jaeger's JSON model, ids as Jaeger
// wants them, references that resolve within the trace, and a round trip back to the traces.

const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/export/schemas/jaeger-json-model.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

interface Tag {
  key: string;
  type: string;
  value: string | number | boolean;
}
interface JSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: Tag[];
  processID: string;
}
interface JTrace {
  traceID: string;
  spans: JSpan[];
  processes: Record<string, { serviceName: string; tags: Tag[] }>;
}

let seq20: OpenFixture;
let input: ExportInput;
let text: string;
let data: JTrace[];
beforeAll(async () => {
  seq20 = await openFixture('seq20');
  const ids = Array.from({ length: seq20.bundle.traceCount }, (_, i) => i + 1);
  input = { traces: seq20.traces(ids), base: seq20.bundle.base, containerIds: Object.fromEntries(seq20.bundle.meta().map((m) => [m.container, m.containerId])) };
  text = jaegerJson(input);
  data = (JSON.parse(text) as { data: JTrace[] }).data;
});
afterAll(() => seq20?.close());

const tag = (s: JSpan, key: string) => s.tags.find((t) => t.key === key)?.value;

describe('Jaeger JSON export', () => {
  it('validates against the Jaeger JSON model', () => {
    const ok = validate(JSON.parse(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(['data']);
    expect(data).toHaveLength(seq20.bundle.traceCount);
  });

  it('uses 32-hex trace ids and 16-hex span ids, unique and derived from the trace', () => {
    const traceIds = new Set<string>();
    for (const t of data) {
      expect(t.traceID).toMatch(/^[0-9a-f]{32}$/);
      traceIds.add(t.traceID);
      const id = parseTraceIdHex(t.traceID);
      const src = seq20.bundle.trace(id.traceNumber)!;
      expect(id.rootTid).toBe(src.spans[0]!.tid);
      expect(id.rootStartAbsNs).toBe(seq20.bundle.base.abs(src.spans[0]!.start));
      const spanIds = new Set(t.spans.map((s) => s.spanID));
      expect(spanIds.size).toBe(t.spans.length);
      for (const s of t.spans) {
        expect(s.spanID).toMatch(/^[0-9a-f]{16}$/);
        expect(s.traceID).toBe(t.traceID);
        expect(parseSpanIdHex(s.spanID).tid).toBe(tag(s, 'thread.id'));
      }
    }
    expect(traceIds.size).toBe(data.length);
  });

  it('refers to parents with CHILD_OF for network states and FOLLOWS_FROM for forks', () => {
    for (const t of data) {
      const ids = new Set(t.spans.map((s) => s.spanID));
      const roots = t.spans.filter((s) => s.references.length === 0);
      expect(roots).toHaveLength(1);
      for (const s of t.spans) {
        if (s.references.length === 0) continue;
        expect(s.references).toHaveLength(1);
        const ref = s.references[0]!;
        expect(ref.traceID).toBe(t.traceID);
        expect(ids.has(ref.spanID)).toBe(true);
        expect(ref.refType).toBe(tag(s, 'misertrace.kind') === 'fork' ? 'FOLLOWS_FROM' : 'CHILD_OF');
      }
    }
  });

  it('has one process per container, named after it, with the container id', () => {
    for (const t of data) {
      const services = Object.values(t.processes).map((p) => p.serviceName);
      expect(new Set(services).size).toBe(services.length);
      for (const s of t.spans) expect(t.processes[s.processID]).toBeDefined();
      for (const p of Object.values(t.processes)) expect(p.tags.find((x) => x.key === 'container.id')?.value).toBe(input.containerIds![p.serviceName]);
    }
  });

  it('counts time in whole microseconds that keep children inside parents, exact ns in tags', () => {
    for (const t of data) {
      const byId = new Map(t.spans.map((s) => [s.spanID, s]));
      for (const s of t.spans) {
        const start = BigInt(tag(s, 'misertrace.start_ns') as string);
        const end = BigInt(tag(s, 'misertrace.end_ns') as string);
        expect(BigInt(s.startTime)).toBe(start / 1000n);
        expect(BigInt(s.startTime + s.duration)).toBe(end / 1000n);
        const parent = s.references[0] && byId.get(s.references[0].spanID)!;
        if (parent) expect(s.startTime).toBeGreaterThanOrEqual(parent.startTime);
      }
    }
  });

  it('reads back into the same traces', () => {
    const read = new Map<number, ReadSpan[]>();
    for (const t of data) {
      const index = new Map(t.spans.map((s) => [s.spanID, tag(s, 'misertrace.span_index') as number]));
      const spans = t.spans.map((s) => ({
        index: tag(s, 'misertrace.span_index') as number,
        parent: s.references[0] ? index.get(s.references[0].spanID)! : -1,
        kind: tag(s, 'misertrace.kind') as 'network' | 'fork',
        tid: tag(s, 'thread.id') as number,
        container: t.processes[s.processID]!.serviceName,
        ip: t.processes[s.processID]!.tags.find((x) => x.key === 'ip')!.value as string,
        startNs: BigInt(tag(s, 'misertrace.start_ns') as string),
        endNs: BigInt(tag(s, 'misertrace.end_ns') as string),
        counts: Object.fromEntries(s.tags.filter((x) => x.key.startsWith('misertrace.count.')).map((x) => [x.key.slice('misertrace.count.'.length), x.value as number])),
      }));
      read.set(tag(t.spans[0]!, 'misertrace.trace') as number, inOrder(spans));
    }
    expect(read).toEqual(expected(input.traces, input.base));
  });

  it('shifts every time by a clock offset, and writes the same bytes for the same input', () => {
    const shifted = JSON.parse(jaegerJson({ ...input, clockOffsetNs: 1_700_000_000_000_000_000n })) as { data: JTrace[] };
    const a = data[0]!.spans[0]!;
    const b = shifted.data[0]!.spans[0]!;
    expect(b.startTime - a.startTime).toBe(1_700_000_000_000_000);
    expect(b.traceID).toBe(a.traceID);
    expect(jaegerJson(input)).toBe(text);
  });
});

import type protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportInput } from '../../engine/export/export-types.js';
import { otlpJson } from '../../engine/export/otlp.js';
import { TimeBase } from '../../engine/model/time.js';
import { openFixture, type OpenFixture } from '../figure/fixture-traces.js';
import { expected, inOrder, type ReadSpan } from './round-trip.js';
import { loadOtlpRoot, otlpJsonErrors, withIdBytes } from './otlp-proto.js';

// OTLP/JSON checked against the official protobuf definitions, then carried through the binary
// protobuf encoding and back, and read into the original traces.

let mixed50: OpenFixture;
let input: ExportInput;
let text: string;
let request: protobuf.Type;
beforeAll(async () => {
  mixed50 = await openFixture('mixed50');
  const ids = Array.from({ length: mixed50.bundle.traceCount }, (_, i) => i + 1);
  input = { traces: mixed50.traces(ids), base: mixed50.bundle.base, containerIds: Object.fromEntries(mixed50.bundle.meta().map((m) => [m.container, m.containerId])) };
  text = otlpJson(input);
  request = loadOtlpRoot().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
});
afterAll(() => mixed50?.close());

interface KV {
  key: string;
  value: { stringValue?: string; intValue?: string | { toString(): string } };
}
const attr = (list: KV[], key: string) => {
  const v = list.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? String(v.intValue) : undefined);
};

describe('OTLP/JSON export', () => {
  it('follows the opentelemetry-proto definitions field by field', () => {
    expect(otlpJsonErrors(request, JSON.parse(text))).toEqual([]);
  });

  it('is caught by that check when it breaks the encoding', () => {
    const doc = JSON.parse(text);
    const span = doc.resourceSpans[0].scopeSpans[0].spans[0];
    span.kind = 'SPAN_KIND_SERVER';
    span.traceId = Buffer.from(span.traceId, 'hex').toString('base64');
    span.start_time_unix_nano = span.startTimeUnixNano;
    span.attributes[0].value.boolValue = true;
    expect(otlpJsonErrors(request, doc)).toEqual([
      '$.resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 lowercase hex digits, got "' + span.traceId + '"',
      '$.resourceSpans[0].scopeSpans[0].spans[0].kind: expected an integer value of enum SpanKind, got "SPAN_KIND_SERVER"',
      '$.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: boolValue and intValue are one of value; only one may be set',
      '$.resourceSpans[0].scopeSpans[0].spans[0].start_time_unix_nano: no field "start_time_unix_nano" in .opentelemetry.proto.trace.v1.Span',
    ]);
  });

  it('groups spans into one resource per container, named by service.name', () => {
    const doc = JSON.parse(text) as { resourceSpans: { resource: { attributes: KV[] }; scopeSpans: { scope: { name: string }; spans: { attributes: KV[] }[] }[] }[] };
    const names = doc.resourceSpans.map((r) => attr(r.resource.attributes, 'service.name'));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['oracle-frontend', 'oracle-catalog', 'oracle-inventory', 'oracle-kvstore']);
    for (const r of doc.resourceSpans) {
      const name = attr(r.resource.attributes, 'service.name')!;
      expect(attr(r.resource.attributes, 'container.id')).toBe(input.containerIds![name]);
      expect(r.scopeSpans[0]!.scope.name).toBe('misertrace');
      const ips = new Set(r.scopeSpans[0]!.spans.map((s) => attr(s.attributes, 'network.local.address')));
      expect(ips.size).toBe(1);
    }
  });

  it('survives the binary protobuf encoding with exact nanoseconds and ids', () => {
    const json = JSON.parse(text);
    const msg = request.fromObject(withIdBytes(json) as Record<string, unknown>);
    expect(request.verify(msg)).toBeNull();
    const back = request.toObject(request.decode(request.encode(msg).finish()), { longs: String, enums: Number, bytes: Array, defaults: false }) as typeof json;
    const flat = (d: typeof json) => d.resourceSpans.flatMap((r: { scopeSpans: { spans: unknown[] }[] }) => r.scopeSpans.flatMap((s) => s.spans)) as Record<string, unknown>[];
    const a = flat(json);
    const b = flat(back);
    expect(b).toHaveLength(a.length);
    a.forEach((s, i) => {
      const t = b[i]!;
      expect(t['startTimeUnixNano']).toBe(s['startTimeUnixNano']);
      expect(t['endTimeUnixNano']).toBe(s['endTimeUnixNano']);
      expect(Buffer.from(t['traceId'] as number[]).toString('hex')).toBe(s['traceId']);
      expect(Buffer.from(t['spanId'] as number[]).toString('hex')).toBe(s['spanId']);
      expect(t['kind']).toBe(s['kind']);
    });
  });

  it('reads back into the same traces', () => {
    const doc = JSON.parse(text) as {
      resourceSpans: {
        resource: { attributes: KV[] };
        scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; kind: number; startTimeUnixNano: string; endTimeUnixNano: string; attributes: KV[] }[] }[];
      }[];
    };
    const byTrace = new Map<string, { container: string; span: (typeof doc.resourceSpans)[0]['scopeSpans'][0]['spans'][0] }[]>();
    for (const r of doc.resourceSpans) {
      const container = attr(r.resource.attributes, 'service.name')!;
      for (const span of r.scopeSpans[0]!.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), { container, span }]);
    }
    const read = new Map<number, ReadSpan[]>();
    for (const list of byTrace.values()) {
      const index = new Map(list.map(({ span }) => [span.spanId, Number(attr(span.attributes, 'misertrace.span_index'))]));
      const spans = list.map(({ container, span }) => {
        const kind = attr(span.attributes, 'misertrace.kind') as 'network' | 'fork';
        expect(span.kind).toBe(kind === 'network' ? 2 : 1);
        return {
          index: Number(attr(span.attributes, 'misertrace.span_index')),
          parent: span.parentSpanId ? index.get(span.parentSpanId)! : -1,
          kind,
          tid: Number(attr(span.attributes, 'thread.id')),
          container,
          ip: attr(span.attributes, 'network.local.address')!,
          startNs: BigInt(span.startTimeUnixNano),
          endNs: BigInt(span.endTimeUnixNano),
          counts: Object.fromEntries(span.attributes.filter((a) => a.key.startsWith('misertrace.count.')).map((a) => [a.key.slice('misertrace.count.'.length), Number(a.value.intValue)])),
        };
      });
      read.set(Number(attr(list[0]!.span.attributes, 'misertrace.trace')), inOrder(spans));
    }
    expect(read).toEqual(expected(input.traces, input.base));
  });

  it('writes times past 2^53 ns exactly, and never an end before the start', () => {
    const base = TimeBase.fromString('18446744070000000000'); // near the top of u64
    const out = JSON.parse(
      otlpJson({
        traces: [
          {
            trace: {
              id: 1,
              spans: [
                { index: 0, parent: -1, depth: 0, kind: 'network', tid: 1, container: 'c', ip: '10.0.0.1', start: 7, end: 3_000_000_009, childCount: 1 },
                { index: 1, parent: 0, depth: 1, kind: 'fork', tid: 2, container: 'c', ip: '10.0.0.1', start: 100, end: 50, childCount: 0 },
              ],
            },
          },
        ],
        base,
      }),
    );
    expect(otlpJsonErrors(request, out)).toEqual([]);
    const [root, neg] = out.resourceSpans[0].scopeSpans[0].spans;
    expect(root.startTimeUnixNano).toBe('18446744070000000007');
    expect(root.endTimeUnixNano).toBe('18446744073000000009');
    expect(neg.endTimeUnixNano).toBe(neg.startTimeUnixNano);
    expect(attr(neg.attributes, 'misertrace.duration_ns')).toBe('-50');
  });
});

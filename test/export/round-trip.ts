import type { ExportTrace } from '../../engine/export/export-types.js';
import type { TimeBase } from '../../engine/model/time.js';

// The common shape the round-trip tests read each export back into: per trace number, spans in
// the original pre-order with their parent index and exact absolute times, compared with what the
// bundle holds.

export interface ReadSpan {
  index: number;
  parent: number;
  kind: 'network' | 'fork';
  tid: number;
  container: string;
  ip: string;
  startNs: bigint;
  endNs: bigint;
  counts: Record<string, number>;
}

export function expected(traces: readonly ExportTrace[], base: TimeBase): Map<number, ReadSpan[]> {
  const out = new Map<number, ReadSpan[]>();
  for (const { trace, counts } of traces) {
    out.set(
      trace.id,
      trace.spans.map((s) => ({
        index: s.index,
        parent: s.parent,
        kind: s.kind,
        tid: s.tid,
        container: s.container,
        ip: s.ip,
        startNs: base.abs(s.start),
        endNs: base.abs(s.end),
        counts: { ...(counts?.[s.index]?.byProbe ?? {}) },
      })),
    );
  }
  return out;
}

/** Sorts read spans by index and checks there are no gaps, so they compare with `expected`. */
export function inOrder(spans: ReadSpan[]): ReadSpan[] {
  spans.sort((a, b) => a.index - b.index);
  spans.forEach((s, i) => {
    if (s.index !== i) throw new Error(`span index ${i} is missing (found ${s.index})`);
  });
  return spans;
}

/** Exact decimal microseconds ("637618970.003") to nanoseconds. */
export function microsToNs(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) throw new Error(`not an exact microsecond value with at most 3 decimals: ${text}`);
  const ns = BigInt(m[2]!) * 1000n + BigInt((m[3] ?? '').padEnd(3, '0'));
  return m[1] === '-' ? -ns : ns;
}

/** JSON.parse, but the numbers of the named keys stay their exact text (as strings). */
export function parseKeepingNumbers(text: string, keys: readonly string[]): unknown {
  const re = new RegExp(`"(${keys.join('|')})":(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g');
  return JSON.parse(text.replace(re, '"$1":"$2"'));
}

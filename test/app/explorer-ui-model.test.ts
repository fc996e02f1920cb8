import { describe, expect, it } from 'vitest';
import type { SpanDto, TraceTableData } from '../../electron/ipc-contract.js';
import { liveRate } from '../../renderer/src/capture/live-rate.js';
import { formatDurationFixed, formatOffset } from '../../renderer/src/common/format.js';
import { importCommand } from '../../renderer/src/start/import-command.js';
import { filterRows } from '../../renderer/src/table/table-model.js';
import { parseFilter } from '../../renderer/src/table/table-query.js';
import { shortContainerNames } from '../../renderer/src/trace/gantt-geometry.js';
import { findSpans, hidingAncestors } from '../../renderer/src/trace/span-search.js';

// Pure parts of the explorer's fixes (issue 14): the provenance filter terms, the live rate that
// agrees with the count, the import line for a dropped capture, long names, column precision.

function table(): TraceTableData {
  return {
    bundleId: 'b1', count: 4, id: [1, 2, 3, 4], start: [0, 1, 2, 3], duration: [10, 20, 30, 40], spanCount: [1, 2, 3, 4], depth: [0, 1, 1, 1], eventCount: [0, 0, 0, 0],
    rootContainer: [0, 0, 0, 0], containers: [[0], [0], [0], [0]], containerNames: ['front'], inferredLinks: [0, 2, 0, 0], orphans: [0, 0, 1, 0],
  };
}

describe('explorer model', () => {
  it('filters to traces with inferred links or orphans, and to orphans', () => {
    expect(parseFilter('inferred').terms).toEqual([{ kind: 'link', which: 'inferred' }]);
    expect(parseFilter('links:orphan dur>5').terms[0]).toEqual({ kind: 'link', which: 'orphan' });
    expect([...filterRows(table(), parseFilter('inferred').terms)]).toEqual([1, 2]);
    expect([...filterRows(table(), parseFilter('orphan').terms)]).toEqual([2]);
    // A bundle of the original model records no links: nothing matches, nothing breaks.
    const original = { ...table(), inferredLinks: undefined, orphans: undefined };
    expect([...filterRows(original, parseFilter('inferred').terms)]).toEqual([]);
  });

  it('gives a live rate that is not 0 while the count grows between two reads of the counters', () => {
    // The ftrace child's counters move every other tick: a per-tick rate reads 0 half the time.
    const samples = [{ t: 1000, n: 0 }, { t: 2000, n: 888 }, { t: 3000, n: 888 }, { t: 4000, n: 1776 }, { t: 5000, n: 1776 }];
    expect(liveRate(samples)).toBeCloseTo(888 / 3, 0); // the last 3 s, never the 0 of the last tick
    expect(liveRate(samples.slice(0, 1))).toBe(0);
    expect(liveRate([{ t: 500, n: 100 }])).toBe(200);
    expect(liveRate([])).toBe(0);
  });

  it('writes the import command for a dropped capture', () => {
    expect(importCommand('/data/run 1/sorted.psv')).toBe("misertrace bundle import -i '/data/run 1/sorted.psv' -m '/data/run 1/meta.psv' -g GATEWAY_IP -o '/data/run 1/run 1.mstrace'");
    expect(importCommand('/data/cap/meta.psv')).toBe('misertrace bundle import -i /data/cap/sorted.psv -m /data/cap/meta.psv -g GATEWAY_IP -o /data/cap/cap.mstrace');
    expect(importCommand('/tmp/raw.psv')).toBe('misertrace bundle import -i /tmp/raw.psv -m /tmp/meta.psv -g GATEWAY_IP -o /tmp/raw.mstrace');
  });

  it('shortens long container names keeping their start and end', () => {
    const long = 'k8s_catalog-service_catalog-7d9f8b6c5d-xkq2p_production_0';
    const short = shortContainerNames([long, 'oracle-catalog'])[long]!;
    expect([...short].length).toBe(32);
    expect(short.startsWith('k8s_catalog-service…')).toBe(true);
    expect(short.endsWith('production_0')).toBe(true);
    expect(shortContainerNames(['oracle-catalog'])).toEqual({});
  });

  it('prints a column of durations with the same precision', () => {
    expect([1_500_000, 12_370_000, 153_600_000, 999, 2_500].map(formatDurationFixed)).toEqual(['1.50 ms', '12.37 ms', '153.60 ms', '999 ns', '2.50 µs']);
    expect(formatOffset(1_886_000_000, 0)).toBe('+1.886 s');
    expect(formatOffset(42_000_000, 0)).toBe('+0.042 s');
  });
});

describe('span search', () => {
  const s = (index: number, parent: number, tid: number, container: string, link?: SpanDto['link']): SpanDto => ({ index, parent, depth: parent < 0 ? 0 : 1, kind: 'network', tid, container, ip: `10.0.0.${index}`, start: 0, end: 1, childCount: 0, ...(link ? { link } : {}) });
  const spans = [s(0, -1, 100, 'front'), s(1, 0, 200, 'catalog-a', { rule: 'slice', exact: false }), s(2, 1, 201, 'catalog-b'), s(3, 2, 300, 'kv')];

  it('matches every term in tid, container, IP, kind or link rule, in row order', () => {
    expect(findSpans(spans, 'catalog')).toEqual([1, 2]);
    expect(findSpans(spans, 'CATALOG 201')).toEqual([2]);
    expect(findSpans(spans, 'inferred')).toEqual([1]);
    expect(findSpans(spans, '10.0.0.3')).toEqual([3]);
    expect(findSpans(spans, '  ')).toEqual([]);
  });

  it('names the collapsed ancestors that hide a span', () => {
    expect(hidingAncestors(spans, 3, new Set([1, 2]))).toEqual([2, 1]);
    expect(hidingAncestors(spans, 3, new Set())).toEqual([]);
  });
});

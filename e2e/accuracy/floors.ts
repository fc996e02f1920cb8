import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import type { AccuracyRow } from './accuracy-table.js';

// The floors the short run must stay above (thresholds.json): per model and concurrency, the
// least correct % any row (endpoint, backend, probe set, keep-alive) may show; either one number
// for every endpoint, or per endpoint with `*` for the others. `model/probe-set` keys override the
// model's for that set (the original model reads no socket-level records: no traces from them).

export type Floors = Record<string, Record<string, number | Record<string, number>>>;

function floorOf(floors: Floors, r: AccuracyRow): number | undefined {
  const f = (floors[`${r.model}/${r.probeSet}`] ?? floors[r.model])?.[String(r.concurrency)];
  return typeof f === 'number' || f === undefined ? f : (f[r.endpoint] ?? f['*']);
}

export function readFloors(path = join(PROJECT_ROOT, 'e2e', 'accuracy', 'thresholds.json')): Floors {
  return (JSON.parse(readFileSync(path, 'utf8')) as { floors: Floors }).floors;
}

/** Rows below their floor, as sentences; models without floors are not judged. */
export function belowFloors(rows: readonly AccuracyRow[], floors: Floors): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const floor = floorOf(floors, r);
    if (floor === undefined) continue;
    if (r.requests === 0) out.push(`${r.model} ${r.endpoint} (${r.backend}/${r.probeSet}, concurrency ${r.concurrency}): no request could be checked`);
    else if (r.correctPct < floor) {
      out.push(`${r.model} ${r.endpoint} (${r.backend}/${r.probeSet}, concurrency ${r.concurrency}, keep-alive ${r.keepAlive ? 'on' : 'off'}): ${r.correctPct}% correct, floor ${floor}%`);
    }
  }
  return out;
}

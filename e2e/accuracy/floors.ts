import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import type { AccuracyRow } from './accuracy-table.js';

// The floors the short run must stay above (thresholds.json): per model and concurrency, the
// least correct % any row (endpoint, backend, probe set, keep-alive) may show.

export type Floors = Record<string, Record<string, number>>;

export function readFloors(path = join(PROJECT_ROOT, 'e2e', 'accuracy', 'thresholds.json')): Floors {
  return (JSON.parse(readFileSync(path, 'utf8')) as { floors: Floors }).floors;
}

/** Rows below their floor, as sentences; models without floors are not judged. */
export function belowFloors(rows: readonly AccuracyRow[], floors: Floors): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const floor = floors[r.model]?.[String(r.concurrency)];
    if (floor === undefined) continue;
    if (r.requests === 0) out.push(`${r.model} ${r.endpoint} (${r.backend}/${r.probeSet}, concurrency ${r.concurrency}): no request could be checked`);
    else if (r.correctPct < floor) {
      out.push(`${r.model} ${r.endpoint} (${r.backend}/${r.probeSet}, concurrency ${r.concurrency}, keep-alive ${r.keepAlive ? 'on' : 'off'}): ${r.correctPct}% correct, floor ${floor}%`);
    }
  }
  return out;
}

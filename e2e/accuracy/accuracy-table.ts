import type { EndpointResult } from './evaluate.js';

// The accuracy table: one row per endpoint x backend x probe set x model x concurrency x keep-alive.

export interface AccuracyRow extends EndpointResult {
  backend: string;
  probeSet: string;
  model: string;
  concurrency: number;
  keepAlive: boolean;
  /** correct / requests checked, in percent (one decimal). */
  correctPct: number;
  /** The capture ended early (its child died): its traces may lack the end. */
  partial: boolean;
}

export function pct(correct: number, of: number): number {
  return of === 0 ? 0 : Math.round((1000 * correct) / of) / 10;
}

const COLUMNS: [string, (r: AccuracyRow) => string][] = [
  ['endpoint', (r) => r.endpoint],
  ['backend', (r) => r.backend],
  ['probes', (r) => r.probeSet],
  ['model', (r) => r.model],
  ['conc', (r) => String(r.concurrency)],
  ['keep-alive', (r) => (r.keepAlive ? 'on' : 'off')],
  ['requests', (r) => String(r.requests)],
  ['correct %', (r) => r.correctPct.toFixed(1)],
  ['merged', (r) => String(r.merged)],
  ['split', (r) => String(r.split)],
  ['wrong parent', (r) => String(r['wrong-parent'])],
  ['missing', (r) => String(r.missing)],
  ['inferred right', (r) => (r.inferred === 0 ? '-' : `${r.inferredRight}/${r.inferred}`)],
  ['unchecked', (r) => String(r.unlogged + r.failed)],
];

export function formatTable(rows: readonly AccuracyRow[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i < 6 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')).join('\n');
}

import { InputError } from '../model/meta.js';
import { isModelProbe, probeEventName } from '../model/record.js';
import { TOTAL_COUNT_PROBE, type CountColumn, type SpanCounts } from './layout-types.js';

// Which per-span event counts a label shows, and under what name. By default the user probes
// (custom probes, not the tool's own `MT:` model records): they are what a figure is about, as in
// the seed figure's "Migrations: 3  Page Faults User: 4".

/** Short names for probes that figures commonly show; others are named by their event (last `:` part). */
const KNOWN_LABELS: Readonly<Record<string, string>> = {
  sched_migrate_task: 'Migrations',
  page_fault_user: 'User page faults',
  page_fault_kernel: 'Kernel page faults',
  // One record per traced side of a switch (ADR 0090): a thread's records are its switches in and out.
  sched_switch: 'Switches in/out',
  sched_wakeup: 'Wakeups',
  block_rq_issue: 'Block I/O',
};

export function defaultCountLabel(probe: string): string {
  if (probe === TOTAL_COUNT_PROBE) return 'Events';
  const ev = probeEventName(probe);
  return KNOWN_LABELS[ev] ?? ev;
}

/** The user probes that occur in `counts`, ordered by label then probe name (stable across runs and machines). */
export function defaultCountColumns(counts: readonly (SpanCounts | undefined)[]): CountColumn[] {
  const names = new Set<string>();
  for (const c of counts) if (c) for (const p of Object.keys(c.byProbe)) if (!isModelProbe(p)) names.add(p);
  return [...names]
    .map((probe) => ({ probe, label: defaultCountLabel(probe) }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.probe < b.probe ? -1 : a.probe > b.probe ? 1 : 0));
}

/**
 * Parses a count selection such as `sched_migrate_task=Migrations,page_fault_user`, `total`,
 * `user` (the default) or `none`. A probe may be named in full or by a unique suffix of its name.
 */
export function parseCountSpec(spec: string, probeNames: readonly string[], counts: readonly (SpanCounts | undefined)[]): CountColumn[] {
  const s = spec.trim();
  if (s === 'none' || s === '') return [];
  if (s === 'user') return defaultCountColumns(counts);
  const out: CountColumn[] = [];
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const label = eq < 0 ? undefined : part.slice(eq + 1).trim();
    if (name === '') throw new InputError(`empty probe name in counts "${spec}"`, 'list probes like sched_migrate_task=Migrations,page_fault_user');
    let probe: string;
    if (name === 'total') probe = TOTAL_COUNT_PROBE;
    else {
      const exact = probeNames.filter((p) => p === name);
      const matches = exact.length > 0 ? exact : probeNames.filter((p) => p.endsWith(`:${name}`));
      if (matches.length === 0) {
        throw new InputError(`no probe named "${name}" in this bundle`, `probes: ${probeNames.filter((p) => !isModelProbe(p)).join(', ') || '(only model probes)'}; or use total`);
      }
      if (matches.length > 1) throw new InputError(`"${name}" matches several probes: ${matches.join(', ')}`, 'give the full probe name');
      probe = matches[0]!;
    }
    if (out.some((c) => c.probe === probe)) continue;
    out.push({ probe, label: label === undefined || label === '' ? defaultCountLabel(probe) : label });
  }
  return out;
}

export function countValue(c: SpanCounts | undefined, probe: string): number {
  if (c === undefined) return 0;
  return probe === TOTAL_COUNT_PROBE ? c.total : (c.byProbe[probe] ?? 0);
}

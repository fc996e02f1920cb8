import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { compare, type FilterTerm, type NumField } from './table-query.js';

// Pure derivation of the visible row order from the columns: filter, then sort. It runs only when
// the query changes (never per scroll or key press), in O(n log n) over index arrays.

export type SortKey = 'id' | 'entry' | 'start' | 'duration' | 'spans' | 'containers' | 'events';

export interface SortSpec {
  sortKey: SortKey;
  descending: boolean;
}

/** Rows (indices into the columns) that pass the filter terms, in table order. */
export function filterRows(t: TraceTableData, terms: readonly FilterTerm[]): Int32Array {
  const out: number[] = [];
  // Text terms are resolved once against the container dictionary, not once per row.
  const textSets = terms.map((term) =>
    term.kind === 'num' || term.kind === 'link' ? null : new Set(t.containerNames.flatMap((n, i) => (n.toLowerCase().includes(term.text) ? [i] : []))),
  );
  for (let i = 0; i < t.count; i++) {
    let ok = true;
    for (let k = 0; k < terms.length && ok; k++) {
      const term = terms[k]!;
      if (term.kind === 'num') ok = compare(numField(t, term.field, i), term.cmp, term.value);
      else if (term.kind === 'link') ok = linkMatch(t, term.which, i);
      else if (term.kind === 'entry') ok = textSets[k]!.has(t.rootContainer[i]!);
      else ok = t.containers[i]!.some((c) => textSets[k]!.has(c));
    }
    if (ok) out.push(i);
  }
  return Int32Array.from(out);
}

/** The brushed duration range [min, max] (ns, inclusive) applied to `rows`, then the sort. */
export function orderRows(t: TraceTableData, rows: Int32Array, range: readonly [number, number] | null, sort: SortSpec): Int32Array {
  const idx = range === null ? Int32Array.from(rows) : rows.filter((i) => t.duration[i]! >= range[0] && t.duration[i]! <= range[1]);
  const key = sortColumn(t, sort.sortKey);
  const sign = sort.descending ? -1 : 1;
  // Ties fall back to trace id so the order is total and stable across re-sorts.
  idx.sort((a, b) => {
    const d = key(a) - key(b);
    if (d !== 0) return sign * d;
    return sign * (t.id[a]! - t.id[b]!);
  });
  return idx;
}

/** A bundle without links (the original model) has no inferred link and no orphan. */
function linkMatch(t: TraceTableData, which: 'inferred' | 'orphan', i: number): boolean {
  const orphan = (t.orphans?.[i] ?? 0) > 0;
  return which === 'orphan' ? orphan : orphan || (t.inferredLinks?.[i] ?? 0) > 0;
}

function numField(t: TraceTableData, f: NumField, i: number): number {
  // Shapes are numbered from 1 as the Shapes panel shows them; a bundle without shapes matches none.
  if (f === 'shape') return (t.shape?.[i] ?? -1) + 1;
  return t[f][i]!;
}

function sortColumn(t: TraceTableData, key: SortKey): (i: number) => number {
  switch (key) {
    case 'id':
      return (i) => t.id[i]!;
    case 'start':
      return (i) => t.start[i]!;
    case 'duration':
      return (i) => t.duration[i]!;
    case 'spans':
      return (i) => t.spanCount[i]!;
    case 'events':
      return (i) => t.eventCount[i]!;
    case 'containers':
      return (i) => t.containers[i]!.length;
    case 'entry': {
      // Sort by name: rank the dictionary once.
      const rank = new Array<number>(t.containerNames.length);
      [...t.containerNames.keys()].sort((a, b) => t.containerNames[a]!.localeCompare(t.containerNames[b]!)).forEach((ci, r) => (rank[ci] = r));
      return (i) => rank[t.rootContainer[i]!]!;
    }
  }
}

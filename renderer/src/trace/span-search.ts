import type { SpanDto } from '../../../electron/ipc-contract.js';

// Span search within a trace: every term of the query (split on spaces) must occur, case-
// insensitively, in the span's thread id, container, IP, kind or link rule. Matches come in the
// trace's pre-order, the order of the rows.

export function findSpans(spans: readonly SpanDto[], query: string): number[] {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== '');
  if (terms.length === 0) return [];
  const out: number[] = [];
  for (const s of spans) {
    const hay = `${s.tid} ${s.container} ${s.ip} ${s.kind}${s.link !== undefined ? ` ${s.link.rule} ${s.link.exact ? 'exact' : 'inferred'}` : ''}`.toLowerCase();
    if (terms.every((t) => hay.includes(t))) out.push(s.index);
  }
  return out;
}

/** The spans whose subtrees hide `span` (its collapsed ancestors), to expand so it shows. */
export function hidingAncestors(spans: readonly SpanDto[], span: number, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let p = spans[span]?.parent ?? -1; p >= 0; p = spans[p]!.parent) if (collapsed.has(p)) out.push(p);
  return out;
}

import { useEffect, useMemo, useRef } from 'react';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { findSpans, hidingAncestors } from './span-search.js';

// Ctrl+F in the trace view: find spans by thread id, container, IP, kind or link rule. Enter (or
// ↓) goes to the next match, Shift+Enter (or ↑) to the previous; the match is selected, scrolled
// to and uncollapsed; every match is outlined. Esc closes the bar.

interface Props {
  detail: TraceDetail;
  query: string;
  onQuery(q: string): void;
  onClose(): void;
  onMatches(m: ReadonlySet<number> | null): void;
}

export function SpanSearchBar({ detail, query, onQuery, onClose, onMatches }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const matches = useMemo(() => findSpans(detail.spans, query), [detail, query]);
  const selected = useTraceView((s) => s.selectedSpan);
  const at = selected === null ? -1 : matches.indexOf(selected);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  useEffect(() => {
    onMatches(query.trim() === '' ? null : new Set(matches));
  }, [matches, query, onMatches]);
  const go = (delta: number) => {
    if (matches.length === 0) return;
    const next = at < 0 ? (delta > 0 ? 0 : matches.length - 1) : (at + delta + matches.length) % matches.length;
    const span = matches[next]!;
    const st = useTraceView.getState();
    const hide = hidingAncestors(detail.spans, span, st.collapsed);
    if (hide.length > 0) {
      const c = new Set(st.collapsed);
      for (const h of hide) c.delete(h);
      st.setCollapsed(c);
    }
    st.select(span);
  };
  return (
    <div className="span-search" role="search" aria-label="Find spans">
      <input
        ref={input}
        type="search"
        aria-label="Find spans: thread id, container, IP, kind or link rule"
        placeholder="Find spans: tid, container, IP…"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === 'ArrowDown' || e.key === 'F3') {
            e.preventDefault();
            go(e.shiftKey ? -1 : 1);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            go(-1);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      />
      <span className="search-count" role="status" aria-live="polite">
        {query.trim() === '' ? '' : matches.length === 0 ? 'no match' : `${at < 0 ? '–' : at + 1} of ${matches.length}`}
      </span>
      <button type="button" aria-label="Previous match" disabled={matches.length === 0} onClick={() => go(-1)}>
        ↑
      </button>
      <button type="button" aria-label="Next match" disabled={matches.length === 0} onClick={() => go(1)}>
        ↓
      </button>
      <button type="button" className="icon-button" aria-label="Close the search" onClick={onClose}>
        ×
      </button>
    </div>
  );
}

import { useMemo } from 'react';
import type { TraceTableData } from '../../../electron/ipc-contract.js';
import { groupByShape } from '../../../engine/analysis/shape-groups.js';
import { openComparison } from '../actions/compare-actions.js';
import { useCompare } from '../stores/compare-store.js';

// Marks for comparing two requests (Ctrl+click or C on a row in the table): with two marks,
// compare them (the first marked is the baseline); with one, compare it against the median
// trace of its shape.

const NO_MARKS: readonly number[] = [];

export function CompareBar({ table }: { table: TraceTableData }) {
  const marked = useCompare((s) => (s.markedBundle === table.bundleId ? s.marked : NO_MARKS));
  const clear = useCompare((s) => s.clearMarks);
  const loading = useCompare((s) => s.loading);
  const medianOfShape = useMemo(() => {
    const m = new Map<number, number>();
    if (table.shape !== undefined) for (const g of groupByShape(table.shape, table.duration)) m.set(g.shape, table.id[g.medianRow]!);
    return m;
  }, [table]);
  const rowOfId = useMemo(() => new Map(table.id.map((id, row) => [id, row])), [table]);
  if (marked.length === 0) {
    return <span className="muted compare-hint">Ctrl+click two traces (or C on a row) to compare them</span>;
  }
  const [a, b] = marked;
  let action: { label: string; run(): void; title: string } | null = null;
  if (b !== undefined) {
    action = { label: `Compare #${a} with #${b}`, title: `#${a} is the baseline; the spans that explain most of #${b}'s difference come first`, run: () => void openComparison(a!, b, `#${b} against #${a}`) };
  } else {
    const row = rowOfId.get(a!);
    const shape = row === undefined ? undefined : table.shape?.[row];
    const median = shape === undefined ? undefined : medianOfShape.get(shape);
    if (median !== undefined && median !== a) {
      action = { label: `Compare #${a} with its shape's median`, title: `Against trace #${median}, the median of shape ${shape! + 1}`, run: () => void openComparison(median, a!, `#${a} against the median of shape ${shape! + 1} (#${median})`) };
    }
  }
  return (
    <span className="compare-bar" role="group" aria-label="Compare traces">
      <span className="muted">Marked {marked.map((id) => `#${id}`).join(', ')}</span>
      {action !== null && (
        <button type="button" className="primary" disabled={loading} onClick={action.run} title={action.title}>
          {action.label}
        </button>
      )}
      <button type="button" onClick={clear}>
        Clear the marks
      </button>
    </span>
  );
}

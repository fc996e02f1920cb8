import { useMemo, useState } from 'react';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { traceStats } from '../../../engine/analysis/trace-stats.js';
import { StatsDialog } from '../common/stats-dialog.js';

// The trace view's "Statistics" (beside the minimap: both are about the whole trace): self time and counts per container and per kernel event of
// this trace, folded here from the trace already loaded.

export function TraceStatsButton({ detail }: { detail: TraceDetail }) {
  const [open, setOpen] = useState(false);
  const stats = useMemo(() => (open ? traceStats(detail.spans, detail.counts) : null), [open, detail]);
  return (
    <>
      <button type="button" className="overview-button" aria-haspopup="dialog" onClick={() => setOpen(true)} title="Self time and counts per container and per kernel event of this trace">
        Statistics
      </button>
      {open && <StatsDialog title={`Statistics of trace #${detail.traceId}`} stats={stats} loading={false} onClose={() => setOpen(false)} />}
    </>
  );
}

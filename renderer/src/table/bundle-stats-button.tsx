import { useState } from 'react';
import type { TraceStats } from '../../../engine/analysis/trace-stats.js';
import { invoke } from '../ipc/explorer-api.js';
import { StatsDialog } from '../common/stats-dialog.js';
import { useNotices } from '../stores/notice-store.js';

// The table's "Statistics": the same view over every trace of the bundle, folded in the engine
// worker (one pass over the traces: main and this window stay free), kept per open bundle.

const cache = new Map<string, TraceStats>();

export function BundleStatsButton({ bundleId, fileName }: { bundleId: string; fileName: string }) {
  const [open, setOpen] = useState(false);
  const [stats, setStats] = useState<TraceStats | null>(null);
  const show = async () => {
    setOpen(true);
    const have = cache.get(bundleId);
    if (have !== undefined) return setStats(have);
    setStats(null);
    const r = await invoke('bundleStats', { bundleId });
    if (!r.ok) {
      setOpen(false);
      useNotices.getState().pushError(`Could not compute the statistics of ${fileName}`, r.error);
      return;
    }
    cache.set(bundleId, r.value);
    setStats(r.value);
  };
  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={() => void show()} title="Self time and counts per container and per kernel event over every trace of the bundle">
        Statistics
      </button>
      {open && <StatsDialog title={`Statistics of ${fileName}`} stats={stats} loading={stats === null} onClose={() => setOpen(false)} />}
    </>
  );
}

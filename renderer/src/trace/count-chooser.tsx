import { useMemo, useState } from 'react';
import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { countChoices } from './count-choice.js';

// Which event counts the bars print (and the exported figure too). The list is placed under its
// button in window coordinates: the toolbar scrolls sideways at narrow widths and would clip it.

export function CountChooser({ detail }: { detail: TraceDetail }) {
  const shown = useTraceView((s) => s.shownCounts);
  const setShown = useTraceView((s) => s.setShownCounts);
  const choices = useMemo(() => countChoices(detail.probes), [detail]);
  const toggle = (probe: string, on: boolean) => setShown(on ? [...shown, probe] : shown.filter((p) => p !== probe));
  const [at, setAt] = useState<{ top: number; right: number }>({ top: 80, right: 10 });
  return (
    <details
      className="count-chooser"
      onToggle={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        setAt({ top: r.bottom + 4, right: Math.max(4, window.innerWidth - r.right) });
      }}
    >
      <summary title="Counts on bars">Counts ({shown.length})</summary>
      <div className="count-list" role="group" aria-label="Counts on bars" style={{ top: at.top, right: at.right }}>
        {choices.map((c) => (
          <label key={c.probe} className={`check-label${c.model ? ' model-probe' : ''}`} title={c.probe}>
            <input type="checkbox" checked={shown.includes(c.probe)} onChange={(e) => toggle(c.probe, e.target.checked)} />
            {c.label}
          </label>
        ))}
        <button type="button" className="link-button" onClick={() => setShown([])}>
          None
        </button>
      </div>
    </details>
  );
}

import { useEffect, useRef } from 'react';
import { exportCurrentTrace } from '../actions/export-actions.js';
import { useExport } from '../stores/export-store.js';
import type { ExportFormat } from '../../../electron/ipc-contract.js';

// Export choices, in the trace view's side column (collapsible: it takes no height from the
// Gantt, and the Gantt stays usable while it is open, e.g. to collapse a subtree for the figure):
// the SVG figure (the same one `misertrace export --format svg` writes) or an interchange file
// for Perfetto/chrome://tracing, Jaeger or an OTLP collector.

const FORMATS: { id: ExportFormat; label: string; note: string }[] = [
  { id: 'svg', label: 'SVG figure', note: 'vector, text as text: for papers' },
  { id: 'chrome', label: 'Chrome trace', note: 'Perfetto, chrome://tracing' },
  { id: 'jaeger', label: 'Jaeger JSON', note: 'Jaeger UI: upload JSON' },
  { id: 'otlp', label: 'OTLP/JSON', note: 'OpenTelemetry collectors' },
];

export function ExportPanel() {
  const s = useExport();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (s.open) first.current?.focus();
  }, [s.open]);
  if (!s.open) return null;
  const svg = s.format === 'svg';
  return (
    <section className="export-panel" aria-label="Export">
      <div className="panel-head">
        <h2>Export</h2>
        <button type="button" className="icon-button" aria-label="Close the export panel" onClick={() => s.set({ open: false })}>
          ×
        </button>
      </div>
      <fieldset>
        <legend>Format</legend>
        {FORMATS.map((f, i) => (
          <label key={f.id} className="radio-label">
            <input ref={i === 0 ? first : undefined} type="radio" name="export-format" checked={s.format === f.id} onChange={() => s.set({ format: f.id })} />
            {f.label} <span className="muted">{f.note}</span>
          </label>
        ))}
      </fieldset>
      {svg && (
        <fieldset className="form-grid">
          <legend>Figure</legend>
          <label>
            Title
            <input value={s.title} onChange={(e) => s.set({ title: e.target.value })} placeholder="none" />
          </label>
          <label>
            Caption
            <input value={s.caption} onChange={(e) => s.set({ caption: e.target.value })} placeholder="none" />
          </label>
          <label>
            Width (px)
            <input inputMode="numeric" value={s.width} onChange={(e) => s.set({ width: e.target.value })} placeholder="960" />
          </label>
          <label className="check-label">
            <input type="checkbox" checked={s.greyscale} onChange={(e) => s.set({ greyscale: e.target.checked })} /> Greyscale
          </label>
        </fieldset>
      )}
      <fieldset>
        <legend>What</legend>
        <label className="check-label">
          <input type="checkbox" checked={s.useWindow} onChange={(e) => s.set({ useWindow: e.target.checked })} disabled={!svg} /> Only the zoomed time window
        </label>
        <label className="check-label">
          <input type="checkbox" checked={s.keepCollapsed} onChange={(e) => s.set({ keepCollapsed: e.target.checked })} disabled={!svg} /> Keep collapsed subtrees collapsed
        </label>
        <p className="muted">The counts chosen for the bars are the counts printed in the figure.</p>
      </fieldset>
      <div className="row-gap">
        <button type="button" className="primary" disabled={s.exporting} onClick={() => void exportCurrentTrace()}>
          {s.exporting ? 'Exporting…' : 'Export…'}
        </button>
        <button type="button" onClick={() => s.set({ open: false })}>
          Close
        </button>
      </div>
    </section>
  );
}

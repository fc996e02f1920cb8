import { useEffect, useRef } from 'react';
import { exportCurrentTrace } from '../actions/export-actions.js';
import { useExport } from '../stores/export-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import type { ExportFormat } from '../../../electron/ipc-contract.js';
import { commonPrefix, traceContainers } from './figure-names.js';
import { WIDTH_PRESETS } from './figure-presets.js';
import '../figure-editor.css';

// Export choices, in the trace view's side column (collapsible: it takes no height from the
// Gantt, and the Gantt stays usable while it is open, e.g. to collapse a subtree for the figure):
// the figure (the same one `misertrace export --format svg|pdf|png` writes; its options in the
// figure editor, with a live preview) or an interchange file for Perfetto/chrome://tracing,
// Jaeger or an OTLP collector.

const FORMATS: { id: ExportFormat; label: string; note: string }[] = [
  { id: 'svg', label: 'SVG figure', note: 'vector, text as text: for papers' },
  { id: 'pdf', label: 'PDF figure', note: 'for LaTeX' },
  { id: 'png', label: 'PNG figure', note: '300 dpi: for slides' },
  { id: 'chrome', label: 'Chrome trace', note: 'Perfetto, chrome://tracing' },
  { id: 'jaeger', label: 'Jaeger JSON', note: 'Jaeger UI: upload JSON' },
  { id: 'otlp', label: 'OTLP/JSON', note: 'OpenTelemetry collectors' },
];

const FIGURE_FORMATS: readonly ExportFormat[] = ['svg', 'pdf', 'png'];

function FigureSummary() {
  const s = useExport();
  const detail = useTraceView((v) => v.detail);
  const preset = WIDTH_PRESETS.find((p) => p.id === s.widthPreset)!;
  const width = s.widthPreset === 'custom' ? s.customWidth.trim() || 'default width' : preset.label;
  const prefix = s.stripPrefix ? commonPrefix(traceContainers(detail?.spans ?? [])) : '';
  const edited = Object.values(s.names).filter((n) => n.trim() !== '').length;
  const parts = [width, s.fontPt.trim() === '' ? 'default text size' : `${s.fontPt.trim()} pt text`];
  if (prefix !== '') parts.push(`names without “${prefix}”`);
  if (edited > 0) parts.push(`${edited} name${edited === 1 ? '' : 's'} edited`);
  if (s.greyscale) parts.push('greyscale');
  if (s.title.trim() !== '') parts.push(`title “${s.title.trim()}”`);
  return (
    <div className="figure-summary">
      <p className="muted">{parts.join(', ')}</p>
      <button type="button" onClick={() => s.set({ editorOpen: true })} aria-haspopup="dialog">
        Figure editor…
      </button>
    </div>
  );
}

export function ExportPanel() {
  const s = useExport();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (s.open) first.current?.focus();
  }, [s.open]);
  if (!s.open) return null;
  const figure = FIGURE_FORMATS.includes(s.format);
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
      {figure && <FigureSummary />}
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

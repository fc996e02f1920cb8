import { useEffect, useRef } from 'react';
import { currentFigureOptions, exportCurrentTrace, refreshFigurePreview } from '../actions/export-actions.js';
import { CopyButton } from '../common/copy-button.js';
import { useExport } from '../stores/export-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { traceContainers } from './figure-names.js';
import { FigureNamesEditor } from './figure-names-editor.js';
import { FigurePreviewPane } from './figure-preview.js';
import { WIDTH_PRESETS, type WidthPreset } from './figure-presets.js';
import '../figure-editor.css';

// The figure editor for papers (issue 14): options on the left, the live preview of the very
// file an export writes on the right, and the `misertrace export` command that draws the same
// figure (also stored in the SVG, docs/adr/0095). Saves SVG, or PDF/PNG drawn by Chromium.

const PREVIEW_DELAY_MS = 150;
const LABEL_CHOICES = [
  ['tid', 'Thread id'],
  ['container', 'Container'],
  ['duration', 'Duration'],
  ['counts', 'Event counts'],
] as const;

export function FigureEditor() {
  const s = useExport();
  const detail = useTraceView((v) => v.detail);
  const collapsed = useTraceView((v) => v.collapsed);
  const zoom = useTraceView((v) => v.window);
  const counts = useTraceView((v) => v.shownCounts);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  // Redraw a moment after the last change (typing a title does not draw per keystroke).
  const key = JSON.stringify([s.title, s.caption, s.greyscale, s.widthPreset, s.customWidth, s.fontPt, s.stripPrefix, s.names, s.labels, s.useWindow, s.keepCollapsed, [...collapsed], zoom, counts, detail?.traceId]);
  useEffect(() => {
    const t = setTimeout(() => void refreshFigurePreview(), PREVIEW_DELAY_MS);
    return () => clearTimeout(t);
  }, [key]);
  if (detail === null) return null;
  // Checked on every render (not after the preview's delay): a bad name disables saving at once.
  const valid = currentFigureOptions().ok;
  const close = () => s.set({ editorOpen: false });
  const choosePreset = (id: WidthPreset) => {
    const p = WIDTH_PRESETS.find((x) => x.id === id)!;
    s.set({ widthPreset: id, ...(id === 'custom' ? {} : { fontPt: p.fontPt === null ? '' : String(p.fontPt) }) });
  };
  return (
    <div className="modal-backdrop figure-editor-backdrop">
      <section
        className="figure-editor"
        role="dialog"
        aria-modal="true"
        aria-label={`Figure editor, trace ${detail.traceId}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            close();
          }
        }}
      >
        <div className="panel-head">
          <h2>Figure of trace #{detail.traceId}</h2>
          <button type="button" className="icon-button" aria-label="Close the figure editor" onClick={close}>
            ×
          </button>
        </div>
        <div className="figure-editor-body">
          <form className="figure-options" onSubmit={(e) => e.preventDefault()}>
            <fieldset>
              <legend>Size</legend>
              {WIDTH_PRESETS.map((p, i) => (
                <label key={p.id} className="radio-label">
                  <input ref={i === 0 ? first : undefined} type="radio" name="figure-width" checked={s.widthPreset === p.id} onChange={() => choosePreset(p.id)} />
                  {p.label}
                </label>
              ))}
              {s.widthPreset === 'custom' && (
                <label>
                  Width
                  <input value={s.customWidth} onChange={(e) => s.set({ customWidth: e.target.value })} placeholder="960, 7in, 504pt" />
                </label>
              )}
              <label>
                Font size (pt)
                <input inputMode="decimal" value={s.fontPt} onChange={(e) => s.set({ fontPt: e.target.value })} placeholder="default (11 px)" />
              </label>
            </fieldset>
            <fieldset className="form-grid">
              <legend>Text</legend>
              <label>
                Title
                <input value={s.title} onChange={(e) => s.set({ title: e.target.value })} placeholder="none" />
              </label>
              <label>
                Caption
                <input value={s.caption} onChange={(e) => s.set({ caption: e.target.value })} placeholder="none" />
              </label>
            </fieldset>
            <fieldset>
              <legend>Content</legend>
              <label className="check-label">
                <input type="checkbox" checked={s.greyscale} onChange={(e) => s.set({ greyscale: e.target.checked })} /> Greyscale
              </label>
              <label className="check-label">
                <input type="checkbox" checked={s.useWindow} onChange={(e) => s.set({ useWindow: e.target.checked })} /> Only the zoomed time window
              </label>
              <label className="check-label">
                <input type="checkbox" checked={s.keepCollapsed} onChange={(e) => s.set({ keepCollapsed: e.target.checked })} /> Keep collapsed subtrees collapsed
              </label>
              <p className="muted">The counts chosen for the bars are the counts printed in the figure.</p>
            </fieldset>
            <fieldset className="figure-labels">
              <legend>Bar labels</legend>
              {LABEL_CHOICES.map(([field, label]) => (
                <label key={field} className="check-label">
                  <input type="checkbox" checked={s.labels[field]} onChange={(e) => s.set({ labels: { ...s.labels, [field]: e.target.checked } })} /> {label}
                </label>
              ))}
            </fieldset>
            <FigureNamesEditor containers={traceContainers(detail.spans)} />
          </form>
          <FigurePreviewPane figure={s.preview.figure} error={s.preview.error} pending={s.preview.pending} />
        </div>
        <div className="figure-command">
          <span className="muted">The same figure from the command line (stored in the SVG):</span>
          <code data-testid="figure-command">{s.preview.figure?.command ?? '…'}</code>
          {s.preview.figure !== null && <CopyButton text={s.preview.figure.command} label="Copy the export command" />}
        </div>
        <div className="row-gap figure-save">
          {(['svg', 'pdf', 'png'] as const).map((f) => (
            <button key={f} type="button" className={f === 'svg' ? 'primary' : undefined} disabled={s.exporting || !valid} onClick={() => void exportCurrentTrace(f)}>
              Save {f.toUpperCase()}…
            </button>
          ))}
          <button type="button" onClick={close}>
            Close
          </button>
        </div>
      </section>
    </div>
  );
}

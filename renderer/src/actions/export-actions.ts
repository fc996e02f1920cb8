import type { ExportFormat, FigureExportOptions } from '../../../electron/ipc-contract.js';
import type { LabelField } from '../../../engine/figure/layout-types.js';
import { invoke } from '../ipc/explorer-api.js';
import { useExport } from '../stores/export-store.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { formatBytes } from '../common/format.js';
import { figureNames, nameProblem, traceContainers } from '../export/figure-names.js';
import { fontText, widthText } from '../export/figure-presets.js';

// Export of the trace on screen: main asks where to save and writes the file, with the same
// engine functions as `misertrace export`; the figure editor's live preview is the very SVG an
// export would write (previewFigure), redrawn a moment after each change.

/** The figure choices, or what is wrong with them (a width that is not a length, a name with a comma). */
export function currentFigureOptions(): { ok: true; value: FigureExportOptions } | { ok: false; problem: string } {
  const e = useExport.getState();
  const v = useTraceView.getState();
  const width = widthText(e.widthPreset, e.customWidth);
  if (width === undefined) return { ok: false, problem: `width "${e.customWidth}" is not a length: give px, or a unit (504pt, 7in, 17cm)` };
  const fontSize = fontText(e.fontPt);
  if (fontSize === undefined) return { ok: false, problem: `font size "${e.fontPt}" is not a number of points` };
  const names = figureNames(traceContainers(v.detail?.spans ?? []), e.names, e.stripPrefix);
  const bad = names.find((n) => nameProblem(n.name) !== null);
  if (bad !== undefined) return { ok: false, problem: `${bad.container}: ${nameProblem(bad.name)!}` };
  return {
    ok: true,
    value: {
      counts: [...v.shownCounts],
      collapsed: e.keepCollapsed ? [...v.collapsed].sort((a, b) => a - b) : [],
      window: e.useWindow ? v.window : null,
      palette: e.greyscale ? 'greyscale' : 'color',
      title: e.title.trim() === '' ? null : e.title.trim(),
      caption: e.caption.trim() === '' ? null : e.caption.trim(),
      width,
      fontSize,
      renames: names.filter((n) => n.name !== n.container).map((n) => ({ container: n.container, name: n.name })),
      labelFields: labelFields(e.labels),
    },
  };
}

/** The --label fields, or null when they are the default (tid, container, counts). */
function labelFields(l: { tid: boolean; container: boolean; duration: boolean; counts: boolean }): LabelField[] | null {
  if (l.tid && l.container && l.counts && !l.duration) return null;
  return (['tid', 'container', 'duration', 'counts'] as const).filter((f) => l[f]);
}

export async function exportCurrentTrace(format: ExportFormat = useExport.getState().format): Promise<void> {
  const bundle = useSession.getState().bundle;
  const detail = useTraceView.getState().detail;
  if (bundle === null || detail === null) return;
  const e = useExport.getState();
  if (e.exporting) return;
  const figure = currentFigureOptions();
  if (!figure.ok) {
    useNotices.getState().pushError('Cannot export', { kind: 'input', message: figure.problem, hint: 'fix it in the figure editor' });
    return;
  }
  e.set({ exporting: true });
  try {
    const r = await invoke('exportTrace', { bundleId: bundle.bundleId, traceIds: [detail.traceId], format, figure: figure.value });
    if (!r.ok) useNotices.getState().pushError(`Could not export trace #${detail.traceId}`, r.error);
    else if (r.value.saved) useNotices.getState().pushInfo('Exported', `${r.value.path} (${formatBytes(r.value.bytes)})`);
  } finally {
    useExport.getState().set({ exporting: false });
  }
}

let previewSeq = 0;

/** Draws the figure for the editor; an answer to an older request than the latest is dropped. */
export async function refreshFigurePreview(): Promise<void> {
  const bundle = useSession.getState().bundle;
  const detail = useTraceView.getState().detail;
  if (bundle === null || detail === null) return;
  const seq = ++previewSeq;
  const figure = currentFigureOptions();
  const set = useExport.getState().set;
  const before = useExport.getState().preview;
  if (!figure.ok) {
    set({ preview: { ...before, error: figure.problem, pending: false } });
    return;
  }
  set({ preview: { ...before, pending: true } });
  const r = await invoke('previewFigure', { bundleId: bundle.bundleId, traceIds: [detail.traceId], figure: figure.value });
  if (seq !== previewSeq) return;
  if (r.ok) set({ preview: { figure: r.value, error: null, pending: false } });
  else set({ preview: { figure: useExport.getState().preview.figure, error: r.error.hint ? `${r.error.message} (${r.error.hint})` : r.error.message, pending: false } });
}

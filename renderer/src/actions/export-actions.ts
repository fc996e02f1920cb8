import type { ExportFormat, FigureExportOptions } from '../../../electron/ipc-contract.js';
import { invoke } from '../ipc/explorer-api.js';
import { useExport } from '../stores/export-store.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTraceView } from '../stores/trace-view-store.js';
import { formatBytes } from '../common/format.js';

// Export of the trace on screen: main asks where to save and writes the file, with the same
// engine functions as `misertrace export`.

export function currentFigureOptions(): FigureExportOptions {
  const e = useExport.getState();
  const v = useTraceView.getState();
  return {
    counts: [...v.shownCounts],
    collapsed: e.keepCollapsed ? [...v.collapsed].sort((a, b) => a - b) : [],
    window: e.useWindow ? v.window : null,
    palette: e.greyscale ? 'greyscale' : 'color',
    title: e.title.trim() === '' ? null : e.title.trim(),
    caption: e.caption.trim() === '' ? null : e.caption.trim(),
    width: e.width.trim() === '' ? null : e.width.trim(),
    fontSize: null,
    renames: [],
  };
}

export async function exportCurrentTrace(format: ExportFormat = useExport.getState().format): Promise<void> {
  const bundle = useSession.getState().bundle;
  const detail = useTraceView.getState().detail;
  if (bundle === null || detail === null) return;
  const e = useExport.getState();
  if (e.exporting) return;
  const w = e.width.trim();
  if (w !== '' && (!/^\d+$/.test(w) || Number(w) < 200 || Number(w) > 20000)) {
    useNotices.getState().pushError('Cannot export', { kind: 'input', message: `width "${w}" is not a number of pixels between 200 and 20000`, hint: 'leave it empty for the default width' });
    return;
  }
  e.set({ exporting: true });
  try {
    const r = await invoke('exportTrace', { bundleId: bundle.bundleId, traceIds: [detail.traceId], format, figure: currentFigureOptions() });
    if (!r.ok) useNotices.getState().pushError(`Could not export trace #${detail.traceId}`, r.error);
    else if (r.value.saved) useNotices.getState().pushInfo('Exported', `${r.value.path} (${formatBytes(r.value.bytes)})`);
  } finally {
    useExport.getState().set({ exporting: false });
  }
}

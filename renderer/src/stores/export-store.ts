import { create } from 'zustand';
import type { ExportFormat, FigurePreview } from '../../../electron/ipc-contract.js';
import type { WidthPreset } from '../export/figure-presets.js';

// The export panel's and the figure editor's choices. They persist while the app runs, so
// exporting trace after trace for a paper keeps the same figure options (names edited for one
// trace of a bundle apply to the next one).

interface ExportState {
  open: boolean;
  /** The figure editor (live preview) is showing. */
  editorOpen: boolean;
  format: ExportFormat;
  greyscale: boolean;
  title: string;
  caption: string;
  widthPreset: WidthPreset;
  /** The width typed for the Custom preset (a length: 960, 7in, 504pt). */
  customWidth: string;
  /** Font size in points; empty for the default (11 px). */
  fontPt: string;
  /** Strip the prefix all containers share from their names. */
  stripPrefix: boolean;
  /** Display names typed by the user, by container. */
  names: Record<string, string>;
  /** What each bar's label shows, in the figure's order (tid, container, duration, counts). */
  labels: { tid: boolean; container: boolean; duration: boolean; counts: boolean };
  /** Export only the zoomed time window shown, instead of the whole trace. */
  useWindow: boolean;
  /** Keep collapsed subtrees collapsed in the figure. */
  keepCollapsed: boolean;
  exporting: boolean;
  preview: { figure: FigurePreview | null; error: string | null; pending: boolean };
  set(p: Partial<Omit<ExportState, 'set'>>): void;
}

export const useExport = create<ExportState>()((set) => ({
  open: false,
  editorOpen: false,
  format: 'svg',
  greyscale: false,
  title: '',
  caption: '',
  widthPreset: 'screen',
  customWidth: '',
  fontPt: '',
  stripPrefix: true,
  names: {},
  labels: { tid: true, container: true, duration: false, counts: true },
  useWindow: false,
  keepCollapsed: true,
  exporting: false,
  preview: { figure: null, error: null, pending: false },
  set: (p) => set(p),
}));

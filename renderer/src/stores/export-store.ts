import { create } from 'zustand';
import type { ExportFormat } from '../../../electron/ipc-contract.js';

// The export panel's choices. They persist while the app runs, so exporting trace after trace
// for a paper keeps the same figure options.

interface ExportState {
  open: boolean;
  format: ExportFormat;
  greyscale: boolean;
  title: string;
  caption: string;
  width: string;
  /** Export only the zoomed time window shown, instead of the whole trace. */
  useWindow: boolean;
  /** Keep collapsed subtrees collapsed in the figure. */
  keepCollapsed: boolean;
  exporting: boolean;
  set(p: Partial<Omit<ExportState, 'set'>>): void;
}

export const useExport = create<ExportState>()((set) => ({
  open: false,
  format: 'svg',
  greyscale: false,
  title: '',
  caption: '',
  width: '',
  useWindow: false,
  keepCollapsed: true,
  exporting: false,
  set: (p) => set(p),
}));

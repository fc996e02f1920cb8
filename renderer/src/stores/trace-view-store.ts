import { create } from 'zustand';
import type { SpanRecordDto, TraceDetail } from '../../../electron/ipc-contract.js';
import type { TimeWindow } from '../../../engine/figure/layout-types.js';

// The open trace and how it is looked at: time window (zoom/pan), collapsed subtrees, which
// event counts are printed on the bars, the selected/hovered span and the selected span's records.
// Sets are copied on write so selectors see a new value.

export interface SpanRecordsState {
  spanIndex: number;
  records: SpanRecordDto[];
  more: boolean;
  loading: boolean;
}

/** Which arrows the Gantt draws (the layout's `arrows` option): a 10,000-span trace reads better without returns. */
export type ArrowMode = 'all' | 'requests' | 'none';

/** What a bar's fill says: its kind (network/fork, the figure's colours) or its container (the kind stays in the outline's pattern). */
export type ColourBy = 'kind' | 'container';

export const DETAILS_WIDTH = { min: 240, initial: 360, maxShare: 0.6 } as const;

interface TraceViewState {
  detail: TraceDetail | null;
  loadingTraceId: number | null;
  window: TimeWindow | null;
  collapsed: ReadonlySet<number>;
  shownCounts: readonly string[];
  criticalPath: boolean;
  selectedSpan: number | null;
  hoverSpan: number | null;
  records: SpanRecordsState | null;
  arrows: ArrowMode;
  colourBy: ColourBy;
  /** Width of the details panel (px), dragged by its splitter; kept across traces. */
  detailsWidth: number;
  setLoading(id: number | null): void;
  show(detail: TraceDetail, shownCounts: readonly string[]): void;
  setWindow(w: TimeWindow | null): void;
  toggleCollapsed(index: number): void;
  setCollapsed(s: ReadonlySet<number>): void;
  setShownCounts(c: readonly string[]): void;
  setCriticalPath(on: boolean): void;
  select(index: number | null): void;
  hover(index: number | null): void;
  setRecords(r: SpanRecordsState | null): void;
  setArrows(a: ArrowMode): void;
  setColourBy(c: ColourBy): void;
  setDetailsWidth(w: number): void;
  /** Collapses every span at `depth` that has children (0: only the root shows); null expands all. */
  expandToDepth(depth: number | null): void;
  clear(): void;
}

const EMPTY = {
  detail: null,
  loadingTraceId: null,
  window: null,
  collapsed: new Set<number>() as ReadonlySet<number>,
  shownCounts: [] as readonly string[],
  criticalPath: true,
  selectedSpan: null,
  hoverSpan: null,
  records: null,
};

const PREFERENCES = { arrows: 'all' as ArrowMode, colourBy: 'kind' as ColourBy, detailsWidth: DETAILS_WIDTH.initial as number };

export const useTraceView = create<TraceViewState>()((set) => ({
  ...EMPTY,
  ...PREFERENCES,
  setLoading: (loadingTraceId) => set({ loadingTraceId }),
  show: (detail, shownCounts) => set({ detail, shownCounts, window: null, collapsed: new Set(), selectedSpan: null, hoverSpan: null, records: null, loadingTraceId: null }),
  setWindow: (window) => set({ window }),
  toggleCollapsed: (index) =>
    set((s) => {
      const next = new Set(s.collapsed);
      if (next.has(index)) next.delete(index);
      else next.add(index);
      return { collapsed: next };
    }),
  setCollapsed: (collapsed) => set({ collapsed: new Set(collapsed) }),
  setShownCounts: (shownCounts) => set({ shownCounts: [...shownCounts] }),
  setCriticalPath: (criticalPath) => set({ criticalPath }),
  select: (selectedSpan) => set((s) => (s.selectedSpan === selectedSpan ? {} : { selectedSpan, records: null })),
  hover: (hoverSpan) => set({ hoverSpan }),
  setRecords: (records) => set({ records }),
  setArrows: (arrows) => set({ arrows }),
  setColourBy: (colourBy) => set({ colourBy }),
  setDetailsWidth: (detailsWidth) => set({ detailsWidth: Math.max(DETAILS_WIDTH.min, Math.round(detailsWidth)) }),
  expandToDepth: (depth) =>
    set((s) => {
      if (depth === null || s.detail === null) return { collapsed: new Set<number>() };
      const next = new Set<number>();
      for (const sp of s.detail.spans) if (sp.depth === depth && sp.childCount > 0) next.add(sp.index);
      return { collapsed: next };
    }),
  // The arrow mode and panel width are how this user likes to look at traces: kept on clear.
  clear: () => set({ ...EMPTY, collapsed: new Set() }),
}));

import { create } from 'zustand';
import type { TraceDetail } from '../../../electron/ipc-contract.js';

// Comparing two requests: the traces marked in the table (at most two, the oldest mark drops
// out; marks belong to one bundle: another bundle's table starts with none), and the pair on the compare screen: A the baseline, B the one being explained.

export interface ComparePair {
  a: TraceDetail;
  b: TraceDetail;
  /** Why these two ("#12 against the median of shape 2"), shown as the screen's subtitle. */
  why: string;
}

interface CompareState {
  marked: readonly number[];
  /** The bundle the marks are of. */
  markedBundle: string | null;
  pair: ComparePair | null;
  loading: boolean;
  toggleMark(bundleId: string, traceId: number): void;
  clearMarks(): void;
  setLoading(on: boolean): void;
  show(pair: ComparePair | null): void;
  swap(): void;
}

export const useCompare = create<CompareState>()((set) => ({
  marked: [],
  markedBundle: null,
  pair: null,
  loading: false,
  toggleMark: (bundleId, id) =>
    set((s) => {
      const marked = s.markedBundle === bundleId ? s.marked : [];
      return { markedBundle: bundleId, marked: marked.includes(id) ? marked.filter((x) => x !== id) : [...marked, id].slice(-2) };
    }),
  clearMarks: () => set({ marked: [] }),
  setLoading: (loading) => set({ loading }),
  show: (pair) => set({ pair, loading: false }),
  swap: () => set((s) => (s.pair === null ? {} : { pair: { a: s.pair.b, b: s.pair.a, why: s.pair.why } })),
}));

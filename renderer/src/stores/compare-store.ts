import { create } from 'zustand';
import type { TraceDetail } from '../../../electron/ipc-contract.js';

// Comparing two requests: the traces marked in the table (at most two, the oldest mark drops
// out), and the pair on the compare screen: A the baseline, B the one being explained.

export interface ComparePair {
  a: TraceDetail;
  b: TraceDetail;
  /** Why these two ("#12 against the median of shape 2"), shown as the screen's subtitle. */
  why: string;
}

interface CompareState {
  marked: readonly number[];
  pair: ComparePair | null;
  loading: boolean;
  toggleMark(traceId: number): void;
  clearMarks(): void;
  setLoading(on: boolean): void;
  show(pair: ComparePair | null): void;
  swap(): void;
}

export const useCompare = create<CompareState>()((set) => ({
  marked: [],
  pair: null,
  loading: false,
  toggleMark: (id) => set((s) => ({ marked: s.marked.includes(id) ? s.marked.filter((x) => x !== id) : [...s.marked, id].slice(-2) })),
  clearMarks: () => set({ marked: [] }),
  setLoading: (loading) => set({ loading }),
  show: (pair) => set({ pair, loading: false }),
  swap: () => set((s) => (s.pair === null ? {} : { pair: { a: s.pair.b, b: s.pair.a, why: s.pair.why } })),
}));

import { create } from 'zustand';
import type { SortKey } from '../table/table-model.js';

// The trace table's view state: sort, filter text, histogram brush and the keyboard cursor.

interface TableState {
  sortKey: SortKey;
  descending: boolean;
  filterText: string;
  durationRange: readonly [number, number] | null;
  /** Trace id under the keyboard cursor (kept by id so it survives re-sorting). */
  cursorId: number | null;
  setSort(key: SortKey): void;
  setFilterText(t: string): void;
  setDurationRange(r: readonly [number, number] | null): void;
  setCursor(id: number | null): void;
  reset(): void;
}

const INITIAL = { sortKey: 'id' as SortKey, descending: false, filterText: '', durationRange: null, cursorId: null };

export const useTable = create<TableState>()((set) => ({
  ...INITIAL,
  // Clicking the sorted column again flips the direction; a new column starts in its natural order.
  setSort: (key) => set((s) => (s.sortKey === key ? { descending: !s.descending } : { sortKey: key, descending: key === 'duration' || key === 'events' || key === 'spans' })),
  setFilterText: (filterText) => set({ filterText }),
  setDurationRange: (durationRange) => set({ durationRange }),
  setCursor: (cursorId) => set({ cursorId }),
  reset: () => set(INITIAL),
}));

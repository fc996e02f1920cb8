import { create } from 'zustand';

// The trace table grouped by request type (table/request-types.ts): on or off, and which types
// are open. Open types are keyed by bundle, so another bundle's table starts with all closed.

interface RequestTypesState {
  grouped: boolean;
  bundleId: string | null;
  open: ReadonlySet<string>;
  setGrouped(on: boolean): void;
  toggle(bundleId: string, key: string): void;
}

export const useRequestTypes = create<RequestTypesState>()((set) => ({
  grouped: false,
  bundleId: null,
  open: new Set(),
  setGrouped: (grouped) => set({ grouped }),
  toggle: (bundleId, key) =>
    set((s) => {
      const next = new Set(s.bundleId === bundleId ? s.open : []);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return { bundleId, open: next };
    }),
}));

import { create } from 'zustand';

// The one open context menu (right-click on a span or a trace row): where, what it is about, and
// its items. Opening another replaces it.

export interface MenuItem {
  label: string;
  run(): void;
  disabled?: boolean;
}

export interface OpenMenu {
  x: number;
  y: number;
  /** What the menu acts on ("Span 3 of trace #1"): its accessible name. */
  title: string;
  items: MenuItem[];
  /** Where focus goes back to when the menu closes. */
  returnFocus: HTMLElement | null;
}

interface ContextMenuState {
  menu: OpenMenu | null;
  open(m: OpenMenu): void;
  close(): void;
}

export const useContextMenu = create<ContextMenuState>()((set) => ({
  menu: null,
  open: (menu) => set({ menu }),
  close: () => set({ menu: null }),
}));

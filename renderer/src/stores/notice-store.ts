import { create } from 'zustand';
import type { AppError } from '../../../electron/ipc-contract.js';

// Messages for the user: expected failures with what to do, and short confirmations.

export interface Notice {
  id: number;
  level: 'error' | 'info';
  /** What the user was doing, e.g. "Could not open bundle". */
  title: string;
  message: string;
  hint: string | null;
  kind: string | null;
}

interface NoticeState {
  notices: Notice[];
  pushError(title: string, error: AppError): void;
  pushInfo(title: string, message: string): void;
  dismiss(id: number): void;
  clear(): void;
}

let nextId = 1;
const MAX_NOTICES = 5;

export const useNotices = create<NoticeState>()((set) => ({
  notices: [],
  pushError: (title, error) =>
    set((s) => ({
      notices: [...s.notices, { id: nextId++, level: 'error' as const, title, message: error.message, hint: error.hint ?? null, kind: error.kind }].slice(-MAX_NOTICES),
    })),
  pushInfo: (title, message) =>
    set((s) => ({ notices: [...s.notices, { id: nextId++, level: 'info' as const, title, message, hint: null, kind: null }].slice(-MAX_NOTICES) })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  clear: () => set({ notices: [] }),
}));

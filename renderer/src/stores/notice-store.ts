import { create } from 'zustand';
import type { AppError } from '../../../electron/ipc-contract.js';

// Messages for the user: expected failures with what to do, and short confirmations. They go
// away by themselves (confirmations quickly, failures after long enough to read them; never
// while the pointer or focus is on them) and at most MAX_NOTICES are kept.

export interface Notice {
  id: number;
  level: 'error' | 'info';
  /** What the user was doing, e.g. "Could not open bundle". */
  title: string;
  message: string;
  hint: string | null;
  kind: string | null;
  /** A command line to run instead (shown with a copy button), e.g. the CLI import of a dropped capture. */
  command: string | null;
  /** Shown this long, then dismissed; null: until dismissed. */
  ttlMs: number | null;
}

interface NoticeState {
  notices: Notice[];
  pushError(title: string, error: AppError): void;
  pushInfo(title: string, message: string, extra?: { command?: string; hint?: string; ttlMs?: number | null }): void;
  dismiss(id: number): void;
  clear(): void;
}

let nextId = 1;
const MAX_NOTICES = 3;
export const INFO_TTL_MS = 6000;
export const ERROR_TTL_MS = 30_000;

export const useNotices = create<NoticeState>()((set) => ({
  notices: [],
  pushError: (title, error) =>
    set((s) => ({
      notices: [...s.notices, { id: nextId++, level: 'error' as const, title, message: error.message, hint: error.hint ?? null, kind: error.kind, command: null, ttlMs: ERROR_TTL_MS }].slice(-MAX_NOTICES),
    })),
  pushInfo: (title, message, extra = {}) =>
    set((s) => ({
      notices: [
        ...s.notices,
        { id: nextId++, level: 'info' as const, title, message, hint: extra.hint ?? null, kind: null, command: extra.command ?? null, ttlMs: extra.ttlMs === undefined ? INFO_TTL_MS : extra.ttlMs },
      ].slice(-MAX_NOTICES),
    })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  clear: () => set({ notices: [] }),
}));

import { create } from 'zustand';
import type { BundleInfo, RecentBundle, StartupInfo, TraceTableData } from '../../../electron/ipc-contract.js';

// Which screen shows, and the open bundle with its trace table. One bundle at a time.

export type Screen = 'start' | 'capture' | 'traces' | 'trace' | 'compare';

interface SessionState {
  screen: Screen;
  startup: StartupInfo | null;
  recent: RecentBundle[];
  bundle: BundleInfo | null;
  table: TraceTableData | null;
  /** A path being opened (shows progress; blocks double opens). */
  opening: string | null;
  setScreen(s: Screen): void;
  setStartup(s: StartupInfo): void;
  setRecent(r: RecentBundle[]): void;
  setOpening(p: string | null): void;
  setBundle(b: BundleInfo | null, t: TraceTableData | null): void;
}

export const useSession = create<SessionState>()((set) => ({
  screen: 'start',
  startup: null,
  recent: [],
  bundle: null,
  table: null,
  opening: null,
  setScreen: (screen) => set({ screen }),
  setStartup: (startup) => set({ startup, recent: startup.recent }),
  setRecent: (recent) => set({ recent }),
  setOpening: (opening) => set({ opening }),
  setBundle: (bundle, table) => set({ bundle, table }),
}));

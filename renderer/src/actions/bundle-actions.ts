import { invoke } from '../ipc/explorer-api.js';
import { readTraceTable } from '../ipc/trace-table-port.js';
import { useNotices } from '../stores/notice-store.js';
import { useSession } from '../stores/session-store.js';
import { useTable } from '../stores/table-store.js';
import { useTraceView } from '../stores/trace-view-store.js';

// Opening and closing bundles. A failed open leaves whatever was open before untouched: the user
// sees why, and what to do, and carries on.

function fileNameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

let startup: Promise<void> | null = null;

/** Once per page: React's strict mode (dev builds) runs effects twice, and a second open of the launch bundle would say "Still opening". */
export function loadStartup(): Promise<void> {
  startup ??= loadStartupOnce();
  return startup;
}

async function loadStartupOnce(): Promise<void> {
  const r = await invoke('getStartup', {});
  if (!r.ok) {
    useNotices.getState().pushError('Could not read the app state', r.error);
    return;
  }
  useSession.getState().setStartup(r.value);
  if (r.value.openAtStart !== null) await openBundlePath(r.value.openAtStart.path);
}

export async function openBundlePath(path: string): Promise<boolean> {
  const session = useSession.getState();
  if (session.opening === path) return false; // the same open, asked twice: nothing to tell
  if (session.opening !== null) {
    useNotices.getState().pushInfo(`Still opening ${fileNameOf(session.opening)}`, `open ${fileNameOf(path)} again when it has finished`);
    return false;
  }
  session.setOpening(path);
  try {
    const opened = await invoke('openBundle', { path });
    if (!opened.ok) {
      useNotices.getState().pushError(`Could not open ${fileNameOf(path)}`, opened.error);
      return false;
    }
    const table = await readTraceTable(opened.value.bundleId);
    if (!table.ok) {
      useNotices.getState().pushError(`Could not read the traces of ${fileNameOf(path)}`, table.error);
      await invoke('closeBundle', { bundleId: opened.value.bundleId });
      return false;
    }
    const previous = useSession.getState().bundle;
    if (previous !== null) await invoke('closeBundle', { bundleId: previous.bundleId });
    useTable.getState().reset();
    useTraceView.getState().clear();
    useSession.getState().setBundle(opened.value, table.value);
    useSession.getState().setScreen('traces');
    // The bundle is open and shown: from here on another open may start (the recent list below
    // is bookkeeping; a drop right after the table appears must not be refused).
    useSession.getState().setOpening(null);
    await refreshRecent();
    return true;
  } finally {
    useSession.getState().setOpening(null);
  }
}

export async function pickAndOpenBundle(): Promise<void> {
  const r = await invoke('pickBundle', {});
  if (!r.ok) {
    useNotices.getState().pushError('Could not show the open dialog', r.error);
    return;
  }
  if (r.value.picked) await openBundlePath(r.value.path);
}

export async function closeBundle(): Promise<void> {
  const b = useSession.getState().bundle;
  if (b !== null) await invoke('closeBundle', { bundleId: b.bundleId });
  useTraceView.getState().clear();
  useTable.getState().reset();
  useSession.getState().setBundle(null, null);
  useSession.getState().setScreen('start');
}

export async function refreshRecent(): Promise<void> {
  const r = await invoke('listRecent', {});
  if (r.ok) useSession.getState().setRecent(r.value);
}

export async function forgetRecent(path: string): Promise<void> {
  const r = await invoke('forgetRecent', { path });
  if (r.ok) useSession.getState().setRecent(r.value);
  else useNotices.getState().pushError('Could not update the recent list', r.error);
}

import { unpackTraceTable } from '../../../engine/model/packed-trace-table.js';
import type { AppError, Result, TraceTableData } from '../../../electron/ipc-contract.js';
import { invoke } from './explorer-api.js';

// A bundle's trace table: asked for with the `traceTable` verb, received on the table port
// (a MessagePort, docs/adr/0105) as flat buffers and unpacked here, off main.

/** Main posts the table before it answers; a port that never delivers is a broken window. */
const ARRIVAL_MS = 30_000;

export async function readTraceTable(bundleId: string): Promise<Result<TraceTableData>> {
  const api = window.explorer;
  if (api === undefined) throw new Error('window.explorer is missing: the preload script did not run');
  let stop = (): void => undefined;
  const arrived = new Promise<TraceTableData>((resolve) => {
    stop = api.onTraceTable((m) => {
      if (m.bundleId === bundleId) resolve({ bundleId, ...unpackTraceTable(m.table) });
    });
  });
  try {
    const asked = await invoke('traceTable', { bundleId });
    if (!asked.ok) return asked;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ARRIVAL_MS)));
    const table = await Promise.race([arrived, late]);
    clearTimeout(timer);
    if (table === null) {
      const error: AppError = { kind: 'internal', message: `the trace table (${asked.value.count} traces) did not arrive from the app's main process`, hint: 'reload the window (View > Reload) or restart the app' };
      return { ok: false, error };
    }
    return { ok: true, value: table };
  } finally {
    stop();
  }
}

import type { AppError, EventContract, EventName, ExplorerApi, InvokeVerb, RequestOf, ResponseOf, Result } from '../../../electron/ipc-contract.js';

// The renderer's only door to the outside: `window.explorer`, installed by the preload (or by the
// e2e harness from the same contract). Nothing else in the renderer reads files or processes.

declare global {
  interface Window {
    explorer?: ExplorerApi;
  }
}

function api(): ExplorerApi {
  const a = window.explorer;
  if (a === undefined) throw new Error('window.explorer is missing: the preload script did not run');
  return a;
}

export function hasExplorerApi(): boolean {
  return window.explorer !== undefined;
}

export async function invoke<V extends InvokeVerb>(verb: V, req: RequestOf<V>): Promise<Result<ResponseOf<V>>> {
  const fn = api()[verb] as (r: RequestOf<V>) => Promise<Result<ResponseOf<V>>>;
  try {
    return await fn(req);
  } catch (e) {
    // The transport itself failed (main crashed, channel gone): still an answer the UI can show.
    const error: AppError = { kind: 'internal', message: `the app's main process did not answer: ${e instanceof Error ? e.message : String(e)}`, hint: 'restart the app' };
    return { ok: false, error };
  }
}

export function onEvent<E extends EventName>(name: E, listener: (p: EventContract[E]) => void): () => void {
  return api().on(name, listener);
}

export function pathForFile(file: File): string {
  return api().pathForFile(file);
}

import type { EventContract, EventName, ExplorerApi, TraceTableMessage } from './ipc-contract.js';

// Builds `window.explorer` from the contract's verb and event lists over a transport. The preload
// calls it with ipcRenderer; the browser-mode e2e serializes this very function into the page and
// calls it with a transport bound to the real services. It must therefore stay self-contained:
// no references to anything outside its own body (the channel prefixes are spelled out here and
// checked against ipc-contract.ts by a unit test).

export interface ApiTransport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
  pathForFile(file: File): string;
  /** Messages on the table port: a MessagePort main handed to the preload (docs/adr/0105). */
  onTraceTable(listener: (message: TraceTableMessage) => void): () => void;
}

export function createExplorerApi(verbs: readonly string[], events: readonly string[], transport: ApiTransport): ExplorerApi {
  const api: Record<string, unknown> = {};
  for (const verb of verbs) {
    api[verb] = (req: unknown) => transport.invoke(`explorer:${verb}`, req === undefined ? {} : req);
  }
  api['on'] = (name: EventName, listener: (payload: EventContract[EventName]) => void) => {
    if (!events.includes(name)) throw new Error(`unknown event "${String(name)}"`);
    return transport.subscribe(`explorer-event:${name}`, listener as (p: unknown) => void);
  };
  api['pathForFile'] = (file: File) => transport.pathForFile(file);
  api['onTraceTable'] = (listener: (message: TraceTableMessage) => void) => transport.onTraceTable(listener);
  return Object.freeze(api) as unknown as ExplorerApi;
}

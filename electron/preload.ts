import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createExplorerApi } from './ipc-api.js';
import { EVENT_NAMES, INVOKE_VERBS, TABLE_PORT_CHANNEL, type TraceTableMessage } from './ipc-contract.js';

// The preload (sandboxed, context-isolated): exposes the contract's task verbs as
// `window.explorer`, never ipcRenderer itself. Bundled into one CommonJS file by Vite, because a
// sandboxed preload can require nothing but 'electron'.

// The table port: main answers this request with a MessagePort on which trace tables arrive as
// flat buffers, so they are not an invoke answer cloned on main (docs/adr/0105). Asked with the
// first subscription (the page is loaded by then, so main knows the sender); the `traceTable`
// request that follows it goes over the same IPC pipe, so main has made the port before it.
const tableListeners = new Set<(m: TraceTableMessage) => void>();
let portAsked = false;
ipcRenderer.on(TABLE_PORT_CHANNEL, (e: IpcRendererEvent) => {
  const port = e.ports[0];
  if (port === undefined) return;
  port.onmessage = (m: { data: unknown }) => {
    for (const l of tableListeners) l(m.data as TraceTableMessage);
  };
});

const api = createExplorerApi(INVOKE_VERBS, EVENT_NAMES, {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (channel, listener) => {
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  // Electron gives dropped files a path only through webUtils; a File built by a page has none.
  // Main accepts a path back only when it handed it out: a real drop is reported to it here.
  pathForFile: (file) => {
    const path = webUtils.getPathForFile(file);
    if (path !== '') ipcRenderer.sendSync('misertrace:grant-drop', path);
    return path;
  },
  onTraceTable: (listener) => {
    if (!portAsked) ipcRenderer.send(TABLE_PORT_CHANNEL);
    portAsked = true;
    tableListeners.add(listener);
    return () => {
      tableListeners.delete(listener);
    };
  },
});

contextBridge.exposeInMainWorld('explorer', api);

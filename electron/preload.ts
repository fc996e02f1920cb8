import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createExplorerApi } from './ipc-api.js';
import { EVENT_NAMES, INVOKE_VERBS } from './ipc-contract.js';

// The preload (sandboxed, context-isolated): exposes the contract's task verbs as
// `window.explorer`, never ipcRenderer itself. Bundled into one CommonJS file by Vite, because a
// sandboxed preload can require nothing but 'electron'.

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
});

contextBridge.exposeInMainWorld('explorer', api);

import { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, session, type MessagePortMain, type IpcMainInvokeEvent, type MenuItemConstructorOptions, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appLocations } from './app-services/app-paths.js';
import { ServicesCaptureAccess } from './app-services/capture-bridge.js';
import { CaptureSessions } from './app-services/capture-sessions.js';
import { composeServices, type ComposedServices } from './app-services/compose-services.js';
import type { DialogPort } from './app-services/dialog-port.js';
import { ElectronFigureRasterizer } from './app-services/electron-figure-raster.js';
import { linkFromArgv, LINK_SCHEME, openDeepLink } from './app-services/deep-links.js';
import { bundleFromArgv } from './app-services/startup.js';
import { eventChannel, INVOKE_VERBS, invokeChannel, TABLE_PORT_CHANNEL, type EventContract, type EventName, type MenuCommand, type TraceTableMessage } from './ipc-contract.js';
import { dispatchInvoke } from './ipc-dispatch.js';
import { isTrustedSenderUrl } from './ipc-validate.js';
import { DiscoveryService } from '../capture/discovery/network-discovery.js';
import { WorkerEngineClient } from '../engine/worker/engine-client.js';

// The main process: one window, the typed IPC bound to the services, native dialogs and menu,
// file associations, recent documents and a locked-down renderer (docs/architecture.md, Threads and processes; docs/adr/0036).
// Everything it serves lives in app-services/ and is driven the same way by the browser e2e.

const mainDir = dirname(fileURLToPath(import.meta.url));
const devServer = typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' ? MAIN_WINDOW_VITE_DEV_SERVER_URL : null;
const where = appLocations({
  packaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
  appPath: app.getAppPath(),
  mainDir,
  rendererName: typeof MAIN_WINDOW_VITE_NAME === 'string' ? MAIN_WINDOW_VITE_NAME : 'main_window',
});
// The capture services look for probes/ beside the program; packaged, they live in resources/.
if (app.isPackaged) process.env['MISERTRACE_PROBES_DIR'] ??= where.probesDir;

let window: BrowserWindow | null = null;
let services: ComposedServices | null = null;
/** A file the OS asked us to open before the renderer asked for it (argv, macOS open-file). */
let pendingOpen: string | null = bundleFromArgv(process.argv.slice(app.isPackaged ? 1 : 2), process.cwd());
/** A misertrace:// link the app was launched with (docs/adr/0101): opened once the renderer is up. */
let pendingLink: string | null = linkFromArgv(process.argv.slice(1));
/** Set once the renderer took the start-up info: from then on, open requests are pushed. */
let rendererStarted = false;

function send<E extends EventName>(name: E, payload: EventContract[E]): void {
  if (window !== null && !window.isDestroyed()) window.webContents.send(eventChannel(name), payload);
}

/** Main's end of the window's table port (docs/adr/0105); a new one for each page load. */
let tablePort: MessagePortMain | null = null;

/**
 * A trace table to the renderer on its port. MessagePortMain transfers ports only, so the packed
 * table's buffers are copied here, as flat bytes: no per-trace work on main.
 */
function sendTable(message: TraceTableMessage): boolean {
  if (tablePort === null) return false;
  tablePort.postMessage(message);
  return true;
}

function openFromOs(path: string): void {
  if (window === null || !rendererStarted) pendingOpen = path;
  else {
    if (window.isMinimized()) window.restore();
    window.focus();
    // The OS asked for it: the renderer may send it back to open it (path-grants.ts).
    services?.services.grants.allow(path, 'open');
    send('openRequested', { path });
  }
}

/** A deep link from the OS (a second launch's argv, macOS open-url): checked and opened by app-services/deep-links.ts. */
function openLinkFromOs(link: string): void {
  if (window === null || !rendererStarted || services === null) pendingLink = link;
  else {
    if (window.isMinimized()) window.restore();
    window.focus();
    openDeepLink(link, services.services.grants, send);
  }
}

const dialogs: DialogPort = {
  async pickOpenPath(o) {
    const opts: OpenDialogOptions = { title: o.title, properties: ['openFile'], filters: [...o.filters, { name: 'All files', extensions: ['*'] }] };
    const r = window ? await dialog.showOpenDialog(window, opts) : await dialog.showOpenDialog(opts);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
  },
  async pickSavePath(o) {
    const opts: SaveDialogOptions = { title: o.title, defaultPath: o.defaultName, filters: o.filters, properties: ['createDirectory', 'showOverwriteConfirmation'] };
    const r = window ? await dialog.showSaveDialog(window, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || r.filePath === undefined || r.filePath === '' ? null : r.filePath;
  },
};

function trustedSender(e: IpcMainInvokeEvent): boolean {
  if (window === null || e.sender !== window.webContents) return false;
  const url = e.senderFrame?.url ?? '';
  return isTrustedSenderUrl(url, { fileIndex: devServer === null ? where.rendererIndex : null, devOrigin: devServer === null ? null : new URL(devServer).origin });
}

/** Channel of the preload's report of a file the user dropped (only Electron knows its path). */
const GRANT_DROP_CHANNEL = 'misertrace:grant-drop';

function bindIpc(s: ComposedServices): void {
  ipcMain.on(GRANT_DROP_CHANNEL, (e, path: unknown) => {
    const ok = trustedSender(e) && typeof path === 'string' && path !== '';
    if (ok) s.services.grants.allow(path, 'open');
    e.returnValue = ok;
  });
  // The preload asks at each page load: the page's old port (if any) goes with the old page.
  ipcMain.on(TABLE_PORT_CHANNEL, (e) => {
    if (!trustedSender(e)) return;
    tablePort?.close();
    const { port1, port2 } = new MessageChannelMain();
    tablePort = port1;
    e.sender.postMessage(TABLE_PORT_CHANNEL, null, [port2]);
  });
  for (const verb of INVOKE_VERBS) {
    ipcMain.handle(invokeChannel(verb), async (e, payload: unknown) => {
      if (!trustedSender(e)) {
        console.error(`refused ${verb} from an untrusted sender (${e.senderFrame?.url ?? 'no frame'})`);
        return { ok: false, error: { kind: 'invalid-request', message: 'request refused: it did not come from the app window' } };
      }
      return dispatchInvoke(s.handlers, verb, payload, (msg, err) => console.error(`[ipc] ${msg}:`, err));
    });
  }
}

function lockDown(): void {
  // No permission (camera, notifications, geolocation…) is ever needed.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev) => ev.preventDefault());
    contents.on('will-redirect', (ev) => ev.preventDefault());
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function menuCommand(command: MenuCommand): () => void {
  return () => send('menuCommand', { command });
}

async function buildMenu(): Promise<void> {
  const recent = (await services?.recent.list()) ?? [];
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Bundle…', accelerator: 'CmdOrCtrl+O', click: menuCommand('open') },
        {
          label: 'Open Recent',
          enabled: recent.length > 0,
          submenu: recent.map((r) => ({ label: r.fileName, sublabel: r.path, enabled: r.exists, click: () => send('openRequested', { path: r.path }) })),
        },
        { label: 'New Capture…', accelerator: 'CmdOrCtrl+N', click: menuCommand('new-capture') },
        { type: 'separator' },
        { label: 'Export Figure (SVG)…', accelerator: 'CmdOrCtrl+E', click: menuCommand('export-svg') },
        { type: 'separator' },
        { label: 'Close Bundle', accelerator: 'CmdOrCtrl+W', click: menuCommand('close-bundle') },
        { label: 'Start Screen', click: menuCommand('show-start') },
        ...(process.platform === 'darwin' ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(app.isPackaged ? [] : [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function createWindow(): Promise<void> {
  window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'MiSeRTrace Explorer',
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: join(mainDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  // A reload starts the renderer over: it asks for the start-up info again.
  window.webContents.on('did-start-loading', () => (rendererStarted = false));
  if (devServer !== null) await window.loadURL(devServer);
  else await window.loadFile(where.rendererIndex);
}

// One instance: a second launch (double-click on another .mstrace) hands its file to the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv, cwd) => {
    const link = linkFromArgv(argv.slice(1));
    if (link !== null) return openLinkFromOs(link);
    const path = bundleFromArgv(argv.slice(1), cwd);
    if (path !== null) openFromOs(path);
    else window?.focus();
  });
  app.on('open-url', (e, link) => {
    e.preventDefault();
    openLinkFromOs(link);
  });
  // The OS hands misertrace:// links to this app (Linux: the .desktop file's x-scheme-handler).
  if (!app.isDefaultProtocolClient(LINK_SCHEME)) app.setAsDefaultProtocolClient(LINK_SCHEME);
  app.on('open-file', (e, path) => {
    e.preventDefault();
    openFromOs(path);
  });
  app.whenReady().then(async () => {
    lockDown();
    // One engine worker for bundle queries, exports and capture bundles: main only wires (docs/adr/0055).
    const engine = new WorkerEngineClient();
    const ownServices = composeServices({
      userDataDir: app.getPath('userData'),
      samplePath: where.samplePath,
      takeLaunchBundle: () => {
        rendererStarted = true;
        // A launch link goes after the start-up answer, on the same channel (so in order).
        const link = pendingLink;
        pendingLink = null;
        if (link !== null) setImmediate(() => services !== null && openDeepLink(link, services.services.grants, send));
        const p = pendingOpen;
        pendingOpen = null;
        return p;
      },
      appVersion: app.getVersion(),
      platform: process.platform,
      dialogs,
      emit: send,
      tables: sendTable,
      engine,
      rasterizer: new ElectronFigureRasterizer(),
      capture: new ServicesCaptureAccess({ discovery: new DiscoveryService(), session: new CaptureSessions({ engine }) }),
    });
    services = { ...ownServices, dispose: () => ownServices.dispose().finally(() => engine.dispose()) };
    services.recent.onChange((paths) => {
      app.clearRecentDocuments();
      for (const p of [...paths].reverse()) app.addRecentDocument(p);
      void buildMenu();
    });
    bindIpc(services);
    await buildMenu();
    await createWindow();
  }, (e: unknown) => {
    console.error('MiSeRTrace Explorer failed to start:', e);
    app.exit(1);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (window === null && services !== null) void createWindow();
  });
  let disposed = false;
  app.on('will-quit', (e) => {
    if (disposed || services === null) return;
    // Close bundles and stop any capture child before leaving: nothing elevated outlives the app.
    e.preventDefault();
    disposed = true;
    void services.dispose().finally(() => app.quit());
  });
}

import { settingsStore } from './app-settings.js';
import type { BundleAccess } from './bundle-access.js';
import type { CaptureAccess } from './capture-access.js';
import type { DialogPort } from './dialog-port.js';
import type { EventSink, TableSink } from './event-sink.js';
import { WorkerEngineClient, type EngineClient } from '../../engine/worker/engine-client.js';
import { EngineBundleAccess } from './engine-bundle-access.js';
import { EngineTraceExporter } from './figure-exporter.js';
import { createInvokeHandlers, type ExplorerServices, type InvokeHandlers } from './invoke-handlers.js';
import { PathGrants } from './path-grants.js';
import { RecentFiles } from './recent-files.js';
import { RemoteHosts } from './remote-hosts.js';
import { startupInfo } from './startup.js';
import type { TraceExporter } from './trace-exporter.js';
import type { FigureRasterizer } from './figure-raster.js';

// The app's services wired together: one function for main.ts and for the browser-mode e2e, so
// both run the same composition. Bundle queries and exports go through the engine (a worker
// thread unless the caller passes another EngineClient). Disposing closes every open bundle and
// capture session.

export interface ComposeOptions {
  userDataDir: string;
  samplePath: string | null;
  /** A bundle the OS asked to open (command line, file association), taken once by getStartup. */
  takeLaunchBundle: () => string | null;
  appVersion: string;
  platform: string;
  dialogs: DialogPort;
  emit: EventSink;
  /** The window's table port (docs/adr/0105); without one, `traceTable` fails. */
  tables?: TableSink;
  capture: CaptureAccess;
  /** Where bundle queries and exports run; default: an engine worker of its own (main never runs them). */
  engine?: EngineClient;
  bundles?: BundleAccess;
  exporter?: TraceExporter;
  /** Chromium for PDF and PNG figures (Electron's in main.ts, Playwright's in the e2e). */
  rasterizer?: FigureRasterizer;
}

export interface ComposedServices {
  services: ExplorerServices;
  handlers: InvokeHandlers;
  recent: RecentFiles;
  dispose(): Promise<void>;
}

export function composeServices(o: ComposeOptions): ComposedServices {
  const recent = new RecentFiles(o.userDataDir);
  const settings = settingsStore(o.userDataDir);
  const ownEngine = o.engine === undefined ? new WorkerEngineClient() : null;
  const engine = o.engine ?? ownEngine!;
  const bundles = o.bundles ?? new EngineBundleAccess(engine);
  const services: ExplorerServices = {
    bundles,
    recent,
    dialogs: o.dialogs,
    exporter: o.exporter ?? new EngineTraceExporter(engine),
    ...(o.rasterizer !== undefined ? { rasterizer: o.rasterizer } : {}),
    capture: o.capture,
    emit: o.emit,
    ...(o.tables !== undefined ? { tables: o.tables } : {}),
    grants: new PathGrants(),
    hosts: new RemoteHosts(o.userDataDir, (p) => o.emit('hostPrompt', p)),
    startup: () => startupInfo({ appVersion: o.appVersion, platform: o.platform, takeLaunchBundle: o.takeLaunchBundle, samplePath: o.samplePath, settings, recent }),
  };
  return {
    services,
    handlers: createInvokeHandlers(services),
    recent,
    dispose: async () => {
      await o.capture.dispose();
      services.hosts.dispose();
      await bundles.dispose();
      await ownEngine?.dispose();
    },
  };
}

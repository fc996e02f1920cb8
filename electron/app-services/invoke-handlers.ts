import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeAtomically } from '../../engine/records/atomic-file.js';
import type { InvokeVerb, RequestOf, ResponseOf, StartupInfo } from '../ipc-contract.js';
import { AppFailure } from './app-error.js';
import { inspectionOf } from './capture-bridge.js';
import { captureFailure } from './capture-sessions.js';
import type { BundleAccess } from './bundle-access.js';
import type { CaptureAccess } from './capture-access.js';
import type { DialogPort } from './dialog-port.js';
import type { EventSink, TableSink } from './event-sink.js';
import type { PathGrants } from './path-grants.js';
import type { RecentFiles } from './recent-files.js';
import type { RemoteHosts } from './remote-hosts.js';
import { EXPORT_FILTERS, type TraceExporter } from './trace-exporter.js';
import { APP_PNG_DPI, type FigureRasterizer } from './figure-raster.js';

// The verbs of the contract, implemented over the services. No Electron here: main.ts binds these
// to ipcMain, the browser-mode e2e binds the very same functions to the page.

export interface ExplorerServices {
  bundles: BundleAccess;
  recent: RecentFiles;
  dialogs: DialogPort;
  exporter: TraceExporter;
  capture: CaptureAccess;
  startup: () => Promise<StartupInfo>;
  emit: EventSink;
  /** The window's table port: trace tables go there, not in an invoke answer (docs/adr/0105). */
  tables?: TableSink;
  /** The paths main handed out (path-grants.ts): the only ones the renderer may send back. */
  grants: PathGrants;
  /** Saved remote hosts and their connections (docs/adr/0065). */
  hosts: RemoteHosts;
  /** Draws PDF and PNG figures with Chromium (Electron's in the app); absent: those formats are refused. */
  rasterizer?: FigureRasterizer;
}

/** The file an export writes: the engine's text, or its SVG figure printed or rasterized by Chromium. */
async function exportBytes(s: ExplorerServices, bundlePath: string, req: RequestOf<'exportTrace'>): Promise<Uint8Array> {
  if (req.format !== 'pdf' && req.format !== 'png') return s.exporter.render(bundlePath, req.traceIds, req.format, req.figure);
  const svg = new TextDecoder().decode(await s.exporter.render(bundlePath, req.traceIds, 'svg', req.figure));
  return s.rasterizer!.render(svg, req.format, APP_PNG_DPI);
}


export type InvokeHandlers = { [V in InvokeVerb]: (req: RequestOf<V>) => Promise<ResponseOf<V>> };

/** A renderer that reloads or forgets to close leaks handles; beyond this many the oldest closes. */
const MAX_OPEN_BUNDLES = 8;

export function createInvokeHandlers(s: ExplorerServices): InvokeHandlers {
  const openOrder: string[] = [];
  return {
    getStartup: async () => {
      const st = await s.startup();
      s.grants.allow(st.openAtStart?.path, 'open');
      s.grants.allow(st.samplePath, 'open');
      return st;
    },
    pickBundle: async () => {
      const path = await s.dialogs.pickOpenPath({ title: 'Open a trace bundle', filters: [{ name: 'MiSeRTrace bundle', extensions: ['mstrace'] }] });
      s.grants.allow(path, 'open');
      return path === null ? { picked: false } : { picked: true, path };
    },
    openBundle: async ({ path }) => {
      // A path main handed out, or one of the recent list main keeps; never any other string.
      if (!s.grants.allows(path, 'open') && !(await s.recent.list()).some((r) => r.path === path)) s.grants.require(path, 'open');
      const info = await s.bundles.open(path);
      openOrder.push(info.bundleId);
      while (openOrder.length > MAX_OPEN_BUNDLES) await s.bundles.close(openOrder.shift()!);
      await s.recent.add(info.path);
      return info;
    },
    closeBundle: async ({ bundleId }) => {
      const i = openOrder.indexOf(bundleId);
      if (i >= 0) openOrder.splice(i, 1);
      return { closed: await s.bundles.close(bundleId) };
    },
    traceTable: async ({ bundleId }) => {
      const table = await s.bundles.traceTable(bundleId);
      if (s.tables?.({ bundleId, table }) !== true) throw new AppFailure('internal', 'the window has no channel for the trace table', 'reload the window (View > Reload) or restart the app');
      return { bundleId, count: table.count };
    },
    traceDetail: ({ bundleId, traceId }) => s.bundles.traceDetail(bundleId, traceId),
    bundleStats: ({ bundleId }) => s.bundles.bundleStats(bundleId),
    spanRecords: ({ bundleId, traceId, spanIndex, offset, limit }) => s.bundles.spanRecords(bundleId, traceId, spanIndex, offset, limit),
    exportTrace: async (req) => {
      if (!s.exporter.formats().includes(req.format)) {
        throw new AppFailure('export-unavailable', `${EXPORT_FILTERS[req.format].name} export is not available in this build`, 'use the CLI: misertrace export');
      }
      if (req.traceIds.length === 0) throw new AppFailure('input', 'no trace chosen to export', 'select a trace first');
      if ((req.format === 'pdf' || req.format === 'png') && s.rasterizer === undefined) {
        throw new AppFailure('export-unavailable', `${EXPORT_FILTERS[req.format].name} export needs a Chromium to draw it, and this build has none`, 'export the SVG, or use the CLI: misertrace export --format pdf');
      }
      const bundlePath = s.bundles.pathOf(req.bundleId);
      const f = EXPORT_FILTERS[req.format];
      const ids = req.traceIds.length === 1 ? `trace-${req.traceIds[0]}` : `${req.traceIds.length}-traces`;
      const target = await s.dialogs.pickSavePath({
        title: `Export ${f.name}`,
        defaultName: `${basename(bundlePath, '.mstrace')}-${ids}${f.suffix}`,
        filters: [{ name: f.name, extensions: f.extensions }],
      });
      if (target === null) return { saved: false };
      const bytes = await exportBytes(s, bundlePath, req);
      await writeAtomically(target, (w) => w.writeBytes(bytes));
      return { saved: true, path: target, bytes: (await stat(target)).size };
    },
    previewFigure: async (req) => {
      if (req.traceIds.length === 0) throw new AppFailure('input', 'no trace chosen to draw', 'select a trace first');
      return s.exporter.preview(s.bundles.pathOf(req.bundleId), req.traceIds, req.figure);
    },
    listRecent: () => s.recent.list(),
    forgetRecent: ({ path }) => s.recent.forget(path),
    listNetworks: async ({ host }) => (host ? remoteFailure(() => s.hosts.services(host).then((r) => r.discoveryService().listNetworks())) : s.capture.listNetworks()),
    inspectNetwork: async ({ network, host }) => (host ? remoteFailure(async () => inspectionOf(await (await s.hosts.services(host)).discover(network))) : s.capture.inspectNetwork(network)),
    probeCatalog: async ({ host }) => (host ? remoteFailure(async () => s.capture.probeCatalog((await s.hosts.services(host)).doctorHost())) : s.capture.probeCatalog()),
    pickProbeFile: async () => {
      const path = await s.dialogs.pickOpenPath({ title: 'Choose a custom probe file', filters: [{ name: 'bpftrace probes', extensions: ['bt'] }] });
      s.grants.allow(path, 'probe-file');
      return path === null ? { picked: false } : { picked: true, path };
    },
    pickCaptureOutput: async ({ suggestedName }) => {
      const path = await s.dialogs.pickSavePath({ title: 'Save the capture as', defaultName: suggestedName, filters: [{ name: 'MiSeRTrace bundle', extensions: ['mstrace'] }] });
      // Written by the capture, then opened when it is done.
      s.grants.allow(path, 'capture-output', 'open');
      return path === null ? { picked: false } : { picked: true, path };
    },
    startCapture: (req) => {
      s.grants.require(req.output, 'capture-output');
      if (req.customProbePath !== null) s.grants.require(req.customProbePath, 'probe-file');
      if (req.host) {
        const host = req.host;
        return remoteFailure(async () => s.capture.start(req, (e) => s.emit('capture', e), await s.hosts.start(host)));
      }
      return s.capture.start(req, (e) => s.emit('capture', e));
    },
    stopCapture: async ({ sessionId }) => ({ stopping: await s.capture.stop(sessionId) }),
    cancelCapture: async ({ sessionId }) => ({ cancelling: await s.capture.cancel(sessionId) }),
    answerPrivilegePrompt: async ({ sessionId, promptId, password }) => ({ accepted: await s.capture.answerPrompt(sessionId, promptId, password) }),
    listHosts: () => s.hosts.list(),
    saveHosts: ({ hosts }) => remoteFailure(() => s.hosts.save(hosts)),
    answerHostPrompt: async ({ promptId, answer }) => ({ accepted: s.hosts.answer(promptId, answer) }),
  };
}

/** A remote host's failures (unreachable, refused key or login, Docker there) as the app's errors. */
async function remoteFailure<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw captureFailure(e);
  }
}

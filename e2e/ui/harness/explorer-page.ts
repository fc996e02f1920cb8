import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CaptureAccess } from '../../../electron/app-services/capture-access.js';
import { ServicesCaptureAccess } from '../../../electron/app-services/capture-bridge.js';
import { composeServices, type ComposedServices } from '../../../electron/app-services/compose-services.js';
import { createExplorerApi } from '../../../electron/ipc-api.js';
import { EVENT_NAMES, eventChannel, INVOKE_CHANNEL_PREFIX, INVOKE_VERBS, type EventContract, type EventName, type TraceTableMessage } from '../../../electron/ipc-contract.js';
import { dispatchInvoke } from '../../../electron/ipc-dispatch.js';
import { isTrustedSenderUrl } from '../../../electron/ipc-validate.js';
import { DiscoveryService } from '../../../capture/discovery/network-discovery.js';
import type { StaticServer } from './static-server.js';
import { LinkedBundleAccess, type LinkRuleOf } from './hand-made-bundles.js';
import { QueuedDialogs } from './test-dialogs.js';
import { playwrightRasterizer } from './playwright-raster.js';
import type { EngineClient } from '../../../engine/worker/engine-client.js';

// One app window in Chromium: the built renderer, with `window.explorer` installed from the IPC
// contract and every verb bound (page.exposeBinding) to the real services composed exactly as
// main.ts composes them. Only the native dialogs are answered by the test (QueuedDialogs).

export interface ExplorerPageOptions {
  samplePath?: string | null;
  argvBundle?: string | null;
  capture?: CaptureAccess;
  /** Dropped files resolve to this folder (a browser cannot know a file's path; Electron's webUtils can). */
  dropDir?: string;
  viewport?: { width: number; height: number };
  /** Reuse a user-data folder (to test a second launch); a fresh one by default. */
  userDataDir?: string;
  /** Links laid over every trace the app reads (hand-made provenance, see hand-made-bundles.ts). */
  linkOverlay?: LinkRuleOf;
  /** Where bundle queries and exports run (bench:ui: the worker as the app ships it); the page disposes it on close. */
  engine?: EngineClient;
}

export class ExplorerPage {
  readonly errors: string[] = [];
  readonly refused: string[] = [];
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    readonly dialogs: QueuedDialogs,
    readonly composed: ComposedServices,
    readonly userDataDir: string,
    private readonly ownsUserData: boolean,
    private readonly engine: EngineClient | undefined,
  ) {}

  static async open(browser: Browser, server: StaticServer, o: ExplorerPageOptions = {}): Promise<ExplorerPage> {
    const userDataDir = o.userDataDir ?? mkdtempSync(join(tmpdir(), 'misertrace-ui-userdata-'));
    const dialogs = new QueuedDialogs();
    const context = await browser.newContext({ viewport: o.viewport ?? { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    let self: ExplorerPage | null = null;
    let launch = o.argvBundle ?? null;
    const composed = composeServices({
      userDataDir,
      samplePath: o.samplePath ?? null,
      takeLaunchBundle: () => {
        const p = launch;
        launch = null;
        return p;
      },
      appVersion: 'test',
      platform: process.platform,
      dialogs,
      emit: (name, payload) => void self?.emit(name, payload).catch((e: unknown) => self?.errors.push(`event ${name} not delivered: ${String(e)}`)),
      // As main's table port: the table enters the page on a real MessagePort (sendTable below).
      tables: (m) => {
        void self?.sendTable(m).catch((e: unknown) => self?.errors.push(`trace table not delivered: ${String(e)}`));
        return self !== null;
      },
      // No Docker socket by default: a test that wants Docker passes its own CaptureAccess.
      capture: o.capture ?? new ServicesCaptureAccess({ discovery: new DiscoveryService({ socketPath: join(userDataDir, 'no-docker.sock') }), session: null }),
      rasterizer: playwrightRasterizer,
      ...(o.engine !== undefined ? { engine: o.engine } : {}),
    });
    // The handlers look the bundle access up on each call: the overlay wraps the app's own.
    if (o.linkOverlay !== undefined) composed.services.bundles = new LinkedBundleAccess(composed.services.bundles, o.linkOverlay);
    self = new ExplorerPage(page, context, dialogs, composed, userDataDir, o.userDataDir === undefined, o.engine);
    const s = self;
    page.on('console', (m) => {
      // Chromium cancels loads in flight when a network interface appears or goes, which Docker
      // does whenever a parallel test creates or removes a network: the machine's doing, not the
      // page's (the test's own assertions still see any load that mattered).
      if (m.type() === 'error' && !m.text().includes('net::ERR_NETWORK_CHANGED')) s.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => s.errors.push(`pageerror: ${e.message}`));
    // Requests and answers cross as JSON text: the contract promises JSON-safe values, and
    // Playwright moves one string far faster than a structure of thousands of numbers (Electron's
    // structured clone is faster still, so timings here are an upper bound).
    await page.exposeBinding('__explorerInvoke', async (source, channel: unknown, payloadJson: unknown) => {
      const answer = async (): Promise<unknown> => {
        // As main does: the sender must be our page, the channel one of ours.
        if (!isTrustedSenderUrl(source.frame.url(), { fileIndex: null, devOrigin: server.origin })) {
          s.refused.push(`sender ${source.frame.url()}`);
          return { ok: false, error: { kind: 'invalid-request', message: 'untrusted sender' } };
        }
        if (typeof channel !== 'string' || !channel.startsWith(INVOKE_CHANNEL_PREFIX)) {
          s.refused.push(`channel ${String(channel)}`);
          return { ok: false, error: { kind: 'invalid-request', message: 'unknown channel' } };
        }
        let payload: unknown;
        try {
          payload = JSON.parse(String(payloadJson));
        } catch {
          return { ok: false, error: { kind: 'invalid-request', message: 'the request is not JSON' } };
        }
        return dispatchInvoke(composed.handlers, channel.slice(INVOKE_CHANNEL_PREFIX.length), payload, (msg, err) => s.refused.push(`${msg}: ${String(err)}`));
      };
      return JSON.stringify(await answer());
    });
    // As the preload does for a real drop: main learns the dropped file's path (path-grants.ts).
    await page.exposeBinding('__explorerGrantDrop', (_source, path: unknown) => composed.services.grants.allow(String(path), 'open'));
    const dropDir = o.dropDir ?? '';
    await page.addInitScript({
      content: `(() => {
        const listeners = new Map();
        window.__explorerEmit = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); };
        // The table port: the preload's MessagePort from main, here a channel within the page.
        const tables = new MessageChannel();
        window.__explorerTablePost = (m) => tables.port1.postMessage(m, [m.table.numbers.buffer, m.table.containerStart.buffer, m.table.containerIndex.buffer]);
        const tableListeners = new Set();
        tables.port2.onmessage = (e) => { for (const l of tableListeners) l(e.data); };
        const transport = {
          invoke: async (channel, payload) => JSON.parse(await window.__explorerInvoke(channel, JSON.stringify(payload))),
          subscribe: (channel, listener) => {
            if (!listeners.has(channel)) listeners.set(channel, new Set());
            listeners.get(channel).add(listener);
            return () => listeners.get(channel).delete(listener);
          },
          pathForFile: (file) => {
            const path = ${JSON.stringify(dropDir)} === '' ? '' : ${JSON.stringify(dropDir)} + '/' + file.name;
            if (path !== '') void window.__explorerGrantDrop(path);
            return path;
          },
          onTraceTable: (listener) => {
            tableListeners.add(listener);
            return () => tableListeners.delete(listener);
          },
        };
        window.explorer = (${createExplorerApi.toString()})(${JSON.stringify(INVOKE_VERBS)}, ${JSON.stringify(EVENT_NAMES)}, transport);
      })();`,
    });
    await page.goto(server.url);
    return self;
  }

  /** Pushes a main-to-renderer event into the page, as webContents.send does in the app. */
  async emit<E extends EventName>(name: E, payload: EventContract[E]): Promise<void> {
    if (this.page.isClosed()) return;
    await this.page.evaluate(([ch, p]) => (globalThis as unknown as { __explorerEmit(c: string, p: unknown): void }).__explorerEmit(ch, p), [eventChannel(name), payload] as const);
  }

  /** A trace table onto the page's table port, as main posts it on its MessagePortMain. */
  async sendTable(message: TraceTableMessage): Promise<void> {
    if (this.page.isClosed()) return;
    await this.page.evaluate((m) => (globalThis as unknown as { __explorerTablePost(m: unknown): void }).__explorerTablePost(m), message);
  }

  /** Clicks a tab of the top bar ('Start', 'Capture', /Traces/, /Trace #/). */
  async tab(name: string | RegExp): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  }

  /** Drops a file with this name on the window, as a user dragging it from a file manager. */
  async dropFile(name: string): Promise<void> {
    // Runs in the page (DOM types are not part of the Node-side typecheck, hence a string).
    await this.page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([1, 2, 3])], ${JSON.stringify(name)}));
      for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
  }

  /** Calls the bound invoke function directly, as a compromised page could. */
  async rawInvoke(channel: string, payload: unknown): Promise<{ ok: boolean; error?: { kind: string; message: string } }> {
    const text = await this.page.evaluate(([c, p]) => (globalThis as unknown as { __explorerInvoke(c: string, p: string): Promise<string> }).__explorerInvoke(c, p), [channel, JSON.stringify(payload)] as const);
    return JSON.parse(text) as { ok: boolean; error?: { kind: string; message: string } };
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: false });
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.composed.dispose();
    await this.engine?.dispose();
    if (this.ownsUserData) rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { BundleError } from '../../engine/bundle/bundle-errors.js';
import { InputError } from '../../engine/model/meta.js';
import { unpackTraceTable } from '../../engine/model/packed-trace-table.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import { AppFailure, toAppError } from '../../electron/app-services/app-error.js';
import { captureFailure } from '../../electron/app-services/capture-sessions.js';
import type { DialogPort } from '../../electron/app-services/dialog-port.js';
import { RecentFiles } from '../../electron/app-services/recent-files.js';
import { bundleFromArgv } from '../../electron/app-services/startup.js';
import type { TraceTableMessage } from '../../electron/ipc-contract.js';
import { dispatchInvoke } from '../../electron/ipc-dispatch.js';
import { CaptureError } from '../../capture/session/capture-errors.js';
import { DiscoveryError } from '../../capture/discovery/discovery-errors.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { composeForTest } from './test-services.js';

// The app services main and the e2e share, driven directly: open/query/close through the
// dispatcher, recent files, first launch, export through the dialog port, and error mapping.

class Answers implements DialogPort {
  constructor(private readonly queue: (string | null)[]) {}
  async pickOpenPath() {
    return this.queue.shift() ?? null;
  }
  async pickSavePath() {
    return this.queue.shift() ?? null;
  }
}

let dir: TempDir;
let seq20: string;
beforeAll(async () => {
  dir = tempDir('misertrace-app-');
  seq20 = await buildFixtureBundle('seq20', dir.path);
});
afterAll(() => dir.remove());

/** The trace tables the services sent to the window's table port. */
const tablesSent: TraceTableMessage[] = [];

function compose(userData: string, dialogs: DialogPort = new Answers([]), sample: string | null = null, launch: string | null = null) {
  let l = launch;
  const c = composeForTest(userData, {
    userDataDir: userData,
    samplePath: sample,
    takeLaunchBundle: () => {
      const p = l;
      l = null;
      return p;
    },
    dialogs,
    tables: (m) => tablesSent.push(m) > 0,
  });
  // As if the renderer had it from main's Open dialog (path-grants.ts).
  c.services.grants.allow(seq20, 'open');
  return c;
}

describe('app services', () => {
  it('opens, queries by index and closes a bundle through the dispatcher', async () => {
    const s = compose(join(dir.path, 'u1'));
    const log: string[] = [];
    const call = (verb: string, payload: unknown) => dispatchInvoke(s.handlers, verb, payload, (m) => log.push(m));
    const opened = await call('openBundle', { path: seq20 });
    expect(opened.ok).toBe(true);
    const info = (opened as { ok: true; value: { bundleId: string; traceCount: number; probes: string[] } }).value;
    expect(info.traceCount).toBe(20);
    // The table goes to the table port; the verb answers how many traces it sent.
    expect(await call('traceTable', { bundleId: info.bundleId })).toEqual({ ok: true, value: { bundleId: info.bundleId, count: 20 } });
    const sent = tablesSent.pop()!;
    expect(sent.bundleId).toBe(info.bundleId);
    expect(unpackTraceTable(sent.table).id).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const b = Bundle.open(seq20);
    const detail = (await call('traceDetail', { bundleId: info.bundleId, traceId: 3 })) as { ok: true; value: { spans: unknown[]; counts: unknown[] } };
    expect(detail.value.spans).toEqual(b.trace(3)!.spans);
    expect(detail.value.counts).toEqual(b.spanCounts(3));
    const page = (await call('spanRecords', { bundleId: info.bundleId, traceId: 3, spanIndex: 0, offset: 0, limit: 5 })) as { ok: true; value: { records: { line: number }[]; more: boolean } };
    expect(page.value.records.map((r) => r.line)).toEqual(b.spanRecords(3, 0, { limit: 5 }).map((r) => r.line));
    expect(page.value.more).toBe(b.spanRecords(3, 0, { limit: 6 }).length > 5);
    b.close();
    const missing = await call('traceDetail', { bundleId: info.bundleId, traceId: 99 });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'trace-missing', hint: 'choose a trace between 1 and 20' } });
    expect(await call('closeBundle', { bundleId: info.bundleId })).toEqual({ ok: true, value: { closed: true } });
    expect(await call('traceTable', { bundleId: info.bundleId })).toMatchObject({ ok: false, error: { kind: 'bundle-closed' } });
    expect(log).toEqual([]);
    await s.dispose();
  });

  it('closes the oldest bundle when a renderer keeps opening without closing', async () => {
    const s = compose(join(dir.path, 'u2'));
    for (let i = 0; i < 11; i++) await s.handlers.openBundle({ path: seq20 });
    expect(s.services.bundles.openCount()).toBe(8);
    await s.dispose();
    expect(s.services.bundles.openCount()).toBe(0);
  });

  it('keeps recent bundles newest first, without duplicates, and survives a broken file', async () => {
    const u = join(dir.path, 'u3');
    const r = new RecentFiles(u);
    await r.add('/x/a.mstrace');
    await r.add('/x/b.mstrace');
    await r.add('/x/a.mstrace');
    expect((await r.list()).map((e) => e.path)).toEqual(['/x/a.mstrace', '/x/b.mstrace']);
    expect((await r.list())[0]!.exists).toBe(false);
    writeFileSync(join(u, 'recent-bundles.json'), '{not json');
    expect(await r.list()).toEqual([]);
    await r.add(seq20);
    expect(JSON.parse(readFileSync(join(u, 'recent-bundles.json'), 'utf8'))[0].path).toBe(seq20);
  });

  it('opens the sample on the first launch only, and a command-line bundle always', async () => {
    const u = join(dir.path, 'u4');
    mkdirSync(u, { recursive: true });
    expect((await compose(u, undefined, seq20).handlers.getStartup({})).openAtStart).toEqual({ path: seq20, reason: 'sample' });
    expect((await compose(u, undefined, seq20).handlers.getStartup({})).openAtStart).toBeNull();
    const withArgv = compose(u, undefined, seq20, '/from/argv.mstrace');
    expect((await withArgv.handlers.getStartup({})).openAtStart).toEqual({ path: '/from/argv.mstrace', reason: 'argv' });
    expect((await withArgv.handlers.getStartup({})).openAtStart).toBeNull(); // taken once
    expect(bundleFromArgv(['--flag', 'notes.txt', seq20], '/')).toBe(seq20);
    expect(bundleFromArgv(['seq20.mstrace'], dir.path)).toBe(seq20);
    expect(bundleFromArgv(['missing.mstrace'], dir.path)).toBeNull();
  });

  it('exports to the path the dialog gave, and writes nothing when it is cancelled', async () => {
    const target = join(dir.path, 'fig.svg');
    const s = compose(join(dir.path, 'u5'), new Answers([null, target]));
    const info = await s.handlers.openBundle({ path: seq20 });
    const req = { bundleId: info.bundleId, traceIds: [2], format: 'svg' as const, figure: { counts: [], collapsed: [], window: null, palette: 'color' as const, title: null, caption: null, width: null, fontSize: null, renames: [], labelFields: null } };
    expect(await s.handlers.exportTrace(req)).toEqual({ saved: false });
    const r = await s.handlers.exportTrace(req);
    expect(r).toMatchObject({ saved: true, path: target });
    expect(readFileSync(target, 'utf8')).toMatch(/^<\?xml[\s\S]*<\/svg>\n$/);
    await s.dispose();
  });

  it('maps failures to what the user is told', () => {
    expect(toAppError(new BundleError('/b', 'newer-version', 'too new', 'update'))).toEqual({ kind: 'bundle-newer-version', message: 'too new', hint: 'update' });
    expect(toAppError(new InputError('bad input', 'fix it'))).toEqual({ kind: 'input', message: 'bad input', hint: 'fix it' });
    expect(toAppError(new CancelledError()).kind).toBe('cancelled');
    expect(toAppError(new AppFailure('privileges', 'no', 'sudo'))).toEqual({ kind: 'privileges', message: 'no', hint: 'sudo' });
    const bug = toAppError(new TypeError('x is undefined'));
    expect(bug.kind).toBe('internal');
    expect(bug.message).toContain('x is undefined');
    expect(toAppError(captureFailure(new CaptureError('not-privileged', 'needs root', 'use sudo')))).toEqual({ kind: 'privileges', message: 'needs root', hint: 'use sudo' });
    expect(toAppError(captureFailure(new DiscoveryError('docker-unreachable', 'no docker', 'start it'))).kind).toBe('docker-unavailable');
    expect(toAppError(captureFailure(new DiscoveryError('unknown-network', 'no net'))).kind).toBe('network-unknown');
  });

  it('answers Docker being down with what to do, through the capture bridge', async () => {
    const s = compose(join(dir.path, 'u6'));
    const r = await dispatchInvoke(s.handlers, 'listNetworks', {}, () => undefined);
    expect(r).toMatchObject({ ok: false, error: { kind: 'docker-unavailable' } });
    if (!r.ok) expect(r.error.hint).toMatch(/start the Docker engine/);
    const c = await dispatchInvoke(s.handlers, 'probeCatalog', {}, () => undefined);
    expect(c).toMatchObject({ ok: false, error: { kind: 'capture-failed' } });
    await s.dispose();
  });
});

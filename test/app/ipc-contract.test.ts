import { describe, expect, it } from 'vitest';
import { createExplorerApi } from '../../electron/ipc-api.js';
import { EVENT_NAMES, eventChannel, INVOKE_VERBS, invokeChannel } from '../../electron/ipc-contract.js';
import { REQUEST_CHECKS, isTrustedSenderUrl, validateRequest } from '../../electron/ipc-validate.js';

// The one contract: every verb has a validator and a channel; the API the preload (and the e2e)
// installs calls exactly those channels; main refuses malformed payloads and foreign senders.

describe('IPC contract', () => {
  it('lists every verb once, each with its own validator', () => {
    expect(new Set(INVOKE_VERBS).size).toBe(INVOKE_VERBS.length);
    expect(Object.keys(REQUEST_CHECKS).sort()).toEqual([...INVOKE_VERBS].sort());
  });

  it('builds task verbs on the channels the contract names, and nothing else', async () => {
    const calls: [string, unknown][] = [];
    const subs: string[] = [];
    const api = createExplorerApi(INVOKE_VERBS, EVENT_NAMES, {
      invoke: async (ch, p) => {
        calls.push([ch, p]);
        return { ok: true, value: null };
      },
      subscribe: (ch) => {
        subs.push(ch);
        return () => undefined;
      },
      pathForFile: () => '/dropped',
      onTraceTable: () => () => undefined,
    });
    for (const v of INVOKE_VERBS) await (api[v] as (r: unknown) => Promise<unknown>)({ probe: v });
    expect(calls.map((c) => c[0])).toEqual(INVOKE_VERBS.map(invokeChannel));
    for (const e of EVENT_NAMES) api.on(e, () => undefined);
    expect(subs).toEqual(EVENT_NAMES.map(eventChannel));
    expect(() => api.on('nope' as never, () => undefined)).toThrow(/unknown event/);
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual([...INVOKE_VERBS, 'on', 'onTraceTable', 'pathForFile'].sort());
  });

  it('keeps createExplorerApi self-contained (it is serialized into the e2e page)', () => {
    const src = createExplorerApi.toString();
    // No free identifiers from this module scope: only its parameters, locals and globals.
    expect(src).not.toMatch(/__vite_ssr|import\(|require\(/);
    const api = new Function(`return (${src})`)()(['getStartup'], ['capture'], { invoke: async () => 1, subscribe: () => () => undefined, pathForFile: () => '' });
    expect(typeof api.getStartup).toBe('function');
  });

  it('refuses malformed payloads with the field that is wrong', () => {
    const FIGURE = { counts: [], collapsed: [], window: null, palette: 'color', title: null, caption: null, width: '241pt', fontSize: '8pt', renames: [], labelFields: null };
    expect(validateRequest('previewFigure', { bundleId: 'b1', traceIds: [1], figure: FIGURE }).ok).toBe(true);
    expect(validateRequest('openBundle', { path: '/a/b.mstrace' })).toEqual({ ok: true, value: { path: '/a/b.mstrace' } });
    const bad: [Parameters<typeof validateRequest>[0], unknown, RegExp][] = [
      ['openBundle', { path: 'rel.mstrace' }, /openBundle\.path: has an unexpected form/],
      ['openBundle', { path: 42 }, /expected a string/],
      ['openBundle', null, /expected an object/],
      ['openBundle', { path: '/a', more: 1 }, /unexpected key "more"/],
      ['openBundle', { path: `/${'a'.repeat(5000)}` }, /longer than 4096/],
      ['traceDetail', { bundleId: 'b1', traceId: 1.5 }, /expected an integer/],
      ['traceDetail', { bundleId: 'x; DROP', traceId: 1 }, /bundleId: has an unexpected form/],
      ['spanRecords', { bundleId: 'b1', traceId: 1, spanIndex: 0, offset: 0, limit: 100_000 }, /limit: outside 1\.\.5000/],
      ['exportTrace', { bundleId: 'b1', traceIds: [1], format: 'gif', figure: {} }, /format: expected one of/],
      ['previewFigure', { bundleId: 'b1', traceIds: [1], figure: { ...FIGURE, width: '3 furlongs' } }, /figure\.width: has an unexpected form/],
      ['previewFigure', { bundleId: 'b1', traceIds: [1], figure: { ...FIGURE, renames: [{ container: 'a', name: 'x,y' }] } }, /renames\[0\]\.name: has an unexpected form/],
      ['previewFigure', { bundleId: 'b1', traceIds: [1], figure: { ...FIGURE, labelFields: ['tid', 'secret'] } }, /labelFields\[1\]: expected one of/],
      ['startCapture', { network: 'net; rm -rf /', backend: 'bpftrace', optionalProbes: [], customProbePath: null, buffers: { rbPages: null, ftraceBufferKb: null }, output: '/o.mstrace', durationSec: null }, /network: has an unexpected form/],
      ['pickCaptureOutput', { suggestedName: '../../etc/passwd' }, /suggestedName: has an unexpected form/],
    ];
    for (const [verb, payload, why] of bad) {
      const r = validateRequest(verb, payload);
      expect(r.ok, `${verb} ${JSON.stringify(payload).slice(0, 60)}`).toBe(false);
      if (!r.ok) {
        expect(r.error.kind).toBe('invalid-request');
        expect(r.error.message).toMatch(why);
      }
    }
  });

  it('trusts only the app page as sender', () => {
    const packaged = { fileIndex: '/opt/app/resources/app.asar/.vite/renderer/main_window/index.html', devOrigin: null };
    expect(isTrustedSenderUrl('file:///opt/app/resources/app.asar/.vite/renderer/main_window/index.html', packaged)).toBe(true);
    expect(isTrustedSenderUrl('file:///opt/app/resources/app.asar/.vite/renderer/main_window/other.html', packaged)).toBe(false);
    expect(isTrustedSenderUrl('https://example.com/', packaged)).toBe(false);
    expect(isTrustedSenderUrl('not a url', packaged)).toBe(false);
    const dev = { fileIndex: null, devOrigin: 'http://localhost:5173' };
    expect(isTrustedSenderUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/index.html', dev)).toBe(false);
    expect(isTrustedSenderUrl('file:///etc/index.html', dev)).toBe(false);
  });
});

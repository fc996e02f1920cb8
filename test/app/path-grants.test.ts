import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialogPort } from '../../electron/app-services/dialog-port.js';
import { dispatchInvoke } from '../../electron/ipc-dispatch.js';
import { CustomProbeError, parseCustomProbes } from '../../capture/probes/custom-probes.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { composeForTest } from './test-services.js';

// A compromised renderer cannot read or overwrite files of its choosing (issue 16 item 4): every
// path-like field of the IPC verbs, pointed at /etc/shadow, a FIFO and an existing file, is refused
// unless main handed that path out (its dialogs, start-up, recent list, a user's drop); the refusal
// is the same whether or not the file exists, and never touches it; errors about a file never echo
// its content.

let dir: TempDir;
let seq20: string;
let fifo: string;
let existing: string;
const SHADOW_LIKE = 'root:$6$Zm9vYmFy$c2VjcmV0:19700:0:99999:7:::\n';

beforeAll(async () => {
  dir = tempDir('misertrace-grants-');
  seq20 = await buildFixtureBundle('seq20', dir.path);
  fifo = join(dir.path, 'fifo.mstrace');
  execFileSync('mkfifo', [fifo]);
  existing = join(dir.path, 'keep-me.txt');
  writeFileSync(existing, 'precious\n');
});
afterAll(() => dir.remove());

function compose(answers: (string | null)[] = []) {
  const dialogs: DialogPort = { pickOpenPath: async () => answers.shift() ?? null, pickSavePath: async () => answers.shift() ?? null };
  const c = composeForTest(dir.path, { dialogs });
  const call = (verb: string, payload: unknown) => dispatchInvoke(c.handlers, verb, payload, () => undefined) as Promise<{ ok: boolean; error?: { kind: string; message: string } }>;
  return { c, call };
}

const capture = (output: string, customProbePath: string | null) => ({
  network: 'mtdemo-net',
  backend: 'bpftrace',
  optionalProbes: [],
  customProbePath,
  buffers: { rbPages: null, ftraceBufferKb: null },
  output,
  durationSec: null,
});

describe('paths reach main only from main', () => {
  it('openBundle refuses /etc/shadow, a FIFO, an existing and a missing file alike, at once', async () => {
    const { c, call } = compose();
    const messages = new Set<string>();
    for (const path of ['/etc/shadow', fifo, existing, join(dir.path, 'missing.mstrace'), seq20]) {
      const t0 = Date.now();
      const r = await call('openBundle', { path });
      expect(r.ok).toBe(false);
      expect(r.error!.kind).toBe('invalid-request');
      expect(Date.now() - t0).toBeLessThan(2000);
      messages.add(r.error!.message);
    }
    // Nothing in the answer depends on the file: whether it exists is not revealed.
    expect(messages.size).toBe(1);
    expect([...messages][0]).not.toMatch(/shadow|fifo|keep-me|missing|seq20/);
    await c.dispose();
  });

  it('a bundle chosen in the Open dialog, or dropped, opens', async () => {
    const { c, call } = compose([seq20]);
    expect((await call('pickBundle', {})).ok).toBe(true);
    expect((await call('openBundle', { path: seq20 })).ok).toBe(true);
    await c.dispose();
    const d = compose();
    d.c.services.grants.allow(seq20, 'open'); // what the preload reports for a real drop
    expect((await d.call('openBundle', { path: seq20 })).ok).toBe(true);
    await d.c.dispose();
  });

  it('startCapture refuses an output and a custom probe file main did not hand out; nothing is read or written', async () => {
    const { c, call } = compose();
    for (const output of ['/etc/shadow', fifo, existing]) {
      const r = await call('startCapture', capture(output, null));
      expect(r.ok).toBe(false);
      expect(r.error!.message).toMatch(/must be chosen in the app's own dialog/);
    }
    const out = join(dir.path, 'granted.mstrace');
    c.services.grants.allow(out, 'capture-output');
    for (const probe of ['/etc/shadow', fifo, existing]) {
      const r = await call('startCapture', capture(out, probe));
      expect(r.ok).toBe(false);
      expect(r.error!.message).toMatch(/custom probe file must be chosen/);
      expect(r.error!.message).not.toContain('precious');
    }
    expect(readFileSync(existing, 'utf8')).toBe('precious\n');
    await c.dispose();
  });

  it('a custom probe file that is not one: the error names the line, never its text', () => {
    let err: unknown;
    try {
      parseCustomProbes(SHADOW_LIKE, '/some/file');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CustomProbeError);
    const text = `${(err as Error).message} ${(err as CustomProbeError).hint ?? ''}`;
    expect(text).toMatch(/\/some\/file:\d+: expected "\{"/);
    expect(text).not.toMatch(/root|\$6\$|Zm9v|19700/);
  });
});

describe('a full disk in the app', () => {
  it('is a file error that says so, not an internal one (a real ENOSPC from /dev/full)', async () => {
    const { toAppError } = await import('../../electron/app-services/app-error.js');
    let err: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (e) {
      err = e;
    }
    expect(toAppError(err)).toMatchObject({ kind: 'file', message: expect.stringMatching(/^the disk is full/) });
  });
});

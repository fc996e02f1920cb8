import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureSegments } from '../../capture/remote/capture-segments.js';
import type { FinalizeInput, FinalizeResult } from '../../capture/session/finalize-capture.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';

// The segments of a resumed remote capture (docs/adr/0085): the second segment's bundle is built
// from the records of both (the first's as its bundle had them), the threads of both, and the
// gap between them; the kept records go when the chain is disposed.

const meta = (tid: number) => ({ tid, container: `c${tid}`, ip: '10.0.0.2', containerId: `id${tid}` });
const clock = (mono: string) => ({ realtimeNs: '1', monotonicNs: mono, bootId: '00000000-0000-0000-0000-000000000000' });

describe('CaptureSegments', () => {
  let dir: TempDir;
  afterEach(() => dir?.remove());

  function segment(n: number, lines: string, tids: number[], startedAt: string, stoppedAt: string, mono: [string, string | null]): FinalizeInput {
    const work = join(dir.path, `.out.mstrace.capture-${n}`);
    mkdirSync(work);
    const rawPath = join(work, 'raw.psv');
    writeFileSync(rawPath, lines);
    return {
      rawPath,
      meta: tids.map(meta),
      gateway: '10.0.0.1',
      output: join(dir.path, 'out.mstrace'),
      script: { name: 's', text: '' },
      capture: { startedAt, stoppedAt, partial: n === 1, partialReason: n === 1 ? 'the connection to h was lost' : null, remote: { transport: 'ssh', target: 'h', hostname: 'h', user: 'u', port: 22, privilege: 'root', clockStart: clock(mono[0]), clockEnd: mono[1] === null ? null : clock(mono[1]) } },
    };
  }

  it('builds the second segment from both, with the gap, and removes the kept records at the end', async () => {
    dir = tempDir('misertrace-segments-');
    const seen: FinalizeInput[] = [];
    const raws: string[] = [];
    const real = async (inp: FinalizeInput): Promise<FinalizeResult> => {
      seen.push(inp);
      raws.push(readFileSync(inp.rawPath, 'utf8'));
      return { manifest: {} as FinalizeResult['manifest'], diagnostics: {}, records: 0, malformed: 0, lostEvents: 0, cutBytes: 0 };
    };
    const segs = new CaptureSegments(join(dir.path, 'out.mstrace'));
    const fin = segs.finalize(real);
    const one = segment(1, 'a|1|100|0|x\n', [1, 2], '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:10.000Z', ['1000', null]);
    await fin(one);
    expect(seen[0]).toBe(one);
    // The session removes its work folder after finalize: the kept records must not depend on it.
    rmSync(dirname(one.rawPath), { recursive: true });
    segs.resume('the connection to h was lost');
    await fin(segment(2, 'b|2|300|0|y\n', [2, 3], '2026-01-01T00:00:14.500Z', '2026-01-01T00:00:20.000Z', ['5000', '9000']));
    const two = seen[1]!;
    expect(raws[1]).toBe('a|1|100|0|x\nb|2|300|0|y\n');
    expect(two.meta.map((m) => m.tid)).toEqual([1, 2, 3]);
    expect(two.capture.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(two.capture.stoppedAt).toBe('2026-01-01T00:00:20.000Z');
    expect(two.capture.gaps).toEqual([{ from: '2026-01-01T00:00:10.000Z', to: '2026-01-01T00:00:14.500Z', reason: 'the connection to h was lost', monotonicFrom: null, monotonicTo: '5000' }]);
    expect(two.capture.partial).toBe(true);
    expect(two.capture.partialReason).toBe('the capture has a gap (the connection to h was lost; resumed 4.5 s later): traces across it may be incomplete');
    expect(two.capture.remote?.clockStart?.monotonicNs).toBe('1000');
    expect(two.capture.remote?.clockEnd?.monotonicNs).toBe('9000');
    expect(segs.count).toBe(2);
    expect(segs.partialReason).toBe(two.capture.partialReason);
    expect(readdirSync(dir.path).filter((n) => n.includes('.segments-'))).toHaveLength(1);
    await segs.dispose();
    expect(readdirSync(dir.path).filter((n) => n.includes('.segments-'))).toEqual([]);
  });
});

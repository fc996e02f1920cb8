import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../capture/session/capture-errors.js';
import { finalizeCapture } from '../../capture/session/finalize-capture.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { parseMeta } from '../../engine/model/meta.js';
import { generateFromFile } from '../../engine/records/generate.js';
import { renderDagJson } from '../../engine/render/dag-render.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { FIXTURES } from '../fixtures.js';

// The capture's last step on a real raw capture (per-CPU order, as bpftrace writes it): one pass
// from raw records to the bundle, a line cut short by the child's death dropped, nothing lost.

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const fixture = join(FIXTURES, 'seq20');
const meta = parseMeta(readFileSync(join(fixture, 'meta.psv'), 'utf8'));
const gateway = readFileSync(join(fixture, 'gateway.txt'), 'utf8').trim();

function input(rawPath: string, output: string) {
  const stages: string[] = [];
  const progress: number[] = [];
  return {
    stages,
    progress,
    inp: {
      rawPath,
      meta,
      gateway,
      output,
      capture: { backend: 'bpftrace' as const, partial: true, partialReason: 'test' },
      script: { name: 'probes.bt', text: '// test' },
      onStage: (s: 'sorting' | 'generating') => stages.push(s),
      onProgress: (f: number) => progress.push(f),
    },
  };
}

describe('finalizing a capture', () => {
  it('orders the raw records on the way into the bundle: the same traces as sorting first, a cut last line dropped', async () => {
    const raw = join(dir.path, 'raw.psv');
    copyFileSync(join(fixture, 'trace.psv'), raw);
    appendFileSync(raw, 'node|123|99999999999|0|MT:sys_ent'); // the child died mid-line
    const out = join(dir.path, 'capture.mstrace');
    const { inp, stages, progress } = input(raw, out);
    const res = await finalizeCapture(inp);
    expect(res.cutBytes).toBe('node|123|99999999999|0|MT:sys_ent'.length);
    expect(stages).toEqual(['sorting', 'generating']);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1]!)).toBe(true);
    const expected = await generateFromFile(join(fixture, 'sorted.psv'), meta, gateway);
    // Both time bases come from the same first record.
    expect(renderDagJson(res.build.traces, expected.base)).toBe(renderDagJson(expected.traces, expected.base));
    const b = Bundle.open(out);
    try {
      expect(b.manifest.complete).toBe(true);
      expect(b.manifest.capture.partial).toBe(true);
      expect(b.manifest.traceCount).toBe(expected.traces.length);
      expect(res.records).toBe(b.manifest.stream.records);
      expect(res.records).toBe(readFileSync(join(fixture, 'sorted.psv'), 'utf8').split('\n').filter((l) => /^[^|]*\|\d+\|\d+\|\d+\|/.test(l)).length);
    } finally {
      b.close();
    }
  });

  it('a capture without records is an error that says what to do, and leaves no bundle', async () => {
    const raw = join(dir.path, 'empty.psv');
    writeFileSync(raw, 'Attaching 22 probes...\n@misertrace_attached: 123456\n');
    const out = join(dir.path, 'empty.mstrace');
    const err = await finalizeCapture(input(raw, out).inp).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).message).toMatch(/no events of the traced containers/);
    expect(existsSync(out)).toBe(false);
  });
});

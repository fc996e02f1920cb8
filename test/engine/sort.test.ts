import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortTraceFile } from '../../engine/records/sort.js';
import { replicateCapture } from '../../bench/replicate.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { FIXTURES } from '../fixtures.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('sort', () => {
  it('an external merge over many small runs gives exactly the in-memory result', async () => {
    const raw = join(dir.path, 'big.psv');
    await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 4, tracePath: raw, metaPath: join(dir.path, 'big.meta') });
    const inMem = join(dir.path, 'in-mem.psv');
    const ext = join(dir.path, 'external.psv');
    const a = await sortTraceFile(raw, inMem);
    const b = await sortTraceFile(raw, ext, { memoryBudgetBytes: 1_000_000, tmpDir: dir.path });
    expect(a.runs).toBe(1);
    expect(b.runs).toBeGreaterThan(5);
    expect(readFileSync(ext, 'utf8')).toBe(readFileSync(inMem, 'utf8'));
    expect(b.stats.records).toBe(18224 * 4);
    // The runs were removed.
    expect(readdirSync(dir.path).filter((f) => f.startsWith('misertrace-sort-'))).toEqual([]);
  });

  it('is stable: equal timestamps keep file order, across CPUs and across runs', async () => {
    const lines = [];
    for (let i = 0; i < 200; i++) lines.push(`c${i}|${i}|${1000 + Math.floor(i / 50)}|${i % 3}|MT:x`);
    const input = join(dir.path, 'ties.psv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir.path, 'ties.sorted.psv');
    const res = await sortTraceFile(input, out, { memoryBudgetBytes: 2000, tmpDir: dir.path });
    expect(res.runs).toBeGreaterThan(1);
    expect(readFileSync(out, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('orders a CPU whose own records are out of order, and counts them', async () => {
    const input = join(dir.path, 'disorder.psv');
    writeFileSync(input, ['a|1|30|0|MT:x', 'b|1|10|0|MT:x', 'c|1|20|1|MT:x'].join('\n'));
    const out = join(dir.path, 'disorder.sorted.psv');
    const res = await sortTraceFile(input, out);
    expect(res.cpuDisorder).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('b|1|10|0|MT:x\nc|1|20|1|MT:x\na|1|30|0|MT:x\n');
  });

  it('a cancelled sort leaves neither output nor temporary runs', async () => {
    const ctl = new AbortController();
    const out = join(dir.path, 'cancelled.psv');
    const p = sortTraceFile(join(FIXTURES, 'mixed50', 'trace.psv'), out, {
      signal: ctl.signal,
      memoryBudgetBytes: 100_000,
      tmpDir: dir.path,
      onProgress: () => ctl.abort(),
    });
    await expect(p).rejects.toThrow('cancelled');
    expect(readdirSync(dir.path).filter((f) => f.includes('cancelled') || f.startsWith('misertrace-sort-'))).toEqual([]);
  });
});

describe('ordering a raw capture on the way (import, capture)', () => {
  it('gives the same records, traces and bundle as sort-then-generate, in memory and through spilled runs', async () => {
    const { generateFromFile } = await import('../../engine/records/generate.js');
    const { renderDagJson } = await import('../../engine/render/dag-render.js');
    const { parseMeta } = await import('../../engine/model/meta.js');
    const { recordSource } = await import('../../engine/records/sorted-records.js');
    const raw = join(dir.path, 'fused.psv');
    const metaPath = join(dir.path, 'fused.meta');
    await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 3, tracePath: raw, metaPath });
    const meta = parseMeta(readFileSync(metaPath, 'utf8'));
    const sorted = join(dir.path, 'fused.sorted.psv');
    await sortTraceFile(raw, sorted);
    const viaFile = await generateFromFile(sorted, meta, '172.29.77.1');
    const fused = await generateFromFile(raw, meta, '172.29.77.1', { unsorted: true });
    expect(renderDagJson(fused.traces, fused.base)).toBe(renderDagJson(viaFile.traces, viaFile.base));
    expect(fused.traces).toHaveLength(150);
    // Force many runs: the record stream itself must equal the sorted file's, record by record.
    const lines = (path: string, unsorted: boolean, budget?: number) =>
      (async () => {
        const src = recordSource(path, { unsorted, near: join(dir.path, 'x'), tmpDir: dir.path, ...(budget ? { memoryBudgetBytes: budget } : {}) });
        const out: string[] = [];
        for await (const c of src.columns) {
          for (let i = 0; i < c.n; i++) out.push(`${src.stream.timeBase!.absString(c.ts[i]!)}|${c.tid[i]}|${c.cpu[i]}|${src.stream.probes.list[c.probe[i]!]!.name}|${c.detailsAt[i]! < 0 ? '' : c.details[c.detailsAt[i]!]}`);
        }
        return out;
      })();
    const a = await lines(sorted, false);
    const b = await lines(raw, true, 200_000);
    expect(b.length).toBe(a.length);
    expect(b).toEqual(a);
    expect(readdirSync(dir.path).filter((f) => f.startsWith('misertrace-runs-'))).toEqual([]);
  });
});

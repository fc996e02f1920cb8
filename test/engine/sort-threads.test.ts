import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineStarts, sortTraceFile, type SortOptions } from '../../engine/records/sort.js';
import { releaseSegmentBuffers, sortSegment, type SegmentResult } from '../../engine/records/sort-segment.js';
import { replicateCapture } from '../../bench/replicate.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { FIXTURES } from '../fixtures.js';

// The sorter cuts a file into segments sorted on two threads (docs/adr/0115). Whatever the threads
// and segments, the output, counts, line numbers and messages must be those of one pass here.

let dir: TempDir;
let raw: string;
beforeAll(async () => {
  dir = tempDir();
  raw = join(dir.path, 'big.psv');
  await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 3, tracePath: raw, metaPath: join(dir.path, 'big.meta') });
});
afterAll(() => dir.remove());

async function both(input: string, opts: SortOptions = {}) {
  const here = join(dir.path, 'here.psv');
  const threaded = join(dir.path, 'threaded.psv');
  const a = await sortTraceFile(input, here, { ...opts, threads: 0 });
  const b = await sortTraceFile(input, threaded, { ...opts, threads: 2, tmpDir: dir.path });
  return { a, b, here: readFileSync(here, 'utf8'), threaded: readFileSync(threaded, 'utf8') };
}

describe('sort on two threads', () => {
  it('writes what one pass here writes, in memory and through runs on disk', async () => {
    const inMem = await both(raw);
    expect(inMem.threaded).toBe(inMem.here);
    expect(inMem.b.stats).toEqual(inMem.a.stats);
    expect(inMem.b.runs).toBe(1);
    const spilled = await sortTraceFile(raw, join(dir.path, 'spilled.psv'), { threads: 2, memoryBudgetBytes: 3_000_000, tmpDir: dir.path });
    expect(spilled.runs).toBeGreaterThan(3);
    expect(readFileSync(join(dir.path, 'spilled.psv'), 'utf8')).toBe(inMem.here);
    expect(readdirSync(dir.path).filter((f) => f.startsWith('misertrace-sort-'))).toEqual([]);
  });

  it('keeps each segment sorted in memory whole when the same thread sorts another after it', async () => {
    // A spilled sort keeps the last segment of each thread in memory; one thread may sort two
    // of them, after one written as a run (whose buffers it reuses). Each must keep its lines.
    const size = readFileSync(raw).length;
    const starts = await lineStarts(raw, size, Math.ceil(size / 3));
    expect(starts.length).toBe(4);
    const job = (k: number) => ({ path: raw, start: starts[k]!, end: starts[k + 1]!, first: k === 0, lenient: false });
    const text = (r: SegmentResult) => {
      const g = r.gather!;
      return Array.from(g.order, (i) => Buffer.from(g.lines.subarray(g.at[i]!, g.at[i]! + g.len[i]!)).toString()).join('');
    };
    try {
      sortSegment({ ...job(0), runPath: join(dir.path, 'first-run.bin') });
      const second = sortSegment({ ...job(1), inPlace: true });
      const before = text(second);
      const third = sortSegment({ ...job(2), inPlace: true });
      expect(text(second)).toBe(before);
      expect(before.length).toBeGreaterThan(0);
      expect(text(third)).not.toBe(before);
    } finally {
      releaseSegmentBuffers();
    }
  });

  it('cancelled, leaves no runs and no open files behind (the app lives on after it)', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const ctl = new AbortController();
    const p = sortTraceFile(raw, join(dir.path, 'cancelled.psv'), {
      threads: 2,
      memoryBudgetBytes: 400_000,
      tmpDir: dir.path,
      signal: ctl.signal,
      onProgress: () => ctl.abort(),
    });
    await expect(p).rejects.toThrow('cancelled');
    expect(readdirSync(dir.path).filter((f) => f.includes('cancelled') || f.startsWith('misertrace-sort-'))).toEqual([]);
    expect(fds()).toBeLessThanOrEqual(before);
  });

  it('numbers a malformed line in a later segment from the start of the file', async () => {
    const lines = readFileSync(raw, 'utf8').split('\n');
    const at = Math.floor(lines.length * 0.8);
    lines[at] = lines[at]!.slice(0, 25); // cut short
    const bad = join(dir.path, 'bad.psv');
    writeFileSync(bad, lines.join('\n'));
    const here = sortTraceFile(bad, join(dir.path, 'x.psv'), { threads: 0 });
    await expect(here).rejects.toThrow(`bad.psv:${at + 1}: malformed line`);
    await expect(sortTraceFile(bad, join(dir.path, 'y.psv'), { threads: 2 })).rejects.toThrow(`bad.psv:${at + 1}: malformed line`);
    const lenient = await both(bad, { lenient: true });
    expect(lenient.threaded).toBe(lenient.here);
    expect(lenient.b.stats.malformed).toBe(1);
    expect(lenient.b.diagnostics.examples).toEqual(lenient.a.diagnostics.examples);
    expect(lenient.b.diagnostics.examples[0]!.line).toBe(at + 1);
  });

  it('counts a CPU out of order across the cut between segments, and orders it', async () => {
    // Lines of one length: the two segments are the two halves, and CPU 0 goes back in time
    // exactly where the second begins.
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const cpu = i % 2;
      const ts = cpu === 1 ? 3_000_000 + i * 10 : i < 2000 ? 2_000_000 + i * 10 : 1_000_000 + i * 10;
      lines.push(`c|1|${ts}|${cpu}|MT:x`);
    }
    const input = join(dir.path, 'cross.psv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const r = await both(input);
    expect(r.threaded).toBe(r.here);
    expect(r.a.cpuDisorder).toBe(1);
    expect(r.b.cpuDisorder).toBe(1);
    expect(r.here.split('\n')[0]).toBe('c|1|1020000|0|MT:x');
  });
});

import { describe, expect, it } from 'vitest';
import { cpuMergeOrder } from '../../engine/records/cpu-merge.js';

// The order of a raw capture's records: by time, ties by position (file order), whatever CPU
// numbers there are and however long each CPU's stretches are; a CPU's own step back in time is
// counted and sorted.

function reference(ts: Float64Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
}

/** n records on `cpus` CPUs printed in stretches of up to `stretch` records, times from a few distinct values per CPU. */
function capture(n: number, cpus: number[], stretch: number, seed: number) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const ts = new Float64Array(n);
  const cpu = new Int32Array(n);
  const clock = new Map(cpus.map((c) => [c, 0]));
  for (let i = 0; i < n; ) {
    const c = cpus[Math.floor(rnd() * cpus.length)]!;
    for (let k = Math.ceil(rnd() * stretch); k > 0 && i < n; k--, i++) {
      // Ties within a CPU and across CPUs: times step by 0, 1 or 2.
      clock.set(c, clock.get(c)! + Math.floor(rnd() * 3));
      ts[i] = clock.get(c)!;
      cpu[i] = c;
    }
  }
  return { ts, cpu };
}

describe('per-CPU merge order', () => {
  for (const [name, cpus, stretch] of [
    ['two CPUs in long stretches', [0, 1], 300],
    ['eight CPUs record by record', [0, 1, 2, 3, 4, 5, 6, 7], 1],
    ['odd CPU numbers', [3, 4095, 4096, 70000, -1], 20],
    ['one CPU', [2], 50],
  ] as const) {
    it(`${name}: by time, ties in file order`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const { ts, cpu } = capture(5000, [...cpus], stretch, seed);
        const { order, disorder } = cpuMergeOrder(ts, cpu, ts.length);
        expect(disorder).toBe(0);
        expect(Array.from(order)).toEqual(reference(ts, ts.length));
      }
    });
  }

  it('a CPU that steps back in time is counted and sorted', () => {
    const ts = Float64Array.from([5, 1, 4, 2, 3, 2, 6]);
    const cpu = Int32Array.from([0, 1, 0, 1, 0, 1, 1]);
    const { order, disorder } = cpuMergeOrder(ts, cpu, ts.length);
    expect(disorder).toBe(2); // CPU 0: 5 -> 4 -> 3; CPU 1: 1, 2, 2, 6 in order
    expect(Array.from(order)).toEqual(reference(ts, ts.length));
  });

  it('no records', () => {
    expect(Array.from(cpuMergeOrder(new Float64Array(0), new Int32Array(0), 0).order)).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type CommandRun } from './command-bench.js';

// The yardstick of issue 13: our `sort` then `generate`, and our one-process `bundle import` of the
// raw capture, each beside the original tool's generator.py alone on the same sorted file (it reads
// sorted input; sorting is a separate step there, not counted on its side).
// The two alternate, ours then theirs, and the ratio is taken pair by pair: a shared machine's
// speed drifts within seconds, and a pair sees the same drift. The original tool is not shipped
// here: pass its checkout with --original DIR (generator.py needs python3 and tqdm).

export interface PairedRow {
  /** Medians over the pairs. */
  oursSeconds: number;
  theirsSeconds: number;
  /** Median CPU seconds (user + sys); null without GNU time. */
  oursCpu: number | null;
  theirsCpu: number | null;
  /** Median of theirs / ours per pair: above 1, ours is faster. */
  ratio: number;
  /** The same for CPU seconds (user + sys), the steadier figure on a shared machine; null without GNU time. */
  cpuRatio: number | null;
  pairs: number;
  oursRssMB: number | null;
  theirsRssMB: number | null;
}

/** Where generator.py is in a checkout of the original tool, or why it cannot run. */
export function originalGenerator(dir: string): { script: string } | { missing: string } {
  const script = join(dir, 'src', 'generator.py');
  if (!existsSync(script)) return { missing: `${script} not found` };
  const py = spawnSync('python3', ['-c', 'import tqdm'], { encoding: 'utf8' });
  if (py.status !== 0) return { missing: 'python3 with tqdm is needed for generator.py' };
  return { script };
}

/** Runs python3 generator.py once, timed from outside like our commands. */
function runGenerator(script: string, sorted: string, meta: string, gateway: string, out: string): CommandRun {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S %M', 'python3', script, '-i', sorted, '-m', meta, '-g', gateway, '-o', out], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`generator.py exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { seconds, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null, maxRssMB: m ? Number(m[3]) / 1024 : null };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * What we run against generator.py: `sort` then `generate` (two processes, as the original's
 * own steps are: sort, then generator.py), or `bundle import` of the raw capture (one process,
 * sorting on the way: what a user of ours runs on a raw capture).
 */
export type OurPipeline = 'sort+generate' | 'import';

/**
 * `pairs` rounds of: our pipeline on the raw capture, then generator.py on the sorted file (the
 * round's sort wrote it; for `import`, a sort before the round, not timed).
 */
export function pairedWithOriginal(o: { bin: string; script: string; raw: string; meta: string; gateway: string; work: string; pairs: number; ours?: OurPipeline }): PairedRow {
  const sorted = join(o.work, 'vs-original.sorted.psv');
  const bundle = join(o.work, 'vs-original.mstrace');
  const pickle = join(o.work, 'vs-original.pickle');
  const ours: CommandRun[] = [];
  const theirs: CommandRun[] = [];
  const gen = ['-m', o.meta, '-g', o.gateway, '-o', bundle];
  try {
    if (o.ours === 'import') runCommand(o.bin, ['sort', '-i', o.raw, '-o', sorted]);
    for (let k = 0; k < o.pairs; k++) {
      for (const p of o.ours === 'import' ? [bundle, pickle] : [sorted, bundle, pickle]) rmSync(p, { force: true });
      if (o.ours === 'import') ours.push(runCommand(o.bin, ['bundle', 'import', '-i', o.raw, ...gen]));
      else {
        const s = runCommand(o.bin, ['sort', '-i', o.raw, '-o', sorted]);
        const g = runCommand(o.bin, ['generate', '-i', sorted, ...gen]);
        ours.push({
          seconds: s.seconds + g.seconds,
          cpuSeconds: s.cpuSeconds === null ? null : s.cpuSeconds + g.cpuSeconds!,
          maxRssMB: s.maxRssMB === null ? null : Math.max(s.maxRssMB, g.maxRssMB!),
        });
      }
      theirs.push(runGenerator(o.script, sorted, o.meta, o.gateway, pickle));
    }
  } finally {
    for (const p of [sorted, bundle, pickle]) rmSync(p, { force: true });
  }
  const rss = (rs: CommandRun[]) => (rs[0]!.maxRssMB === null ? null : Math.max(...rs.map((r) => r.maxRssMB!)));
  return {
    oursSeconds: median(ours.map((r) => r.seconds)),
    theirsSeconds: median(theirs.map((r) => r.seconds)),
    oursCpu: ours[0]!.cpuSeconds === null ? null : median(ours.map((r) => r.cpuSeconds!)),
    theirsCpu: theirs[0]!.cpuSeconds === null ? null : median(theirs.map((r) => r.cpuSeconds!)),
    ratio: median(ours.map((r, i) => theirs[i]!.seconds / r.seconds)),
    cpuRatio: ours[0]!.cpuSeconds === null || theirs[0]!.cpuSeconds === null ? null : median(ours.map((r, i) => theirs[i]!.cpuSeconds! / r.cpuSeconds!)),
    pairs: o.pairs,
    oursRssMB: rss(ours),
    theirsRssMB: rss(theirs),
  };
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMeta } from '../engine/model/meta.js';
import { writeKeepAliveCapture } from './keepalive-capture.js';
import { nodeStartSeconds, runCommand, type CommandRun } from './command-bench.js';
import { cachedReplica, recordsPerCopy } from './replicate.js';
import { originalGenerator, pairedWithOriginal } from './original-tool.js';

// `npm run bench`: first what users run, the `misertrace` commands end to end as processes
// (start-up, parsing, the bundle written, exit); then the engine's stages in process, on captures
// replicated from a real one to ~1M and ~10M records. Each stage runs in its own process (its
// peak RSS is its own); medians over runs.
// Usage: node dist/bench/engine-bench.js [--sizes 1,10|none] [--runs 3] [--commands-only] [--original DIR]
// --original DIR: a checkout of the original tool; adds "sort then generate vs generator.py" (paired runs).

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const fixture = resolve(root, '..', 'shared', 'fixtures', 'mixed50');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const sizes = opt('--sizes', '1,10').split(',').filter((x) => x !== '' && x !== 'none').map(Number);
const runs = Number(opt('--runs', '3'));
const commandsOnly = args.includes('--commands-only');
const originalDir = opt('--original', '');
const original = originalDir === '' ? null : originalGenerator(resolve(originalDir));
if (original !== null && 'missing' in original) console.log(`no "vs generator.py" row: ${original.missing}`);
const BIN = join(root, 'bin', 'misertrace.js');
const cache = join(tmpdir(), 'misertrace-bench');
mkdirSync(cache, { recursive: true });
const PER_COPY = recordsPerCopy(fixture);

interface StageResult {
  stage: string;
  seconds: number;
  cpuSeconds: number;
  records: number;
  maxRssMB: number;
  extra?: Record<string, number>;
  [k: string]: unknown;
}

function stage(name: string, ...a: string[]): StageResult {
  const out = execFileSync(process.execPath, [join(here, 'engine-stage.js'), name, ...a], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as StageResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

console.log(`engine benchmark: mixed50 (${PER_COPY} records) replicated; ${runs} run(s) per stage at 1M, 1 at 10M; median seconds`);
console.log(`${'size'.padEnd(6)} ${'stage'.padEnd(26)} ${'records'.padStart(8)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)} ${'peak RSS'.padStart(9)} ${'cpu s'.padStart(7)}  notes`);

function commandRow(label: string, name: string, rs: CommandRun[], records: number | null, note = ''): void {
  const secs = median(rs.map((r) => r.seconds));
  const cpu = rs[0]!.cpuSeconds === null ? '' : median(rs.map((r) => r.cpuSeconds!)).toFixed(2);
  const rss = rs[0]!.maxRssMB === null ? '' : `${Math.max(...rs.map((r) => r.maxRssMB!)).toFixed(0)} MB`;
  const rate = records === null ? '' : fmt(records / secs);
  console.log(`${label.padEnd(6)} ${name.padEnd(26)} ${(records === null ? '' : fmt(records)).padStart(8)} ${secs.toFixed(2).padStart(8)} ${rate.padStart(10)} ${rss.padStart(9)} ${cpu.padStart(7)}  ${note}`);
}
// The command with its records read in process (MISERTRACE_READ_THREAD=0) and read on a thread of
// their own (MISERTRACE_READ_THREAD=1, docs/adr/0110, 0130; what generate does by default), in
// turn, so that the ratio holds when the machine drifts.
function threadPairs(n: number, argv: string[], before: () => void): [CommandRun[], CommandRun[]] {
  const threaded: CommandRun[] = [];
  const one: CommandRun[] = [];
  for (let i = 0; i < n; i++) {
    before();
    one.push(runCommand(BIN, argv, { MISERTRACE_READ_THREAD: '0' }));
    before();
    threaded.push(runCommand(BIN, argv, { MISERTRACE_READ_THREAD: '1' }));
  }
  return [one, threaded];
}
const pairNote = (one: CommandRun[], threaded: CommandRun[]) => `MISERTRACE_READ_THREAD=0 against =1; on a thread / in process, wall: ${median(threaded.map((t, i) => t.seconds / one[i]!.seconds)).toFixed(2)}x (median of ${threaded.length} pairs)`;
const cmdRuns = (n: number, argv: string[], before?: () => void) =>
  Array.from({ length: n }, () => {
    before?.();
    return runCommand(BIN, argv);
  });
{
  const node = nodeStartSeconds(5);
  commandRow('-', 'misertrace --help', cmdRuns(5, ['--help']), null, `process start to exit; bare node -e 0: ${node.toFixed(2)} s`);
  const sample = join(root, 'samples', 'seq20.mstrace');
  commandRow('-', 'render -t custom (sample)', cmdRuns(5, ['render', '-i', sample, '-t', 'custom']), null, `samples/seq20.mstrace, 20 traces; bare node -e 0: ${node.toFixed(2)} s`);
}
for (const millions of sizes) {
  const { copies, raw, meta, sorted, bundle } = await cachedReplica(fixture, cache, millions, PER_COPY);
  const n = millions >= 10 ? 1 : runs;
  // The commands, as users run them.
  const label0 = `${millions}M`;
  const recs = copies * PER_COPY;
  const cmdBundle = join(cache, `mixed50x${copies}.cmd.mstrace`);
  const cmdSorted = join(cache, `mixed50x${copies}.cmd.sorted.psv`);
  const fresh = (...paths: string[]) => () => paths.forEach((p) => rmSync(p, { force: true }));
  const sortC = cmdRuns(n, ['sort', '-i', raw, '-o', cmdSorted], fresh(cmdSorted));
  commandRow(label0, 'misertrace sort', sortC, recs);
  const genArgs = ['generate', '-i', cmdSorted, '-m', meta, '-g', '172.29.77.1', '-o', cmdBundle];
  // As shipped, generate reads sorted records on a thread (docs/adr/0130): that is the headline.
  const [genIn, genC] = threadPairs(n, genArgs, fresh(cmdBundle));
  commandRow(label0, 'misertrace generate', genC, recs, `${(statSync(cmdBundle).size / 1e6).toFixed(0)} MB bundle written, records read on a thread`);
  commandRow(label0, '  records read in process', genIn, recs, pairNote(genIn, genC));
  const both = sortC.map((s, i) => ({
    seconds: s.seconds + genC[i]!.seconds,
    cpuSeconds: s.cpuSeconds === null ? null : s.cpuSeconds + genC[i]!.cpuSeconds!,
    maxRssMB: s.maxRssMB === null ? null : Math.max(s.maxRssMB, genC[i]!.maxRssMB!),
  }));
  commandRow(label0, 'sort, then generate', both, recs, 'two processes, the sorted text file between');
  if (original !== null && 'script' in original) {
    // Ours and theirs alternate, the ratio taken pair by pair (bench/original-tool.ts).
    for (const ours of ['sort+generate', 'import'] as const) {
      const v = pairedWithOriginal({ bin: BIN, script: original.script, raw, meta, gateway: '172.29.77.1', work: cache, pairs: Math.max(3, n), ours });
      const cpu = v.cpuRatio === null ? '' : `, CPU ${v.cpuRatio.toFixed(2)}x`;
      const name = ours === 'import' ? 'import (raw) vs gen.py' : 'sort+generate vs gen.py';
      console.log(
        `${label0.padEnd(6)} ${name.padEnd(26)} ${fmt(recs).padStart(8)} ${v.oursSeconds.toFixed(2).padStart(8)} ${fmt(recs / v.oursSeconds).padStart(10)} ${(v.oursRssMB === null ? '' : `${v.oursRssMB.toFixed(0)} MB`).padStart(9)} ${(v.oursCpu === null ? '' : v.oursCpu.toFixed(2)).padStart(7)}  ` +
          `${ours === 'import' ? 'one process from the raw capture; ' : ''}generator.py alone on the sorted file ${v.theirsSeconds.toFixed(2)} s (${v.theirsCpu === null ? '' : `${v.theirsCpu.toFixed(2)} s CPU, `}${v.theirsRssMB === null ? '?' : v.theirsRssMB.toFixed(0)} MB); ratio ${v.ratio.toFixed(2)}x${cpu}, median of ${v.pairs} pairs`,
      );
    }
  }
  const impC = cmdRuns(n, ['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', cmdBundle], fresh(cmdBundle));
  commandRow(label0, 'misertrace bundle import', impC, recs, 'raw capture -> bundle, one process');
  commandRow(label0, 'render -t custom', cmdRuns(n, ['render', '-i', cmdBundle, '-t', 'custom']), null, 'every trace, from the stored counts');
  rmSync(cmdSorted, { force: true });
  if (commandsOnly) continue;
  const rows: [string, StageResult[]][] = [];
  const repeat = (label: string, f: () => StageResult) => {
    const rs: StageResult[] = [];
    for (let i = 0; i < n; i++) rs.push(f());
    rows.push([label, rs]);
    return rs;
  };
  repeat('parse (raw)', () => stage('parse', raw));
  const sortR = repeat('sort (k-way, external)', () => stage('sort', raw, '', '', sorted));
  const genR = repeat('generate (model+DAG)', () => stage('generate', sorted, meta, '172.29.77.1'));
  const fusedR = repeat('raw -> traces (fused)', () => stage('fused', raw, meta, '172.29.77.1'));
  const cntR = repeat('per-span event counts', () => stage('counts', sorted, meta, '172.29.77.1'));
  repeat('bundle write (all stages)', () => {
    rmSync(bundle, { force: true });
    return stage('bundle', sorted, meta, '172.29.77.1', bundle);
  });
  const label = `${millions}M`;
  for (const [name, rs] of rows) {
    const secs = median(rs.map((r) => r.seconds));
    const recs = rs[0]!.records;
    let note = '';
    if (name.startsWith('raw ->')) note = `sort+generate end to end, parsed once; ${rs[0]!.extra?.['traces']} traces`;
    if (name.startsWith('generate')) note = `${rs[0]!.extra?.['traces']} traces, ${rs[0]!.extra?.['spans']} spans`;
    if (name.startsWith('sort')) note = `${rs[0]!.extra?.['runs']} run(s), ${(statSync(raw).size / 1e6).toFixed(0)} MB file`;
    if (name.startsWith('bundle')) note = `${(statSync(bundle).size / 1e6).toFixed(0)} MB bundle`;
    if (name.startsWith('per-span')) {
      const sweep = median(rs.map((r) => r.extra!['sweepSeconds']!));
      note = `sweep alone ${sweep.toFixed(3)} s = ${fmt(recs / sweep)} rec/s over ${rs[0]!.extra!['spans']} spans (stage time includes generate+parse)`;
    }
    const rss = Math.max(...rs.map((r) => r.maxRssMB));
    const cpu = median(rs.map((r) => r.cpuSeconds));
    console.log(`${label.padEnd(6)} ${name.padEnd(26)} ${fmt(recs).padStart(8)} ${secs.toFixed(2).padStart(8)} ${fmt(recs / secs).padStart(10)} ${`${rss.toFixed(0)} MB`.padStart(9)} ${cpu.toFixed(2).padStart(7)}  ${note}`);
  }
  const e2e = median(sortR.map((r) => r.seconds)) + median(genR.map((r) => r.seconds));
  console.log(`${label.padEnd(6)} ${'sort, then generate'.padEnd(26)} ${fmt(sortR[0]!.records).padStart(8)} ${e2e.toFixed(2).padStart(8)} ${fmt(sortR[0]!.records / e2e).padStart(10)}            two commands, sorted text file between`);
  void cntR;
  void fusedR;
}

// The load that broke the original model (issue 10): `wrk -c8` on /stock, keep-alive everywhere,
// about 860k records in 10 s. Synthetic (bench/keepalive-capture.ts) where no real capture is at
// hand; per model, generate alone (parse, model, traces) and the whole bundle (with counts).
if (!commandsOnly) {
  const ka = join(cache, 'keepalive-860000.sorted.psv');
  const kaMeta = join(cache, 'keepalive.meta');
  const c = await writeKeepAliveCapture(cache, 860_000);
  writeFileSync(kaMeta, formatMeta(c.meta));
  console.log(`keep-alive under load: synthetic wrk -c8 /stock, ${c.requests} requests, 8 in flight; median of ${runs}`);
  for (const model of ['causal', 'original']) {
    for (const [name, f] of [
      ['generate', () => stage('generate', ka, kaMeta, c.gateway, '', model)],
      ['bundle (with counts)', () => {
        const out = join(cache, `keepalive-${model}.mstrace`);
        rmSync(out, { force: true });
        return stage('bundle', ka, kaMeta, c.gateway, out, model);
      }],
    ] as [string, () => StageResult][]) {
      const rs: StageResult[] = [];
      for (let i = 0; i < runs; i++) rs.push(f());
      const secs = median(rs.map((r) => r.seconds));
      const rss = Math.max(...rs.map((r) => r.maxRssMB));
      const note = rs[0]!.extra?.['traces'] !== undefined ? `${rs[0]!.extra['traces']} traces` : '';
      console.log(`${'ka'.padEnd(6)} ${`${name}, ${model}`.padEnd(26)} ${fmt(rs[0]!.records).padStart(8)} ${secs.toFixed(2).padStart(8)} ${fmt(rs[0]!.records / secs).padStart(10)} ${`${rss.toFixed(0)} MB`.padStart(9)} ${median(rs.map((r) => r.cpuSeconds)).toFixed(2).padStart(7)}  ${note}`);
    }
  }
}

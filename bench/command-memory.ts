import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMeta } from '../engine/model/meta.js';
import { runCommand, type CommandRun } from './command-bench.js';
import { writeKeepAliveCapture } from './keepalive-capture.js';
import { cachedReplica, recordsPerCopy } from './replicate.js';

// `npm run bench:memory`: every `misertrace` command that reads a bundle, run as users run it on
// a 10M-record bundle (a real capture replicated) and on a keep-alive bundle with many traces,
// one process each: wall seconds, CPU seconds and peak RSS, judged against issue 13's 1 GB.
// The inputs are built once and kept in $TMPDIR/misertrace-memory.
// Usage: node dist/bench/command-memory.js [--millions 10] [--only WORD,WORD] [--skip WORD,WORD]
// (--only / --skip: rows whose label contains one of the words; --only start-up: the start-up rows alone)

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const fixture = resolve(root, '..', 'shared', 'fixtures', 'mixed50');
const BIN = join(root, 'bin', 'misertrace.js');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const millions = Number(opt('--millions', '10'));
const words = (name: string) => opt(name, '').split(',').filter((w) => w !== '');
const only = words('--only');
const skip = words('--skip');
const LIMIT_MB = 1024;
const cache = join(tmpdir(), 'misertrace-memory');
mkdirSync(cache, { recursive: true });
const perCopy = recordsPerCopy(fixture);
const GATEWAY = '172.29.77.1';

/** Runs a command once to build a cached input (not a row). */
function build(what: string, path: string, argv: string[]): void {
  if (existsSync(path)) return;
  console.log(`building ${what} (once): misertrace ${argv.join(' ')}`);
  runCommand(BIN, argv);
}

const { copies, raw, meta, sorted, bundle } = await cachedReplica(fixture, cache, millions, perCopy);
build('the sorted file', sorted, ['sort', '-i', raw, '-o', sorted]);
build('the bundle', bundle, ['generate', '-i', sorted, '-m', meta, '-g', GATEWAY, '-o', bundle]);

// Keep-alive under load (issue 10's shape): few threads, many short traces, at the same size.
const kaRecords = millions * 1_000_000;
const kaSorted = join(cache, `keepalive-${kaRecords}.sorted.psv`);
const kaMeta = join(cache, 'keepalive.meta');
const kaBundle = join(cache, `keepalive-${kaRecords}.mstrace`);
if (!existsSync(kaSorted) || !existsSync(kaMeta)) {
  const c = await writeKeepAliveCapture(cache, kaRecords);
  writeFileSync(kaMeta, formatMeta(c.meta));
}
build('the keep-alive bundle', kaBundle, ['generate', '-i', kaSorted, '-m', kaMeta, '-g', '10.9.0.1', '-o', kaBundle]);

// A killed capture's work folder, as `bundle recover` finds it.
const work = join(cache, 'work-folder');
if (!existsSync(join(work, 'raw.psv'))) {
  mkdirSync(work, { recursive: true });
  copyFileSync(raw, join(work, 'raw.psv'));
  copyFileSync(meta, join(work, 'meta.psv'));
  writeFileSync(join(work, 'capture.json'), JSON.stringify({ gateway: GATEWAY, network: 'bench', output: join(cache, 'recovered.mstrace'), startedAt: '2026-01-01T00:00:00Z' }));
}

const out = join(cache, `out-${process.pid}`);
const scratch = join(cache, `scratch-${process.pid}.mstrace`);
const fresh = (...paths: string[]) => () => paths.forEach((p) => rmSync(p, { recursive: true, force: true }));
const copyTo = (src: string) => () => copyFileSync(src, scratch);

interface Row {
  label: string;
  argv: string[];
  before?: () => void;
  owner?: string;
}
const rows = (b: string, tag: string): Row[] => [
  { label: `${tag} render -t dag`, argv: ['render', '-i', b, '-t', 'dag', '-o', out], before: fresh(out) },
  { label: `${tag} render -t dag --links`, argv: ['render', '-i', b, '-t', 'dag', '--links', '-o', out], before: fresh(out) },
  { label: `${tag} render -t dag -r -f`, argv: ['render', '-i', b, '-t', 'dag', '-r', '-f', '-o', out], before: fresh(out) },
  { label: `${tag} render -t custom`, argv: ['render', '-i', b, '-t', 'custom', '-o', out], before: fresh(out) },
  { label: `${tag} render -t custom -r`, argv: ['render', '-i', b, '-t', 'custom', '-r', '-o', out], before: fresh(out) },
  { label: `${tag} render custom by-probe`, argv: ['render', '-i', b, '-t', 'custom', '--handlers', 'count-by-probe', '-o', out], before: fresh(out) },
  { label: `${tag} export chrome`, argv: ['export', '-i', b, '--format', 'chrome', '-o', out], before: fresh(out) },
  { label: `${tag} export jaeger`, argv: ['export', '-i', b, '--format', 'jaeger', '-o', out], before: fresh(out) },
  { label: `${tag} export otlp`, argv: ['export', '-i', b, '--format', 'otlp', '-o', out], before: fresh(out) },
  { label: `${tag} export svg -n 1-3`, argv: ['export', '-i', b, '--format', 'svg', '-n', '1-3', '-o', out], before: fresh(out) },
  { label: `${tag} bundle export`, argv: ['bundle', 'export', '-i', b, '-o', out], before: fresh(out) },
  { label: `${tag} bundle verify`, argv: ['bundle', 'verify', b] },
  { label: `${tag} sql count(*) records`, argv: ['sql', '-i', b, 'SELECT count(*) FROM records'] },
  { label: `${tag} sql * records`, argv: ['sql', '-i', b, 'SELECT * FROM records'] },
  { label: `${tag} sql * spans --json`, argv: ['sql', '-i', b, '--json', 'SELECT * FROM spans'] },
  { label: `${tag} generate -i bundle`, argv: ['generate', '-i', scratch], before: copyTo(b) },
  { label: `${tag} generate -i b --model original`, argv: ['generate', '-i', scratch, '--model', 'original'], before: copyTo(b) },
];
const all: Row[] = [
  ...rows(bundle, `${millions}M`),
  { label: `${millions}M render custom -l sorted`, argv: ['render', '-i', bundle, '-t', 'custom', '-l', sorted, '-o', out], before: fresh(out) },
  { label: `${millions}M bundle recover`, argv: ['bundle', 'recover', work, '-o', scratch], before: fresh(scratch) },
  { label: `${millions}M sort`, argv: ['sort', '-i', raw, '-o', join(cache, 'resorted.psv')], before: fresh(join(cache, 'resorted.psv')), owner: 'sort (helper B)' },
  { label: `${millions}M generate`, argv: ['generate', '-i', sorted, '-m', meta, '-g', GATEWAY, '-o', scratch], before: fresh(scratch), owner: 'generate (helper A)' },
  { label: `${millions}M bundle import`, argv: ['bundle', 'import', '-i', raw, '-m', meta, '-g', GATEWAY, '-o', scratch], before: fresh(scratch), owner: 'import (helper A)' },
  ...rows(kaBundle, 'ka'),
];

const info = (p: string) => `${(statSync(p).size / 1e6).toFixed(0)} MB`;
console.log(`peak RSS per command: ${copies} copies of mixed50 (${bundle}, ${info(bundle)}) and keep-alive ${kaRecords} records (${info(kaBundle)}); one run each`);
console.log(`${'command'.padEnd(34)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'peak RSS'.padStart(9)}  verdict`);
let over = 0;
// Start-up (issue 13: under 100 ms of a command's own): each run paired with a bare `node -e 0`
// just before it, the difference taken pair by pair, the median of 9 pairs (a shared machine's
// load moves both alike).
if (only.length === 0 || only.includes('start-up')) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sample = join(root, 'samples', 'seq20.mstrace');
  for (const [label, argv] of [['--help', ['--help']], ['render -t custom (sample)', ['render', '-i', sample, '-t', 'custom']]] as const) {
    const pairs = Array.from({ length: 9 }, () => [runCommand('-e', ['0']), runCommand(BIN, [...argv])] as const);
    const wall = median(pairs.map(([, c]) => c.seconds));
    const own = median(pairs.map(([n, c]) => c.seconds - n.seconds)) * 1000;
    const ownCpu = median(pairs.map(([n, c]) => (c.cpuSeconds ?? NaN) - (n.cpuSeconds ?? NaN))) * 1000;
    const cpu = median(pairs.map(([, c]) => c.cpuSeconds ?? NaN));
    const rss = Math.max(...pairs.map(([, c]) => c.maxRssMB ?? NaN));
    console.log(`${label.padEnd(34)} ${wall.toFixed(2).padStart(7)} ${cpu.toFixed(2).padStart(7)} ${`${rss.toFixed(0)} MB`.padStart(9)}  ${own.toFixed(0)} ms own wall (${ownCpu.toFixed(0)} ms CPU) beyond bare node: ${own < 100 ? 'under' : 'OVER'} 100 ms`);
  }
}
for (const r of all) {
  if ((only.length > 0 && !only.some((w) => r.label.includes(w))) || skip.some((w) => r.label.includes(w))) continue;
  r.before?.();
  let run: CommandRun;
  try {
    run = runCommand(BIN, r.argv);
  } catch (e) {
    console.log(`${r.label.padEnd(34)} failed: ${(e as Error).message.split('\n').slice(0, 3).join(' / ')}`);
    over++;
    continue;
  }
  const rss = run.maxRssMB ?? NaN;
  const ok = rss < LIMIT_MB;
  if (!ok) over++;
  const verdict = `${ok ? 'under' : 'OVER'} 1 GB${r.owner ? ` (${r.owner})` : ''}`;
  console.log(`${r.label.padEnd(34)} ${run.seconds.toFixed(2).padStart(7)} ${(run.cpuSeconds ?? NaN).toFixed(2).padStart(7)} ${`${rss.toFixed(0)} MB`.padStart(9)}  ${verdict}`);
}
fresh(out, scratch)();
console.log(over === 0 ? 'every command under 1 GB' : `${over} command(s) over 1 GB or failed`);
process.exitCode = over === 0 ? 0 : 1;

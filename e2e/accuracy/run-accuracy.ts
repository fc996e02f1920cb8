import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import { removeStaleDemoResources } from '../demo-app/demo-app.js';
import { captureEnvironment } from '../helpers/capture-env.js';
import { formatTable } from './accuracy-table.js';
import { FULL, InterruptedError, runAccuracy, SHORT } from './accuracy-suite.js';
import { cliOffer, requireBuiltCli } from './cli-runner.js';
import { keptRunDirs, recheckRun } from './kept-runs.js';
import { belowFloors, readFloors } from './floors.js';

// `npm run accuracy [-- --short] [-- --out FILE]` (USAGE below for the rest): captures the demo app, checks every request's
// trace against the services' own logs, prints the table and writes it as JSON. --short is the CI
// version: concurrency 1 and 8, both backends, the causal probe set (the capture's own pick where
// it has no such set); it exits 1 when a model falls below its floor
// (thresholds.json), 3 when this machine cannot capture.

const USAGE =
  'usage: npm run accuracy -- [--short] [--out FILE.json] [--concurrency 1,8] [--backends ftrace,bpftrace] [--keep-alive on|off|both]\n' +
  '                           [--per-endpoint N] [--keep DIR] [--settle S]\n' +
  '       --settle S: wait S seconds between the capture attached and the requests (a capture started on an idle app)\n' +
  '       npm run accuracy -- --recheck DIR [--out FILE.json]   (checks kept captures again with this build, no capture)';
const VALUED = ['--out', '--concurrency', '--backends', '--keep-alive', '--per-endpoint', '--keep', '--recheck', '--settle'];

function parseArgs(args: string[]): Map<string, string> | string {
  const m = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--short') m.set(a, '');
    else if (VALUED.includes(a)) {
      if (args[i + 1] === undefined) return `accuracy: ${a} needs a value`;
      m.set(a, args[++i]!);
    } else return `accuracy: unknown argument ${a}`;
  }
  return m;
}

function numbers(v: string, flag: string): number[] {
  const n = v.split(',').map(Number);
  if (n.some((x) => !Number.isInteger(x) || x < 1)) throw new UsageError(`accuracy: ${flag} takes positive whole numbers separated by commas, got ${v}`);
  return n;
}

class UsageError extends Error {}

function writeJson(out: string, value: unknown): void {
  mkdirSync(dirname(out), { recursive: true });
  // Written whole or not at all: a reader never sees half a table.
  writeFileSync(`${out}.partial-${process.pid}`, `${JSON.stringify(value, null, 1)}\n`);
  renameSync(`${out}.partial-${process.pid}`, out);
}

function recheck(root: string, out: string): number {
  const t0 = Date.now();
  const offer = cliOffer();
  const rows = keptRunDirs(root).flatMap((d) => recheckRun(d, offer.models));
  console.log(formatTable(rows));
  writeJson(out, { recheck: root, offer, seconds: (Date.now() - t0) / 1000, rows });
  console.error(`wrote ${out} (${rows.length} rows from the captures kept in ${root})`);
  return 0;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    console.error(`${parsed}\n${USAGE}`);
    return 2;
  }
  const short = parsed.has('--short');
  const outArg = parsed.get('--out');
  const out = resolve(outArg ?? join(PROJECT_ROOT, 'test-results', parsed.has('--recheck') ? 'accuracy-recheck.json' : short ? 'accuracy-short.json' : 'accuracy.json'));
  requireBuiltCli();
  if (parsed.has('--recheck')) return recheck(resolve(parsed.get('--recheck')!), out);
  const base = short ? SHORT : FULL;
  const ka = parsed.get('--keep-alive');
  if (ka !== undefined && !['on', 'off', 'both'].includes(ka)) throw new UsageError(`accuracy: --keep-alive takes on, off or both, got ${ka}`);
  const plan = {
    ...base,
    ...(parsed.has('--concurrency') ? { concurrency: numbers(parsed.get('--concurrency')!, '--concurrency') } : {}),
    ...(parsed.has('--backends') ? { backends: parsed.get('--backends')!.split(',') } : {}),
    ...(ka ? { keepAlive: ka === 'both' ? [false, true] : [ka === 'on'] } : {}),
    ...(parsed.has('--per-endpoint') ? { perEndpoint: numbers(parsed.get('--per-endpoint')!, '--per-endpoint')[0]! } : {}),
    ...(parsed.has('--keep') ? { keepDir: resolve(parsed.get('--keep')!) } : {}),
    ...(parsed.has('--settle') ? { settleMs: numbers(parsed.get('--settle')!, '--settle')[0]! * 1000 } : {}),
  };
  const env = await captureEnvironment();
  if (env.skipReason) {
    console.error(`accuracy: this machine cannot capture: ${env.skipReason}`);
    return 3;
  }
  for (const r of await removeStaleDemoResources()) console.error(`removed stale ${r}`);
  const t0 = Date.now();
  // Ctrl-C: the capture under way ends, then the demo app is removed (nothing left running).
  const ac = new AbortController();
  const onSignal = () => {
    console.error('accuracy: interrupted; finishing the current capture and removing the demo app...');
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await runAccuracy({ ...plan, workDir: join(tmpdir(), `misertrace-accuracy-${process.pid}`), log: (l) => console.error(l), signal: ac.signal });
  } catch (e) {
    if (e instanceof InterruptedError) return 130;
    throw e;
  }
  const { rows, offer } = result;
  console.log(formatTable(rows));
  writeJson(out, { short, plan: { ...plan, workDir: undefined }, offer, seconds: (Date.now() - t0) / 1000, rows });
  console.error(`wrote ${out} (${rows.length} rows, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (!short) return 0;
  const below = belowFloors(rows, readFloors());
  for (const b of below) console.error(`below floor: ${b}`);
  return below.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : `accuracy: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);

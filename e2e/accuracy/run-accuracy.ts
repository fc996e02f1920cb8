import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';
import { removeStaleDemoResources } from '../demo-app/demo-app.js';
import { captureEnvironment } from '../helpers/capture-env.js';
import { formatTable } from './accuracy-table.js';
import { FULL, InterruptedError, runAccuracy, SHORT } from './accuracy-suite.js';
import { belowFloors, readFloors } from './floors.js';

// `npm run accuracy [-- --short] [-- --out FILE]`: captures the demo app, checks every request's
// trace against the services' own logs, prints the table and writes it as JSON. --short is the CI
// version: concurrency 1 and 8, both backends, the causal probe set (the capture's own pick where
// it has no such set); it exits 1 when a model falls below its floor
// (thresholds.json), 3 when this machine cannot capture.

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a, i) => !['--short', '--out'].includes(a) && args[i - 1] !== '--out');
  if (unknown.length > 0) {
    console.error(`accuracy: unknown argument ${unknown[0]}\nusage: npm run accuracy [-- --short] [-- --out FILE.json]`);
    return 2;
  }
  const short = args.includes('--short');
  const outIdx = args.indexOf('--out');
  const out = resolve(outIdx >= 0 && args[outIdx + 1] ? args[outIdx + 1]! : join(PROJECT_ROOT, 'test-results', short ? 'accuracy-short.json' : 'accuracy.json'));
  const env = await captureEnvironment();
  if (env.skipReason) {
    console.error(`accuracy: this machine cannot capture: ${env.skipReason}`);
    return 3;
  }
  for (const r of await removeStaleDemoResources()) console.error(`removed stale ${r}`);
  const t0 = Date.now();
  const plan = short ? SHORT : FULL;
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
  mkdirSync(dirname(out), { recursive: true });
  // Written whole or not at all: a reader never sees half a table.
  writeFileSync(`${out}.partial-${process.pid}`, `${JSON.stringify({ short, offer, seconds: (Date.now() - t0) / 1000, rows }, null, 1)}\n`);
  renameSync(`${out}.partial-${process.pid}`, out);
  console.error(`wrote ${out} (${rows.length} rows, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (!short) return 0;
  const below = belowFloors(rows, readFloors());
  for (const b of below) console.error(`below floor: ${b}`);
  return below.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`accuracy: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

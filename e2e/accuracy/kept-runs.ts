import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentRequest } from '../demo-app/load-generator.js';
import { pct, type AccuracyRow } from './accuracy-table.js';
import { bundlesPerModel } from './cli-runner.js';
import { checkTraces, evaluate } from './evaluate.js';
import type { GroundTruth } from './ground-truth.js';
import type { GtHandler } from './truth-tree.js';

// `npm run accuracy -- --keep DIR` keeps each capture with what checking it needs (the requests
// sent, the services' logs, the container roles); `--recheck DIR` checks them again with this
// build's models without capturing. Why: a capture under load takes a minute and is never the same
// twice, while a change to the model is judged best on the very records that showed the problem.

export interface KeptRun {
  backend: string;
  probeSet: string;
  concurrency: number;
  keepAlive: boolean;
  exitCode: number;
  gtBase: string;
  roles: Record<string, string>;
  sent: (Omit<SentRequest, 'startNs' | 'endNs'> & { startNs: string; endNs: string })[];
  gt: { byRid: [string, GtHandler[]][]; unmapped: number };
}

export interface RunFacts {
  backend: string;
  probeSet: string;
  concurrency: number;
  keepAlive: boolean;
  exitCode: number;
}

/** Copies the capture and writes run.json beside it (whole or not at all). */
export function keepRun(dir: string, bundle: string, facts: RunFacts, sent: readonly SentRequest[], gt: GroundTruth, gtBase: bigint, roles: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundle, join(dir, 'capture.mstrace'));
  const kept: KeptRun = {
    ...facts,
    gtBase: String(gtBase),
    roles,
    sent: sent.map((s) => ({ ...s, startNs: String(s.startNs), endNs: String(s.endNs) })),
    gt: { byRid: [...gt.byRid.entries()], unmapped: gt.unmapped },
  };
  writeFileSync(join(dir, 'run.json.partial'), JSON.stringify(kept));
  renameSync(join(dir, 'run.json.partial'), join(dir, 'run.json'));
}

/** The kept runs under `root` (folders holding run.json), in name order. */
export function keptRunDirs(root: string): string[] {
  if (!existsSync(root)) throw new Error(`${root}: no such folder (make one with \`npm run accuracy -- --keep ${root}\`)`);
  const dirs = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'run.json')))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (dirs.length === 0) throw new Error(`${root}: no kept runs in it (make them with \`npm run accuracy -- --keep ${root}\`)`);
  return dirs.map((d) => join(root, d));
}

/** Checks one kept run again: every model regenerates the kept records, then request by request. */
export function recheckRun(dir: string, models: readonly string[]): AccuracyRow[] {
  const k = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as KeptRun;
  const sent: SentRequest[] = k.sent.map((s) => ({ ...s, startNs: BigInt(s.startNs), endNs: BigInt(s.endNs) }));
  const gt: GroundTruth = { byRid: new Map(k.gt.byRid), untimed: new Map(), unmapped: k.gt.unmapped };
  const work = join(dir, 'models');
  mkdirSync(work, { recursive: true });
  return checkRun(bundlesPerModel(join(dir, 'capture.mstrace'), models, work, true), (c) => k.roles[c] ?? c, sent, gt, BigInt(k.gtBase), k);
}

/** One capture's rows: each model's bundle checked request by request against the ground truth. */
export function checkRun(bundles: Map<string, string>, roleOf: (container: string) => string, sent: readonly SentRequest[], gt: GroundTruth, gtBase: bigint, facts: RunFacts): AccuracyRow[] {
  const rows: AccuracyRow[] = [];
  for (const [model, path] of bundles) {
    const { traces, base } = checkTraces(path, roleOf);
    for (const r of evaluate(sent, gt, gtBase, traces, base)) {
      rows.push({ ...r, backend: facts.backend, probeSet: facts.probeSet, model, concurrency: facts.concurrency, keepAlive: facts.keepAlive, correctPct: pct(r.correct, r.requests), partial: facts.exitCode === 1 });
    }
  }
  return rows;
}

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { DemoApp } from '../demo-app/demo-app.js';
import { planRequests } from '../demo-app/endpoints.js';
import { sendRequests } from '../demo-app/load-generator.js';
import type { AccuracyRow } from './accuracy-table.js';
import { bundlesPerModel, captureWhile, cliOffer, requireBuiltCli } from './cli-runner.js';
import { bundleBase } from './evaluate.js';
import { collectGroundTruth, type GtSource } from './ground-truth.js';
import { checkRun, keepRun } from './kept-runs.js';

// The accuracy runs: the demo app captured with every backend and probe set the CLI offers, at
// several concurrencies, keep-alive off and on; every model the CLI offers generates traces from
// each capture's records, checked request by request against the services' own logs.

export interface SuiteOptions {
  concurrency: number[];
  keepAlive: boolean[];
  backends: string[];
  perEndpoint: number;
  /** Every probe set the capture offers, or one: the causal model's (`causal`) if offered, else the capture's pick. */
  allProbeSets: boolean;
  workDir: string;
  log?: (line: string) => void;
  /** Aborted: no new capture starts; the app is removed and runAccuracy rejects with InterruptedError. */
  signal?: AbortSignal;
  /** Keep each capture and its ground truth here (kept-runs.ts), to check again with `--recheck`. */
  keepDir?: string;
  /** Wait this long between attach and the requests: the connections the app pooled before go idle, as on a capture started on a running app (learning switched off, docs/adr/0106). */
  settleMs?: number;
}

export class InterruptedError extends Error {}

export const FULL = { concurrency: [1, 2, 4, 8, 16], keepAlive: [false, true], backends: ['ftrace', 'bpftrace'], perEndpoint: 20, allProbeSets: true };
export const SHORT = { concurrency: [1, 8], keepAlive: [false], backends: ['ftrace', 'bpftrace'], perEndpoint: 8, allProbeSets: false };

/** Where each service of the demo app keeps its ground truth. */
export function demoSources(app: DemoApp): GtSource[] {
  const out: GtSource[] = [];
  for (const c of app.containers.values()) {
    // Third-party servers log nothing of ours: the checker knows them by role and their caller's window.
    if (c.role === 'proxy' || c.role === 'redis' || c.role === 'db') continue;
    if (c.role === 'kvstore') out.push({ role: c.role, ip: c.ip, port: 7000, via: { line: '__GT' }, containerId: c.id });
    else if (c.role === 'catalog') out.push({ role: c.role, ip: c.ip, port: 8080, via: { http: '/gt.log' }, containerId: c.id });
    else out.push({ role: c.role, ip: c.ip, port: 8080, via: { http: '/__gt' }, containerId: c.id });
  }
  return out;
}

export async function runAccuracy(o: SuiteOptions): Promise<{ rows: AccuracyRow[]; offer: ReturnType<typeof cliOffer> }> {
  requireBuiltCli();
  const log = o.log ?? (() => undefined);
  const offer = cliOffer();
  const modelOffered = offer.models.length > 1 || offer.models[0] !== 'original';
  log(`models: ${offer.models.join(', ')}; probe sets: ${offer.probeSets.length > 0 ? offer.probeSets.join(', ') : '(the capture has one built-in set)'}`);
  const docker = new Docker();
  const app = new DemoApp({ docker, log, thirdParty: true });
  const rows: AccuracyRow[] = [];
  mkdirSync(o.workDir, { recursive: true });
  try {
    await app.up();
    const roleOf = (c: string) => app.roleOf(c) ?? c;
    let n = 0;
    for (const backend of o.backends) {
      const oneSet = offer.probeSets.includes('causal') ? 'causal' : null;
      for (const probeSet of o.allProbeSets && offer.probeSets.length > 0 ? offer.probeSets : [oneSet]) {
        for (const keepAlive of o.keepAlive) {
          for (const concurrency of o.concurrency) {
            if (o.signal?.aborted) throw new InterruptedError('interrupted');
            const dir = join(o.workDir, `run${n}`);
            mkdirSync(dir, { recursive: true });
            const ridPrefix = `${app.runId}r${n++}`;
            const t0 = Date.now();
            const { run, result: sent } = await captureWhile(app.network, join(dir, 'capture.mstrace'), backend, probeSet, async () => {
              if (o.settleMs) await new Promise((r) => setTimeout(r, o.settleMs));
              return sendRequests(app.url, planRequests(o.perEndpoint, true), concurrency, { keepAlive, ridPrefix });
            });
            if (process.env.ACCURACY_DEBUG) log(run.stderr);
            // Without --probe-set the capture says which set it chose.
            const setName = probeSet ?? /probe set: ([a-z-]+)/.exec(run.stderr)?.[1] ?? 'default';
            const gtBase = bundleBase(run.bundle);
            const gt = await collectGroundTruth(docker, demoSources(app), ridPrefix, gtBase);
            if (o.keepDir) {
              const roles = Object.fromEntries([...app.containers.values()].flatMap((c) => [app.containerName(c.role), `/${app.containerName(c.role)}`].map((n) => [n, c.role])));
              keepRun(join(o.keepDir, `run${n - 1}`), run.bundle, { backend, probeSet: setName, concurrency, keepAlive, exitCode: run.exitCode }, sent, gt, gtBase, roles);
            }
            rows.push(...checkRun(bundlesPerModel(run.bundle, offer.models, dir, modelOffered), roleOf, sent, gt, gtBase, { backend, probeSet: setName, concurrency, keepAlive, exitCode: run.exitCode }));
            const last = rows.filter((r) => r.concurrency === concurrency && r.backend === backend && r.keepAlive === keepAlive && r.probeSet === setName);
            log(
              `${backend}/${setName} c=${concurrency} keep-alive ${keepAlive ? 'on' : 'off'}: ${sent.length} requests, ${((Date.now() - t0) / 1000).toFixed(1)} s (attach ${run.ms.attach} ms, load ${run.ms.work} ms, finish ${run.ms.finish} ms)` +
                `${gt.unmapped > 0 ? `, ${gt.unmapped} log records with no host tid` : ''}${run.exitCode === 1 ? ', PARTIAL capture' : ''}; ` +
                last.map((r) => `${r.model} ${r.endpoint} ${r.correctPct}%`).join(', '),
            );
            rmSync(dir, { recursive: true, force: true });
          }
        }
      }
    }
  } finally {
    await app.down();
    rmSync(o.workDir, { recursive: true, force: true });
  }
  return { rows, offer };
}

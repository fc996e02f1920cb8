import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { ENDPOINTS } from '../demo-app/endpoints.js';
import type { SentRequest } from '../demo-app/load-generator.js';
import { checkRequests, tally, type AccuracyCounts, type CheckTrace, type RequestCheck } from './checker.js';
import type { GroundTruth } from './ground-truth.js';
import { truthTree, type GtHandler, type TruthNode } from './truth-tree.js';

// One bundle against the ground truth of the requests sent while it was captured: a verdict per
// request, tallied per endpoint.

export function bundleBase(path: string): bigint {
  const b = Bundle.open(path);
  try {
    return BigInt(b.manifest.timeBaseNs);
  } finally {
    b.close();
  }
}

export function checkTraces(path: string, roleOf: (container: string) => string): { traces: CheckTrace[]; base: bigint } {
  const b = Bundle.open(path);
  try {
    const traces = b.traces().map((t) => ({
      id: t.id,
      spans: t.spans.map((s) => ({ parent: s.parent, kind: s.kind, tid: s.tid, role: roleOf(s.container), start: s.start, end: s.end, link: s.link })),
    }));
    return { traces, base: BigInt(b.manifest.timeBaseNs) };
  } finally {
    b.close();
  }
}

export interface EndpointResult extends AccuracyCounts {
  endpoint: string;
  /** Requests the ground truth could not describe (a service logged nothing for them): not checked. */
  unlogged: number;
  /** Requests that did not answer 200: not checked. */
  failed: number;
  /** A few examples of wrong verdicts, for a reader chasing a cause. */
  examples: string[];
}

/** Times of `gt` were relative to `from`; returns them relative to `to`. */
function shift(h: GtHandler, d: number): GtHandler {
  return { ...h, start: h.start + d, end: h.end + d, calls: h.calls.map((c) => ({ ...c, start: c.start + d, end: c.end + d })) };
}

export function evaluate(sent: readonly SentRequest[], gt: GroundTruth, gtBase: bigint, traces: readonly CheckTrace[], base: bigint): EndpointResult[] {
  const d = Number(gtBase - base);
  const checks = new Map<string, RequestCheck[]>();
  const out = new Map<string, EndpointResult>();
  for (const e of ENDPOINTS) {
    if (!sent.some((s) => s.endpoint === e.name)) continue;
    checks.set(e.name, []);
    out.set(e.name, { endpoint: e.name, ...tally([]), unlogged: 0, failed: 0, examples: [] });
  }
  // Every request's true tree first: the traces are checked against all of them at once.
  const todo: { s: SentRequest; truth: TruthNode }[] = [];
  for (const s of sent) {
    const e = ENDPOINTS.find((x) => x.name === s.endpoint)!;
    const r = out.get(e.name)!;
    if (s.status !== 200 || s.rid === undefined) {
      r.failed++;
      continue;
    }
    const truth = truthTree(
      e.truth,
      (gt.byRid.get(s.rid) ?? []).map((h) => shift(h, d)),
      { start: Number(s.startNs - base), end: Number(s.endNs - base) },
    );
    if (!truth) r.unlogged++;
    else todo.push({ s, truth });
  }
  const results = checkRequests(
    todo.map((x) => x.truth),
    traces,
  );
  for (const [k, { s, truth }] of todo.entries()) {
    const c = results[k]!;
    const r = out.get(s.endpoint)!;
    checks.get(s.endpoint)!.push(c);
    if (process.env.ACCURACY_DEBUG && (c.verdict !== 'correct' || process.env.ACCURACY_DEBUG === 'all')) {
      const t = traces.find((x) => x.id === c.traceId);
      console.error(JSON.stringify({ rid: s.rid, verdict: c.verdict, detail: c.detail, truth, spans: t?.spans }));
    }
    if (c.verdict !== 'correct' && r.examples.length < 3) r.examples.push(`${s.rid}: ${c.verdict} (${c.detail})`);
  }
  return [...out.values()].map((r) => ({ ...r, ...tally(checks.get(r.endpoint)!) }));
}

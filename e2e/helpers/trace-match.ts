import { Bundle } from '../../engine/bundle/bundle-reader.js';
import type { DemoApp } from '../demo-app/demo-app.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { ENDPOINTS, treeOf, treeShape } from '../demo-app/endpoints.js';
import type { SentRequest } from '../demo-app/load-generator.js';

// Compares a capture's request traces with the requests the load generator sent: each trace's
// shape (containers by role, span kinds, nesting) against its endpoint's known tree, and its root
// span's start against the request's CLOCK_MONOTONIC window.

export interface TraceView {
  id: number;
  shape: string;
  /** Absolute CLOCK_MONOTONIC ns of the root span's start. */
  rootStartNs: bigint;
}

export function traceViews(bundle: Bundle, app: DemoApp): TraceView[] {
  const base = BigInt(bundle.manifest.timeBaseNs);
  return bundle.traces().map((t) => ({
    id: t.id,
    shape: treeShape(t.spans.map((s) => ({ parent: s.parent, kind: s.kind, role: app.roleOf(s.container) ?? s.container }))),
    rootStartNs: base + BigInt(Math.round(t.spans[0]!.start)),
  }));
}

/** The tree `model` (the default model when absent) gives a request of `endpoint`. */
export function expectedShape(endpoint: string, model?: ModelName): string {
  const e = ENDPOINTS.find((x) => x.name === endpoint);
  if (!e) throw new Error(`unknown endpoint ${endpoint}`);
  return treeOf(e, model);
}

export interface MatchReport {
  requests: number;
  traces: number;
  /** Requests matched to exactly one trace of the right shape that started inside the request's window. */
  correct: number;
  byEndpoint: Record<string, { sent: number; correct: number }>;
  /** Shapes of traces that matched no request, with counts. */
  unmatchedShapes: Record<string, number>;
}

/**
 * Greedy matching in time order: each trace (by root start) takes the earliest unmatched request
 * of the endpoint its shape belongs to whose [start, end] window contains the root's start.
 */
export function matchTraces(sent: readonly SentRequest[], traces: readonly TraceView[], model?: ModelName): MatchReport {
  const byShape = new Map<string, string>(ENDPOINTS.map((e) => [treeOf(e, model), e.name]));
  const open = new Map<string, SentRequest[]>();
  for (const r of [...sent].sort((a, b) => (a.startNs < b.startNs ? -1 : 1))) {
    const l = open.get(r.endpoint) ?? [];
    l.push(r);
    open.set(r.endpoint, l);
  }
  const byEndpoint: MatchReport['byEndpoint'] = {};
  for (const e of ENDPOINTS) {
    const n = sent.filter((s) => s.endpoint === e.name).length;
    if (n > 0) byEndpoint[e.name] = { sent: n, correct: 0 };
  }
  const unmatchedShapes: Record<string, number> = {};
  let correct = 0;
  for (const t of [...traces].sort((a, b) => (a.rootStartNs < b.rootStartNs ? -1 : 1))) {
    const endpoint = byShape.get(t.shape);
    const candidates = endpoint ? open.get(endpoint) : undefined;
    const i = candidates?.findIndex((r) => r.startNs <= t.rootStartNs && t.rootStartNs <= r.endNs) ?? -1;
    if (endpoint && candidates && i >= 0) {
      candidates.splice(i, 1);
      byEndpoint[endpoint]!.correct++;
      correct++;
    } else {
      unmatchedShapes[t.shape] = (unmatchedShapes[t.shape] ?? 0) + 1;
    }
  }
  return { requests: sent.length, traces: traces.length, correct, byEndpoint, unmatchedShapes };
}

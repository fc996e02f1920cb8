import type { TruthNode } from './truth-tree.js';

// Checks one request's true tree against a capture's traces: find the one trace that claims it
// (its root span is the root service's handling: same thread, interval containing the handler),
// then find every true node in that trace, under the span of its true parent. Verdicts, first
// that applies: missing (no trace claims it, or a part is in no trace), split (a part is in
// another trace, or the root handling is cut across spans), merged (the trace holds spans that are not this request's), wrong parent (a part
// is in the trace under another span), correct.

export interface CheckSpan {
  parent: number;
  kind: 'network' | 'fork';
  tid: number;
  role: string;
  start: number;
  end: number;
  link?: { rule: string; exact: boolean };
}

export interface CheckTrace {
  id: number;
  spans: CheckSpan[];
}

export type Verdict = 'correct' | 'merged' | 'split' | 'wrong-parent' | 'missing';
export const VERDICTS: readonly Verdict[] = ['correct', 'merged', 'split', 'wrong-parent', 'missing'];

export interface RequestCheck {
  verdict: Verdict;
  traceId: number | null;
  /** Why, in a few words (the first problem found). */
  detail: string;
  /**
   * Inferred (not exact) links in the claimed trace (its parts, and other requests' parts linked
   * into it), and how many put a part of this request under its true parent.
   */
  inferred: number;
  inferredRight: number;
  /** The same per rule (`last-read`, `slice`, `pipelined`, ...): [links, right]. */
  byRule: Record<string, [number, number]>;
}

/**
 * How far a span boundary may sit on the wrong side of a logged time. The logs take the handler's
 * start after the read that brought the request and its end before the write of the reply, so a
 * span (first receive .. last send) contains them by causality, and a callee's last send precedes
 * its caller's end of reply: no slack is needed (measured: at least 30 us inside on both backends,
 * docs/adr/0045). Kept as a parameter for models that place boundaries differently.
 */
export const TOLERANCE_NS = 0;

/** Whether span `s` is node `n`'s part: kind, role, thread, handler inside it, it inside the caller's window. */
export function spanFits(s: CheckSpan, n: TruthNode, tol = TOLERANCE_NS, ignoreWindow = false): boolean {
  if (s.kind !== n.kind || s.role !== n.role) return false;
  if (n.tid !== undefined && s.tid !== n.tid) return false;
  if (n.handler && !(s.start <= n.handler.start + tol && s.end >= n.handler.end - tol)) return false;
  if (!ignoreWindow && n.window && !(s.start >= n.window.start - tol && s.end <= n.window.end + tol)) return false;
  return true;
}

export function checkRequest(truth: TruthNode, traces: readonly CheckTrace[], tol = TOLERANCE_NS): RequestCheck {
  return checkRequests([truth], traces, tol)[0]!;
}

/** The traces whose root span is this request's root handling. */
function claimsOf(truth: TruthNode, traces: readonly CheckTrace[], tol: number): CheckTrace[] {
  return traces.filter((t) => t.spans.length > 0 && spanFits(t.spans[0]!, truth, tol));
}

/**
 * Checks every request of one capture at once. On an event loop the root spans of concurrent
 * requests overlap, so one request's root handling can fit several traces' roots (each contains
 * the handler and lies in the load generator's window): each trace stands for at most one
 * request, and a request is correct when a trace matches it wholly and no other request needs
 * that trace (a maximum matching of requests to the traces that match them wholly). Verdicts of
 * the other requests come from the claims left to them.
 */
export function checkRequests(truths: readonly TruthNode[], traces: readonly CheckTrace[], tol = TOLERANCE_NS): RequestCheck[] {
  const claims = truths.map((n) => claimsOf(n, traces, tol));
  const verdicts = truths.map((n, i) => claims[i]!.map((t) => checkIn(n, t, traces, tol)));
  // Kuhn's augmenting paths over the "matches wholly" edges: a few hundred requests a capture.
  const owner = new Map<number, number>();
  const tryAssign = (i: number, seen: Set<number>): boolean => {
    for (const [k, t] of claims[i]!.entries()) {
      if (verdicts[i]![k]!.verdict !== 'correct' || seen.has(t.id)) continue;
      seen.add(t.id);
      const o = owner.get(t.id);
      if (o === undefined || tryAssign(o, seen)) {
        owner.set(t.id, i);
        return true;
      }
    }
    return false;
  };
  truths.forEach((_, i) => tryAssign(i, new Set()));
  const mine = new Map([...owner].map(([tid, i]) => [i, tid]));
  const rank: Verdict[] = ['correct', 'wrong-parent', 'merged', 'split', 'missing'];
  return truths.map((n, i) => {
    const cs = claims[i]!;
    if (cs.length === 0) return unclaimed(n, traces, tol);
    const matched = mine.get(i);
    if (matched !== undefined) return verdicts[i]![cs.findIndex((t) => t.id === matched)]!;
    // No trace of its own: the best of the claims no other request matched wholly.
    const free = verdicts[i]!.filter((_, k) => !owner.has(cs[k]!.id));
    if (free.length === 0) {
      const other = owner.get(cs[0]!.id)!;
      return { ...verdicts[i]![0]!, verdict: 'merged', detail: `its only trace(s) ${cs.map((t) => t.id).join(', ')} match other requests (request #${other} of this capture) wholly` };
    }
    return free.sort((a, b) => rank.indexOf(a.verdict) - rank.indexOf(b.verdict))[0]!;
  });
}

/** No trace is rooted on its root handling: merged into another, cut in pieces, or missing. */
function unclaimed(truth: TruthNode, traces: readonly CheckTrace[], tol: number): RequestCheck {
  const none = { inferred: 0, inferredRight: 0, byRule: {} };
  // A span of the root's thread holds its whole handling but is not its own (below another
  // root, or a root reaching outside this request's window): another request's trace took it in.
  const inside = traces.find((t) => t.spans.some((s, i) => (i > 0 && spanFits(s, truth, tol)) || spanFits(s, truth, tol, true)));
  if (inside) return { verdict: 'merged', traceId: inside.id, detail: `its root is inside trace ${inside.id}`, ...none };
  // Spans of the root's thread that overlap its handling without containing it: cut in pieces.
  const h = truth.handler;
  const pieces = h ? traces.filter((t) => t.spans.some((s) => s.kind === truth.kind && s.role === truth.role && s.tid === truth.tid && s.start < h.end && s.end > h.start)) : [];
  return pieces.length > 0
    ? { verdict: 'split', traceId: pieces[0]!.id, detail: `its root handling is cut: ${pieces.length} trace(s) hold pieces of it`, ...none }
    : { verdict: 'missing', traceId: null, detail: 'no trace has its root span', ...none };
}

/** The request checked against trace `t`, one of the traces rooted on its root handling. */
function checkIn(truth: TruthNode, t: CheckTrace, traces: readonly CheckTrace[], tol: number): RequestCheck {
  const used = new Set<number>([0]);
  const problems: { verdict: Verdict; detail: string }[] = [];
  let inferred = 0;
  let inferredRight = 0;
  const byRule: Record<string, [number, number]> = {};
  const count = (rule: string, right: boolean) => {
    const r = (byRule[rule] ??= [0, 0]);
    r[0]++;
    if (right) r[1]++;
  };
  const walk = (n: TruthNode, at: number): void => {
    for (const c of n.children) {
      const fit = (i: number) => !used.has(i) && spanFits(t.spans[i]!, c, tol);
      let i = t.spans.findIndex((s, k) => s.parent === at && fit(k));
      const rightParent = i >= 0;
      if (i < 0) i = t.spans.findIndex((_, k) => fit(k));
      // The handling is in the trace (its thread, a span containing its handler) but that span runs
      // past the reply its caller got, or already stands for another part: spans were folded together.
      if (i < 0 && c.handler) {
        const loose = (x: number) => spanFits(t.spans[x]!, c, tol, true);
        const k = [...t.spans.keys()].sort((a, b) => Number(used.has(a)) - Number(used.has(b))).find(loose) ?? -1;
        if (k >= 0) {
          const folded = used.has(k);
          used.add(k);
          const where = `${c.kind === 'network' ? 'N' : 'F'}:${c.role}`;
          problems.push({ verdict: 'merged', detail: folded ? `${where} is folded into span ${k}` : `${where} span runs past its caller's reply` });
          if (!folded) walk(c, k);
          continue;
        }
      }
      if (i < 0) {
        const other = traces.find((o) => o !== t && o.spans.some((s) => spanFits(s, c, tol)));
        problems.push(
          other
            ? { verdict: 'split', detail: `${c.kind === 'network' ? 'N' : 'F'}:${c.role} is in trace ${other.id}` }
            : { verdict: 'missing', detail: `${c.kind === 'network' ? 'N' : 'F'}:${c.role} is in no trace` },
        );
        continue;
      }
      used.add(i);
      const link = t.spans[i]!.link;
      if (link && !link.exact) {
        inferred++;
        if (rightParent) inferredRight++;
        count(link.rule, rightParent);
      }
      if (!rightParent) problems.push({ verdict: 'wrong-parent', detail: `${c.kind === 'network' ? 'N' : 'F'}:${c.role} is under span ${t.spans[i]!.parent}` });
      walk(c, i);
    }
  };
  walk(truth, 0);
  const extra = t.spans.length - used.size;
  // Another request's part linked into this trace by an inference is a wrong inference.
  for (const [i, s] of t.spans.entries()) {
    if (used.has(i) || !s.link || s.link.exact) continue;
    inferred++;
    count(s.link.rule, false);
  }
  if (extra > 0) problems.push({ verdict: 'merged', detail: `${extra} span(s) of the trace are not this request's` });
  const order: Verdict[] = ['missing', 'split', 'merged', 'wrong-parent'];
  problems.sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));
  const first = problems[0];
  return { verdict: first?.verdict ?? 'correct', traceId: t.id, detail: first?.detail ?? '', inferred, inferredRight, byRule };
}

export interface AccuracyCounts {
  requests: number;
  correct: number;
  merged: number;
  split: number;
  'wrong-parent': number;
  missing: number;
  inferred: number;
  inferredRight: number;
  byRule: Record<string, [number, number]>;
}

export function tally(checks: readonly RequestCheck[]): AccuracyCounts {
  const c: AccuracyCounts = { requests: checks.length, correct: 0, merged: 0, split: 0, 'wrong-parent': 0, missing: 0, inferred: 0, inferredRight: 0, byRule: {} };
  for (const k of checks) {
    c[k.verdict]++;
    c.inferred += k.inferred;
    c.inferredRight += k.inferredRight;
    for (const [rule, [n, right]] of Object.entries(k.byRule)) {
      const r = (c.byRule[rule] ??= [0, 0]);
      r[0] += n;
      r[1] += right;
    }
  }
  return c;
}

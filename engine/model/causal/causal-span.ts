import type { LinkRule } from '../span-link.js';
import type { StateKind } from '../state.js';
import type { AssembledTrace, FlatSpan } from '../trace-assembly.js';
import type { RelNs } from '../time.js';

// The causal model's spans: a server's handling of one request on a connection (network) or a
// thread forked while its parent served a request (fork). Each knows its parent span and the
// rule that linked it; traces are assembled from the roots at the end.

export interface CausalSpan {
  /** Creation order: children are listed in it, traces are numbered by their root's. */
  serial: number;
  kind: StateKind;
  tid: number;
  container: string;
  ip: string;
  start: RelNs;
  end: RelNs;
  /** When the request's first bytes reached the server (network spans); start for forks. */
  firstData: RelNs;
  parent: CausalSpan | null;
  kids: CausalSpan[] | null;
  rule: LinkRule;
  exact: boolean;
  /** False while a server span waits for its client's request record (deferred bind). */
  bound: boolean;
  /** Its server began to answer it (network spans). */
  answered: boolean;
  /** Global index over all assembled traces (trace offset + index), -1 before assembly. */
  flat: number;
}

export function addKid(parent: CausalSpan, kid: CausalSpan): void {
  if (parent.kids === null) parent.kids = [kid];
  else parent.kids.push(kid);
}

/**
 * One trace per root, numbered from 1 in root creation order, spans in pre-order with children
 * in creation order; sets each span's `flat` index. Iterative: fork chains can be deep.
 * Spans no root reaches (a cycle from a wrong deferred bind) are reported through `unreached`.
 */
export function assembleCausal(roots: CausalSpan[], all: readonly CausalSpan[], unreached: (s: CausalSpan) => void): AssembledTrace[] {
  // A span is placed once it has its index (`flat`, -1 until then): no set of the spans seen.
  const seen = { has: (s: CausalSpan) => s.flat !== -1 };
  const out: AssembledTrace[] = [];
  let offset = 0;
  const walk = (root: CausalSpan) => {
    const spans: FlatSpan[] = [];
    const stack: { s: CausalSpan; parent: number; depth: number }[] = [{ s: root, parent: -1, depth: 0 }];
    while (stack.length > 0) {
      const { s, parent, depth } = stack.pop()!;
      if (seen.has(s)) continue;
      const index = spans.length;
      s.flat = offset + index;
      const kids = s.kids === null ? [] : s.kids.filter((k) => !seen.has(k)).sort((a, b) => a.serial - b.serial);
      spans.push({
        index,
        parent,
        depth,
        kind: s.kind,
        tid: s.tid,
        container: s.container,
        ip: s.ip,
        start: s.start,
        end: s.end,
        childCount: kids.length,
        link: { rule: s.rule, exact: s.exact },
      });
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ s: kids[i]!, parent: index, depth: depth + 1 });
    }
    out.push({ id: out.length + 1, spans });
    offset += spans.length;
  };
  roots.sort((a, b) => a.serial - b.serial);
  for (const r of roots) walk(r);
  for (const s of all) {
    if (seen.has(s)) continue;
    unreached(s);
    s.parent = null;
    s.rule = 'orphan';
    s.exact = false;
    walk(s);
  }
  return out;
}

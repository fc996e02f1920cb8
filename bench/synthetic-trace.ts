import type { SpanCounts } from '../engine/figure/layout-types.js';
import type { AssembledTrace, FlatSpan } from '../engine/model/trace-assembly.js';

// Synthetic request traces of any size for the figure benchmark and tests: a random tree in
// pre-order (children start inside their parent, in start order), durations spread over five
// orders of magnitude, a few containers, and per-span counts. Seeded, so every run is the same.

export interface SyntheticOptions {
  spans: number;
  seed?: number;
  /** Probability that a new span hangs under the most recent span (deeper trees) rather than a random one. */
  depthBias?: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONTAINERS = ['frontend', 'catalog', 'inventory', 'kvstore', 'payments', 'auth'];

interface Node {
  parent: number;
  kind: 'network' | 'fork';
  tid: number;
  container: string;
  start: number;
  end: number;
  kids: number[];
}

export function syntheticTrace(opts: SyntheticOptions): { trace: AssembledTrace; counts: SpanCounts[] } {
  const rnd = mulberry32(opts.seed ?? 1);
  const bias = opts.depthBias ?? 0.3;
  const nodes: Node[] = [{ parent: -1, kind: 'network', tid: 1000, container: CONTAINERS[0]!, start: 0, end: 50_000_000, kids: [] }];
  for (let i = 1; i < opts.spans; i++) {
    const p = rnd() < bias ? i - 1 : Math.floor(rnd() * i);
    const parent = nodes[p]!;
    const len = Math.max(0, parent.end - parent.start);
    const start = parent.start + Math.floor(rnd() * len * 0.9);
    const dur = Math.floor(10 ** (2 + rnd() * 5));
    const kind = rnd() < 0.6 ? 'network' : 'fork';
    const container = kind === 'fork' ? parent.container : CONTAINERS[Math.floor(rnd() * CONTAINERS.length)]!;
    nodes.push({ parent: p, kind, tid: 1000 + i, container, start, end: Math.min(parent.end, start + dur), kids: [] });
    parent.kids.push(i);
  }
  for (const n of nodes) n.kids.sort((a, b) => nodes[a]!.start - nodes[b]!.start || a - b);
  const spans: FlatSpan[] = [];
  const counts: SpanCounts[] = [];
  const stack: { node: number; parent: number; depth: number }[] = [{ node: 0, parent: -1, depth: 0 }];
  while (stack.length > 0) {
    const { node, parent, depth } = stack.pop()!;
    const n = nodes[node]!;
    const index = spans.length;
    spans.push({ index, parent, depth, kind: n.kind, tid: n.tid, container: n.container, ip: `172.20.0.${10 + CONTAINERS.indexOf(n.container)}`, start: n.start, end: n.end, childCount: n.kids.length });
    const migrations = Math.floor(rnd() * 4);
    const faults = Math.floor(rnd() * 200);
    counts.push({ total: migrations + faults + 6, byProbe: { 'tracepoint:sched:sched_migrate_task': migrations, 'tracepoint:exceptions:page_fault_user': faults, 'MT:tcp_send': 6 } });
    for (let k = n.kids.length - 1; k >= 0; k--) stack.push({ node: n.kids[k]!, parent: index, depth: depth + 1 });
  }
  return { trace: { id: 1, spans }, counts };
}

/** A fork chain `depth` spans deep: each span forks the next, as a fork bomb would. */
export function chainTrace(depth: number): AssembledTrace {
  const spans: FlatSpan[] = [];
  for (let i = 0; i < depth; i++) {
    spans.push({ index: i, parent: i - 1, depth: i, kind: i === 0 ? 'network' : 'fork', tid: 2000 + i, container: 'forker', ip: '172.20.0.9', start: i * 1000, end: depth * 1000 + (depth - i), childCount: i < depth - 1 ? 1 : 0 });
  }
  return { id: 1, spans };
}

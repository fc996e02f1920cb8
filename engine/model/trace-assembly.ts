import type { SpanState, StateKind } from './state.js';
import type { SpanLink } from './span-link.js';
import type { RelNs } from './time.js';

// docs/request-model.md section 5: the DAG of one trace, walked from the root over the handling
// threads' `children[traceId]`, last to first, so that a state reachable along two paths is kept
// by the path walked first. The walk is iterative: fork chains can be thousands deep.

/** One span of a trace, flattened in pre-order (parents before children, children in order). */
export interface FlatSpan {
  /** Index in the trace's span list. */
  index: number;
  /** Parent index, -1 for the root. */
  parent: number;
  depth: number;
  kind: StateKind;
  tid: number;
  container: string;
  ip: string;
  start: RelNs;
  end: RelNs;
  /** Number of children (they follow in pre-order). */
  childCount: number;
  /** How this span was linked to its parent (the causal model); absent for the original model. */
  link?: SpanLink;
}

export interface AssembledTrace {
  id: number;
  spans: FlatSpan[];
}

interface Frame {
  state: SpanState;
  list: readonly SpanState[];
  i: number;
  /** Children in walk order (last created first); reversed when the frame closes. */
  kids: Tree[];
}

interface Tree {
  state: SpanState;
  kids: Tree[];
}

export function assembleTrace(root: SpanState): AssembledTrace {
  const traceId = root.traceId;
  const visited = new Set<SpanState>();
  const frame = (s: SpanState): Frame => ({ state: s, list: s.handler.children.get(traceId) ?? [], i: -1, kids: [] });
  const stack: Frame[] = [frame(root)];
  stack[0]!.i = stack[0]!.list.length - 1;
  let top: Tree | null = null;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    let pushed = false;
    while (f.i >= 0) {
      const y = f.list[f.i--]!;
      if (!visited.has(y) && y.start >= f.state.start) {
        visited.add(y);
        const nf = frame(y);
        nf.i = nf.list.length - 1;
        stack.push(nf);
        pushed = true;
        break;
      }
    }
    if (pushed) continue;
    stack.pop();
    f.kids.reverse();
    const t: Tree = { state: f.state, kids: f.kids };
    if (stack.length > 0) stack[stack.length - 1]!.kids.push(t);
    else top = t;
  }
  return { id: traceId, spans: flatten(top!) };
}

function flatten(root: Tree): FlatSpan[] {
  const out: FlatSpan[] = [];
  const stack: { t: Tree; parent: number; depth: number }[] = [{ t: root, parent: -1, depth: 0 }];
  while (stack.length > 0) {
    const { t, parent, depth } = stack.pop()!;
    const s = t.state;
    const index = out.length;
    out.push({
      index,
      parent,
      depth,
      kind: s.kind,
      tid: s.handler.tid,
      container: s.handler.container,
      ip: s.handler.ip,
      start: s.start,
      end: s.end,
      childCount: t.kids.length,
    });
    for (let i = t.kids.length - 1; i >= 0; i--) stack.push({ t: t.kids[i]!, parent: index, depth: depth + 1 });
  }
  return out;
}

export function assembleAll(roots: readonly SpanState[]): AssembledTrace[] {
  return roots.map(assembleTrace);
}

import { useMemo } from 'react';
import { parseShape, type ShapeNode } from '../../../engine/analysis/shape-parse.js';

// A shape drawn small: depth left to right, one line per leaf, a call (network) as a filled dot,
// a fork as a ring, a repeat as a number. Decorative: the row's text says the same.

const W = 96;
const H = 30;
const MAX_DEPTH = 8;

interface Placed {
  /** Depth and leaf line (a parent sits between its first and last child). */
  x: number;
  y: number;
  parent: number;
  kind: ShapeNode['kind'];
  count: number;
}

function place(root: ShapeNode): { nodes: Placed[]; leaves: number; depth: number } {
  const nodes: Placed[] = [];
  let leaves = 0;
  let depth = 0;
  // Iterative post-order (shape texts nest deep): a node's line is known once its children's are.
  type Frame = { n: ShapeNode; d: number; i: number; ys: number[]; idx: number };
  const stack: Frame[] = [];
  const enter = (n: ShapeNode, d: number, parent: number) => {
    stack.push({ n, d, i: 0, ys: [], idx: nodes.length });
    nodes.push({ x: d, y: 0, parent, kind: n.kind, count: n.count });
    depth = Math.max(depth, d);
  };
  enter(root, 0, -1);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.d < MAX_DEPTH && f.i < f.n.kids.length) {
      enter(f.n.kids[f.i++]!, f.d + 1, f.idx);
      continue;
    }
    stack.pop();
    const y = f.ys.length === 0 ? leaves++ : (f.ys[0]! + f.ys[f.ys.length - 1]!) / 2;
    nodes[f.idx]!.y = y;
    stack[stack.length - 1]?.ys.push(y);
  }
  return { nodes, leaves, depth };
}

export function ShapeThumbnail({ shapeKey }: { shapeKey: string }) {
  const drawn = useMemo(() => {
    const root = parseShape(shapeKey);
    return root === null ? null : place(root);
  }, [shapeKey]);
  if (drawn === null) return <svg className="shape-thumb" width={W} height={H} aria-hidden="true" />;
  const sx = (W - 10) / Math.max(1, drawn.depth);
  const sy = (H - 8) / Math.max(1, drawn.leaves - 1);
  const X = (d: number) => 5 + d * sx;
  const Y = (l: number) => (drawn.leaves <= 1 ? H / 2 : 4 + l * sy);
  return (
    <svg className="shape-thumb" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true">
      {drawn.nodes.map((n, i) => (n.parent < 0 ? null : <path key={`l${i}`} className="shape-edge" d={`M${X(drawn.nodes[n.parent]!.x)},${Y(drawn.nodes[n.parent]!.y)}V${Y(n.y)}H${X(n.x)}`} />))}
      {drawn.nodes.map((n, i) => (
        <circle key={`n${i}`} className={`shape-node shape-${n.kind}`} cx={X(n.x)} cy={Y(n.y)} r={n.count > 1 ? 3.2 : 2.4} />
      ))}
    </svg>
  );
}

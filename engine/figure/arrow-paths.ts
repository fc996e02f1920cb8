import type { GanttGeometry, Rect } from './layout-types.js';
import { num } from './number-format.js';

// Arrow shapes of the seed figure: a request leaves the parent's bar near its start, runs down a
// trunk and turns right into the child's start (the trunk stays left of the earlier siblings,
// which start later than the parent); a response leaves the child's end, turns up and meets the
// parent's bar from below. Arrowheads are explicit triangles rather than SVG markers, so that
// every SVG consumer (and the app's canvas) draws them the same way.

/**
 * Path data from commands and numbers. Joined from an array: a template literal leaves a tree of
 * string pieces behind (V8 cons strings), ~600 bytes per path instead of ~100, which at 20,000
 * arrows dominated a layout's memory and garbage collection.
 */
function path(...parts: (string | number)[]): string {
  const out = new Array<string>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    out[i] = typeof p === 'number' ? num(p) : p;
  }
  return out.join('');
}

export interface ArrowShape {
  d: string;
  head: string;
  tip: { x: number; y: number };
}

function head(tx: number, ty: number, dx: number, dy: number, g: GanttGeometry): string {
  const bx = tx - dx * g.arrowHeadLength;
  const by = ty - dy * g.arrowHeadLength;
  const px = -dy * g.arrowHeadHalfWidth;
  const py = dx * g.arrowHeadHalfWidth;
  return path('M', tx, ',', ty, 'L', bx + px, ',', by + py, 'L', bx - px, ',', by - py, 'Z');
}

/** Parent to child at the child's start. */
export function callArrow(parent: Rect, child: Rect, g: GanttGeometry): ArrowShape {
  const top = parent.y + parent.height;
  const mid = child.y + child.height / 2;
  const r = g.arrowRadius;
  const tx = parent.x + Math.min(g.arrowInset, parent.width / 2);
  if (child.x - tx >= r + g.arrowHeadLength + 1 && mid - top >= r) {
    return {
      d: path('M', tx, ',', top, 'V', mid - r, 'Q', tx, ',', mid, ' ', tx + r, ',', mid, 'H', child.x - g.arrowHeadLength),
      head: head(child.x, mid, 1, 0, g),
      tip: { x: child.x, y: mid },
    };
  }
  // The child starts (almost) with the parent: no room to turn, so drop straight onto its top edge.
  const x = child.x + Math.min(g.arrowInset / 2, child.width / 2);
  return { d: path('M', x, ',', top, 'V', child.y - g.arrowHeadLength), head: head(x, child.y, 0, 1, g), tip: { x, y: child.y } };
}

/** Child's end back to the parent. */
export function returnArrow(child: Rect, parent: Rect, g: GanttGeometry): ArrowShape {
  const bottom = parent.y + parent.height;
  const mid = child.y + child.height / 2;
  const x0 = child.x + child.width;
  const sx = x0 + g.arrowStub;
  const r = Math.min(g.arrowRadius, g.arrowStub);
  return {
    d: path('M', x0, ',', mid, 'H', sx - r, 'Q', sx, ',', mid, ' ', sx, ',', mid - r, 'V', bottom + g.arrowHeadLength),
    head: head(sx, bottom, 0, -1, g),
    tip: { x: sx, y: bottom },
  };
}

/** The request from the outside client into the root's start. */
export function clientRequestArrow(root: Rect, g: GanttGeometry): ArrowShape {
  const mid = root.y + root.height / 2;
  return {
    d: path('M', root.x - g.clientArrowLength, ',', mid, 'H', root.x - g.arrowHeadLength),
    head: head(root.x, mid, 1, 0, g),
    tip: { x: root.x, y: mid },
  };
}

/** The response from the root's end to the outside client. */
export function clientResponseArrow(root: Rect, g: GanttGeometry): ArrowShape {
  const mid = root.y + root.height / 2;
  const x0 = root.x + root.width;
  const tip = x0 + g.clientArrowLength;
  return { d: path('M', x0, ',', mid, 'H', tip - g.arrowHeadLength), head: head(tip, mid, 1, 0, g), tip: { x: tip, y: mid } };
}

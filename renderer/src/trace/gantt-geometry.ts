import type { GanttGeometry } from '../../../engine/figure/layout-types.js';

// Screen geometry of the interactive view around the shared layout's plot: a gutter for the
// collapse toggles, room on the left for the client arrow and left-placed labels (grown to the
// widest label that overhangs, so no label is ever cut at the left edge), a little on the right.

export const GANTT_GEOMETRY: Partial<GanttGeometry> = { rowPitch: 24, barHeight: 16, fontSize: 11 };
export const ROW_PITCH = 24;
export const GUTTER = 22;
export const LEFT_MARGIN = 44;
export const RIGHT_MARGIN = 28;
export const AXIS_HEIGHT = 30;
/** Container names longer than this are shortened in the bars' labels (the full name shows on hover). */
export const MAX_NAME_CHARS = 32;

export function plotWidthFor(containerWidth: number, labelRoom = LEFT_MARGIN): number {
  return Math.max(200, containerWidth - GUTTER - labelRoom - RIGHT_MARGIN);
}

/**
 * Display names for the labels: a long name keeps its start and its end (replica numbers,
 * `_1`/`_2`, tell containers of one service apart) around an ellipsis.
 */
export function shortContainerNames(containers: Iterable<string>, max = MAX_NAME_CHARS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of containers) {
    const chars = [...c];
    if (chars.length <= max || out[c] !== undefined) continue;
    const tail = Math.floor((max - 1) * 0.4);
    out[c] = `${chars.slice(0, max - 1 - tail).join('')}…${chars.slice(chars.length - tail).join('')}`;
  }
  return out;
}

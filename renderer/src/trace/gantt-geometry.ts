import type { GanttGeometry } from '../../../engine/figure/layout-types.js';

// Screen geometry of the interactive view around the shared layout's plot: a gutter for the
// collapse toggles, room on the left for the client arrow and left-placed labels, a little on the right.

export const GANTT_GEOMETRY: Partial<GanttGeometry> = { rowPitch: 24, barHeight: 16, fontSize: 11 };
export const ROW_PITCH = 24;
export const GUTTER = 22;
export const LEFT_MARGIN = 44;
export const RIGHT_MARGIN = 28;
export const AXIS_HEIGHT = 30;

export function plotWidthFor(containerWidth: number): number {
  return Math.max(200, containerWidth - GUTTER - LEFT_MARGIN - RIGHT_MARGIN);
}

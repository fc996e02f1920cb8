import type { LabelRole } from './layout-types.js';

// Two palettes, chosen and measured in docs/adr/0010-figure-palette.md (test/figure/palette.test.ts
// re-checks the numbers): the colour one from Paul Tol's "light" scheme, whose light cyan and
// orange stay far apart under protanopia, deuteranopia and tritanopia and differ in lightness
// too (so even a greyscale print of it keeps them apart); the greyscale one for journals that
// print in black and white. In both, fork bars also get a dashed outline, so kind never rests
// on colour alone, and every text colour keeps WCAG AA contrast (4.5:1) on every fill.

export interface BarStyle {
  fill: string;
  stroke: string;
  /** stroke-dasharray, or null for a solid outline. */
  dash: string | null;
}

export interface FigurePalette {
  name: 'colour' | 'greyscale';
  background: string;
  network: BarStyle;
  fork: BarStyle;
  /** Outline of bars whose data is inconsistent (end before start). */
  anomaly: string;
  arrow: string;
  /** Response arrows are dashed, call arrows solid. */
  returnDash: string;
  /** Arrows of links a model inferred (not seen in the records) are dotted, with hollow heads. */
  inferredDash: string;
  axis: string;
  /** Title, headings, axis labels, legend. */
  text: string;
  /** Text colour per label role. */
  label: Readonly<Record<LabelRole, string>>;
  /** Halo behind labels outside bars, so arrows crossing them do not hide them. */
  halo: string;
}

export const COLOUR_PALETTE: FigurePalette = {
  name: 'colour',
  background: '#FFFFFF',
  network: { fill: '#99DDFF', stroke: '#2B7BA6', dash: null },
  fork: { fill: '#EE8866', stroke: '#A8461F', dash: '3 2' },
  anomaly: '#CC3311',
  arrow: '#333333',
  returnDash: '4 2',
  inferredDash: '1 2',
  axis: '#000000',
  text: '#000000',
  label: {
    tid: '#000000',
    container: '#003366',
    ip: '#1A1A1A',
    kind: '#1A1A1A',
    start: '#1A1A1A',
    duration: '#1A1A1A',
    'count-name': '#5C1A33',
    'count-value': '#5C1A33',
    hidden: '#1A1A1A',
    outside: '#1A1A1A',
  },
  halo: '#FFFFFF',
};

export const GREYSCALE_PALETTE: FigurePalette = {
  name: 'greyscale',
  background: '#FFFFFF',
  network: { fill: '#F0F0F0', stroke: '#1A1A1A', dash: null },
  fork: { fill: '#A6A6A6', stroke: '#1A1A1A', dash: '3 2' },
  anomaly: '#000000',
  arrow: '#333333',
  returnDash: '4 2',
  inferredDash: '1 2',
  axis: '#000000',
  text: '#000000',
  label: {
    tid: '#000000',
    container: '#000000',
    ip: '#000000',
    kind: '#000000',
    start: '#000000',
    duration: '#000000',
    'count-name': '#000000',
    'count-value': '#000000',
    hidden: '#000000',
    outside: '#000000',
  },
  halo: '#FFFFFF',
};

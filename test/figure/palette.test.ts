import { describe, expect, it } from 'vitest';
import { COLOUR_PALETTE, GREYSCALE_PALETTE, type FigurePalette } from '../../engine/figure/palette.js';

// The numbers behind docs/adr/0010-figure-palette.md: network and fork fills stay apart for
// people with each kind of colour-vision deficiency (simulated with Machado, Oliveira and
// Fernandes 2009, severity 1), every text colour is readable (WCAG 2 contrast >= 4.5) on every
// background it is drawn on, and the greyscale palette is grey and apart in lightness.

type Rgb = [number, number, number];
const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
const luminance = (h: string) => {
  const [r, g, b] = hex(h).map(lin) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

const MACHADO: Record<string, number[][]> = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

/** CIELAB (D65) of a colour as seen through a simulation matrix applied in linear RGB. */
function lab(h: string, m: number[][]): Rgb {
  const l = hex(h).map(lin);
  const [r, g, b] = m.map((row) => Math.min(1, Math.max(0, row[0]! * l[0]! + row[1]! * l[1]! + row[2]! * l[2]!))) as Rgb;
  const X = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const Z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

const deltaE = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

function textOn(p: FigurePalette): [string, string][] {
  const pairs: [string, string][] = [];
  for (const colour of new Set(Object.values(p.label))) {
    for (const bg of [p.network.fill, p.fork.fill, p.background]) pairs.push([colour, bg]);
  }
  for (const bg of [p.background]) pairs.push([p.text, bg], [p.axis, bg]);
  return pairs;
}

describe('figure palettes', () => {
  it('keep network and fork fills far apart under every colour-vision deficiency', () => {
    for (const [name, m] of Object.entries(MACHADO)) {
      const d = deltaE(lab(COLOUR_PALETTE.network.fill, m), lab(COLOUR_PALETTE.fork.fill, m));
      expect(d, name).toBeGreaterThan(40);
    }
  });

  it('keep the colour fills apart in lightness too (a greyscale print of the colour figure)', () => {
    expect(Math.abs(luminance(COLOUR_PALETTE.network.fill) - luminance(COLOUR_PALETTE.fork.fill))).toBeGreaterThan(0.25);
  });

  for (const p of [COLOUR_PALETTE, GREYSCALE_PALETTE]) {
    it(`give every text of the ${p.name} palette WCAG AA contrast on its backgrounds`, () => {
      for (const [fg, bg] of textOn(p)) expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    });

    it(`mark forks without colour in the ${p.name} palette (dashed outline)`, () => {
      expect(p.fork.dash).not.toBeNull();
      expect(p.network.dash).toBeNull();
      expect(p.returnDash).toMatch(/^\d+ \d+$/);
    });
  }

  it('make the greyscale palette grey, with fills far apart in lightness', () => {
    const colours = [GREYSCALE_PALETTE.network.fill, GREYSCALE_PALETTE.network.stroke, GREYSCALE_PALETTE.fork.fill, GREYSCALE_PALETTE.fork.stroke, GREYSCALE_PALETTE.arrow, GREYSCALE_PALETTE.anomaly, ...Object.values(GREYSCALE_PALETTE.label)];
    for (const c of colours) {
      const [r, g, b] = hex(c);
      expect(r === g && g === b, c).toBe(true);
    }
    expect(luminance(GREYSCALE_PALETTE.network.fill) - luminance(GREYSCALE_PALETTE.fork.fill)).toBeGreaterThan(0.4);
  });
});

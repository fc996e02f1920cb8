import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advanceTable, FONT_STACK, textWidth } from '../../engine/figure/text-metrics.js';
import { readTtfMetrics } from './ttf-metrics.js';

// The width table must be at least as wide as every font the SVG's font stack lands on in
// practice (Liberation Sans = Arial/Helvetica metrics; DejaVu Sans, the usual fallback), or
// labels judged to fit inside a bar would spill out of it.

const FONTS = {
  regular: ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'],
  bold: ['/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
};

function font(path: string) {
  if (!existsSync(path)) throw new Error(`${path} is missing: install fonts-liberation and fonts-dejavu-core (the figure tests render with them)`);
  return readTtfMetrics(path);
}

describe('text width estimates', () => {
  for (const weight of ['regular', 'bold'] as const) {
    it(`cover the ${weight} advances of Liberation Sans and DejaVu Sans`, () => {
      const table = advanceTable(weight === 'bold');
      for (const path of FONTS[weight]) {
        const m = font(path);
        table.advances.forEach((w, i) => {
          const adv = m.advance(table.first + i)!;
          expect(w, `${path} U+${(table.first + i).toString(16)}`).toBeGreaterThanOrEqual((adv * 1000) / m.unitsPerEm);
        });
        for (const [cp, w] of table.extra) {
          const adv = m.advance(cp);
          if (adv !== undefined) expect(w, `${path} U+${cp.toString(16)}`).toBeGreaterThanOrEqual((adv * 1000) / m.unitsPerEm);
        }
      }
    });

    it(`give the ${weight} Arial-metric widths within 1/1000 em of Liberation Sans`, () => {
      const table = advanceTable(weight === 'bold', true);
      const m = font(FONTS[weight][0]!);
      table.advances.forEach((w, i) => {
        const adv = (m.advance(table.first + i)! * 1000) / m.unitsPerEm;
        expect(w).toBeLessThanOrEqual(adv);
        expect(adv - w).toBeLessThan(1);
      });
    });
  }

  it('measure strings by summing advances at the font size', () => {
    const m = font(FONTS.regular[1]!);
    const s = '16026 oracle-frontend Migrations: 1';
    let dejavu = 0;
    for (const ch of s) dejavu += (m.advance(ch.codePointAt(0)!)! * 11) / m.unitsPerEm;
    expect(textWidth(s, 11)).toBeGreaterThanOrEqual(dejavu);
    expect(textWidth(s, 11)).toBeLessThan(dejavu * 1.02);
    expect(textWidth(s, 11, true)).toBeGreaterThan(textWidth(s, 11));
    expect(textWidth(s, 11, false, true)).toBeLessThan(textWidth(s, 11));
    expect(textWidth('服务', 10)).toBe(20);
  });

  it('name only metric-compatible fonts before the generic family', () => {
    expect(FONT_STACK.split(',').map((f) => f.trim())).toEqual(['Helvetica', 'Arial', "'Liberation Sans'", "'Nimbus Sans'", "'DejaVu Sans'", 'sans-serif']);
  });
});

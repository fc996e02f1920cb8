import { describe, expect, it } from 'vitest';
import { num } from '../../engine/figure/number-format.js';
import { xml } from '../../engine/figure/svg-text.js';

describe('SVG number and text writing', () => {
  it('writes coordinates with at most two decimals, as String(Math.round(v * 100) / 100) would', () => {
    expect([0, -0, -0.004, 0.005, 12.3, 12.05, -12.05, 899.995, -3.999, 1e7 + 0.07].map(num)).toEqual(['0', '0', '0', '0.01', '12.3', '12.05', '-12.05', '900', '-4', '10000000.07']);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8);
      const want = String(Math.round(v * 100) / 100);
      expect(num(v)).toBe(want === '-0' ? '0' : want);
    }
  });

  it('escapes markup and drops characters XML 1.0 forbids', () => {
    expect(xml('plain text 16026')).toBe('plain text 16026');
    expect(xml('a<b & "c">\u0001\uFFFE')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from './png.js';
import { cli } from '../engine/cli-harness.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { PROJECT_ROOT } from '../fixtures.js';

// `misertrace export --format pdf|png`: the SVG figure printed and rasterized by a real Chromium
// (Playwright), at the figure's printed size; without a Chromium, a message that says how to get
// one, exit 3 and no file (docs/adr/0096).

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const SAMPLE = join(PROJECT_ROOT, 'samples', 'seq20.mstrace');

let out: TempDir;
beforeAll(() => {
  out = tempDir('misertrace-figure-raster-');
});
afterAll(() => out?.remove());

describe.skipIf(SYSTEM_CHROMIUM === undefined && process.env['MISERTRACE_CHROMIUM'] === undefined)('figure as PDF and PNG (Chromium)', () => {
  it('prints a one-column figure to a PDF page of its printed width, text kept as text', async () => {
    const pdf = join(out.path, 'one-column.pdf');
    const r = await cli('export', '-i', SAMPLE, '-n', '2', '--format', 'pdf', '--width', '241pt', '--font-size', '7pt', '--title', 'Trace two', '-o', pdf);
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(pdf);
    const text = bytes.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text).toMatch(/\/Producer \(Skia\/PDF/); // Chromium's printer, not a hand-made writer
    expect(text).toContain('/Title (Trace two)');
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(text);
    expect(box, 'a MediaBox').not.toBeNull();
    // 241pt wide, within Chromium's rounding of the page to whole px.
    expect(Math.abs(Number(box![1]) - 241)).toBeLessThan(1.5);
    expect(text).toMatch(/\/Type \/Font|\/FontFile/); // glyphs as a font, not a picture
    expect((text.match(/\/Type \/Page\b/g) ?? []).length).toBe(1);
  });

  it('rasterizes a two-column figure at the asked resolution', async () => {
    const png = join(out.path, 'two-column.png');
    const r = await cli('export', '-i', SAMPLE, '-n', '2', '--format', 'png', '--width', '506pt', '--font-size', '9pt', '--dpi', '150', '-o', png);
    expect(r.code, r.stderr).toBe(0);
    const img = decodePng(readFileSync(png));
    // 506pt = 7.03 in: 1054 px at 150 dpi.
    expect(Math.abs(img.width - (506 / 72) * 150)).toBeLessThan(3);
    expect(img.height).toBeGreaterThan(300);
  });

  it('says how to get a Chromium when none is found, exits 3 and writes nothing', async () => {
    const before = process.env['MISERTRACE_CHROMIUM'];
    process.env['MISERTRACE_CHROMIUM'] = join(out.path, 'no-such-chromium');
    try {
      const pdf = join(out.path, 'never.pdf');
      const r = await cli('export', '-i', SAMPLE, '-n', '1', '--format', 'pdf', '-o', pdf);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/MISERTRACE_CHROMIUM names .*no-such-chromium, which does not exist/);
      expect(r.stderr).toMatch(/hint: npm install playwright && npx playwright install chromium/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(pdf)).toBe(false);
      expect(readdirSync(out.path).filter((f) => f.includes('partial'))).toEqual([]);
    } finally {
      if (before === undefined) delete process.env['MISERTRACE_CHROMIUM'];
      else process.env['MISERTRACE_CHROMIUM'] = before;
    }
  });

  it('asks for -o for a binary format', async () => {
    const r = await cli('export', '-i', SAMPLE, '-n', '1', '--format', 'png');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format png writes a binary file: give -o FILE/);
  });
});

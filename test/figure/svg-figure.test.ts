import { DOMParser, type Document } from '@xmldom/xmldom';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Figure, FigureOptions } from '../../engine/figure/figure-types.js';
import { COLOUR_PALETTE, GREYSCALE_PALETTE } from '../../engine/figure/palette.js';
import { renderFigure } from '../../engine/figure/svg.js';
import { PROJECT_ROOT } from '../fixtures.js';
import { openFixture, type OpenFixture } from './fixture-traces.js';
import { chromiumPng, compareRasters, CHROMIUM, decodePng, hexRgb, near, pixel, rsvgPng, type Raster } from './png.js';

// The SVG figure, checked as a file (well-formed, vector only, text as text, deterministic, the
// same bytes as the reference a person looked at) and as a picture (rendered by librsvg and by
// Chromium, bars of the right colour where the layout put them, greyscale really grey).
// UPDATE_FIGURE_REFERENCES=1 rewrites test/figure/reference/ (look at the PNGs before keeping them).

const REF_DIR = join(PROJECT_ROOT, 'test', 'figure', 'reference');
const UPDATE = process.env['UPDATE_FIGURE_REFERENCES'] === '1';

let seq20: OpenFixture;
let mixed50: OpenFixture;
beforeAll(async () => {
  [seq20, mixed50] = await Promise.all([openFixture('seq20', 'original'), openFixture('mixed50', 'original')]);
});
afterAll(() => {
  seq20?.close();
  mixed50?.close();
});

const REFERENCES: { name: string; make: () => Figure }[] = [
  {
    name: 'seq20-trace1',
    make: () =>
      renderFigure(seq20.traces([1]), {
        base: seq20.bundle.base,
        title: 'A /checkout request across four containers',
        caption:
          'One bar per thread state on a shared time axis, in tree order, labelled with the kernel thread id, the container and the events counted in the state. Arrows: requests and forks (to the child’s start), responses and exits (from the child’s end).',
      }),
  },
  {
    name: 'mixed50-traces2-3-greyscale',
    make: () =>
      renderFigure(mixed50.traces([2, 3]), {
        base: mixed50.bundle.base,
        greyscale: true,
        width: 7 * 96,
        unit: 'in',
        sharedScale: true,
        view: {
          counts: [{ probe: 'tracepoint:sched:sched_migrate_task', label: 'Migr.' }],
          label: { containerNames: { 'oracle-frontend': 'Frontend', 'oracle-catalog': 'Catalog', 'oracle-inventory': 'Inventory', 'oracle-kvstore': 'KV store' } },
        },
      }),
  },
];

function parseSvg(svg: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => void (level !== 'warning' && errors.push(msg)) }).parseFromString(svg, 'image/svg+xml');
  expect(errors).toEqual([]);
  return doc;
}

function texts(doc: Document): string[] {
  return Array.from(doc.getElementsByTagName('text')).map((t) => (t.textContent ?? '').replace(/\s+/g, ' ').trim());
}

describe('SVG figure file', () => {
  it('matches the reference figures byte for byte (the same input gives the same file)', () => {
    if (UPDATE) mkdirSync(REF_DIR, { recursive: true });
    for (const ref of REFERENCES) {
      const a = ref.make().svg;
      expect(ref.make().svg).toBe(a);
      const svgPath = join(REF_DIR, `${ref.name}.svg`);
      if (UPDATE) {
        writeFileSync(svgPath, a);
        writeFileSync(join(REF_DIR, `${ref.name}.png`), rsvgPng(a));
      }
      expect(existsSync(svgPath), `${svgPath} is missing; run with UPDATE_FIGURE_REFERENCES=1 and look at it`).toBe(true);
      expect(a).toBe(readFileSync(svgPath, 'utf8'));
    }
  });

  it('is well-formed SVG 1.1, vector only, with every label as selectable text', () => {
    const fig = REFERENCES[0]!.make();
    const doc = parseSvg(fig.svg);
    const root = doc.documentElement!;
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('viewBox')).toBe(`0 0 ${fig.width} ${fig.height}`);
    expect(root.getAttribute('font-family')).toMatch(/, sans-serif$/);
    for (const tag of ['image', 'foreignObject', 'script', 'style', 'use', 'font']) expect(doc.getElementsByTagName(tag).length, tag).toBe(0);
    expect(fig.svg).not.toMatch(/data:|@font-face|xlink:href/);
    const all = texts(doc);
    for (const row of fig.panels[0]!.layout.rows) expect(all).toContain(row.label!.text);
    expect(all).toContain('A /checkout request across four containers');
    expect(all).toContain('Time since request start (ms)');
    expect(all.filter((t) => /^\d+$/.test(t))).toEqual(fig.panels[0]!.layout.axis.ticks.map((t) => t.label));
    expect(doc.getElementsByTagName('title')[0]!.textContent).toBe('A /checkout request across four containers');
    expect(doc.getElementsByTagName('desc')[0]!.textContent).toMatch(/^Gantt chart of request trace 1: 10 spans/);
    // One rect per bar, each with hover text giving the exact start.
    const barTitles = Array.from(doc.getElementsByTagName('rect')).filter((r) => r.getElementsByTagName('title').length === 1);
    expect(barTitles).toHaveLength(seq20.bundle.trace(1)!.spans.length);
    expect(barTitles[0]!.textContent).toContain(`(${seq20.bundle.base.absString(seq20.bundle.trace(1)!.spans[0]!.start)} ns)`);
  });

  it('writes physical sizes in the unit asked for, the drawing in px at 96 per inch', () => {
    const doc = parseSvg(REFERENCES[1]!.make().svg);
    const root = doc.documentElement!;
    expect(root.getAttribute('width')).toBe('7in');
    expect(root.getAttribute('viewBox')!.split(' ')[2]).toBe('672');
    const h = Number(root.getAttribute('viewBox')!.split(' ')[3]);
    expect(root.getAttribute('height')).toBe(`${Math.round((h / 96) * 100) / 100}in`);
  });

  it('escapes text that is not plain XML, and drops characters XML forbids', () => {
    const [t] = seq20.traces([1]);
    const fig = renderFigure([t!], { title: 'Latency <p99> & "tail"\u0007', view: { label: { containerNames: { 'oracle-frontend': 'front<end> & co' } } } });
    const all = texts(parseSvg(fig.svg));
    expect(all).toContain('Latency <p99> & "tail"');
    expect(all.some((s) => s.includes('front<end> & co'))).toBe(true);
  });

  it('shrinks rows to a requested height, and refuses a height too small for the rows', () => {
    const traces = mixed50.traces([1, 2, 4]);
    const fig = renderFigure(traces, { height: 420 });
    expect(fig.height).toBe(420);
    const last = fig.panels[fig.panels.length - 1]!;
    expect(last.y + last.layout.size.height).toBeLessThan(420);
    expect(last.layout.geometry.rowPitch).toBeLessThan(24);
    expect(() => renderFigure(traces, { height: 150 })).toThrow(/at least \d+ px are needed/);
  });

  it('aligns the panels of several traces on one plot, with one scale when asked', () => {
    const fig = renderFigure(mixed50.traces([1, 3]), { sharedScale: true });
    const [a, b] = fig.panels;
    expect(a!.x).toBe(b!.x);
    expect(a!.layout.geometry.plotWidth).toBe(b!.layout.geometry.plotWidth);
    expect(a!.layout.unitsPerNs).toBeCloseTo(b!.layout.unitsPerNs, 12);
    expect(a!.layout.countColumns).toEqual(b!.layout.countColumns);
    const texts2 = texts(parseSvg(fig.svg));
    expect(texts2).toContain('Trace 1');
    expect(texts2).toContain('Trace 3');
  });

  it('keeps everything inside the figure at any width', () => {
    for (const width of [240, 480, 1600]) {
      const fig = renderFigure(seq20.traces([1]), { width });
      for (const p of fig.panels) {
        expect(p.x + p.layout.extent.left).toBeGreaterThanOrEqual(0);
        expect(p.x + p.layout.extent.right).toBeLessThanOrEqual(width);
      }
    }
  });
});

describe('SVG figure rendered', () => {
  function checkBars(fig: Figure, img: Raster, zoom: number, palette: typeof COLOUR_PALETTE): number {
    let checked = 0;
    for (const p of fig.panels) {
      for (const r of p.layout.rows) {
        if (r.bar.width < 6 || r.flags.outside) continue;
        // The top band of a bar holds no text: the bar's fill shows there.
        const x = (p.x + r.bar.x + r.bar.width / 2) * zoom;
        const y = (p.y + r.bar.y + 2.5) * zoom;
        const want = hexRgb(palette[r.kind].fill);
        expect(near(pixel(img, x, y), want, 6), `bar of span ${r.span} at ${x},${y}: ${pixel(img, x, y)} vs ${want}`).toBe(true);
        checked++;
      }
    }
    return checked;
  }

  it('draws bars where the layout put them, in their kind’s colour, with text and arrows (librsvg)', () => {
    const fig = REFERENCES[0]!.make();
    const img = decodePng(rsvgPng(fig.svg, 2));
    expect([img.width, img.height]).toEqual([fig.width * 2, fig.height * 2]);
    expect(checkBars(fig, img, 2, COLOUR_PALETTE)).toBeGreaterThan(6);
    expect(pixel(img, 2, 2)).toEqual([255, 255, 255, 255]);
    const p = fig.panels[0]!;
    // Dark glyph pixels inside the root's label box.
    const l = p.layout.rows[0]!.label!;
    let dark = 0;
    for (let x = (p.x + l.x - l.width / 3) * 2; x < (p.x + l.x + l.width / 3) * 2; x++) {
      for (let y = (p.y + l.y - 8) * 2; y < (p.y + l.y + 1) * 2; y++) if (pixel(img, x, y)[0] < 90) dark++;
    }
    expect(dark).toBeGreaterThan(100);
    // The root's request trunk, just below its bar, is drawn in the arrow colour.
    const root = p.layout.rows[0]!;
    const trunk = pixel(img, (p.x + root.bar.x + 6) * 2, (p.y + root.bar.y + root.bar.height + 4) * 2);
    expect(near(trunk, hexRgb(COLOUR_PALETTE.arrow), 40)).toBe(true);
  });

  it('looks like the reference PNGs that were checked by eye', () => {
    for (const ref of REFERENCES) {
      const now = decodePng(rsvgPng(ref.make().svg));
      const before = decodePng(readFileSync(join(REF_DIR, `${ref.name}.png`)));
      const d = compareRasters(now, before);
      // Text drawn in another font (no fonts-liberation installed) is the usual reason this fails.
      const why = `${ref.name}: ${(d.differing * 100).toFixed(2)}% of pixels differ from the reference (mean ${d.meanAbs.toFixed(2)})`;
      expect(d.differing, why).toBeLessThan(0.002);
      expect(d.meanAbs, why).toBeLessThan(0.5);
    }
  });

  it('renders the greyscale variant in grey only', () => {
    const fig = REFERENCES[1]!.make();
    const img = decodePng(rsvgPng(fig.svg));
    for (let i = 0; i < img.width * img.height; i++) {
      const [r, g, b] = [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!];
      if (Math.abs(r - g) > 1 || Math.abs(g - b) > 1) throw new Error(`pixel ${i % img.width},${Math.floor(i / img.width)} is (${r},${g},${b})`);
    }
    expect(checkBars(fig, img, 1, GREYSCALE_PALETTE)).toBeGreaterThan(6);
  });

  it.runIf(existsSync(CHROMIUM))('renders the same in Chromium as in librsvg', () => {
    const fig = REFERENCES[0]!.make();
    const chrome = decodePng(chromiumPng(fig.svg, fig.width, fig.height));
    expect([chrome.width, chrome.height]).toEqual([fig.width, fig.height]);
    expect(checkBars(fig, chrome, 1, COLOUR_PALETTE)).toBeGreaterThan(6);
    const d = compareRasters(chrome, decodePng(rsvgPng(fig.svg)));
    expect(d.meanAbs).toBeLessThan(3);
  });
});

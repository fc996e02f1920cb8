import type { LegendEntry } from './layout-types.js';
import { num } from './number-format.js';
import type { FigurePalette } from './palette.js';
import { xml } from './svg-text.js';
import { textWidth } from './text-metrics.js';

// The legend: a swatch or arrow sample and its text per entry, flowing left to right and onto
// further lines when the figure is narrow.

const SWATCH_W = 24;
const SWATCH_H = 12;
const ENTRY_GAP = 22;

export function legendLineHeight(fontSize: number): number {
  return Math.max(SWATCH_H, fontSize) + 8;
}

interface Placed {
  entry: LegendEntry;
  x: number;
  line: number;
}

function flow(entries: readonly LegendEntry[], width: number, fontSize: number): Placed[] {
  const out: Placed[] = [];
  let x = 0;
  let line = 0;
  for (const entry of entries) {
    const w = SWATCH_W + 6 + textWidth(entry.label, fontSize);
    if (x > 0 && x + w > width) {
      line++;
      x = 0;
    }
    out.push({ entry, x, line });
    x += w + ENTRY_GAP;
  }
  return out;
}

export function legendLines(entries: readonly LegendEntry[], width: number, fontSize: number): number {
  if (entries.length === 0) return 0;
  return flow(entries, width, fontSize).reduce((m, p) => Math.max(m, p.line + 1), 0);
}

export function drawLegend(out: string[], entries: readonly LegendEntry[], x: number, y: number, width: number, fontSize: number, p: FigurePalette): void {
  if (entries.length === 0) return;
  const lh = legendLineHeight(fontSize);
  out.push(`<g transform="translate(${num(x)},${num(y)})" font-size="${num(fontSize)}">`);
  for (const { entry, x: ex, line } of flow(entries, width, fontSize)) {
    const top = line * lh;
    const mid = top + SWATCH_H / 2;
    switch (entry.key) {
      case 'network':
      case 'fork': {
        const st = p[entry.key];
        out.push(`<rect x="${num(ex)}" y="${num(top)}" width="${SWATCH_W}" height="${SWATCH_H}" fill="${st.fill}" stroke="${st.stroke}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
        break;
      }
      case 'call':
      case 'return': {
        const dash = entry.key === 'return' ? ` stroke-dasharray="${p.returnDash}"` : '';
        out.push(`<path d="M${num(ex)},${num(mid)}H${num(ex + SWATCH_W - 6)}" fill="none" stroke="${p.arrow}"${dash}/>`);
        out.push(`<path d="M${num(ex + SWATCH_W)},${num(mid)}l-6,-3v6z" fill="${p.arrow}"/>`);
        break;
      }
      case 'inferred':
        out.push(`<path d="M${num(ex)},${num(mid)}H${num(ex + SWATCH_W - 6)}" fill="none" stroke="${p.arrow}" stroke-dasharray="${p.inferredDash}"/>`);
        out.push(`<path d="M${num(ex + SWATCH_W)},${num(mid)}l-6,-3v6z" fill="${p.background}" stroke="${p.arrow}"/>`);
        break;
    }
    out.push(`<text x="${num(ex + SWATCH_W + 6)}" y="${num(mid + fontSize * 0.35)}" fill="${p.text}">${xml(entry.label)}</text>`);
  }
  out.push('</g>');
}

import { formatDuration, type TimeBase } from '../model/time.js';
import type { SpanLink } from '../model/span-link.js';
import type { GanttArrow, GanttLayout, GanttRow } from './layout-types.js';
import { num } from './number-format.js';
import type { FigurePalette } from './palette.js';
import { segmentsWidth } from './span-label.js';
import { xml } from './svg-text.js';

// One panel of the figure: arrows under bars, bars, labels, time axis. Elements are grouped by
// style so attributes are written once per group, and each bar keeps its own element (and hover
// text) so the figure stays editable in a vector editor.

/** Height of the time axis under the rows: tick, tick labels, axis title. */
export function axisHeight(fontSize: number): number {
  return 8 + fontSize * 1.3 + fontSize * 1.6;
}

export interface PanelDrawOptions {
  palette: FigurePalette;
  tooltips: boolean;
  base: TimeBase | undefined;
}

export function drawPanel(out: string[], l: GanttLayout, x: number, y: number, o: PanelDrawOptions): void {
  const p = o.palette;
  const g = l.geometry;
  out.push(`<g transform="translate(${num(x)},${num(y)})">`);
  // Thin lines for dense figures (rows shrunk to a requested height), or outlines hide the fills.
  const sw = num(Math.min(1, l.geometry.rowPitch / 16));
  drawArrows(out, l, p, sw);
  for (const kind of ['network', 'fork'] as const) {
    const st = p[kind];
    const rows = l.rows.filter((r) => r.kind === kind && r.flags.outside === null);
    if (rows.length === 0) continue;
    out.push(`<g fill="${st.fill}" stroke="${st.stroke}" stroke-width="${sw}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}>`);
    for (const r of rows) {
      const b = r.bar;
      const anomaly = r.flags.negativeDuration ? ` stroke="${p.anomaly}" stroke-dasharray="1 1"` : '';
      const attrs = `x="${num(b.x)}" y="${num(b.y)}" width="${num(b.width)}" height="${num(b.height)}"${anomaly}`;
      out.push(o.tooltips ? `<rect ${attrs}><title>${xml(tooltip(r, l, o.base))}</title></rect>` : `<rect ${attrs}/>`);
    }
    out.push('</g>');
  }
  if (l.labelsShown) drawLabels(out, l, p);
  drawAxis(out, l, p, g.fontSize);
  out.push('</g>');
}

function drawArrows(out: string[], l: GanttLayout, p: FigurePalette, sw: string): void {
  if (l.arrows.length === 0) return;
  const inferred = (a: GanttArrow) => a.link !== undefined && !a.link.exact;
  for (const dir of ['call', 'return'] as const) {
    for (const guess of [false, true]) {
      const list = l.arrows.filter((a) => a.direction === dir && inferred(a) === guess);
      if (list.length === 0) continue;
      const dash = guess ? p.inferredDash : dir === 'return' ? p.returnDash : null;
      out.push(`<g fill="none" stroke="${p.arrow}" stroke-width="${sw}"${dash ? ` stroke-dasharray="${dash}"` : ''}>`);
      for (const a of list) out.push(a.link === undefined ? `<path d="${a.d}"/>` : `<path d="${a.d}"${linkAttrs(a.link)}><title>${linkTitle(a.link)}</title></path>`);
      out.push('</g>');
    }
  }
  out.push(`<g fill="${p.arrow}">`);
  for (const a of l.arrows) if (!inferred(a)) out.push(`<path d="${a.head}"/>`);
  out.push('</g>');
  if (l.arrows.some(inferred)) {
    out.push(`<g fill="${p.background}" stroke="${p.arrow}" stroke-width="${sw}">`);
    for (const a of l.arrows) if (inferred(a)) out.push(`<path d="${a.head}"${linkAttrs(a.link!)}/>`);
    out.push('</g>');
  }
}

/** The link's provenance on the element, so a figure tells which rule made each edge. */
function linkAttrs(link: SpanLink): string {
  return ` data-link-rule="${link.rule}" data-link-exact="${link.exact}"`;
}

export function linkTitle(link: SpanLink): string {
  return `link: ${link.rule} (${link.exact ? 'exact' : 'inferred'})`;
}

function drawLabels(out: string[], l: GanttLayout, p: FigurePalette): void {
  const fs = l.geometry.fontSize;
  // Outside its bar a label may sit on an arrow (a request coming in, another row's trunk). A
  // knockout in the background colour, as wide as the text in Helvetica/Arial metrics, hides the
  // line behind it (a glyph halo alone leaves it showing between words); the halo covers what a
  // wider fallback font pushes past the knockout.
  const knockouts: string[] = [];
  for (const r of l.rows) {
    const lb = r.label;
    if (!lb || lb.placement === 'inside') continue;
    const w = segmentsWidth(lb.segments, fs, true);
    const left = lb.anchor === 'end' ? lb.x - w : lb.x;
    knockouts.push(`<rect x="${num(left - 1)}" y="${num(lb.y - fs * 0.95)}" width="${num(w + 2)}" height="${num(fs * 1.25)}"/>`);
  }
  if (knockouts.length > 0) out.push(`<g fill="${p.background}">`, ...knockouts, '</g>');
  out.push(`<g font-size="${num(fs)}">`);
  for (const r of l.rows) {
    const lb = r.label;
    if (!lb) continue;
    const anchor = lb.anchor === 'start' ? '' : ` text-anchor="${lb.anchor}"`;
    const halo = lb.placement === 'inside' ? '' : ` stroke="${p.halo}" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`;
    const spans = lb.segments.map((s) => `<tspan fill="${p.label[s.role]}"${s.bold ? ' font-weight="bold"' : ''}>${xml(s.text)}</tspan>`);
    out.push(`<text x="${num(lb.x)}" y="${num(lb.y)}"${anchor}${halo}>${spans.join(' ')}</text>`);
  }
  out.push('</g>');
}

function drawAxis(out: string[], l: GanttLayout, p: FigurePalette, fontSize: number): void {
  const w = l.size.width;
  const y = l.size.height + 4;
  const head = 7;
  out.push(`<g stroke="${p.axis}" stroke-width="1" fill="none">`);
  out.push(`<path d="M0,${num(y)}H${num(w + 10 - head)}"/>`);
  const ticks = l.axis.ticks.map((t) => `M${num(t.x)},${num(y)}v4`).join('');
  if (ticks) out.push(`<path d="${ticks}"/>`);
  out.push('</g>');
  out.push(`<path fill="${p.axis}" d="M${num(w + 10)},${num(y)}l${-head},-3.5v7z"/>`);
  out.push(`<g fill="${p.text}" font-size="${num(fontSize * 0.9)}" text-anchor="middle">`);
  const ly = y + 6 + fontSize;
  for (const t of l.axis.ticks) out.push(`<text x="${num(t.x)}" y="${num(ly)}">${xml(t.label)}</text>`);
  out.push(`<text x="${num(w / 2)}" y="${num(ly + fontSize * 1.45)}" font-size="${num(fontSize)}">${xml(l.axis.title)}</text>`);
  out.push('</g>');
}

function tooltip(r: GanttRow, l: GanttLayout, base: TimeBase | undefined): string {
  const at = `+${formatDuration(r.start - l.axis.origin)}`;
  const abs = base ? ` (${base.absString(r.start)} ns)` : '';
  const lines = [
    `${r.kind} thread state · ${r.container} (${r.ip}) · tid ${r.tid}`,
    `start ${at}${abs} · duration ${formatDuration(r.end - r.start)}${r.flags.negativeDuration ? ' (end before start in the data)' : ''}`,
  ];
  if (l.countColumns.length > 0) lines.push(l.countColumns.map((c, i) => `${c.label}: ${r.counts[i]}`).join(' · '));
  if (r.hiddenDescendants > 0) lines.push(`${r.hiddenDescendants} spans collapsed under this one`);
  if (r.link !== undefined) lines.push(linkTitle(r.link));
  return lines.join('\n');
}

import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { layoutGantt } from '../../engine/figure/gantt-layout.js';
import { shortenLabel } from '../../engine/figure/span-label.js';
import { renderFigure } from '../../engine/figure/svg.js';
import type { SpanLink } from '../../engine/model/span-link.js';
import type { AssembledTrace, FlatSpan } from '../../engine/model/trace-assembly.js';

// Long container names in a narrow figure: the name is shortened, never the count values. And
// the causal model's provenance: inferred links are drawn dotted with hollow heads, listed in
// the legend, and every linked arrow carries its rule as attributes and a title.

const LONG = 'k8s_catalog-service_catalog-7d9f8b6c5d-xkq2p_production-namespace_0f3c2a1b-9d8e-4f7a_0';

function span(index: number, parent: number, start: number, end: number, extra: Partial<FlatSpan> = {}): FlatSpan {
  return { index, parent, depth: parent < 0 ? 0 : 1, kind: 'network', tid: 4000 + index, container: LONG, ip: '10.0.0.2', start, end, childCount: 0, ...extra };
}

function trace(links: (SpanLink | undefined)[] = []): AssembledTrace {
  const spans = [span(0, -1, 0, 1_000_000), span(1, 0, 100_000, 300_000), span(2, 0, 400_000, 420_000), span(3, 0, 500_000, 900_000)];
  spans[0]!.childCount = 3;
  links.forEach((l, i) => {
    if (l !== undefined) spans[i]!.link = l;
  });
  return { id: 7, spans };
}

const counts = [0, 1, 2, 3].map((i) => ({ total: 10 * i + 123456, byProbe: { 'tracepoint:exceptions:page_fault_user': 10 * i + 123456 } }));

describe('long container names in the SVG figure', () => {
  it('shortens the name and keeps every count value whole', () => {
    const fig = renderFigure([{ trace: trace(), counts }], { width: 600 });
    const doc = new DOMParser().parseFromString(fig.svg, 'image/svg+xml');
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent ?? '');
    const labels = texts.filter((t) => t.includes('User page faults:'));
    expect(labels.length).toBe(4);
    for (const [i, l] of labels.entries()) {
      // The label ends with its whole count; the name before it ends in an ellipsis.
      expect(l, l).toMatch(new RegExp(`User page faults: ${10 * i + 123456}$`));
      expect(l).toContain(`${4000 + i} k8s_`);
    }
    expect(labels.some((l) => l.includes('…'))).toBe(true);
    expect(texts.join(' ')).not.toContain(LONG);
    expect(fig.warnings.join(' ')).toMatch(/shortened/);
  });

  it('shortenLabel falls back to cutting the tail only when the name is down to a letter', () => {
    const segs = [
      { text: '4001', role: 'tid' as const, bold: true },
      { text: LONG, role: 'container' as const, bold: false },
      { text: 'Events:', role: 'count-name' as const, bold: false },
      { text: '987654', role: 'count-value' as const, bold: false },
    ];
    const wide = shortenLabel(segs, 200, 11)!;
    expect(wide.map((s) => s.text).slice(-2)).toEqual(['Events:', '987654']);
    expect(wide[1]!.text.endsWith('…')).toBe(true);
    const tiny = shortenLabel(segs, 40, 11)!;
    expect(tiny[tiny.length - 1]!.text.endsWith('…')).toBe(true);
  });
});

describe('link provenance in layout and SVG', () => {
  const links: (SpanLink | undefined)[] = [{ rule: 'root', exact: true }, { rule: 'thread', exact: true }, { rule: 'slice', exact: false }, { rule: 'last-read', exact: false }];

  it('the layout carries each child link on its arrows and lists inferred links in the legend', () => {
    const l = layoutGantt({ trace: trace(links), counts });
    expect(l.rows.map((r) => r.link?.rule)).toEqual(['root', 'thread', 'slice', 'last-read']);
    const byRow = l.arrows.filter((a) => a.edge !== 'client').map((a) => [a.direction, a.direction === 'call' ? a.toRow : a.fromRow, a.link?.rule, a.link?.exact]);
    expect(byRow).toContainEqual(['call', 2, 'slice', false]);
    expect(byRow).toContainEqual(['return', 1, 'thread', true]);
    expect(l.legend.map((e) => e.key)).toEqual(['network', 'call', 'return', 'inferred']);
  });

  it('the SVG draws inferred arrows dotted with hollow heads and carries the rule', () => {
    const fig = renderFigure([{ trace: trace(links), counts }], { width: 960 });
    const doc = new DOMParser().parseFromString(fig.svg, 'image/svg+xml');
    const paths = Array.from(doc.getElementsByTagName('path'));
    const ruled = paths.filter((p) => p.getAttribute('data-link-rule') !== null);
    // Two arrows per linked child (call and return) plus a hollow head per inferred arrow.
    expect(ruled.filter((p) => p.getAttribute('data-link-rule') === 'slice').length).toBe(4);
    expect(ruled.filter((p) => p.getAttribute('data-link-rule') === 'thread').length).toBe(2);
    const slice = ruled.find((p) => p.getAttribute('data-link-rule') === 'slice' && p.getElementsByTagName('title').length > 0)!;
    expect(slice.getAttribute('data-link-exact')).toBe('false');
    expect(slice.getElementsByTagName('title')[0]!.textContent).toBe('link: slice (inferred)');
    expect((slice.parentNode as typeof slice).getAttribute('stroke-dasharray')).toBe('1 2');
    const hollow = ruled.find((p) => p.getAttribute('data-link-rule') === 'slice' && p.getElementsByTagName('title').length === 0)!;
    expect((hollow.parentNode as typeof hollow).getAttribute('fill')).toBe('#FFFFFF');
    expect(fig.svg).toContain('Inferred link (dotted, hollow head)');
    // A bar's hover text names its link.
    expect(fig.svg).toContain('link: last-read (inferred)');
  });

  it('draws a trace of the original model (no links) as before: no rule attributes, no inferred entry', () => {
    const fig = renderFigure([{ trace: trace(), counts }], { width: 960 });
    expect(fig.svg).not.toContain('data-link-rule');
    expect(fig.svg).not.toContain('Inferred link');
  });
});

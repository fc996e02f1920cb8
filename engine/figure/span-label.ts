import { formatDuration, type RelNs } from '../model/time.js';
import type { CountColumn, LabelField, LabelSegment } from './layout-types.js';
import { textWidth } from './text-metrics.js';

// The text of one span's label, as styled segments (the SVG colours tid, container and counts
// apart, like the seed figure), and its estimated width for placement.

export const DEFAULT_LABEL_FIELDS: readonly LabelField[] = ['tid', 'container', 'counts'];

export interface LabelSource {
  tid: number;
  container: string;
  ip: string;
  kind: 'network' | 'fork';
  start: RelNs;
  end: RelNs;
  counts: readonly number[];
  hiddenDescendants: number;
}

export interface LabelContext {
  fields: readonly LabelField[];
  columns: readonly CountColumn[];
  containerNames: Readonly<Record<string, string>>;
  origin: RelNs;
}

export function labelSegments(s: LabelSource, outside: 'before' | 'after' | null, ctx: LabelContext): LabelSegment[] {
  const out: LabelSegment[] = [];
  const seg = (text: string, role: LabelSegment['role'], bold = false) => out.push({ text, role, bold });
  if (outside === 'before') seg('◂', 'outside');
  for (const f of ctx.fields) {
    switch (f) {
      case 'tid':
        seg(String(s.tid), 'tid', true);
        break;
      case 'container':
        seg(ctx.containerNames[s.container] ?? s.container, 'container');
        break;
      case 'ip':
        seg(s.ip, 'ip');
        break;
      case 'kind':
        seg(s.kind, 'kind');
        break;
      case 'start':
        seg(`+${formatDuration(s.start - ctx.origin)}`, 'start');
        break;
      case 'duration':
        seg(formatDuration(s.end - s.start), 'duration');
        break;
      case 'counts':
        ctx.columns.forEach((c, i) => {
          seg(`${c.label}:`, 'count-name');
          seg(String(s.counts[i] ?? 0), 'count-value');
        });
        break;
    }
  }
  if (s.hiddenDescendants > 0) seg(`(+${s.hiddenDescendants} hidden)`, 'hidden');
  if (outside === 'after') seg('▸', 'outside');
  return out;
}

export function segmentsWidth(segments: readonly LabelSegment[], fontSize: number, narrow = false): number {
  let w = 0;
  for (const s of segments) w += textWidth(s.text, fontSize, s.bold, narrow);
  return w + Math.max(0, segments.length - 1) * textWidth(' ', fontSize, false, narrow);
}

/**
 * Shortens a label to `maxWidth` by shortening the container name first (ending it in '…'): the
 * thread id and the count values are what a reader compares, and a long name (`k8s_…`, compose
 * prefixes) is what overflows. Only when the name is down to one letter is the tail cut.
 */
export function shortenLabel(segments: readonly LabelSegment[], maxWidth: number, fontSize: number): LabelSegment[] | null {
  if (segmentsWidth(segments, fontSize) <= maxWidth) return [...segments];
  const at = segments.findIndex((s) => s.role === 'container');
  if (at >= 0) {
    const name = [...segments[at]!.text];
    const withName = (k: number) => segments.map((s, i) => (i === at ? { ...s, text: `${name.slice(0, k).join('')}…` } : s));
    // The longest prefix that fits (width grows with the prefix, so a binary search).
    let lo = 0;
    let hi = name.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (segmentsWidth(withName(mid), fontSize) <= maxWidth) lo = mid;
      else hi = mid - 1;
    }
    const best = withName(Math.max(1, lo));
    if (lo >= 1 && segmentsWidth(best, fontSize) <= maxWidth) return best;
    return truncateSegments(best, maxWidth, fontSize);
  }
  return truncateSegments(segments, maxWidth, fontSize);
}

/**
 * Shortens a label to `maxWidth` (by the generous estimate), keeping whole leading segments and
 * ending with '…'. Returns null when not even the ellipsis fits.
 */
export function truncateSegments(segments: readonly LabelSegment[], maxWidth: number, fontSize: number): LabelSegment[] | null {
  const ellipsis = textWidth('…', fontSize);
  if (maxWidth < ellipsis) return null;
  const space = textWidth(' ', fontSize);
  const out: LabelSegment[] = [];
  let used = 0;
  for (const seg of segments) {
    const gap = out.length > 0 ? space : 0;
    const w = textWidth(seg.text, fontSize, seg.bold);
    if (used + gap + w + space + ellipsis <= maxWidth) {
      out.push(seg);
      used += gap + w;
      continue;
    }
    // Part of this segment, then the ellipsis.
    let text = '';
    for (const ch of seg.text) {
      if (used + gap + textWidth(text + ch, fontSize, seg.bold) + ellipsis > maxWidth) break;
      text += ch;
    }
    if (text !== '') out.push({ ...seg, text: `${text}…` });
    else out.push({ text: '…', role: seg.role, bold: false });
    return out;
  }
  return out;
}

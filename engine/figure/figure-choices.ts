import type { FigureFlags } from './figure-flags.js';
import { TOTAL_COUNT_PROBE, type LabelField } from './layout-types.js';

// A figure export's choices as the app's figure editor makes them (the IPC contract's
// FigureExportOptions has this shape), written as the `misertrace export` flags they stand for.
// The engine parses those flags with the CLI's own parser (figure-flags.ts), so the app's file is
// byte for byte the CLI's (e2e/ui/export.test.ts) and the command stored in it is the CLI's.

export interface FigureRename {
  container: string;
  name: string;
}

export interface FigureChoices {
  /** Probe names whose counts are printed on the bars. */
  counts: string[];
  /** Span indices whose subtrees are collapsed. */
  collapsed: number[];
  /** Time window (RelNs, as the spans' times); null for the whole trace. */
  window: { start: number; end: number } | null;
  palette: 'color' | 'greyscale';
  title: string | null;
  caption: string | null;
  /** A length as --width takes it ("1200", "241pt"); null for the default. */
  width: string | null;
  /** A size as --font-size takes it ("11", "8pt"); null for the default. */
  fontSize: string | null;
  /** Display names of containers (--rename), in the order given. */
  renames: FigureRename[];
  /** Label fields in order (--label); null for the default (tid, container, counts). */
  labelFields: LabelField[] | null;
}

/** The flags for these choices; `rootStart` is the first trace's root span start. */
export function flagsForChoices(o: FigureChoices, rootStart: number): FigureFlags {
  const f: FigureFlags = {};
  if (o.width !== null) f.width = o.width;
  if (o.fontSize !== null) f['font-size'] = o.fontSize;
  if (o.title !== null) f.title = o.title;
  if (o.caption !== null) f.caption = o.caption;
  if (o.palette === 'greyscale') f.greyscale = true;
  f.counts = o.counts.length === 0 ? 'none' : o.counts.map((p) => (p === TOTAL_COUNT_PROBE ? 'total' : p)).join(',');
  if (o.labelFields !== null) f.label = o.labelFields.length === 0 ? 'none' : o.labelFields.join(',');
  const renames = o.renames.filter((r) => r.name !== r.container);
  if (renames.length > 0) f.rename = renames.map((r) => `${r.container}=${r.name}`).join(',');
  // The CLI's --window is time since the request's start and keeps only the rows it touches.
  if (o.window !== null) f.window = `${o.window.start - rootStart}ns..${o.window.end - rootStart}ns`;
  if (o.collapsed.length > 0) f.collapse = [...new Set(o.collapsed)].sort((a, b) => a - b).join(',');
  return f;
}

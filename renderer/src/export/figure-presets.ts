// Width presets of the figure editor, in points as paper templates give them: one column of a
// two-column paper (ACM and IEEE: 241-252 pt; 241 pt is the narrower, so it fits both) and the
// full text width (506 pt), each with a font size in points that reads as the body text does.
// Each maps to `misertrace export` flags: --width 241pt --font-size 8pt.

export type WidthPreset = 'one-column' | 'two-columns' | 'screen' | 'custom';

export interface PresetInfo {
  id: WidthPreset;
  label: string;
  /** --width text; null for the default (960 px). */
  width: string | null;
  /** Font size in pt chosen with the preset; null for the default (11 px). */
  fontPt: number | null;
}

export const WIDTH_PRESETS: readonly PresetInfo[] = [
  { id: 'one-column', label: 'One column (241 pt)', width: '241pt', fontPt: 8 },
  { id: 'two-columns', label: 'Two columns (506 pt)', width: '506pt', fontPt: 9 },
  { id: 'screen', label: 'Screen (960 px)', width: null, fontPt: null },
  { id: 'custom', label: 'Custom', width: null, fontPt: null },
];

/** A length as --width takes it: 960, 7in, 17cm, 170mm, 504pt. */
export const LENGTH = /^\d+(\.\d+)?(px|in|cm|mm|pt)?$/;

/** The --width text for a preset and the custom field; undefined when the custom text is not a length. */
export function widthText(preset: WidthPreset, custom: string): string | null | undefined {
  if (preset !== 'custom') return WIDTH_PRESETS.find((p) => p.id === preset)!.width;
  const t = custom.trim().replace(/\s+/g, '');
  if (t === '') return null;
  return LENGTH.test(t) ? t : undefined;
}

/** The --font-size text for a size in points typed by the user; null for the default, undefined when not a number. */
export function fontText(pt: string): string | null | undefined {
  const t = pt.trim();
  if (t === '') return null;
  return /^\d+(\.\d+)?$/.test(t) ? `${t}pt` : undefined;
}

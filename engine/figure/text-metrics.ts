// Text width estimates for label placement, without a DOM (the CLI has none, and the figure must
// not depend on the fonts of the machine that exports it). The SVG asks for FONT_STACK; on most
// systems that resolves to Helvetica/Arial or a metric twin (Liberation Sans, Nimbus Sans), and
// elsewhere to a generic sans-serif, typically DejaVu Sans, which is about 15% wider. So each
// advance below is the larger of Liberation Sans and DejaVu Sans (1/1000 em, rounded up): a
// label that fits by this estimate fits in every font the stack can land on.
// test/figure/text-metrics.test.ts checks the table against the installed font files.

/** The font-family of every text in the figure. Ends with the generic family, so any system has a match. */
export const FONT_STACK = "Helvetica, Arial, 'Liberation Sans', 'Nimbus Sans', 'DejaVu Sans', sans-serif";

/** Advances of U+0020..U+007E, regular weight. */
const REGULAR = [
  318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337, 637, 637, 637, 637, 637, 637, 637, 637, 637, 637, 337, 337, 838,
  838, 838, 557, 1016, 685, 687, 723, 771, 667, 611, 778, 752, 295, 500, 667, 558, 863, 749, 788, 667, 788, 723, 667, 611, 732, 685, 989, 686,
  667, 686, 391, 337, 391, 838, 557, 500, 613, 635, 550, 635, 616, 353, 635, 634, 278, 278, 580, 278, 975, 634, 612, 635, 635, 412, 521, 393,
  634, 592, 818, 592, 592, 525, 637, 337, 637, 838,
];

/** Advances of U+0020..U+007E, bold weight. */
const BOLD = [
  349, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366, 696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400,
  838, 838, 838, 611, 1000, 774, 763, 734, 831, 684, 684, 821, 837, 373, 557, 775, 638, 996, 837, 851, 733, 851, 771, 721, 683, 813, 774, 1104,
  771, 725, 726, 458, 366, 458, 838, 557, 500, 675, 716, 593, 716, 679, 436, 716, 712, 343, 343, 666, 343, 1042, 712, 688, 716, 716, 494, 596,
  479, 712, 652, 924, 646, 652, 583, 712, 366, 712, 838,
];

/** Liberation Sans alone (= Arial, Helvetica metrics), rounded down: the narrowest the text can be. */
const ARIAL_REGULAR = [
  277, 277, 354, 556, 556, 889, 666, 190, 333, 333, 389, 583, 277, 333, 277, 277, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 277, 277, 583,
  583, 583, 556, 1015, 666, 666, 722, 722, 666, 610, 777, 722, 277, 500, 666, 556, 833, 722, 777, 666, 777, 722, 666, 610, 722, 666, 943, 666,
  666, 610, 277, 277, 277, 469, 556, 333, 556, 556, 500, 556, 556, 277, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 277,
  556, 500, 722, 500, 500, 500, 333, 259, 333, 583,
];

const ARIAL_BOLD = [
  277, 333, 474, 556, 556, 889, 722, 237, 333, 333, 389, 583, 277, 333, 277, 277, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 583,
  583, 583, 610, 975, 722, 722, 722, 722, 666, 610, 777, 722, 277, 556, 722, 610, 833, 722, 777, 666, 777, 722, 666, 610, 722, 666, 943, 666,
  666, 610, 333, 277, 333, 583, 556, 333, 556, 610, 556, 610, 556, 333, 610, 610, 277, 277, 556, 277, 889, 610, 610, 610, 610, 389, 556, 333,
  610, 556, 777, 556, 556, 500, 389, 279, 389, 583,
];

/** A few non-ASCII characters the figure itself writes (µ, …, –, ·, →): regular, bold. */
const EXTRA = new Map<number, [number, number]>([
  [0xb5, [637, 736]],
  [0x2026, [1000, 1000]],
  [0x2013, [557, 557]],
  [0xb7, [318, 380]],
  [0x2192, [1000, 1000]],
  [0x25b8, [1000, 1000]],
  [0x25c2, [1000, 1000]],
]);

/** Anything else (user text such as container names in other scripts): a full em, the width of wide CJK glyphs. */
const UNKNOWN = 1000;

/**
 * Estimated advance width of `text` at `fontSize` units: by default the widest the stack's fonts
 * make it (for deciding what fits); with `narrow`, its width in Helvetica/Arial metrics (for
 * backgrounds that should hug the text where the stack's first fonts are present).
 */
export function textWidth(text: string, fontSize: number, bold = false, narrow = false): number {
  const table = narrow ? (bold ? ARIAL_BOLD : ARIAL_REGULAR) : bold ? BOLD : REGULAR;
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp <= 0x7e) w += table[cp - 0x20]!;
    else w += EXTRA.get(cp)?.[bold ? 1 : 0] ?? UNKNOWN;
  }
  return (w * fontSize) / 1000;
}

/** Exposed for the test that checks the table against font files. */
export function advanceTable(bold: boolean, narrow = false): { first: number; advances: readonly number[]; extra: ReadonlyMap<number, number> } {
  const extra = new Map<number, number>();
  for (const [cp, [r, b]] of EXTRA) extra.set(cp, bold ? b : r);
  return { first: 0x20, advances: narrow ? (bold ? ARIAL_BOLD : ARIAL_REGULAR) : bold ? BOLD : REGULAR, extra };
}

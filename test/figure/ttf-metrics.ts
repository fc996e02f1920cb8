import { readFileSync } from 'node:fs';

// Reads horizontal advance widths from a TrueType font (tables cmap format 4, hmtx, hhea, head),
// to check the layout's text-width table against the fonts our SVG's font stack resolves to.

export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width of a BMP code point in font units, or undefined when the font lacks it. */
  advance(codePoint: number): number | undefined;
}

export function readTtfMetrics(path: string): FontMetrics {
  const b = readFileSync(path);
  const numTables = b.readUInt16BE(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(b.toString('latin1', rec, rec + 4), b.readUInt32BE(rec + 8));
  }
  const table = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`${path}: no ${tag} table`);
    return off;
  };
  const unitsPerEm = b.readUInt16BE(table('head') + 18);
  const numberOfHMetrics = b.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const cmap = table('cmap');
  let sub = -1;
  for (let i = 0; i < b.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + i * 8;
    const platform = b.readUInt16BE(rec);
    const encoding = b.readUInt16BE(rec + 2);
    const off = cmap + b.readUInt32BE(rec + 4);
    if (b.readUInt16BE(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) sub = off;
  }
  if (sub < 0) throw new Error(`${path}: no Unicode BMP cmap (format 4)`);
  const segX2 = b.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  const glyphOf = (cp: number): number => {
    for (let s = 0; s < segX2 / 2; s++) {
      const end = b.readUInt16BE(ends + s * 2);
      if (cp > end) continue;
      const start = b.readUInt16BE(starts + s * 2);
      if (cp < start) return 0;
      const delta = b.readInt16BE(deltas + s * 2);
      const ro = b.readUInt16BE(ranges + s * 2);
      if (ro === 0) return (cp + delta) & 0xffff;
      const g = b.readUInt16BE(ranges + s * 2 + ro + (cp - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  return {
    unitsPerEm,
    advance(cp) {
      const g = glyphOf(cp);
      if (g === 0) return undefined;
      return b.readUInt16BE(hmtx + Math.min(g, numberOfHMetrics - 1) * 4);
    },
  };
}

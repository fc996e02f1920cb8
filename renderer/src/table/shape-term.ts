// The filter term the Shapes panel writes (`shape:N`, table-query.ts): set, replaced or removed,
// the user's other terms left as they are.

const SHAPE_TERM = /^shape[:=]\d+$/i;

/** The filter text with its shape term replaced by `shape:N`, or removed (null). */
export function withShapeTerm(text: string, shape: number | null): string {
  const words = text.trim().split(/\s+/).filter((w) => w !== '' && !SHAPE_TERM.test(w));
  return (shape === null ? words : [...words, `shape:${shape}`]).join(' ');
}

export function selectedShape(text: string): number | null {
  const w = text.trim().split(/\s+/).find((x) => SHAPE_TERM.test(x));
  return w === undefined ? null : Number(w.slice(6));
}

// Coordinates are written with at most two decimals: finer than any output device resolves, and
// the same digits on every run and machine (a figure exported twice is byte-identical).

export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

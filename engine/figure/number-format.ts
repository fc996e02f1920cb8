// Coordinates are written with at most two decimals: finer than any output device resolves, and
// the same digits on every run and machine (a figure exported twice is byte-identical).
// The digits are built from integers: a 10,000-span figure writes ~300,000 numbers, and turning
// small integers into text is much cheaper than printing doubles. The result equals
// String(Math.round(v * 100) / 100), with -0 written as 0.

export function num(v: number): string {
  const r = Math.round(v * 100);
  if (r % 100 === 0) return String(r / 100 || 0);
  const a = r < 0 ? -r : r;
  const frac = a % 100;
  const digits = frac % 10 === 0 ? String(frac / 10) : frac < 10 ? `0${frac}` : String(frac);
  return `${r < 0 ? '-' : ''}${(a - frac) / 100}.${digits}`;
}

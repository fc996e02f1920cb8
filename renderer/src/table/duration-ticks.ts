// Ticks for a log-scaled duration axis: 1, 2 and 5 times powers of ten that fall in the domain
// (log10 ns), thinned to fit the width. Round values read at a glance (1 ms, 2 ms, 5 ms).

export function durationTicks(lo: number, hi: number, maxTicks: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const v = Math.log10(m) + e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  if (out.length <= maxTicks) return out;
  const decades = out.filter((v) => Math.abs(v - Math.round(v)) < 1e-9);
  if (decades.length >= 2 && decades.length <= maxTicks) return decades;
  const step = Math.ceil(out.length / Math.max(1, maxTicks));
  return out.filter((_, i) => i % step === 0);
}

// Clips the vertical runs of an arrow's path to the rows on screen. A response arrow from a
// child 9,000 rows down climbs 200,000 px; drawn dashed in full, the rasterizer generates every
// dash of it on every frame, though a few hundred pixels show. The layout's arrow paths use only
// absolute M, H, V and Q commands (engine/figure/arrow-paths.ts), so clipping keeps their shape:
// each V ends inside [lo, hi], and a move to a point outside the band starts at its edge.

const TOKEN = /([MHVQ])([^MHVQ]*)/g;

export function clipArrowPath(d: string, lo: number, hi: number): string {
  let x = 0;
  let y = 0;
  let out = '';
  let clipped = false;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  for (const m of d.matchAll(TOKEN)) {
    const cmd = m[1]!;
    const nums = m[2]!.split(/[\s,]+/).filter((t) => t !== '').map(Number);
    switch (cmd) {
      case 'M':
        x = nums[0]!;
        y = nums[1]!;
        out += `M${x},${y}`;
        break;
      case 'H':
        x = nums[0]!;
        out += `H${x}`;
        break;
      case 'Q':
        x = nums[2]!;
        y = nums[3]!;
        out += `Q${nums[0]},${nums[1]} ${x},${y}`;
        break;
      case 'V': {
        const to = nums[0]!;
        const a = clamp(y);
        const b = clamp(to);
        if (a === b && (a !== y || b !== to)) {
          // Wholly outside the band: only move the pen.
          out += `M${x},${to}`;
          clipped = true;
        } else {
          if (a !== y) {
            out += `M${x},${a}`;
            clipped = true;
          }
          out += `V${b}`;
          if (b !== to) {
            out += `M${x},${to}`;
            clipped = true;
          }
        }
        y = to;
        break;
      }
    }
  }
  return clipped ? out : d;
}

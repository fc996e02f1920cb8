import { layoutGantt } from '../engine/figure/gantt-layout.js';
import { renderFigure } from '../engine/figure/svg.js';
import { syntheticTrace } from './synthetic-trace.js';

// Layout and SVG time for synthetic traces of 100, 1,000 and 10,000 spans (median of several
// runs after a warm-up). Target: 10,000 spans laid out and serialized in under 1 s.

const SIZES = [100, 1_000, 10_000];
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const rows: string[] = [];
rows.push(`${'spans'.padStart(7)}  ${'layout ms'.padStart(10)}  ${'figure ms'.padStart(10)}  ${'svg MB'.padStart(7)}  ${'ok'.padStart(4)}`);
let failed = false;
for (const n of SIZES) {
  const { trace, counts } = syntheticTrace({ spans: n, seed: 7 });
  time(() => renderFigure([{ trace, counts }]));
  const layout: number[] = [];
  const figure: number[] = [];
  let bytes = 0;
  for (let r = 0; r < RUNS; r++) {
    layout.push(time(() => layoutGantt({ trace, counts })));
    figure.push(time(() => (bytes = renderFigure([{ trace, counts }]).svg.length)));
  }
  const ok = n < 10_000 || median(figure) < 1000;
  failed ||= !ok;
  rows.push(`${String(n).padStart(7)}  ${median(layout).toFixed(1).padStart(10)}  ${median(figure).toFixed(1).padStart(10)}  ${(bytes / 1e6).toFixed(2).padStart(7)}  ${(ok ? 'yes' : 'NO').padStart(4)}`);
}
console.log(`figure benchmark (median of ${RUNS}; "figure" = layout, fitting and SVG serialization)`);
console.log(rows.join('\n'));
if (failed) {
  console.error('10,000 spans took 1 s or more to lay out and serialize');
  process.exitCode = 1;
}

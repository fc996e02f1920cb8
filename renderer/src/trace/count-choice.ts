import { defaultCountColumns, defaultCountLabel } from '../../../engine/figure/count-columns.js';
import { isModelProbe } from '../../../engine/model/record.js';
import { TOTAL_COUNT_PROBE, type CountColumn, type SpanCounts } from '../../../engine/figure/layout-types.js';

// Which per-span counts the bars print. The default is the figure's own default (the user probes,
// by name), so what the app shows is what `misertrace export` draws.

export { TOTAL_COUNT_PROBE };

export function defaultShownCounts(counts: readonly SpanCounts[]): string[] {
  return defaultCountColumns(counts).map((c) => c.probe);
}

export function countColumns(probes: readonly string[]): CountColumn[] {
  return probes.map((probe) => ({ probe, label: defaultCountLabel(probe) }));
}

/** Probes offered in the chooser: user probes first, then the model's own, then the total. */
export function countChoices(traceProbes: readonly string[]): { probe: string; label: string; model: boolean }[] {
  const user = traceProbes.filter((p) => !isModelProbe(p));
  const model = traceProbes.filter(isModelProbe);
  return [
    ...user.map((p) => ({ probe: p, label: defaultCountLabel(p), model: false })),
    { probe: TOTAL_COUNT_PROBE, label: defaultCountLabel(TOTAL_COUNT_PROBE), model: false },
    ...model.map((p) => ({ probe: p, label: defaultCountLabel(p), model: true })),
  ];
}

import type { SchedSplit } from '../../../engine/analysis/sched-timeline.js';
import { formatCount, formatDuration, formatDurationFixed } from '../common/format.js';
import '../sched.css';

// Where a span's time went (issue 14, ADR 0090), from the capture's scheduler records: a strip
// along the foot of each bar (on a CPU, runnable = waiting for one, blocked = asleep or in I/O,
// stacked in that order, each as wide as its share of the span), the legend's entry, the numbers
// in the details panel and the critical path's totals.

const STATES = [
  { key: 'onCpuNs', cls: 'sched-oncpu', name: 'On CPU' },
  { key: 'runnableNs', cls: 'sched-runnable', name: 'Runnable (waiting for a CPU)' },
  { key: 'blockedNs', cls: 'sched-blocked', name: 'Blocked (asleep or in I/O)' },
] as const;

function total(s: SchedSplit): number {
  return s.onCpuNs + s.runnableNs + s.blockedNs;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 1 : 0)}%` : '–';
}

/** One line: "on CPU 1.2 ms (40%), runnable ..., blocked ..." and the faults and migrations there were. */
export function splitText(s: SchedSplit): string {
  const t = total(s);
  const marks = [s.faults > 0 ? plural(s.faults, 'page fault') : '', s.migrations > 0 ? plural(s.migrations, 'migration') : ''].filter((x) => x !== '');
  return `on CPU ${formatDuration(s.onCpuNs)} (${pct(s.onCpuNs, t)}), runnable ${formatDuration(s.runnableNs)} (${pct(s.runnableNs, t)}), blocked ${formatDuration(s.blockedNs)} (${pct(s.blockedNs, t)})${marks.map((m) => `, ${m}`).join('')}`;
}

function plural(n: number, what: string): string {
  return `${formatCount(n)} ${what}${n === 1 ? '' : 's'}`;
}

/** The stacked strip inside a bar at x..x+w, its top at y. */
export function SchedStrip({ split, x, y, w, h }: { split: SchedSplit; x: number; y: number; w: number; h: number }) {
  const t = total(split);
  if (t <= 0 || w < 2) return null;
  let at = x;
  return (
    <g className="sched-strip" aria-hidden="true">
      <title>{splitText(split)}</title>
      {STATES.map((st) => {
        const part = (w * split[st.key]) / t;
        const r = part > 0 ? <rect key={st.key} className={st.cls} x={at} y={y} width={part} height={h} /> : null;
        at += part;
        return r;
      })}
    </g>
  );
}

/** The legend's entries for the strip. */
export function SchedLegend() {
  return (
    <li className="legend-sched" title="From the capture's scheduler records (capture --sched): each bar's foot is its thread's time on a CPU, waiting for one, and blocked">
      {STATES.map((st) => (
        <span key={st.key}>
          <span className={`sched-swatch ${st.cls}`} aria-hidden="true" />
          {st.name.replace(/ \(.*/, '')}{' '}
        </span>
      ))}
    </li>
  );
}

/** The critical path's totals (a legend entry beside the critical path's). */
export function CriticalSched({ split }: { split: SchedSplit }) {
  return (
    <li className="sched-critical" data-testid="critical-sched">
      Critical path: {splitText(split)}
    </li>
  );
}

/** The details panel's section; `split` null: the bundle has scheduler records but none of this thread. */
export function SchedDetails({ split }: { split: SchedSplit | null }) {
  if (split === null) return <p className="muted">No scheduler record of this thread: where its time went is unknown.</p>;
  const t = total(split);
  return (
    <table className="data-table compact sched-table" aria-label="Where the span's time went">
      <tbody>
        {STATES.map((st) => (
          <tr key={st.key}>
            <td>
              <span className={`sched-swatch ${st.cls}`} aria-hidden="true" />
              {st.name}
            </td>
            <td className="num">{formatDurationFixed(split[st.key])}</td>
            <td className="num">{pct(split[st.key], t)}</td>
          </tr>
        ))}
        <tr>
          <td>Page faults (user mode)</td>
          <td className="num">{formatCount(split.faults)}</td>
          <td />
        </tr>
        <tr>
          <td>Migrations (back on another CPU)</td>
          <td className="num">{formatCount(split.migrations)}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}

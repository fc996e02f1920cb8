import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { isModelProbe, probeEventName } from '../../../engine/model/record.js';
import { formatCount, formatDuration } from '../common/format.js';
import { linkText } from './link-text.js';
import { splitText } from './sched-strip.js';

// Hover details of one span, beside the pointer: the full container name (labels shorten long
// ones), times, the top event counts and how the span was linked to its parent.

export function GanttTooltip({ detail, span, x, y }: { detail: TraceDetail; span: number; x: number; y: number }) {
  const s = detail.spans[span];
  if (s === undefined) return null;
  const root = detail.spans[0]!;
  const c = detail.counts[span];
  const top = c === undefined ? [] : Object.entries(c.byProbe).filter(([p]) => !isModelProbe(p)).sort((p, q) => q[1] - p[1]).slice(0, 4);
  return (
    <div className="gantt-tooltip" role="tooltip" style={{ transform: `translate(${Math.round(x + 14)}px, ${Math.round(y + 14)}px)` }}>
      <div className="tooltip-title">
        <strong>{s.tid}</strong> {s.container}
      </div>
      <div>
        {s.kind === 'network' ? 'Network thread state' : 'Fork thread state'} · {s.ip}
      </div>
      <div>
        starts +{formatDuration(s.start - root.start)}, lasts {formatDuration(s.end - s.start)}
      </div>
      <div>
        {formatCount(c?.total ?? 0)} events{top.map(([p, n]) => ` · ${probeEventName(p)} ${formatCount(n)}`).join('')}
      </div>
      {detail.sched?.spans[span] && <div className="tooltip-sched">{splitText(detail.sched.spans[span])}</div>}
      {s.link !== undefined && <div className={s.link.exact ? '' : 'tooltip-inferred'}>{linkText(s.link)}</div>}
    </div>
  );
}

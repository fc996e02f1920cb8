import type { TraceDetail } from '../../../electron/ipc-contract.js';
import { COLOUR_PALETTE } from '../../../engine/figure/palette.js';
import type { ModelName } from '../../../engine/model/span-link.js';
import { useTraceView, type ArrowMode } from '../stores/trace-view-store.js';
import { CriticalSched, SchedLegend } from './sched-strip.js';

// What the marks of the Gantt mean: bar kinds, the critical path's outline and its time mark,
// the arrow styles (and, for traces of the causal model, the inferred links' dotted style).

const P = COLOUR_PALETTE;

function Swatch({ children }: { children: React.ReactNode }) {
  return (
    <svg className="legend-swatch" width={28} height={14} aria-hidden="true">
      {children}
    </svg>
  );
}

function Arrow({ dash, hollow = false }: { dash?: string; hollow?: boolean }) {
  return (
    <Swatch>
      <path d="M1,7H21" stroke={P.arrow} strokeDasharray={dash} fill="none" />
      <path d="M27,7l-6,-3v6z" fill={hollow ? P.background : P.arrow} stroke={hollow ? P.arrow : 'none'} />
    </Swatch>
  );
}

interface Props {
  detail: TraceDetail;
  critical: boolean;
  arrows: ArrowMode;
  model: ModelName;
  /** Fills by container (colour by container), or null when bars are coloured by kind. */
  colours: ReadonlyMap<string, string> | null;
}

export function GanttLegend({ detail, critical, arrows, model, colours }: Props) {
  const kinds = new Set(detail.spans.map((s) => s.kind));
  const setColourBy = useTraceView((s) => s.setColourBy);
  const inferred = detail.spans.filter((s) => s.link !== undefined && !s.link.exact).length;
  return (
    <ul className="gantt-legend" aria-label="Legend">
      <li className={`model-badge model-${model}`} title={model === 'causal' ? 'Made by the causal model: every link names its rule, exact or inferred' : 'Made by the original MiSeRTrace model (no link provenance)'}>
        {model} model
      </li>
      {(['network', 'fork'] as const)
        .filter((k) => kinds.has(k))
        .map((k) => (
          <li key={k}>
            <Swatch>
              <rect x={1} y={2} width={26} height={10} fill={colours === null ? P[k].fill : '#fff'} stroke={P[k].stroke} strokeDasharray={P[k].dash ?? undefined} />
            </Swatch>
            {k === 'network' ? 'Network thread state' : 'Fork thread state'}
          </li>
        ))}
      {colours !== null &&
        [...colours].map(([c, fill]) => (
          <li key={c} className="legend-container" title={c}>
            <Swatch>
              <rect x={1} y={2} width={26} height={10} fill={fill} stroke="#555" />
            </Swatch>
            {c.length > 32 ? `${c.slice(0, 31)}…` : c}
          </li>
        ))}
      {critical && (
        <li>
          <Swatch>
            <rect x={1} y={1} width={26} height={9} fill="#fff" stroke="var(--critical)" strokeWidth={2} />
            <rect x={8} y={11.5} width={12} height={2.5} fill="var(--critical)" />
          </Swatch>
          Critical path (its time on the span underlined)
        </li>
      )}
      {detail.sched !== undefined && <SchedLegend />}
      {critical && detail.sched?.criticalPath && <CriticalSched split={detail.sched.criticalPath} />}
      {arrows !== 'none' && (
        <li>
          <Arrow /> Request or fork
        </li>
      )}
      {arrows === 'all' && (
        <li>
          <Arrow dash={P.returnDash} /> Response or exit
        </li>
      )}
      {inferred > 0 && arrows !== 'none' && (
        <li className="legend-inferred">
          <Arrow dash={P.inferredDash} hollow /> Inferred link ({inferred} in this trace)
        </li>
      )}
      <li className="legend-action">
        <button type="button" className="link-button" aria-pressed={colours !== null} onClick={() => setColourBy(colours === null ? 'container' : 'kind')}>
          {colours === null ? 'Colour by container' : 'Colour by kind'}
        </button>
      </li>
    </ul>
  );
}

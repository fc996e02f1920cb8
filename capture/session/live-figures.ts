import type { RecordTail } from '../bpftrace/record-tail.js';
import { readOutput, type Attachment } from './attach-phase.js';
import type { CaptureOptions, CaptureState, LiveFigures, PhaseContext } from './capture-types.js';
import { DEFAULT_LIMITS, hostShortage, type HostLimits } from './host-guard.js';
import { DisposableStore, interval, type Disposable } from './lifecycle.js';

// The live figures phase, while the probes are attached: every figuresIntervalMs the records file
// is read on (bpftrace's output converted first) and the figures go out; every second the host's
// memory and disk are checked, and a shortage stops the capture keeping what it has.

const FIGURES_MS = 500;
// The ftrace helper hands its pages over once a second (its read rounds, ADR 0071): a pass every
// 500 ms found nothing new every other time, and the passes that did walk pages are what the
// application's p99 feels of the relay. Passes every second: p99 x1.07 instead of x1.12 in
// bench:toggle (/stock, 120 pairs each, runs interleaved, ADR 0125), the figures a second apart.
const FTRACE_FIGURES_MS = 1000;

export class FiguresMeter {
  tail: RecordTail | null = null;
  startedAt: Date | null = null;
  private last = { at: 0, records: 0, bytes: 0 };

  /** Rates count from now. */
  restart(tail: RecordTail, startedAt: Date): void {
    this.tail = tail;
    this.startedAt = startedAt;
    this.last = { at: Date.now(), records: 0, bytes: 0 };
  }

  /** The live figures now (rates since the last call). */
  figures(state: CaptureState): LiveFigures {
    const f = this.tail?.figures;
    const now = Date.now();
    const dt = Math.max(1, now - this.last.at) / 1000;
    // The ftrace child reports kernel events while it captures; its records come at the end.
    const events = f !== undefined && f.records === 0 && f.kernelEvents > 0;
    const records = events ? f.kernelEvents : (f?.records ?? 0);
    const bytes = (f?.bytes ?? 0) + (f?.spoolBytes ?? 0);
    const out: LiveFigures = {
      state,
      counting: events ? 'events' : 'records',
      elapsedMs: this.startedAt ? now - this.startedAt.getTime() : 0,
      records,
      recordsPerSecond: Math.round((records - this.last.records) / dt),
      bytes,
      bytesPerSecond: Math.round((bytes - this.last.bytes) / dt),
      byProbe: Object.fromEntries((events ? f.byKernelEvent : f?.byProbe) ?? []),
      lostEvents: f?.lostEvents ?? 0,
      malformed: f?.malformed ?? 0,
    };
    this.last = { at: now, records, bytes };
    return out;
  }
}

export interface WatchHooks {
  state(): CaptureState;
  onFigures(f: LiveFigures): void;
  /** The host runs short of memory or disk while capturing. */
  onShortage(why: string): void;
  /** The traced host's own check when it is another machine (capture/remote/remote-guard.ts). */
  tracedHostShortage?: (limits: HostLimits) => Promise<string | null>;
}

/** Starts the figures ticks and the host guard for an attached capture; dispose to stop them. */
export function watchCapture(o: CaptureOptions, a: Attachment, meter: FiguresMeter, ctx: PhaseContext, hooks: WatchHooks): Disposable {
  const store = new DisposableStore();
  const tick = async () => {
    if (!['capturing', 'draining', 'stopping'].includes(hooks.state())) return;
    await readOutput(a.pump, a.tail, ctx);
    hooks.onFigures(meter.figures(hooks.state()));
  };
  store.add(interval(() => void tick(), o.figuresIntervalMs ?? (a.info.backend === 'ftrace' ? FTRACE_FIGURES_MS : FIGURES_MS)));
  if (o.hostLimits !== false) {
    const limits = o.hostLimits ?? DEFAULT_LIMITS;
    const check = async () => {
      if (hooks.state() !== 'capturing') return;
      const why = (await hostShortage(a.info.workDir, limits).catch(() => null)) ?? (await hooks.tracedHostShortage?.(limits).catch(() => null)) ?? null;
      if (why !== null && hooks.state() === 'capturing') hooks.onShortage(why);
    };
    store.add(interval(() => void check(), 1000));
  }
  return store;
}

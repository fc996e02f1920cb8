// Where a thread's time went, from the scheduler's records (issue 14, ADR 0090): each thread's
// state over time (on a CPU, runnable = woken or preempted but waiting for a CPU, blocked =
// switched out asleep or in I/O), rebuilt from sched_switch (both directions: the thread leaving
// and the thread coming on) and sched_wakeup records, then asked for any interval.
//
// A record tells the state on both of its sides: a switch-out means the thread was running until
// then, a switch-in that it was runnable, a wakeup that it was blocked. So the state is known
// before a thread's first record too (back to the capture's start, where a transition would
// have been recorded), and after its last. Only a thread with no scheduler record at all has no
// split. Per thread the changes are kept as times with cumulative time per state, so the split
// of any interval costs two binary searches.

/** The thread's state; `Unknown` only before anything is known. */
export const enum Sched {
  OnCpu = 0,
  Runnable = 1,
  Blocked = 2,
}

/** A span's (or any interval's) time by state, in ns, with the point events inside it. */
export interface SchedSplit {
  onCpuNs: number;
  runnableNs: number;
  blockedNs: number;
  /** Page faults taken in user mode by the thread (only with exceptions:page_fault_user records). */
  faults: number;
  /** Times the thread came back on a CPU other than the one it left (ADR 0090). */
  migrations: number;
}

/** A trace's splits: per span index (null: no scheduler record of its thread), and its critical path's. */
export interface TraceSched {
  spans: (SchedSplit | null)[];
  criticalPath: SchedSplit | null;
}

/** The probe names whose records make the timeline (as both backends name them). */
export const SCHED_PROBES = {
  switch: 'tracepoint:sched:sched_switch',
  wakeup: 'tracepoint:sched:sched_wakeup',
  fault: 'tracepoint:exceptions:page_fault_user',
} as const;

/**
 * sched_switch's prev_state: 0 (running: yielded) or TASK_REPORT_MAX (0x100: preempted) left the
 * thread runnable; any state bit below it (S, D, T, ..., I) means it went to sleep: blocked.
 */
export function leftRunnable(prevState: number): boolean {
  return (prevState & 0xff) === 0;
}

class Grow {
  t = new Float64Array(16);
  n = 0;
  push(v: number): void {
    if (this.n === this.t.length) {
      const b = new Float64Array(this.t.length * 2);
      b.set(this.t);
      this.t = b;
    }
    this.t[this.n++] = v;
  }
  /** How many values are < x (values are pushed in time order). */
  below(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.t[m]! < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
  /** How many values are <= x. */
  upTo(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.t[m]! <= x) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

class ThreadTimeline {
  /** State before the first change (what the first record says it was). */
  first: Sched | -1 = -1;
  state: Sched | -1 = -1;
  /** Times of changes; `states[k]` holds from `times[k]` on. */
  readonly times = new Grow();
  states = new Uint8Array(16);
  /** Cumulative ns per state up to times[k] (from times[0]). */
  cum: Float64Array[] | null = null;
  readonly faults = new Grow();
  readonly migrations = new Grow();
  /** CPU the thread last left, -1 unknown. */
  lastCpu = -1;

  /** A record at `ts` that says the thread was `before` and is now `after`. */
  change(ts: number, before: Sched, after: Sched): void {
    if (this.state === -1) {
      this.first = before;
      this.state = before;
    }
    if (after === this.state) return;
    const k = this.times.n;
    this.times.push(ts);
    if (k === this.states.length) {
      const b = new Uint8Array(k * 2);
      b.set(this.states);
      this.states = b;
    }
    this.states[k] = after;
    this.state = after;
    this.cum = null;
  }

  private sums(): Float64Array[] {
    if (this.cum) return this.cum;
    const n = this.times.n;
    const cum = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    for (let k = 1; k < n; k++) {
      for (let s = 0; s < 3; s++) cum[s]![k] = cum[s]![k - 1]!;
      cum[this.states[k - 1]!]![k]! += this.times.t[k]! - this.times.t[k - 1]!;
    }
    this.cum = cum;
    return cum;
  }

  /** Time spent in each state from times[0] to `t` (negative before times[0]), into `out`: one search for all three. */
  private at(t: number, cum: Float64Array[], out: Float64Array): void {
    out.fill(0);
    const n = this.times.n;
    const t0 = n === 0 ? t : this.times.t[0]!;
    if (t < t0 || n === 0) {
      if (this.first !== -1) out[this.first] = t - t0;
      return;
    }
    const k = this.times.upTo(t) - 1;
    for (let s = 0; s < 3; s++) out[s] = cum[s]![k]!;
    out[this.states[k]!]! += t - this.times.t[k]!;
  }

  private readonly a = new Float64Array(3);
  private readonly b = new Float64Array(3);

  split(start: number, end: number): SchedSplit {
    const cum = this.sums();
    this.at(start, cum, this.a);
    this.at(end, cum, this.b);
    return {
      onCpuNs: this.b[Sched.OnCpu]! - this.a[Sched.OnCpu]!,
      runnableNs: this.b[Sched.Runnable]! - this.a[Sched.Runnable]!,
      blockedNs: this.b[Sched.Blocked]! - this.a[Sched.Blocked]!,
      faults: this.faults.upTo(end) - this.faults.below(start),
      migrations: this.migrations.upTo(end) - this.migrations.below(start),
    };
  }
}

/** Batches of time-ordered records as columns (engine/records' RecordColumns has these). */
export interface SchedColumns {
  n: number;
  tid: ArrayLike<number>;
  ts: ArrayLike<number>;
  cpu: ArrayLike<number>;
  probe: ArrayLike<number>;
  detailsAt: ArrayLike<number>;
  details: readonly string[];
}

const SWITCH = 1;
const WAKEUP = 2;
const FAULT = 3;

export class SchedTimelines {
  private readonly threads = new Map<number, ThreadTimeline>();
  /** Probe id -> SWITCH / WAKEUP / FAULT / 0. */
  private readonly kind: Uint8Array;
  private readonly parsed = new Map<string, { prevState: number; nextPid: number } | null>();
  /** sched_switch records whose details could not be read. */
  unreadable = 0;
  /**
   * Whether any record is a thread taking a CPU. Captures made before sched_switch recorded both
   * sides (and the original tool's) have only threads leaving it: their on-CPU time is unknowable,
   * so they get no split at all rather than a wrong one.
   */
  sawSwitchIn = false;

  /** null when the records hold no sched_switch: a capture without the scheduler group. */
  static forProbes(names: readonly string[]): SchedTimelines | null {
    return names.includes(SCHED_PROBES.switch) ? new SchedTimelines(names) : null;
  }

  constructor(names: readonly string[]) {
    this.kind = new Uint8Array(names.length + 1);
    names.forEach((n, i) => {
      this.kind[i] = n === SCHED_PROBES.switch ? SWITCH : n === SCHED_PROBES.wakeup ? WAKEUP : n === SCHED_PROBES.fault ? FAULT : 0;
    });
  }

  private thread(tid: number): ThreadTimeline {
    let t = this.threads.get(tid);
    if (t === undefined) {
      t = new ThreadTimeline();
      this.threads.set(tid, t);
    }
    return t;
  }

  /** Takes the scheduler records of a batch (records of other probes cost one array read). */
  add(c: SchedColumns): void {
    const kind = this.kind;
    for (let i = 0; i < c.n; i++) {
      const k = kind[c.probe[i]!] ?? 0;
      if (k === 0) continue;
      const tid = c.tid[i]!;
      const ts = c.ts[i]!;
      if (k === FAULT) this.recordFault(tid, ts);
      else if (k === WAKEUP) this.recordWakeup(tid, ts);
      else {
        const d = c.detailsAt[i]!;
        const sw = this.parse(d < 0 ? '' : c.details[d]!);
        if (sw === null) this.unreadable++;
        else this.recordSwitch(tid, ts, c.cpu[i]!, sw.prevState, sw.nextPid);
      }
    }
  }

  /** A sched_switch record of thread `tid`: it takes the CPU when `nextPid` is itself, else it leaves it. */
  recordSwitch(tid: number, ts: number, cpu: number, prevState: number, nextPid: number): void {
    const t = this.thread(tid);
    if (nextPid === tid) {
      this.sawSwitchIn = true;
      // Coming on: a migration when it left from another CPU.
      if (t.lastCpu >= 0 && t.lastCpu !== cpu) t.migrations.push(ts);
      t.change(ts, Sched.Runnable, Sched.OnCpu);
    } else {
      t.lastCpu = cpu;
      t.change(ts, Sched.OnCpu, leftRunnable(prevState) ? Sched.Runnable : Sched.Blocked);
    }
  }

  recordWakeup(tid: number, ts: number): void {
    const t = this.thread(tid);
    // A wakeup of a thread that never got off its CPU (woken between setting its sleep state and
    // calling schedule) or is already runnable changes nothing.
    if (t.state === Sched.Blocked || t.state === -1) t.change(ts, Sched.Blocked, Sched.Runnable);
  }

  recordFault(tid: number, ts: number): void {
    this.thread(tid).faults.push(ts);
  }

  private parse(details: string): { prevState: number; nextPid: number } | null {
    let p = this.parsed.get(details);
    if (p !== undefined) return p;
    const s = /(?:^|\s)prev_state=(\d+)/.exec(details);
    const n = /(?:^|\s)next_pid=(\d+)/.exec(details);
    p = s && n ? { prevState: Number(s[1]), nextPid: Number(n[1]) } : null;
    if (this.parsed.size < 4096) this.parsed.set(details, p);
    return p;
  }

  /** Thread `tid`'s split over [start, end]; null when no scheduler record of it was seen. */
  split(tid: number, start: number, end: number): SchedSplit | null {
    const t = this.threads.get(tid);
    if (!this.sawSwitchIn || t === undefined || t.first === -1) return null;
    // A span with its end before its start (inconsistent records) is split over the same interval.
    return end < start ? t.split(end, start) : t.split(start, end);
  }
}

/** Sums splits (the critical path's segments, a trace's spans). */
export function addSplit(into: SchedSplit, s: SchedSplit): SchedSplit {
  into.onCpuNs += s.onCpuNs;
  into.runnableNs += s.runnableNs;
  into.blockedNs += s.blockedNs;
  into.faults += s.faults;
  into.migrations += s.migrations;
  return into;
}

export function emptySplit(): SchedSplit {
  return { onCpuNs: 0, runnableNs: 0, blockedNs: 0, faults: 0, migrations: 0 };
}

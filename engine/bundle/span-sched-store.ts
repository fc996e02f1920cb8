import type Database from 'better-sqlite3';
import { criticalPath } from '../figure/critical-path.js';
import { addSplit, emptySplit, type SchedSplit, type SchedTimelines, type TraceSched } from '../analysis/sched-timeline.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import { BatchInsert } from './batch-insert.js';

// Where each span's time went (ADR 0090), stored beside the spans: one row per span whose thread
// has scheduler records, and one row per trace with idx -1 for its critical path (the sum over
// the path's segments, each the split of its own span's thread over the segment's interval).
// A bundle captured without the scheduler group, or written before this table existed, has no
// rows: the app shows no split. The table is added, never required (no format change).

export const SPAN_SCHED_TABLE = `CREATE TABLE IF NOT EXISTS span_sched (
  trace_id INTEGER NOT NULL, idx INTEGER NOT NULL,  -- idx -1: the trace's critical path
  on_cpu INTEGER NOT NULL, runnable INTEGER NOT NULL, blocked INTEGER NOT NULL,  -- ns
  faults INTEGER NOT NULL, migrations INTEGER NOT NULL,
  PRIMARY KEY (trace_id, idx)) WITHOUT ROWID;`;

/** The idx of a trace's critical-path row. */
export const CRITICAL_PATH_IDX = -1;

/** Each span's split and each trace's critical-path total, from the capture's timelines. */
export function traceSplits(trace: AssembledTrace, timelines: SchedTimelines): TraceSched {
  const spans = trace.spans.map((s) => timelines.split(s.tid, s.start, s.end));
  let path: SchedSplit | null = null;
  for (const seg of criticalPath(trace.spans).segments) {
    const s = trace.spans[seg.span]!;
    const part = timelines.split(s.tid, seg.start, seg.end);
    if (part !== null) path = addSplit(path ?? emptySplit(), part);
  }
  return { spans, criticalPath: path };
}

/** Replaces the table's rows (in the transaction that writes the traces). `timelines` null (or of a capture without switch-ins): clears it. */
export function writeSpanSched(db: Database.Database, traces: readonly AssembledTrace[], timelines: SchedTimelines | null): number {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'span_sched'").get() !== undefined;
  if (timelines === null || !timelines.sawSwitchIn) {
    if (has) db.exec('DELETE FROM span_sched');
    return 0;
  }
  db.exec(SPAN_SCHED_TABLE);
  db.exec('DELETE FROM span_sched');
  const ins = new BatchInsert(db, 'span_sched', ['trace_id', 'idx', 'on_cpu', 'runnable', 'blocked', 'faults', 'migrations']);
  let rows = 0;
  const add = (id: number, idx: number, s: SchedSplit) => {
    ins.add(id, idx, Math.round(s.onCpuNs), Math.round(s.runnableNs), Math.round(s.blockedNs), s.faults, s.migrations);
    rows++;
  };
  for (const t of traces) {
    const r = traceSplits(t, timelines);
    if (r.criticalPath !== null) add(t.id, CRITICAL_PATH_IDX, r.criticalPath);
    r.spans.forEach((s, i) => {
      if (s !== null) add(t.id, i, s);
    });
  }
  ins.finish();
  return rows;
}

/** One trace's splits; null when the bundle has none (no scheduler records, or an older bundle). */
export function readSpanSched(db: Database.Database, traceId: number, spanCount: number): TraceSched | null {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'span_sched'").get() === undefined) return null;
  const rows = db.prepare('SELECT idx, on_cpu, runnable, blocked, faults, migrations FROM span_sched WHERE trace_id = ? ORDER BY idx').raw(true).all(traceId) as number[][];
  if (rows.length === 0) return null;
  const out: TraceSched = { spans: new Array<SchedSplit | null>(spanCount).fill(null), criticalPath: null };
  for (const [idx, onCpuNs, runnableNs, blockedNs, faults, migrations] of rows) {
    const s: SchedSplit = { onCpuNs: onCpuNs!, runnableNs: runnableNs!, blockedNs: blockedNs!, faults: faults!, migrations: migrations! };
    if (idx === CRITICAL_PATH_IDX) out.criticalPath = s;
    else if (idx! >= 0 && idx! < spanCount) out.spans[idx!] = s;
  }
  return out;
}

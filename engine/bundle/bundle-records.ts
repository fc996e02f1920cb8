import type Database from 'better-sqlite3';
import { RecordColumns } from '../records/record-columns.js';
import { FIRST_CHUNKED_VERSION } from './bundle-schema.js';
import { RecordChunkReader, type ChunkRecord } from './record-chunk-reader.js';

// A bundle's records, whatever its format: per-thread chunks (format 2, ADR 0060) or one row per
// record (format 1, read as it is: such bundles open read-only and are never rewritten).

export interface BundleRecordAccess {
  count(): number;
  /** Records of thread `tid` with from <= ts <= to, in time order, comm and probe as ids. */
  thread(tid: number, from: number, to: number, offset: number, limit: number): ChunkRecord[];
  /** All records in time order, as reused record columns (`details: false` leaves the text out). */
  timeOrder(details?: boolean): Generator<RecordColumns>;
}

export function bundleRecords(db: Database.Database, formatVersion: number): BundleRecordAccess {
  if (formatVersion >= FIRST_CHUNKED_VERSION) {
    const r = new RecordChunkReader(db);
    return {
      count: () => r.count,
      thread: (tid, from, to, offset, limit) => r.threadRecords(tid, from, to, offset, limit),
      timeOrder: (details) => r.timeOrder(details),
    };
  }
  return rowRecords(db);
}

type Row = [number, number, number, number, number, number, string | null, number];

function rowRecords(db: Database.Database): BundleRecordAccess {
  const cols = 'seq, ts, tid, cpu, comm_id, probe_id, details, line';
  return {
    count: () => (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n,
    thread(tid, from, to, offset, limit) {
      const rows = db
        .prepare(`SELECT ${cols} FROM records WHERE tid = ? AND ts BETWEEN ? AND ? ORDER BY ts, seq LIMIT ? OFFSET ?`)
        .raw(true)
        .all(tid, from, to, Number.isFinite(limit) ? limit : -1, offset) as Row[];
      return rows.map(([seq, ts, t, cpu, comm, probe, details, line]) => ({ seq, ts, tid: t, cpu, comm, probe, details, line }));
    },
    *timeOrder() {
      const window = 1 << 16;
      const st = db.prepare(`SELECT ${cols} FROM records WHERE seq >= ? ORDER BY seq LIMIT ?`).raw(true);
      const out = new RecordColumns(window);
      for (let from = 0; ; from += window) {
        const rows = st.all(from, window) as Row[];
        if (rows.length === 0) return;
        out.n = rows.length;
        out.details.length = 0;
        rows.forEach(([, ts, tid, cpu, comm, probe, details, line], k) => {
          out.ts[k] = ts;
          out.tid[k] = tid;
          out.cpu[k] = cpu;
          out.comm[k] = comm;
          out.probe[k] = probe;
          out.line[k] = line;
          out.detailsAt[k] = details === null ? -1 : out.details.push(details) - 1;
        });
        yield out;
      }
    },
  };
}

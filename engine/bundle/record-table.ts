import Database from 'better-sqlite3';
import type { TimeBase } from '../model/time.js';
import { bundleRecords } from './bundle-records.js';

// The `records` virtual table (ADR 0060): format 2 stores records as chunk blobs, and this shows
// them as rows again to SQL on a connection that registered it (the CLI's `misertrace sql`, the
// Bundle reader in the CLI and the app):
//   SELECT * FROM records                      every record in time order
//   SELECT * FROM records(16026)               one thread's records (an indexed lookup)
//   SELECT * FROM records(16026, 0, 5000000)   ... with relative times from, to (ns)
// Columns: seq, ts (ns relative to the manifest's timeBaseNs), ts_ns (exact absolute ns), tid,
// cpu, comm, probe, details, line. The chunks are read through a second read-only connection:
// a connection running a statement cannot run another from inside it.

export const RECORD_TABLE_COLUMNS = ['seq', 'ts', 'ts_ns', 'tid', 'cpu', 'comm', 'probe', 'details', 'line'] as const;

export interface RecordTableSource {
  path: string;
  formatVersion: number;
  base: TimeBase;
  comms: readonly string[];
  probes: readonly string[];
}

/** Registers `records` on `db`; the returned function closes its second connection. */
export function registerRecordTable(db: Database.Database, src: RecordTableSource): () => void {
  let reader: Database.Database | null = null;
  const open = () => (reader ??= new Database(src.path, { readonly: true, fileMustExist: true }));
  const base = BigInt(src.base.baseNs);
  const row = (seq: number, ts: number, tid: number, cpu: number, comm: number, probe: number, details: string | null, line: number) => [
    BigInt(seq),
    BigInt(ts),
    base + BigInt(ts),
    BigInt(tid),
    BigInt(cpu),
    src.comms[comm] ?? null,
    src.probes[probe] ?? null,
    details,
    BigInt(line),
  ];
  db.table('records', {
    columns: [...RECORD_TABLE_COLUMNS],
    parameters: ['thread', 'since', 'until'],
    rows: function* (thread: unknown, since: unknown, until: unknown) {
      const recs = bundleRecords(open(), src.formatVersion);
      if (thread !== undefined && thread !== null) {
        const from = since === undefined || since === null ? -Infinity : Number(since);
        const to = until === undefined || until === null ? Infinity : Number(until);
        for (const r of recs.thread(Number(thread), from, to, 0, Infinity)) yield row(r.seq, r.ts, r.tid, r.cpu, r.comm, r.probe, r.details, r.line);
        return;
      }
      let seq = 0;
      for (const c of recs.timeOrder()) {
        for (let i = 0; i < c.n; i++) {
          const d = c.detailsAt[i]!;
          yield row(seq++, c.ts[i]!, c.tid[i]!, c.cpu[i]!, c.comm[i]!, c.probe[i]!, d < 0 ? null : c.details[d]!, c.line[i]!);
        }
      }
    },
  });
  return () => {
    reader?.close();
    reader = null;
  };
}

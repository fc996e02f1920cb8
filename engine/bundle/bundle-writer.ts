import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import type { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { SpanEventCounts } from '../handlers/event-counts.js';
import { tempPathFor } from '../records/atomic-file.js';
import type { ColumnNames, RecordColumns } from '../records/record-columns.js';
import { fileError } from '../records/line-reader.js';
import { BatchInsert } from './batch-insert.js';
import { writeChecksums } from './block-checksums.js';
import { APPLICATION_ID, CAUSAL_ADDITIONS, FORMAT_VERSION, INDEXES, SCHEMA } from './bundle-schema.js';
import type { BundleManifest } from './manifest.js';
import { RecordChunkWriter } from './record-chunk-writer.js';

// Writes a bundle in two steps, records first (ADR 0061). create(): the records, meta and
// manifest go into a hidden temp file beside the target with journaling off (it is private
// until renamed), then commitRecords() marks it complete, syncs it and renames it into place: a
// killed process never leaves a file under the target name, and an incomplete file is refused on
// open. reopen(): the traces are added to that bundle in one transaction with a rollback
// journal, so a process killed while generating leaves the bundle with its records.

export class BundleWriter {
  private readonly db: Database.Database;
  private commsWritten = 0;
  private probesWritten = 0;
  private chunks: RecordChunkWriter | null = null;
  private closed = false;

  private constructor(
    readonly target: string,
    readonly temp: string | null,
  ) {
    try {
      this.db = new Database(temp ?? target, temp === null ? { fileMustExist: true } : {});
    } catch (e) {
      throw fileError(e, target);
    }
    // A small page cache: the build writes each page once, and records go in as blobs.
    this.db.pragma('cache_size = -8192');
    if (temp === null) {
      this.db.pragma('journal_mode = DELETE');
      this.db.pragma('synchronous = NORMAL');
      return;
    }
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('page_size = 8192');
    this.db.pragma(`application_id = ${APPLICATION_ID}`);
    this.db.pragma(`user_version = ${FORMAT_VERSION}`);
    this.db.exec(SCHEMA);
    this.chunks = new RecordChunkWriter(this.db);
  }

  static create(target: string): BundleWriter {
    // Fail early and clearly on an unwritable directory, before any work is done.
    const temp = tempPathFor(target);
    try {
      closeSync(openSync(temp, 'wx'));
    } catch (e) {
      throw fileError(e, target);
    }
    try {
      return new BundleWriter(target, temp);
    } catch (e) {
      // The schema did not fit (a full disk): no partial file is left behind.
      for (const p of [temp, `${temp}-journal`]) rmSync(p, { force: true });
      throw e;
    }
  }

  /** The records bundle at `path`, to add (or replace) its traces. */
  static reopen(path: string): BundleWriter {
    return new BundleWriter(path, null);
  }

  /** The connection, to read the records back while generating (nothing else may use it). */
  get connection(): Database.Database {
    return this.db;
  }

  get recordsWritten(): number {
    return this.chunks?.records ?? 0;
  }

  /** Replaces the whole manifest (keys absent from `m` are removed). */
  setManifest(m: BundleManifest): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM manifest');
      this.setManifestEntries(m as unknown as Record<string, unknown>);
    })();
  }

  setManifestEntries(entries: Record<string, unknown>): void {
    const st = this.db.prepare('INSERT OR REPLACE INTO manifest (key, value) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(entries)) st.run(k, JSON.stringify(v));
    })();
  }

  setMeta(meta: readonly MetaEntry[]): void {
    const st = this.db.prepare('INSERT INTO meta (tid, container, ip, container_id) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const m of meta) st.run(m.tid, m.container, m.ip, m.containerId);
    })();
  }

  setProbeScript(name: string, text: string): void {
    this.db.prepare('INSERT OR REPLACE INTO probe_script (name, text) VALUES (?, ?)').run(name, text);
  }

  /** Appends a batch of records in time order (one transaction); `keep[i] === 0` skips record i. */
  addColumns(c: RecordColumns, names: ColumnNames, keep: Uint8Array | null): void {
    const chunks = this.chunks;
    if (chunks === null) throw new Error('records are written only into a new bundle');
    this.db.transaction(() => {
      this.writeNames(names);
      chunks.add(c, keep);
    })();
  }

  private writeNames(names: ColumnNames): void {
    // Names are new in the first batches only: no statement for the others.
    if (this.probesWritten < names.probes.length) {
      const probes = new BatchInsert(this.db, 'probes', ['id', 'name', 'is_model']);
      for (; this.probesWritten < names.probes.length; this.probesWritten++) {
        const p = names.probes[this.probesWritten]!;
        probes.add(p.id, p.name, p.isModel ? 1 : 0);
      }
      probes.finish();
    }
    if (this.commsWritten < names.comms.length) {
      const comms = new BatchInsert(this.db, 'comms', ['id', 'name']);
      for (; this.commsWritten < names.comms.length; this.commsWritten++) comms.add(this.commsWritten, names.comms[this.commsWritten]!);
      comms.finish();
    }
  }

  /** Traces, spans and per-span counts, replacing any there were (one transaction). */
  setTraces(traces: readonly AssembledTrace[], counts: SpanEventCounts): void {
    // Rows go in 64 to a statement: one statement per row was most of the write's time.
    const insTrace = new BatchInsert(this.db, 'traces', ['id', 'start', 'end', 'span_count', 'depth', 'root_tid', 'root_container', 'containers', 'event_count'], { checksum: true });
    for (const a of CAUSAL_ADDITIONS) if (this.db.prepare(a.check).get() === undefined) this.db.exec(a.sql);
    const insSpan = new BatchInsert(this.db, 'spans', ['trace_id', 'idx', 'parent', 'depth', 'kind', 'tid', 'container', 'ip', 'start', 'end', 'child_count', 'event_count', 'link_rule', 'link_exact'], { checksum: true });
    const insCount = new BatchInsert(this.db, 'span_counts', ['trace_id', 'idx', 'probe_id', 'count'], { checksum: true });
    const P = counts.probeCount;
    this.db.transaction(() => {
      this.db.exec("DELETE FROM span_counts; DELETE FROM spans; DELETE FROM traces; DELETE FROM thread_counts; DELETE FROM block_checksums WHERE tbl = 'thread_counts';");
      traces.forEach((t, ti) => {
        const root = t.spans[0]!;
        let end = root.end;
        let depth = 0;
        const containers: string[] = [];
        for (const s of t.spans) {
          if (s.end > end) end = s.end;
          if (s.depth > depth) depth = s.depth;
          if (!containers.includes(s.container)) containers.push(s.container);
        }
        insTrace.add(t.id, root.start, end, t.spans.length, depth, root.tid, root.container, JSON.stringify(containers), counts.traceTotals[ti]!);
      });
      // Spans refer to their trace: every trace row is in before the first span row.
      insTrace.finish();
      traces.forEach((t, ti) => {
        const off = counts.offsets[ti]!;
        for (const s of t.spans) {
          const g = off + s.index;
          const link = s.link;
          insSpan.add(t.id, s.index, s.parent, s.depth, s.kind, s.tid, s.container, s.ip, s.start, s.end, s.childCount, counts.totals[g]!, link?.rule ?? null, link === undefined ? null : link.exact ? 1 : 0);
          for (let p = 0; p < P; p++) {
            const c = counts.byProbe[g * P + p]!;
            if (c > 0) insCount.add(t.id, s.index, p, c);
          }
        }
      });
      insSpan.finish();
      insCount.finish();
    })();
  }

  /** Causal model: per thread and probe, the records no span owned (after setTraces, which clears them). */
  setThreadCounts(counts: ReadonlyMap<number, { byProbe: ReadonlyMap<number, number> }>): void {
    // In key order, summed as inserted (as the read-back of every column would sum them: '*').
    const ins = new BatchInsert(this.db, 'thread_counts', ['tid', 'probe_id', 'count'], { checksum: true, checksumCols: '*' });
    const byTid = (a: number, b: number) => a - b;
    this.db.transaction(() => {
      for (const tid of [...counts.keys()].sort(byTid)) {
        const byProbe = counts.get(tid)!.byProbe;
        for (const probe of [...byProbe.keys()].sort(byTid)) ins.add(tid, probe, byProbe.get(probe)!);
      }
      ins.finish();
    })();
  }

  setDiagnostics(d: Diagnostics): void {
    const ins = this.db.prepare('INSERT INTO diagnostics (kind, line, tid, message) VALUES (?, ?, ?, ?)');
    const insC = this.db.prepare('INSERT INTO diagnostic_counts (kind, count) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM diagnostics; DELETE FROM diagnostic_counts;');
      for (const x of d.examples) ins.run(x.kind, x.line, x.tid, x.message);
      for (const [k, n] of d.counts) insC.run(k, n);
    })();
  }

  /** The records bundle: last chunks, indexes, the `complete` mark, fsync, atomic rename. */
  commitRecords(manifest: BundleManifest): void {
    if (this.temp === null || this.chunks === null) throw new Error('commitRecords: not a new bundle');
    this.db.transaction(() => this.chunks!.finish())();
    this.db.exec(INDEXES);
    this.setManifestEntries({ ...manifest, complete: true });
    writeChecksums(this.db);
    // Statistics from a sample: the planner needs their shape, not exact counts.
    this.db.pragma('analysis_limit = 400');
    this.db.exec('ANALYZE');
    this.db.close();
    this.closed = true;
    const fd = openSync(this.temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(this.temp, this.target);
    } catch (e) {
      this.abort();
      throw fileError(e, this.target);
    }
  }

  /** Runs `write` (setTraces, setDiagnostics, setManifestEntries) as one transaction, and closes. */
  commitTraces(write: () => void): void {
    this.db.transaction(() => {
      write();
      writeChecksums(this.db);
    })();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.db.close();
    this.closed = true;
  }

  /** A new bundle: removes its temp file. A reopened one: closes it, as its last commit left it. */
  abort(): void {
    this.close();
    if (this.temp === null) return;
    rmSync(`${this.temp}-journal`, { force: true });
    try {
      unlinkSync(this.temp);
    } catch (e) {
      // Already gone (renamed or removed): nothing left to clean.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

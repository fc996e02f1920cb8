import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import type { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import type { AssembledTrace } from '../model/trace-assembly.js';
import type { SpanEventCounts } from '../handlers/event-counts.js';
import { tempPathFor } from '../records/atomic-file.js';
import type { ColumnNames, RecordColumns } from '../records/record-columns.js';
import { fileError } from '../records/line-reader.js';
import { APPLICATION_ID, FORMAT_VERSION, INDEXES, SCHEMA } from './bundle-schema.js';
import type { BundleManifest } from './manifest.js';

// Builds a bundle in a hidden temp file beside the target with journaling off (it is private
// until renamed), then marks it complete, syncs it and renames it into place: a killed process
// never leaves a file under the target name, and an incomplete file is refused on open.

export class BundleWriter {
  private readonly db: Database.Database;
  private commsWritten = 0;
  private probesWritten = 0;
  private readonly insRecord: Database.Statement;
  private readonly insComm: Database.Statement;
  private readonly insProbe: Database.Statement;
  private closed = false;
  recordsWritten = 0;

  private constructor(
    readonly target: string,
    readonly temp: string,
  ) {
    try {
      this.db = new Database(temp);
    } catch (e) {
      throw fileError(e, target);
    }
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('page_size = 8192');
    this.db.pragma(`application_id = ${APPLICATION_ID}`);
    this.db.pragma(`user_version = ${FORMAT_VERSION}`);
    this.db.exec(SCHEMA);
    this.insRecord = this.db.prepare('INSERT INTO records (seq, ts, tid, cpu, comm_id, probe_id, details, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insComm = this.db.prepare('INSERT INTO comms (id, name) VALUES (?, ?)');
    this.insProbe = this.db.prepare('INSERT INTO probes (id, name, is_model) VALUES (?, ?, ?)');
  }

  static create(target: string): BundleWriter {
    // Fail early and clearly on an unwritable directory, before any work is done.
    const temp = tempPathFor(target);
    try {
      closeSync(openSync(temp, 'wx'));
    } catch (e) {
      throw fileError(e, target);
    }
    return new BundleWriter(target, temp);
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
    this.db.transaction(() => {
      while (this.probesWritten < names.probes.length) {
        const p = names.probes[this.probesWritten++]!;
        this.insProbe.run(p.id, p.name, p.isModel ? 1 : 0);
      }
      while (this.commsWritten < names.comms.length) {
        this.insComm.run(this.commsWritten, names.comms[this.commsWritten]!);
        this.commsWritten++;
      }
      for (let i = 0; i < c.n; i++) {
        if (keep !== null && keep[i] === 0) continue;
        const d = c.detailsAt[i]!;
        this.insRecord.run(this.recordsWritten++, c.ts[i]!, c.tid[i]!, c.cpu[i]!, c.comm[i]!, c.probe[i]!, d < 0 ? null : c.details[d]!, c.line[i]!);
      }
    })();
  }

  setTraces(traces: readonly AssembledTrace[], counts: SpanEventCounts): void {
    const insTrace = this.db.prepare(
      'INSERT INTO traces (id, start, end, span_count, depth, root_tid, root_container, containers, event_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insSpan = this.db.prepare(
      'INSERT INTO spans (trace_id, idx, parent, depth, kind, tid, container, ip, start, end, child_count, event_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insCount = this.db.prepare('INSERT INTO span_counts (trace_id, idx, probe_id, count) VALUES (?, ?, ?, ?)');
    const P = counts.probeCount;
    this.db.transaction(() => {
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
        insTrace.run(t.id, root.start, end, t.spans.length, depth, root.tid, root.container, JSON.stringify(containers), counts.traceTotals[ti]!);
        const off = counts.offsets[ti]!;
        for (const s of t.spans) {
          const g = off + s.index;
          insSpan.run(t.id, s.index, s.parent, s.depth, s.kind, s.tid, s.container, s.ip, s.start, s.end, s.childCount, counts.totals[g]!);
          for (let p = 0; p < P; p++) {
            const c = counts.byProbe[g * P + p]!;
            if (c > 0) insCount.run(t.id, s.index, p, c);
          }
        }
      });
    })();
  }

  setDiagnostics(d: Diagnostics): void {
    const ins = this.db.prepare('INSERT INTO diagnostics (kind, line, tid, message) VALUES (?, ?, ?, ?)');
    const insC = this.db.prepare('INSERT INTO diagnostic_counts (kind, count) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const x of d.examples) ins.run(x.kind, x.line, x.tid, x.message);
      for (const [k, n] of d.counts) insC.run(k, n);
    })();
  }

  /** Indexes, the `complete` mark, fsync, atomic rename. */
  commit(manifest: BundleManifest): void {
    this.db.exec(INDEXES);
    this.setManifestEntries({ ...manifest, complete: true });
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

  abort(): void {
    if (!this.closed) {
      this.db.close();
      this.closed = true;
    }
    try {
      unlinkSync(this.temp);
    } catch (e) {
      // Already gone (renamed or removed): nothing left to clean.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

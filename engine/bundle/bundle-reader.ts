// Over 300 lines: Bundle is the one read API of a .mstrace file (checks at open, queries, record chunks), all over the same open database.
import Database from 'better-sqlite3';
import { readSpanSched } from './span-sched-store.js';
import type { TraceSched } from '../analysis/sched-timeline.js';
import type { SpanRecord } from '../model/span-record.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, type MetaEntry } from '../model/meta.js';
import { ProbeTable, type TraceRecord } from '../model/record.js';
import { materializeSlices } from '../records/record-columns.js';
import type { LinkRule, ModelName } from '../model/span-link.js';
import type { AssembledTrace, FlatSpan } from '../model/trace-assembly.js';
import { TimeBase } from '../model/time.js';
import { fileError } from '../records/line-reader.js';
import { checkRegularFile, checkSchema } from './bundle-shape.js';
import { BundleError } from './bundle-errors.js';
import { bundleRecords, type BundleRecordAccess } from './bundle-records.js';
import { APPLICATION_ID, FORMAT_VERSION } from './bundle-schema.js';
import { ChunkDamaged } from './record-chunk-codec.js';
import { registerRecordTable } from './record-table.js';
import { rollBackInterruptedWrite } from './interrupted-write.js';
import type { BundleManifest } from './manifest.js';

// Opens a bundle read-only after checking, cheaply and in this order, that it is a complete
// SQLite file (header, size), that it is ours (application_id), that we can read its version,
// and that its writer finished (manifest.complete).

export interface TraceSummary {
  id: number;
  start: number;
  end: number;
  duration: number;
  spanCount: number;
  depth: number;
  rootTid: number;
  rootContainer: string;
  containers: string[];
  eventCount: number;
  /** Causal-model bundles only: links of this trace the model inferred (not exact), and whether its root is an orphan. */
  inferredLinks?: number;
  orphan?: boolean;
}

/** A span's record as `spanRecords` gives it (declared browser-safe: the IPC contract sends it as it is). */
export type { SpanRecord };

export interface BundleProbe {
  id: number;
  name: string;
  isModel: boolean;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = fileError(e, path);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleError(path, 'missing', `${path}: no such bundle`, 'check the path');
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(100);
    const n = readSync(fd, head, 0, 100, 0);
    if (n < 100 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw new BundleError(path, 'not-a-bundle', `${path} is not a MiSeRTrace bundle (.mstrace)`, 'open a file written by `misertrace generate` or the app');
    }
    const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16);
    const pages = head.readUInt32BE(28);
    if (pages > 0 && size < pageSize * pages) {
      throw new BundleError(path, 'truncated', `${path} is truncated (${size} of ${pageSize * pages} bytes)`, 'copy the bundle again from its source; the file was cut short');
    }
    if (head.readUInt32BE(68) !== APPLICATION_ID) {
      throw new BundleError(path, 'not-a-bundle', `${path} is an SQLite database but not a MiSeRTrace bundle`, 'open a .mstrace file');
    }
    const version = head.readUInt32BE(60);
    if (version > FORMAT_VERSION) {
      throw new BundleError(path, 'newer-version', `${path} uses bundle format ${version}; this version reads up to ${FORMAT_VERSION}`, 'update MiSeRTrace Explorer to open it');
    }
  } finally {
    closeSync(fd);
  }
}

export class Bundle {
  readonly manifest: BundleManifest;
  readonly base: TimeBase;
  private readonly db: Database.Database;
  private readonly probesById: BundleProbe[];
  private readonly comms: string[];
  private readonly records: BundleRecordAccess;
  private readonly closeRecordTable: () => void;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
    const rows = db.prepare('SELECT key, value FROM manifest').all() as { key: string; value: string }[];
    const m: Record<string, unknown> = {};
    for (const r of rows) m[r.key] = JSON.parse(r.value);
    if (m['complete'] !== true) {
      throw new BundleError(path, 'incomplete', `${path} is incomplete: the program writing it stopped before it finished`, 'generate the bundle again');
    }
    this.manifest = m as unknown as BundleManifest;
    this.base = TimeBase.fromString(this.manifest.timeBaseNs);
    this.probesById = (db.prepare('SELECT id, name, is_model AS isModel FROM probes ORDER BY id').all() as { id: number; name: string; isModel: number }[]).map(
      (p) => ({ id: p.id, name: p.name, isModel: p.isModel === 1 }),
    );
    this.comms = (db.prepare('SELECT id, name FROM comms ORDER BY id').raw(true).all() as [number, string][]).reduce<string[]>((a, [id, n]) => {
      a[id] = n;
      return a;
    }, []);
    const version = db.pragma('user_version', { simple: true }) as number;
    this.records = bundleRecords(db, version);
    // Format 1 has a real `records` table; format 2 shows its chunks through the virtual one.
    this.closeRecordTable =
      version >= 2
        ? registerRecordTable(db, { path, formatVersion: version, base: this.base, comms: this.comms, probes: this.probesById.map((p) => p.name) })
        : () => {};
  }

  /** Why the bundle has records but no traces, or null when its traces are there. */
  get tracesPending(): string | null {
    return this.manifest.tracesPending ?? null;
  }

  /** Runs `f`, reporting a record chunk that fails its checksum as a damaged bundle. */
  private checked<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ChunkDamaged) {
        throw new BundleError(this.path, 'corrupt', `${this.path} is damaged (${e.message})`, `see what else is: misertrace bundle verify ${this.path}`);
      }
      throw e;
    }
  }

  /** Runs SQL on the bundle (read-only), with the `records` virtual table registered. */
  query(sql: string, params: unknown[] = []): { columns: string[]; rows: unknown[][] } {
    const st = this.db.prepare(sql);
    if (!st.reader) throw new InputError('a bundle is only read here: the statement must return rows (SELECT, WITH ..., PRAGMA)');
    // Exact 64-bit integers (absolute nanoseconds do not fit a double).
    st.safeIntegers(true);
    return this.checked(() => ({ columns: st.columns().map((c) => c.name), rows: st.raw(true).all(...params) as unknown[][] }));
  }

  /** query() with the rows read one at a time (`misertrace sql` on millions of records). */
  queryRows(sql: string, params: unknown[] = []): { columns: string[]; rows: Generator<unknown[]> } {
    const st = this.db.prepare(sql);
    if (!st.reader) throw new InputError('a bundle is only read here: the statement must return rows (SELECT, WITH ..., PRAGMA)');
    st.safeIntegers(true);
    const columns = st.columns().map((c) => c.name);
    const it = this.checked(() => st.raw(true).iterate(...params) as IterableIterator<unknown[]>);
    const checked = this.checked.bind(this);
    const rows = (function* () {
      try {
        for (;;) {
          const n = checked(() => it.next());
          if (n.done === true) return;
          yield n.value;
        }
      } finally {
        it.return?.();
      }
    })();
    return { columns, rows };
  }

  static open(path: string): Bundle {
    checkRegularFile(path);
    checkHeader(path);
    rollBackInterruptedWrite(path);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        checkSchema(db, path);
      } catch (e) {
        db.close();
        throw e;
      }
      return new Bundle(path, db);
    } catch (e) {
      if (e instanceof BundleError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (/malformed|not a database|corrupt|no such table/i.test(msg)) {
        throw new BundleError(path, 'corrupt', `${path} is damaged (${msg})`, 'copy the bundle again from its source');
      }
      throw e;
    }
  }

  close(): void {
    this.closeRecordTable();
    this.db.close();
  }

  get probes(): readonly BundleProbe[] {
    return this.probesById;
  }

  meta(): MetaEntry[] {
    return this.db.prepare('SELECT tid, container, ip, container_id AS containerId FROM meta').all() as MetaEntry[];
  }

  probeScripts(): { name: string; text: string }[] {
    return this.db.prepare('SELECT name, text FROM probe_script ORDER BY name').all() as { name: string; text: string }[];
  }

  get traceCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n;
  }

  get recordCount(): number {
    return this.records.count();
  }

  traceSummaries(): TraceSummary[] {
    const rows = this.db
      .prepare('SELECT id, start, end, span_count, depth, root_tid, root_container, containers, event_count FROM traces ORDER BY id')
      .raw(true)
      .all() as [number, number, number, number, number, number, string, string, number][];
    const out: TraceSummary[] = rows.map(([id, start, end, spanCount, depth, rootTid, rootContainer, containers, eventCount]) => ({
      id,
      start,
      end,
      duration: end - start,
      spanCount,
      depth,
      rootTid,
      rootContainer,
      containers: JSON.parse(containers) as string[],
      eventCount,
    }));
    if (this.hasLinks && this.model !== 'original') {
      // For the app's provenance filter (a model that records links): one pass over the spans, grouped by trace.
      const links = this.db
        .prepare("SELECT trace_id, SUM(parent >= 0 AND link_exact = 0), MAX(parent < 0 AND link_rule = 'orphan') FROM spans GROUP BY trace_id")
        .raw(true)
        .all() as [number, number, number][];
      const byId = new Map(links.map(([id, inferred, orphan]) => [id, { inferred, orphan }]));
      for (const t of out) {
        const l = byId.get(t.id);
        t.inferredLinks = l?.inferred ?? 0;
        t.orphan = (l?.orphan ?? 0) === 1;
      }
    }
    return out;
  }

  /** Bundles written before the causal model have no link columns: their spans have no link. */
  private get hasLinks(): boolean {
    this.linkColumns ??= this.db.prepare("SELECT 1 FROM pragma_table_info('spans') WHERE name = 'link_rule'").get() !== undefined;
    return this.linkColumns;
  }
  private linkColumns: boolean | undefined;

  trace(id: number): AssembledTrace | null {
    const links = this.hasLinks ? 'link_rule, link_exact' : 'NULL, NULL';
    const rows = this.stmt(`SELECT idx, parent, depth, kind, tid, container, ip, start, end, child_count, ${links} FROM spans WHERE trace_id = ? ORDER BY idx`)
      .raw(true)
      .all(id) as [number, number, number, 'network' | 'fork', number, string, string, number, number, number, LinkRule | null, number | null][];
    if (rows.length === 0) return null;
    const spans: FlatSpan[] = rows.map(([index, parent, depth, kind, tid, container, ip, start, end, childCount, rule, exact]) => {
      const s: FlatSpan = { index, parent, depth, kind: this.intern(kind), tid, container: this.intern(container), ip: this.intern(ip), start, end, childCount };
      if (rule !== null) s.link = { rule: this.intern(rule), exact: exact === 1 };
      return s;
    });
    return { id, spans };
  }

  /** Every span's tree fields, by trace id then pre-order index: one scan of the spans table (trace-shapes.ts). */
  spanTreeRows(): IterableIterator<[number, number, 'network' | 'fork', string]> {
    return this.db.prepare('SELECT trace_id, parent, kind, container FROM spans ORDER BY trace_id, idx').raw(true).iterate() as IterableIterator<[number, number, 'network' | 'fork', string]>;
  }

  /** The model that made the traces ('original' for bundles written before there were two). */
  get model(): ModelName {
    return this.manifest.model ?? 'original';
  }

  /** Causal model: per thread, the records no span owned, by probe name (empty for the original model). */
  threadCounts(): Map<number, { total: number; byProbe: Record<string, number> }> {
    const out = new Map<number, { total: number; byProbe: Record<string, number> }>();
    if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'thread_counts'").get() === undefined) return out;
    for (const [tid, probe, count] of this.db.prepare('SELECT tid, probe_id, count FROM thread_counts ORDER BY tid, probe_id').raw(true).all() as [number, number, number][]) {
      let t = out.get(tid);
      if (t === undefined) {
        t = { total: 0, byProbe: {} };
        out.set(tid, t);
      }
      t.total += count;
      t.byProbe[this.probesById[probe]!.name] = count;
    }
    return out;
  }

  traces(ids?: readonly number[]): AssembledTrace[] {
    return [...this.eachTrace(ids)];
  }

  /** Every trace id, ascending. */
  traceIds(): number[] {
    return (this.db.prepare('SELECT id FROM traces ORDER BY id').raw(true).all() as [number][]).map((r) => r[0]);
  }

  /** The traces one at a time (all of them by default), so a command over millions of spans never holds them all. */
  *eachTrace(ids?: readonly number[]): Generator<AssembledTrace> {
    for (const id of ids ?? this.traceIds()) {
      const t = this.trace(id);
      if (t !== null) yield t;
    }
  }

  /** Per span index, its total events (the default `count` handler's result), without the per-probe rows. */
  spanEventTotals(traceId: number): number[] {
    const out: number[] = [];
    for (const [idx, total] of this.stmt('SELECT idx, event_count FROM spans WHERE trace_id = ? ORDER BY idx').raw(true).all(traceId) as [number, number][]) out[idx] = total;
    return out;
  }

  /**
   * One string per distinct container, ip, kind and rule: SQLite gives each row new copies, which
   * for the 700,000 spans of a keep-alive bundle held in memory (handlers) is about 70 MB.
   */
  private intern<T extends string>(s: T): T {
    const known = this.strings.get(s);
    if (known !== undefined) return known as T;
    this.strings.set(s, s);
    return s;
  }
  private readonly strings = new Map<string, string>();

  /** Statements run once per trace, prepared once per bundle. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
  private readonly statements = new Map<string, Database.Statement>();

  /** Per span index: total events and counts by probe name. */
  spanCounts(traceId: number): { total: number; byProbe: Record<string, number> }[] {
    const out: { total: number; byProbe: Record<string, number> }[] = [];
    for (const [idx, total] of this.stmt('SELECT idx, event_count FROM spans WHERE trace_id = ? ORDER BY idx').raw(true).all(traceId) as [number, number][]) {
      out[idx] = { total, byProbe: {} };
    }
    for (const [idx, probe, count] of this.stmt('SELECT idx, probe_id, count FROM span_counts WHERE trace_id = ?').raw(true).all(traceId) as [number, number, number][]) {
      out[idx]!.byProbe[this.probesById[probe]!.name] = count;
    }
    return out;
  }

  /** Where each span's time went (ADR 0090); null when the bundle has no scheduler records. */
  spanSched(traceId: number, spanCount: number): TraceSched | null {
    return readSpanSched(this.db, traceId, spanCount);
  }

  /** The raw records of one span, by index on (tid, ts): never a scan of the trace. */
  spanRecords(traceId: number, spanIndex: number, opts: { limit?: number; offset?: number } = {}): SpanRecord[] {
    const s = this.db.prepare('SELECT tid, start, end FROM spans WHERE trace_id = ? AND idx = ?').get(traceId, spanIndex) as
      | { tid: number; start: number; end: number }
      | undefined;
    if (s === undefined) return [];
    const rows = this.checked(() => this.records.thread(s.tid, s.start, s.end, opts.offset ?? 0, opts.limit ?? 1000));
    return rows.map(({ seq, ts, tid, cpu, comm, probe, details, line }) => ({
      seq,
      ts,
      tsNs: this.base.absString(ts),
      tid,
      cpu,
      comm: this.comms[comm]!,
      probe: this.probesById[probe]!.name,
      details: details ?? '',
      line,
    }));
  }

  diagnosticCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT kind, count FROM diagnostic_counts ORDER BY kind').all() as { kind: string; count: number }[]) out[r.kind] = r.count;
    return out;
  }

  diagnostics(limit = 1000): { kind: string; line: number; tid: number; message: string }[] {
    return this.db.prepare('SELECT kind, line, tid, message FROM diagnostics LIMIT ?').all(limit) as { kind: string; line: number; tid: number; message: string }[];
  }

  /** All records in time order as TraceRecord batches (for user handlers and export). */
  *recordBatches(): Generator<TraceRecord[]> {
    const probes = new ProbeTable();
    for (const p of this.probesById) probes.get(p.name);
    const names = { probes: probes.list, comms: this.comms, base: this.base };
    const batches = this.records.timeOrder();
    for (;;) {
      const next = this.checked(() => batches.next());
      if (next.done === true) return;
      yield* materializeSlices(next.value, names);
    }
  }
}

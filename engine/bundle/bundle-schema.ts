// The .mstrace bundle is one SQLite database (ADR 0001): crash-safe, indexed, and queryable by
// users with any SQLite client. Times are stored as ns relative to `timeBaseNs` in the
// manifest; the view `records_abs` adds it back exactly (SQLite integers are 64-bit).

/** 'MSTR' — lets us tell our bundles from any other SQLite file. */
export const APPLICATION_ID = 0x4d535452;
export const FORMAT_VERSION = 1;

export const SCHEMA = `
CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (tid INTEGER NOT NULL, container TEXT NOT NULL, ip TEXT NOT NULL, container_id TEXT NOT NULL);
CREATE TABLE probe_script (name TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE probes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_model INTEGER NOT NULL);
CREATE TABLE comms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE records (
  seq INTEGER PRIMARY KEY,          -- position in time order
  ts INTEGER NOT NULL,              -- ns relative to manifest timeBaseNs
  tid INTEGER NOT NULL,
  cpu INTEGER NOT NULL,
  comm_id INTEGER NOT NULL REFERENCES comms(id),
  probe_id INTEGER NOT NULL REFERENCES probes(id),
  details TEXT,
  line INTEGER NOT NULL             -- line in the sorted PSV it came from
);
CREATE TABLE traces (
  id INTEGER PRIMARY KEY,
  start INTEGER NOT NULL, end INTEGER NOT NULL,
  span_count INTEGER NOT NULL, depth INTEGER NOT NULL,
  root_tid INTEGER NOT NULL, root_container TEXT NOT NULL,
  containers TEXT NOT NULL,         -- JSON array, first-seen order
  event_count INTEGER NOT NULL
);
CREATE TABLE spans (
  trace_id INTEGER NOT NULL REFERENCES traces(id),
  idx INTEGER NOT NULL,             -- pre-order index within the trace
  parent INTEGER NOT NULL,          -- parent idx, -1 for the root
  depth INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('network', 'fork')),
  tid INTEGER NOT NULL, container TEXT NOT NULL, ip TEXT NOT NULL,
  start INTEGER NOT NULL, end INTEGER NOT NULL,
  child_count INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  PRIMARY KEY (trace_id, idx)
) WITHOUT ROWID;
CREATE TABLE span_counts (trace_id INTEGER NOT NULL, idx INTEGER NOT NULL, probe_id INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (trace_id, idx, probe_id)) WITHOUT ROWID;
CREATE TABLE diagnostics (kind TEXT NOT NULL, line INTEGER NOT NULL, tid INTEGER NOT NULL, message TEXT NOT NULL);
CREATE TABLE diagnostic_counts (kind TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE VIEW records_abs AS
  SELECT r.seq, CAST(json_extract(m.value, '$') AS INTEGER) + r.ts AS ts_ns, r.tid, r.cpu, c.name AS comm, p.name AS probe, r.details
  FROM records r JOIN comms c ON c.id = r.comm_id JOIN probes p ON p.id = r.probe_id
  JOIN manifest m ON m.key = 'timeBaseNs';
`;

/** Built after the bulk insert: one span's records are found by (tid, time) without a scan. */
export const INDEXES = `CREATE INDEX records_tid_ts ON records (tid, ts);`;

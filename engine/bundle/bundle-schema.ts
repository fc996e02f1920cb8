// The .mstrace bundle is one SQLite database (ADR 0001): crash-safe, indexed, and queryable by
// users with any SQLite client. Times are stored as ns relative to `timeBaseNs` in the
// manifest. Format 2 (ADR 0060) stores records as per-thread chunks of column blobs; the
// `records` virtual table (record-table.ts) shows them as rows, with exact absolute times.

/** 'MSTR' — lets us tell our bundles from any other SQLite file. */
export const APPLICATION_ID = 0x4d535452;
export const FORMAT_VERSION = 2;
/** Format 1 kept one row per record (table `records`): still read, see records-v1.ts. */
export const FIRST_CHUNKED_VERSION = 2;

export const SCHEMA = `
CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (tid INTEGER NOT NULL, container TEXT NOT NULL, ip TEXT NOT NULL, container_id TEXT NOT NULL);
CREATE TABLE probe_script (name TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE probes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_model INTEGER NOT NULL);
CREATE TABLE comms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE record_chunks (
  id INTEGER PRIMARY KEY,
  tid INTEGER NOT NULL,             -- every record of a chunk is of this thread
  ts_min INTEGER NOT NULL,          -- ns relative to manifest timeBaseNs
  ts_max INTEGER NOT NULL,
  seq_min INTEGER NOT NULL,         -- positions in time order of all records
  seq_max INTEGER NOT NULL,
  n INTEGER NOT NULL,
  data BLOB NOT NULL,               -- record-chunk-codec.ts
  crc INTEGER NOT NULL              -- CRC-32 of data
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
  link_rule TEXT,                   -- causal model: the rule that linked it to its parent (span-link.ts); NULL: original model
  link_exact INTEGER,               -- causal model: 1 exact, 0 inferred
  PRIMARY KEY (trace_id, idx)
) WITHOUT ROWID;
CREATE TABLE span_counts (trace_id INTEGER NOT NULL, idx INTEGER NOT NULL, probe_id INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (trace_id, idx, probe_id)) WITHOUT ROWID;
CREATE TABLE thread_counts (tid INTEGER NOT NULL, probe_id INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (tid, probe_id)) WITHOUT ROWID; -- causal model: records of a thread that no span owned
CREATE TABLE diagnostics (kind TEXT NOT NULL, line INTEGER NOT NULL, tid INTEGER NOT NULL, message TEXT NOT NULL);
CREATE TABLE diagnostic_counts (kind TEXT PRIMARY KEY, count INTEGER NOT NULL);
`;

/**
 * Built after the bulk insert: one span's records are found by (tid, time) without a scan, and
 * the time-order read finds each group's chunks by seq.
 */
export const INDEXES = `CREATE INDEX record_chunks_tid_ts ON record_chunks (tid, ts_max);
CREATE INDEX record_chunks_seq ON record_chunks (seq_min);`;

/**
 * What the causal model added (link columns, thread_counts) for bundles written before it, so
 * that their traces can be generated again with either model. Not a format change: readers of
 * the same format version ignore them, and read a bundle without them as the original model's.
 */
export const CAUSAL_ADDITIONS: { check: string; sql: string }[] = [
  { check: "SELECT 1 FROM pragma_table_info('spans') WHERE name = 'link_rule'", sql: 'ALTER TABLE spans ADD COLUMN link_rule TEXT; ALTER TABLE spans ADD COLUMN link_exact INTEGER;' },
  {
    check: "SELECT 1 FROM sqlite_master WHERE name = 'thread_counts'",
    sql: 'CREATE TABLE thread_counts (tid INTEGER NOT NULL, probe_id INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (tid, probe_id)) WITHOUT ROWID;',
  },
];

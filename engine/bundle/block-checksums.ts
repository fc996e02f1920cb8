import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';

// Checksums of the plain tables, a block of rows at a time (ADR 0062): a flipped bit in a data
// page can turn a container name or a span's end into another valid value, which SQLite cannot
// see. Record chunks carry their own CRC (record-chunk-codec.ts); `misertrace bundle verify`
// checks both, and SQLite's own structure with integrity_check.
// A block is BLOCK rows in the table's key order; its CRC is that of the rows' JSON (an array of
// arrays of the columns `cols`). The big tables (traces, spans, span and thread counts) get theirs as they are
// inserted (BlockSummer, no second pass); the small ones are read back at each commit.

export const BLOCK = 4096;

export const CHECKSUM_TABLE =
  'CREATE TABLE IF NOT EXISTS block_checksums (tbl TEXT NOT NULL, block INTEGER NOT NULL, cols TEXT NOT NULL, rows INTEGER NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (tbl, block)) WITHOUT ROWID;';

/** Tables checksummed by reading them back, each in its key order. */
const READ_BACK: readonly { name: string; order: string }[] = [
  { name: 'manifest', order: 'key' },
  { name: 'meta', order: 'rowid' },
  { name: 'probe_script', order: 'name' },
  { name: 'probes', order: 'id' },
  { name: 'comms', order: 'id' },
  { name: 'span_sched', order: 'trace_id, idx' },
  { name: 'diagnostics', order: 'rowid' },
  { name: 'diagnostic_counts', order: 'kind' },
];
/** Key order of the tables whose blocks are summed as they are inserted. */
const INSERTED: Readonly<Record<string, string>> = { traces: 'id', spans: 'trace_id, idx', span_counts: 'trace_id, idx, probe_id', thread_counts: 'tid, probe_id' };

/** Sums rows as they are inserted, in key order; finish() stores the blocks' checksums. */
export class BlockSummer {
  private rows: unknown[][] = [];
  private block = 0;
  private readonly ins: Database.Statement;

  /** `cols`: what the stored checksums say they cover (the columns, or '*' for all of them in order). */
  constructor(
    db: Database.Database,
    private readonly table: string,
    private readonly cols: string,
  ) {
    db.exec(CHECKSUM_TABLE);
    db.prepare('DELETE FROM block_checksums WHERE tbl = ?').run(table);
    this.ins = db.prepare('INSERT INTO block_checksums (tbl, block, cols, rows, crc) VALUES (?, ?, ?, ?, ?)');
  }

  add(row: unknown[]): void {
    this.rows.push(row);
    if (this.rows.length === BLOCK) this.flush();
  }

  finish(): void {
    if (this.rows.length > 0) this.flush();
  }

  private flush(): void {
    this.ins.run(this.table, this.block++, this.cols, this.rows.length, crc32(JSON.stringify(this.rows)));
    this.rows = [];
  }
}

function exists(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** The blocks of `table` as stored now: [rows, crc] per block of BLOCK rows. */
function* blocksOf(db: Database.Database, table: string, cols: string, order: string): Generator<{ block: number; rows: number; crc: number }> {
  let rows: unknown[][] = [];
  let block = 0;
  for (const row of db.prepare(`SELECT ${cols} FROM ${table} ORDER BY ${order}`).raw(true).iterate() as Iterable<unknown[]>) {
    rows.push(row);
    if (rows.length === BLOCK) {
      yield { block: block++, rows: rows.length, crc: crc32(JSON.stringify(rows)) };
      rows = [];
    }
  }
  if (rows.length > 0) yield { block, rows: rows.length, crc: crc32(JSON.stringify(rows)) };
}

/** (Re)writes the read-back tables' checksums; call last in the transaction that changed them. */
export function writeChecksums(db: Database.Database): void {
  db.exec(CHECKSUM_TABLE);
  const del = db.prepare('DELETE FROM block_checksums WHERE tbl = ?');
  const ins = db.prepare('INSERT INTO block_checksums (tbl, block, cols, rows, crc) VALUES (?, ?, ?, ?, ?)');
  for (const t of READ_BACK) {
    del.run(t.name);
    if (!exists(db, t.name)) continue;
    // All blocks first: the connection cannot insert while it still reads the table.
    for (const b of [...blocksOf(db, t.name, '*', t.order)]) ins.run(t.name, b.block, '*', b.rows, b.crc);
  }
}

/** Blocks whose rows no longer match their checksum (null: the bundle has no checksums). */
export function damagedBlocks(db: Database.Database): string[] | null {
  if (!exists(db, 'block_checksums')) return null;
  const stored = new Map<string, { block: number; cols: string; rows: number; crc: number }[]>();
  for (const r of db.prepare('SELECT tbl, block, cols, rows, crc FROM block_checksums ORDER BY tbl, block').all() as { tbl: string; block: number; cols: string; rows: number; crc: number }[]) {
    stored.set(r.tbl, [...(stored.get(r.tbl) ?? []), r]);
  }
  const bad: string[] = [];
  const tables = [...READ_BACK.map((t) => [t.name, t.order] as const), ...Object.entries(INSERTED)];
  for (const [name, order] of tables) {
    if (!exists(db, name)) continue;
    const want = stored.get(name) ?? [];
    const cols = want[0]?.cols ?? '*';
    let k = 0;
    for (const b of blocksOf(db, name, cols, order)) {
      const s = want[k++];
      const range = `rows ${b.block * BLOCK}..${b.block * BLOCK + b.rows - 1}`;
      if (s === undefined) bad.push(`${name}: ${range} have no checksum (rows were added)`);
      else if (s.rows !== b.rows || s.crc !== b.crc) bad.push(`${name}: ${range} do not match their checksum`);
    }
    if (k < want.length) bad.push(`${name}: ${want.length - k} block(s) of rows are missing (rows were removed)`);
  }
  return bad;
}

import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';

// Checksums of the plain tables, a block of rows at a time (ADR 0062): a flipped bit in a data
// page can turn a container name or a span's end into another valid value, which SQLite cannot
// see. Record chunks carry their own CRC (record-chunk-codec.ts); `misertrace bundle verify`
// checks both, and SQLite's own structure with integrity_check.

const BLOCK = 4096;

/** The tables covered, each in a fixed row order. */
const TABLES: readonly { name: string; order: string }[] = [
  { name: 'manifest', order: 'key' },
  { name: 'meta', order: 'rowid' },
  { name: 'probe_script', order: 'name' },
  { name: 'probes', order: 'id' },
  { name: 'comms', order: 'id' },
  { name: 'traces', order: 'id' },
  { name: 'spans', order: 'trace_id, idx' },
  { name: 'span_counts', order: 'trace_id, idx, probe_id' },
  { name: 'thread_counts', order: 'tid, probe_id' },
  { name: 'diagnostics', order: 'rowid' },
  { name: 'diagnostic_counts', order: 'kind' },
];

export const CHECKSUM_TABLE = 'CREATE TABLE IF NOT EXISTS block_checksums (tbl TEXT NOT NULL, block INTEGER NOT NULL, rows INTEGER NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (tbl, block)) WITHOUT ROWID;';

function exists(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Per table, per block of BLOCK rows in the table's order: [rows, crc]. */
function* blocks(db: Database.Database): Generator<{ table: string; block: number; rows: number; crc: number }> {
  for (const t of TABLES) {
    if (!exists(db, t.name)) continue;
    let block = 0;
    let rows = 0;
    let crc = 0;
    for (const row of db.prepare(`SELECT * FROM ${t.name} ORDER BY ${t.order}`).raw(true).iterate() as Iterable<unknown[]>) {
      // Values joined with a separator no value holds unescaped (JSON strings are quoted).
      crc = crc32(JSON.stringify(row), crc);
      if (++rows === BLOCK) {
        yield { table: t.name, block: block++, rows, crc };
        rows = 0;
        crc = 0;
      }
    }
    if (rows > 0 || block === 0) yield { table: t.name, block, rows, crc };
  }
}

/** (Re)writes every table's checksums; call last in the transaction that changed the tables. */
export function writeChecksums(db: Database.Database): void {
  db.exec(CHECKSUM_TABLE);
  db.exec('DELETE FROM block_checksums');
  const all = [...blocks(db)];
  const ins = db.prepare('INSERT INTO block_checksums (tbl, block, rows, crc) VALUES (?, ?, ?, ?)');
  for (const b of all) ins.run(b.table, b.block, b.rows, b.crc >>> 0);
}

/** Blocks whose rows no longer match their checksum (null: the bundle has no checksums). */
export function damagedBlocks(db: Database.Database): string[] | null {
  if (!exists(db, 'block_checksums')) return null;
  const stored = new Map<string, { rows: number; crc: number }>();
  for (const r of db.prepare('SELECT tbl, block, rows, crc FROM block_checksums').all() as { tbl: string; block: number; rows: number; crc: number }[]) {
    stored.set(`${r.tbl}#${r.block}`, { rows: r.rows, crc: r.crc });
  }
  const bad: string[] = [];
  for (const b of blocks(db)) {
    const key = `${b.table}#${b.block}`;
    const s = stored.get(key);
    if (s === undefined) bad.push(`${b.table}: rows ${b.block * BLOCK}.. have no checksum (rows were added)`);
    else if (s.rows !== b.rows || s.crc !== b.crc >>> 0) bad.push(`${b.table}: rows ${b.block * BLOCK}..${b.block * BLOCK + Math.max(s.rows, b.rows) - 1} do not match their checksum`);
    stored.delete(key);
  }
  for (const key of stored.keys()) bad.push(`${key.replace('#', ': block ')} is missing (rows were removed)`);
  return bad;
}

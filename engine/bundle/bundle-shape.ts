import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BundleError } from './bundle-errors.js';
import { CHECKSUM_TABLE } from './block-checksums.js';
import { CAUSAL_ADDITIONS, SCHEMA } from './bundle-schema.js';
import { SPAN_SCHED_TABLE } from './span-sched-store.js';

// A bundle is a file anyone can hand us (issue 16): before it is read it must be a regular file
// (a FIFO blocks the open, a device never ends), and its schema must be ours: tables, not views
// (a recursive view made `SELECT … FROM traces` run for 20 minutes), no triggers, and the columns
// we read of the types we write. Checked against the schema this version writes; older bundles
// may lack the tables and columns added since.

/** Tables every bundle of every format has. */
const CORE = ['manifest', 'meta', 'probes', 'comms', 'traces', 'spans'];

let reference: Map<string, Map<string, string>> | null = null;

/** Columns (name -> declared type) of each table of the current schema. */
function referenceShape(): Map<string, Map<string, string>> {
  if (reference) return reference;
  const db = new Database(':memory:');
  try {
    db.exec(SCHEMA);
    db.exec(CHECKSUM_TABLE);
    for (const a of CAUSAL_ADDITIONS) if (db.prepare(a.check).get() === undefined) db.exec(a.sql);
    db.exec(SPAN_SCHED_TABLE);
    reference = tableShapes(db);
  } finally {
    db.close();
  }
  return reference;
}

function tableShapes(db: Database.Database): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  // sqlite_* are SQLite's own (sqlite_stat1 from ANALYZE).
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]) {
    const cols = db.prepare('SELECT name, type FROM pragma_table_info(?)').all(name) as { name: string; type: string }[];
    out.set(name, new Map(cols.map((c) => [c.name, c.type.toUpperCase()])));
  }
  return out;
}

/** Refuses anything but a regular file, before it is opened. */
export function checkRegularFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return; // the open reports a missing or unreadable file as it always did
  }
  if (!st.isFile()) {
    const what = st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'a device';
    throw new BundleError(path, 'not-a-bundle', `${path} is ${what}, not a bundle file`, 'open a .mstrace file');
  }
}

/** Refuses a bundle whose schema is not ours: views, triggers, tables of another shape. */
export function checkSchema(db: Database.Database, path: string): void {
  const bad = (what: string) => new BundleError(path, 'corrupt', `${path} is not a bundle as this version writes them: ${what}`, 'open a bundle written by misertrace or the app; a changed bundle is not read');
  const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%'").all() as { type: string; name: string }[];
  const other = objects.find((o) => o.type !== 'table');
  if (other) throw bad(`it has a ${other.type} "${other.name}"`);
  const ref = referenceShape();
  const have = tableShapes(db);
  const missing = CORE.find((t) => !have.has(t));
  // A bundle whose writer stopped early lacks tables: the manifest says so (reported as incomplete).
  if (missing !== undefined && !(have.has('manifest') && incomplete(db))) throw bad(`it has no table "${missing}"`);
  // Known columns must have their types; tables and columns this version does not know (a later
  // writer's additions) are never read, so they are let be.
  for (const [name, cols] of have) {
    const want = ref.get(name);
    if (want === undefined) continue;
    for (const [col, type] of cols) {
      const expected = want.get(col);
      if (expected !== undefined && expected !== type) throw bad(`column "${name}.${col}" is ${type || 'untyped'}, not ${expected}`);
    }
  }
}

function incomplete(db: Database.Database): boolean {
  const row = db.prepare("SELECT value FROM manifest WHERE key = 'complete'").get() as { value: string } | undefined;
  return row?.value !== 'true';
}

import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { BundleError } from './bundle-errors.js';

// Traces are added to a records bundle in one transaction with a rollback journal (ADR 0061).
// A process killed inside that transaction leaves B.mstrace-journal beside the bundle; SQLite
// undoes the half-written transaction on the next read-write open, which a read-only open
// cannot do. So before opening a bundle read-only, a left journal is rolled back here: the
// bundle is then as its records step left it.

export function rollBackInterruptedWrite(path: string): void {
  let size: number;
  try {
    size = statSync(`${path}-journal`).size;
  } catch {
    return; // no journal: nothing was interrupted
  }
  if (size === 0) return;
  try {
    const db = new Database(path, { fileMustExist: true });
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } finally {
      db.close();
    }
  } catch (e) {
    throw new BundleError(
      path,
      'incomplete',
      `${path}: writing its traces was interrupted, and undoing that needs write access (${e instanceof Error ? e.message : String(e)})`,
      `open it once as a user who may write ${path} and its folder`,
    );
  }
}

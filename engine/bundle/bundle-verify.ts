import Database from 'better-sqlite3';
import { damagedBlocks } from './block-checksums.js';
import { Bundle } from './bundle-reader.js';
import { BundleError } from './bundle-errors.js';
import { FIRST_CHUNKED_VERSION } from './bundle-schema.js';
import { RecordChunkReader } from './record-chunk-reader.js';

// Everything a bundle can say about its own integrity (ADR 0062): the checks of opening it
// (header, size, ours, version, complete), SQLite's integrity_check of its pages and indexes,
// every record chunk against its CRC, and every block of the plain tables against its checksum.

export interface VerifyReport {
  problems: string[];
  chunks: number;
  records: number;
  /** False for bundles written before table checksums (their tables could not be checked). */
  tablesChecked: boolean;
  tracesPending: string | null;
}

export function verifyBundle(path: string): VerifyReport {
  const report: VerifyReport = { problems: [], chunks: 0, records: 0, tablesChecked: false, tracesPending: null };
  let version: number;
  try {
    const b = Bundle.open(path);
    version = b.manifest.formatVersion;
    report.tracesPending = b.tracesPending;
    b.close();
  } catch (e) {
    if (!(e instanceof BundleError) || e.reason === 'missing' || e.reason === 'not-a-bundle' || e.reason === 'newer-version') throw e;
    // Truncated, damaged, incomplete: a finding, and the checks below may tell more.
    report.problems.push(e.message);
    if (e.reason === 'truncated') return report;
    version = FIRST_CHUNKED_VERSION;
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    try {
      for (const r of db.pragma('integrity_check') as { integrity_check: string }[]) if (r.integrity_check !== 'ok') report.problems.push(`SQLite: ${r.integrity_check}`);
    } catch (e) {
      report.problems.push(`SQLite: ${e instanceof Error ? e.message : String(e)}`);
      return report;
    }
    const tryCheck = (what: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        report.problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (version >= FIRST_CHUNKED_VERSION) {
      tryCheck('records', () => {
        const r = new RecordChunkReader(db);
        report.records = r.count;
        report.chunks = (db.prepare('SELECT count(*) AS n FROM record_chunks').get() as { n: number }).n;
        for (const d of r.damagedChunks()) report.problems.push(`records of thread ${d.tid} (chunk ${d.id}): ${d.reason}`);
      });
    }
    tryCheck('tables', () => {
      const bad = damagedBlocks(db);
      report.tablesChecked = bad !== null;
      for (const p of bad ?? []) report.problems.push(p);
    });
  } finally {
    db.close();
  }
  return report;
}

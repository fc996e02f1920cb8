import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { cli } from './cli-harness.js';

// Bundles of format 1 (one row per record, ADR 0001 before 0060) still open, read-only: made
// here from a current bundle the way format 1 stored its records.

let dir: TempDir;
let current: string;
let old: string;
beforeAll(async () => {
  dir = tempDir();
  current = await buildFixtureBundle('seq20', dir.path);
  old = join(dir.path, 'format1.mstrace');
  copyFileSync(current, old);
  const b = Bundle.open(current);
  const comms = new Map((b.query('SELECT name, id FROM comms').rows as [string, bigint][]).map(([n, id]) => [n, Number(id)]));
  const probes = new Map(b.probes.map((p) => [p.name, p.id]));
  const db = new Database(old);
  db.exec(`CREATE TABLE records (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, tid INTEGER NOT NULL, cpu INTEGER NOT NULL,
    comm_id INTEGER NOT NULL REFERENCES comms(id), probe_id INTEGER NOT NULL REFERENCES probes(id), details TEXT, line INTEGER NOT NULL)`);
  const ins = db.prepare('INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  let seq = 0;
  db.transaction(() => {
    for (const batch of b.recordBatches()) {
      for (const r of batch) ins.run(seq++, r.ts, r.tid, r.cpu, comms.get(r.comm)!, probes.get(r.probe.name)!, r.details === '' ? null : r.details, r.line);
    }
  })();
  b.close();
  db.exec('CREATE INDEX records_tid_ts ON records (tid, ts); DROP TABLE record_chunks; DROP TABLE block_checksums;');
  db.prepare("UPDATE manifest SET value = '1' WHERE key = 'formatVersion'").run();
  db.pragma('user_version = 1');
  db.close();
});
afterAll(() => dir.remove());

describe('a format-1 bundle', () => {
  it('opens and reads as the current one: records, a span\'s records, renders', async () => {
    const a = Bundle.open(old);
    const b = Bundle.open(current);
    try {
      expect(a.manifest.formatVersion).toBe(1);
      expect(a.recordCount).toBe(b.recordCount);
      expect(a.spanRecords(1, 0, { limit: 5000 })).toEqual(b.spanRecords(1, 0, { limit: 5000 }));
      expect([...a.recordBatches()].flat()).toEqual([...b.recordBatches()].flat());
    } finally {
      a.close();
      b.close();
    }
    expect((await cli('render', '-i', old, '-t', 'custom', '-r')).stdout).toBe((await cli('render', '-i', current, '-t', 'custom', '-r')).stdout);
    expect((await cli('sql', '-i', old, 'SELECT count(*) FROM records')).stdout).toBe('count(*)\n10953\n');
  });

  it('is not rewritten: generate says how to make a current one', async () => {
    const r = await cli('generate', '-i', old);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a format 1 bundle: it opens read-only[^]*hint: make a current one from it: misertrace bundle export/);
  });
});

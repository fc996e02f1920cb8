import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { EXIT } from '../../cli/exit-codes.js';
import { buildFixtureBundle, tamperedCopy, tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture } from '../fixtures.js';
import { BIN } from './cli-harness.js';

// Hostile files (issue 16 item 6) never hang the CLI or the app: a bundle whose table is a
// recursive view, has a trigger or a column of another type is refused on open; a FIFO is refused
// before it is opened, as a bundle (CLI and the app's worker: Bundle.open) and as any input.
// Each run is a real process with a time limit: before the fix these ran until killed.

let dir: TempDir;
let good: string;

beforeAll(async () => {
  dir = tempDir();
  good = await buildFixtureBundle('seq20', dir.path);
});
afterAll(() => dir.remove());

function tampered(name: string, sql: string): string {
  return tamperedCopy(good, dir.path, name, sql);
}

function run(...argv: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, signal: r.signal, stderr: r.stderr, ms: Date.now() - t0 };
}

function expectRefused(r: ReturnType<typeof run>, message: RegExp): void {
  expect(r.signal, 'it ran until killed').toBeNull();
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('a bundle whose schema is not ours is refused on open', () => {
  it('traces replaced by an infinite recursive view', () => {
    const p = tampered('view', `DROP TABLE traces; CREATE VIEW traces AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n AS id, 0 AS start, 0 AS end, 0 AS span_count, '' AS root FROM r;`);
    expectRefused(run('render', '-i', p, '-t', 'dag', '-n', '1'), /has a view "traces"/);
    expect(() => Bundle.open(p)).toThrow(/has a view "traces"/);
  });

  it('a trigger, and a column of another type', () => {
    expectRefused(run('render', '-i', tampered('trigger', `CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END;`), '-t', 'dag'), /has a trigger "t"/);
    expectRefused(run('render', '-i', tampered('coltype', `DROP TABLE meta; CREATE TABLE meta (tid TEXT, container TEXT NOT NULL, ip TEXT NOT NULL, container_id TEXT NOT NULL);`), '-t', 'dag'), /column "meta\.tid" is TEXT, not INTEGER/);
  });

  it('a bundle as written still opens', () => {
    const b = Bundle.open(good);
    expect(b.traceCount).toBeGreaterThan(0);
    b.close();
  });
});

describe('a FIFO is refused before it is opened', () => {
  let fifo: string;
  beforeAll(() => {
    fifo = join(dir.path, 'fifo.mstrace');
    execFileSync('mkfifo', [fifo]);
  });

  it('as a bundle (render, export, generate -i B, and Bundle.open as the app\'s worker calls it)', () => {
    expectRefused(run('render', '-i', fifo, '-t', 'dag'), /is a FIFO, not a file/);
    expectRefused(run('export', '-i', fifo, '-n', '1', '--format', 'chrome'), /is a FIFO/);
    expectRefused(run('generate', '-i', fifo), /is a FIFO/);
    expect(() => Bundle.open(fifo)).toThrow(/is a FIFO, not a bundle file/);
  });

  it('as records or a meta file', () => {
    expectRefused(run('sort', '-i', fifo, '-o', join(dir.path, 'x.psv')), /--input .* is a FIFO/);
    expectRefused(run('generate', '-i', fixture('seq20', 'trace.psv'), '-m', fifo, '-g', '1.2.3.4', '-o', join(dir.path, 'y.mstrace')), /--metafile .* is a FIFO/);
  });
});

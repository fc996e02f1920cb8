import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseGateway, parseMeta } from '../engine/model/meta.js';
import { buildBundle } from '../engine/bundle/build-bundle.js';
import { sortTraceFile } from '../engine/records/sort.js';
import type { ModelName } from '../engine/model/span-link.js';
import { fixture, type FixtureName } from './fixtures.js';

// Real bundles built from the fixtures by the real pipeline (sort + generate), for tests.

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(prefix = 'misertrace-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** `model` absent: the default model (DEFAULT_MODEL); tests that compare with the original tool's outputs ask for 'original'. */
export async function buildFixtureBundle(name: FixtureName, dir: string, model?: ModelName): Promise<string> {
  const sorted = join(dir, `${name}.sorted.psv`);
  const s = await sortTraceFile(fixture(name, 'trace.psv'), sorted);
  const out = join(dir, `${name}.mstrace`);
  await buildBundle({
    sortedPath: sorted,
    meta: parseMeta(readFileSync(fixture(name, 'meta.psv'), 'utf8')),
    gateway: parseGateway(readFileSync(fixture(name, 'gateway.txt'), 'utf8')),
    output: out,
    capture: { backend: 'bpftrace', network: 'oracle', attachedProbes: s.stats.attachedProbes, lostEvents: s.stats.lostEvents },
    ...(model !== undefined ? { model } : {}),
  });
  return out;
}

/** A copy of bundle `good` as `<dir>/<name>.mstrace`, changed by `sql` (foreign keys off): a hostile bundle. */
export function tamperedCopy(good: string, dir: string, name: string, sql: string): string {
  const p = join(dir, `${name}.mstrace`);
  copyFileSync(good, p);
  const db = new Database(p);
  db.pragma('foreign_keys = OFF');
  db.exec(sql);
  db.close();
  return p;
}

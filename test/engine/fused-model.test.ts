import Database from 'better-sqlite3';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, FUSED_RAW_BYTES, generateTraces, TracesPendingError } from '../../engine/bundle/build-bundle.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { writeRecords } from '../../engine/bundle/write-records.js';
import { Diagnostics } from '../../engine/model/diagnostics.js';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture, type FixtureName } from '../fixtures.js';

// The model fed in the records' pass (ADR 0080) gives the bundle a separate model pass over the
// stored records gave: the same traces, spans, counts and diagnostics, byte for byte; a model
// that fails on bad input still leaves the records in the bundle; records the bundle leaves out
// (--lenient, out of time order) are left out of the model too.

let dir: TempDir;
beforeAll(() => (dir = tempDir()));
afterAll(() => dir.remove());

const inputs = (name: FixtureName) => ({
  meta: parseMeta(readFileSync(fixture(name, 'meta.psv'), 'utf8')),
  gateway: parseGateway(readFileSync(fixture(name, 'gateway.txt'), 'utf8')),
});

/** The bundle as a separate model pass over its stored records makes it (before ADR 0080). */
async function twoPasses(sortedPath: string, name: FixtureName, output: string, model: ModelName, lenient = false, unsorted = false): Promise<void> {
  const diagnostics = new Diagnostics();
  await writeRecords({ sortedPath, ...inputs(name), output, diagnostics, model, lenient, unsorted });
  if (!lenient) diagnostics.stopOn(['bad-details'], sortedPath);
  await generateTraces(output, { ...inputs(name), diagnostics, model });
}

/** Every table the traces step writes, as text. */
function tables(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const t of ['traces', 'spans', 'span_counts', 'thread_counts', 'diagnostics', 'diagnostic_counts']) {
      // Tables without a rowid: their rows in key order (the first columns).
      const rowid = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(t) as string;
      out[t] = JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY ${/WITHOUT ROWID/i.test(rowid) ? '1, 2, 3' : 'rowid'}`).raw(true).all());
    }
    out['block_checksums'] = JSON.stringify(db.prepare("SELECT * FROM block_checksums WHERE tbl <> 'manifest' ORDER BY tbl, block").raw(true).all());
    const m = Object.fromEntries((db.prepare("SELECT key, value FROM manifest WHERE key <> 'createdAt'").raw(true).all() as [string, string][]).map(([k, v]) => [k, v]));
    out['manifest'] = JSON.stringify(m);
    return out;
  } finally {
    db.close();
  }
}

describe('the model fed while the records are written', () => {
  for (const name of ['seq20', 'mixed50'] as FixtureName[]) {
    for (const model of ['causal', 'original'] as ModelName[]) {
      it(`${name}, ${model}: the same bundle as a separate model pass`, async () => {
        const sorted = fixture(name, 'sorted.psv');
        const a = join(dir.path, `${name}-${model}-fused.mstrace`);
        const b = join(dir.path, `${name}-${model}-two.mstrace`);
        await buildBundle({ sortedPath: sorted, ...inputs(name), output: a, model });
        await twoPasses(sorted, name, b, model);
        const ta = tables(a);
        expect(JSON.parse(ta['traces']!).length).toBeGreaterThan(0);
        expect(ta).toEqual(tables(b));
      });
    }
  }

  // A raw capture up to FUSED_RAW_BYTES is ordered and fed to the model in one pass (docs/adr/0121).
  for (const name of ['seq20', 'mixed50'] as FixtureName[]) {
    it(`${name}, a raw capture: the same bundle as a separate model pass`, async () => {
      const raw = fixture(name, 'trace.psv');
      expect(statSync(raw).size).toBeLessThan(FUSED_RAW_BYTES);
      const a = join(dir.path, `${name}-raw-fused.mstrace`);
      const b = join(dir.path, `${name}-raw-two.mstrace`);
      await buildBundle({ sortedPath: raw, unsorted: true, ...inputs(name), output: a });
      await twoPasses(raw, name, b, 'causal', false, true);
      const ta = tables(a);
      expect(JSON.parse(ta['traces']!).length).toBeGreaterThan(0);
      expect(ta).toEqual(tables(b));
    });
  }

  it('records out of time order (--lenient) are left out of the model as of the bundle', async () => {
    const lines = readFileSync(fixture('seq20', 'sorted.psv'), 'utf8').split('\n');
    // A model record moved 40 lines later: out of order there, skipped and counted.
    const i = lines.findIndex((l) => l.includes('MT:tracepoint:syscalls:sys_enter_read'));
    const [moved] = lines.splice(i, 1);
    lines.splice(i + 40, 0, moved!);
    const input = join(dir.path, 'unsorted.psv');
    writeFileSync(input, lines.join('\n'));
    const a = join(dir.path, 'unsorted-fused.mstrace');
    const b = join(dir.path, 'unsorted-two.mstrace');
    await buildBundle({ sortedPath: input, ...inputs('seq20'), output: a, lenient: true });
    await twoPasses(input, 'seq20', b, 'causal', true);
    const ta = tables(a);
    expect(ta['diagnostic_counts']).toContain('unsorted-record');
    expect(ta).toEqual(tables(b));
  });

  it('a model that stops on bad input leaves every record in the bundle, and says how to go on', async () => {
    const lines = readFileSync(fixture('seq20', 'sorted.psv'), 'utf8').split('\n');
    // A tcp_send that names its source port only (the damaged record of bad-records.test.ts).
    const i = lines.findIndex((l) => l.includes('|637622080265|'));
    expect(lines[i]).toMatch(/\|sport=[^|]*$/);
    lines[i] = lines[i]!.replace(/\|sport=[^|]*$/, '|sport=33766');
    const input = join(dir.path, 'bad-details.psv');
    writeFileSync(input, lines.join('\n'));
    const out = join(dir.path, 'bad-details.mstrace');
    const err = await buildBundle({ sortedPath: input, ...inputs('seq20'), output: out }).catch((e: unknown) => e);
    expect(err, String(err)).toBeInstanceOf(TracesPendingError);
    expect((err as Error).message).toContain(`bad-details.psv:${i + 1}: `);
    expect((err as Error).message).toMatch(/keeps its \d+ records, without traces/);
    const b = Bundle.open(out);
    try {
      expect(b.tracesPending).not.toBeNull();
      expect(b.recordCount).toBe(lines.filter((l) => l.trim() !== '').length);
    } finally {
      b.close();
    }
  });
});

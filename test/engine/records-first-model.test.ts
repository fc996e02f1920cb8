import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { regenerateTraces } from '../../engine/bundle/regenerate-traces.js';
import { writeRecords } from '../../engine/bundle/write-records.js';
import { Diagnostics } from '../../engine/model/diagnostics.js';
import { parseMeta } from '../../engine/model/meta.js';
import type { ModelName } from '../../engine/model/span-link.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture } from '../fixtures.js';

// A bundle whose generation stopped holds its records only (ADR 0061): `generate -i B.mstrace`
// then makes its traces with the model that was asked for, or the default (causal) one, never the
// 'original' that bundles from before there were two models are taken to be.

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

async function recordsOnly(name: string, model?: ModelName): Promise<string> {
  const output = join(dir.path, `${name}.mstrace`);
  const meta = parseMeta(readFileSync(fixture('seq20', 'meta.psv'), 'utf8'));
  await writeRecords({ sortedPath: fixture('seq20', 'sorted.psv'), meta, gateway: '172.29.77.1', output, diagnostics: new Diagnostics(), ...(model ? { model } : {}) });
  return output;
}

function modelOf(path: string): { model: ModelName; pending: string | null } {
  const b = Bundle.open(path);
  try {
    return { model: b.model, pending: b.tracesPending };
  } finally {
    b.close();
  }
}

describe('records first, then the traces: which model', () => {
  it('a stopped `--model original` import resumes with the original model', async () => {
    const path = await recordsOnly('original', 'original');
    expect(modelOf(path)).toMatchObject({ model: 'original', pending: expect.stringMatching(/not generated/) });
    expect((await regenerateTraces(path)).manifest.model).toBe('original');
    expect(modelOf(path)).toEqual({ model: 'original', pending: null });
  });

  it('without a model asked for, the default (causal) one', async () => {
    const path = await recordsOnly('default');
    expect((await regenerateTraces(path)).manifest.model).toBe('causal');
  });

  it('a records-only bundle that names no model (written before it was stored) gets the default too', async () => {
    const path = await recordsOnly('unnamed');
    const db = new Database(path);
    db.prepare("DELETE FROM manifest WHERE key = 'model'").run();
    db.close();
    expect((await regenerateTraces(path)).manifest.model).toBe('causal');
  });
});

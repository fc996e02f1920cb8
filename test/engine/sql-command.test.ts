import { describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { cli } from './cli-harness.js';

// misertrace sql and the records virtual table (ADR 0060) on a real bundle.

const fx = fixtureBundleForFile('seq20', 'original');

describe('misertrace sql', () => {
  it('records(TID, FROM, TO) are the records of a span, as the bundle reader gives them', async () => {
    const b = Bundle.open(fx.path);
    const span = b.trace(1)!.spans[3]!;
    const expected = b.spanRecords(1, 3, { limit: 5000 });
    b.close();
    const r = await cli('sql', '-i', fx.path, '--json', `SELECT seq, ts_ns, comm, probe, details, line FROM records(${span.tid}, ${span.start}, ${span.end})`);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; ts_ns: number; comm: string; probe: string; details: string | null; line: number });
    expect(rows.map((x) => [x.seq, String(x.ts_ns), x.comm, x.probe, x.details ?? '', x.line])).toEqual(expected.map((x) => [x.seq, x.tsNs, x.comm, x.probe, x.details, x.line]));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('joins records with spans, and counts match the stored per-span counts', async () => {
    const r = await cli('sql', '-i', fx.path, 'SELECT s.idx, count(*) = s.event_count FROM spans s, records(s.tid, s.start, s.end) r WHERE s.trace_id = 1 GROUP BY s.idx');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').slice(1).every((l) => l.endsWith('|1'))).toBe(true);
  });

  it('refuses statements that write, and bad SQL, with a message and no stack', async () => {
    const w = await cli('sql', '-i', fx.path, 'DELETE FROM traces');
    expect(w).toMatchObject({ code: 2, stderr: expect.stringMatching(/only read here/) });
    const s = await cli('sql', '-i', fx.path, 'SELEC 1');
    expect(s).toMatchObject({ code: 2, stderr: expect.stringMatching(/SQL: near "SELEC": syntax error/) });
    expect(s.stderr).not.toMatch(/\n\s+at /);
  });
});

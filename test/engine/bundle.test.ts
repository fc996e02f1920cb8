import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { BundleError } from '../../engine/bundle/bundle-errors.js';
import { FORMAT_VERSION } from '../../engine/bundle/bundle-schema.js';
import { replicateCapture } from '../../bench/replicate.js';
import { fixtureBundleForFile } from '../fixture-suite.js';
import { fixture, FIXTURES } from '../fixtures.js';
import { cli, spawnCli } from './cli-harness.js';

const fx = fixtureBundleForFile('seq20', 'original');

function openError(path: string): BundleError {
  try {
    Bundle.open(path).close();
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error(`${path} opened`);
}

describe('the .mstrace bundle', () => {
  it('holds manifest, meta, records, traces and per-span counts', () => {
    const b = Bundle.open(fx.path);
    try {
      expect(b.manifest).toMatchObject({ format: 'misertrace-bundle', formatVersion: FORMAT_VERSION, traceCount: 20, complete: true });
      expect(b.manifest.capture).toMatchObject({ backend: 'bpftrace', gateway: '172.29.77.1', lostEvents: 0, attachedProbes: 24, partial: false });
      expect(b.recordCount).toBe(10953);
      expect(b.meta()).toHaveLength(30);
      const s = b.traceSummaries();
      expect(s).toHaveLength(20);
      expect(s[0]).toMatchObject({ id: 1, rootContainer: 'oracle-frontend', rootTid: 16026, spanCount: 10 });
      expect(s[0]!.containers).toEqual(['oracle-frontend', 'oracle-catalog', 'oracle-inventory', 'oracle-kvstore']);
      const counts = b.spanCounts(1);
      expect(counts[0]!.total).toBe(61);
      expect(Object.values(counts[0]!.byProbe).reduce((a, c) => a + c, 0)).toBe(61);
    } finally {
      b.close();
    }
  });

  it('finds one span\'s raw records by index, exact times included', () => {
    const b = Bundle.open(fx.path);
    try {
      const recs = b.spanRecords(1, 0, { limit: 5000 });
      expect(recs).toHaveLength(61);
      const span = b.trace(1)!.spans[0]!;
      for (const r of recs) {
        expect(r.tid).toBe(16026);
        expect(r.ts).toBeGreaterThanOrEqual(span.start);
        expect(r.ts).toBeLessThanOrEqual(span.end);
      }
      expect(recs[0]!.tsNs).toBe('637618970003');
      expect(recs[0]!.probe).toBe('MT:tracepoint:syscalls:sys_enter_read');
      expect(b.spanRecords(1, 0, { limit: 10, offset: 60 })).toHaveLength(1);
      const plan = new Database(fx.path, { readonly: true })
        .prepare('EXPLAIN QUERY PLAN SELECT data FROM record_chunks WHERE tid = 1 AND ts_max >= 0 ORDER BY ts_max')
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX record_chunks_tid_ts/);
    } finally {
      b.close();
    }
  });

  it('is queryable with SQL, records included (the records virtual table), with exact absolute times', async () => {
    const b = Bundle.open(fx.path);
    const res = b.query('SELECT ts_ns, comm, probe FROM records ORDER BY seq LIMIT 1');
    b.close();
    expect(res.rows).toEqual([[635890805661n, 'node', 'tracepoint:exceptions:page_fault_user']]);
    const r = await cli('sql', '-i', fx.path, 'SELECT ts_ns, comm, probe FROM records LIMIT 1');
    expect(r).toMatchObject({ code: 0, stdout: 'ts_ns|comm|probe\n635890805661|node|tracepoint:exceptions:page_fault_user\n' });
  });

  it('exports to the original tool\'s files and imports back to the same traces', async () => {
    const out = join(fx.dir.path, 'exported');
    expect((await cli('bundle', 'export', '-i', fx.path, '-o', out)).code).toBe(0);
    expect(readFileSync(join(out, 'sorted.psv'), 'utf8')).toBe(readFileSync(fixture('seq20', 'sorted.psv'), 'utf8').replace(/\r\n/g, '\n'));
    expect(readFileSync(join(out, 'meta.psv'), 'utf8')).toBe(readFileSync(fixture('seq20', 'meta.psv'), 'utf8').replace(/\r\n/g, '\n'));
    const again = join(fx.dir.path, 'again.mstrace');
    const r = await cli('bundle', 'import', '-i', join(out, 'sorted.psv'), '-m', join(out, 'meta.psv'), '-g', readFileSync(join(out, 'gateway.txt'), 'utf8').trim(), '-o', again, '--model', 'original');
    expect(r.code).toBe(0);
    const a = await cli('render', '-i', fx.path, '-t', 'custom', '-r');
    const b = await cli('render', '-i', again, '-t', 'custom', '-r');
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(join(out, 'dag.json'), 'utf8')).toBe((await cli('render', '-i', fx.path, '-t', 'dag', '-r', '-f')).stdout);
  });

  it('refuses foreign, truncated, newer and incomplete files with a clear reason', () => {
    expect(openError(join(fx.dir.path, 'none.mstrace')).reason).toBe('missing');
    expect(openError(fixture('seq20', 'meta.psv')).reason).toBe('not-a-bundle');
    const foreign = join(fx.dir.path, 'foreign.db');
    new Database(foreign).exec('CREATE TABLE t (x)').close();
    expect(openError(foreign)).toMatchObject({ reason: 'not-a-bundle', message: expect.stringMatching(/SQLite database but not a MiSeRTrace bundle/) });
    const newer = join(fx.dir.path, 'newer.mstrace');
    copyFileSync(fx.path, newer);
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.close();
    expect(openError(newer)).toMatchObject({ reason: 'newer-version', hint: expect.stringMatching(/update/) });
    const incomplete = join(fx.dir.path, 'incomplete.mstrace');
    copyFileSync(fx.path, incomplete);
    const db2 = new Database(incomplete);
    db2.prepare("UPDATE manifest SET value = 'false' WHERE key = 'complete'").run();
    db2.close();
    expect(openError(incomplete).reason).toBe('incomplete');
  });

  describe('a process killed while writing never leaves a bundle under the target name', () => {
    let raw: string;
    let meta: string;
    beforeAll(async () => {
      raw = join(fx.dir.path, 'kill.psv');
      meta = join(fx.dir.path, 'kill.meta');
      await replicateCapture({ fixtureDir: join(FIXTURES, 'mixed50'), copies: 40, tracePath: raw, metaPath: meta });
    });

    it('on SIGKILL', async () => {
      const again = join(fx.dir.path, 'killed.mstrace');
      const child = spawnCli(['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', again]);
      // Kill it while the bundle itself is being written (its hidden temp file exists).
      const writing = () => readdirSync(fx.dir.path).some((f) => f.startsWith('.killed.mstrace.partial-'));
      for (let i = 0; i < 500 && !writing(); i++) await new Promise((res) => setTimeout(res, 10));
      expect(writing()).toBe(true);
      expect(process.kill(await pidOf(again), 'SIGKILL')).toBe(true);
      expect((await child).signal).toBe('SIGKILL');
      expect(existsSync(again)).toBe(false);
      // Left alone, the same job writes the bundle: the kill, not the input, stopped it.
      expect((await spawnCli(['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', again])).code).toBe(0);
      expect(Bundle.open(again).manifest.traceCount).toBe(2000);
    });

    it('on SIGINT: exit 130, no output, temporary files removed', async () => {
      const sub = join(fx.dir.path, 'sigint');
      mkdirSync(sub);
      const out = join(sub, 'interrupted.mstrace');
      const child = spawnCli(['bundle', 'import', '-i', raw, '-m', meta, '-g', '172.29.77.1', '-o', out]);
      // Interrupt it once it is writing (its signal handlers are installed by then).
      const writing = () => readdirSync(sub).some((f) => f.startsWith('.interrupted.mstrace.partial-'));
      for (let i = 0; i < 500 && !writing(); i++) await new Promise((res) => setTimeout(res, 10));
      expect(writing()).toBe(true);
      process.kill(await pidOf(out), 'SIGINT');
      const r = await child;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted; no output was written/);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(sub)).toEqual([]);
    });
  });
});

/** The pid of the misertrace process writing `out` (found through /proc, no shell). */
async function pidOf(out: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        if (cmd.includes('misertrace.js') && cmd.includes(out)) return Number(p);
      } catch {
        // The process ended while we looked: not the one.
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no process writing ${out}`);
}

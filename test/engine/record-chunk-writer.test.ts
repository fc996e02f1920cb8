import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA } from '../../engine/bundle/bundle-schema.js';
import { CHUNK_MAX, decodeInto, GROUP } from '../../engine/bundle/record-chunk-codec.js';
import { RecordChunkWriter } from '../../engine/bundle/record-chunk-writer.js';
import { RecordColumns } from '../../engine/records/record-columns.js';

// The chunk writer cuts records in time order into per-thread chunks: every record kept is in
// exactly one chunk, with its fields; a chunk is one thread's, at most CHUNK_MAX records, never
// across a multiple of GROUP in seq; chunks come out when full, and the rest at each group's end
// in the order their threads (re)appeared. Checked here against that rule written plainly.

interface Rec {
  tid: number;
  ts: number;
  line: number;
  cpu: number;
  probe: number;
  comm: number;
  details: string | null;
}

function records(n: number): Rec[] {
  const out: Rec[] = [];
  let ts = 5_000_000_000;
  for (let i = 0; i < n; i++) {
    // A busy thread, threads that live a while, and short-lived ones that come back later.
    const r = (i * 2654435761) % 1000;
    const tid = r < 300 ? 7 : r < 700 ? 100 + (i >> 12) % 40 : 1000 + ((i * 7) % 5000);
    ts += r % 3 === 0 ? 0 : r * 1000;
    // Details empty, ASCII (a chunk of those is written at once), long, or not ASCII (written one by one).
    const details = r % 5 === 0 ? (r % 2 === 0 ? '' : r % 3 === 0 ? `sport=${r} daddr=é${i}` : r % 7 === 0 ? `x=${i} ${'y'.repeat(r)}` : `sport=${r} dport=${i}`) : null;
    out.push({ tid, ts, line: i + 1 + (r % 7 === 0 ? -3 : 0), cpu: r % 4, probe: r % 24, comm: r % 3, details });
  }
  return out;
}

function batch(rs: Rec[]): RecordColumns {
  const c = new RecordColumns(rs.length);
  rs.forEach((r, i) => {
    c.tid[i] = r.tid;
    c.ts[i] = r.ts;
    c.line[i] = r.line;
    c.cpu[i] = r.cpu;
    c.probe[i] = r.probe;
    c.comm[i] = r.comm;
    c.detailsAt[i] = r.details === null ? -1 : c.details.push(r.details) - 1;
  });
  c.n = rs.length;
  return c;
}

/** (tid, first seq, last seq, n) of each chunk, by the rule, for records kept in this order (finish() after `stops`). */
function expectedChunks(tids: number[], stops: Set<number>): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const open = new Map<number, number[]>();
  const close = () => {
    for (const [tid, seqs] of open) {
      if (seqs.length === 0) open.delete(tid);
      else out.push([tid, seqs[0]!, seqs.at(-1)!, seqs.length]), open.set(tid, []);
    }
  };
  tids.forEach((tid, seq) => {
    if (seq > 0 && seq % GROUP === 0) close();
    if (!open.has(tid)) open.set(tid, []);
    const seqs = open.get(tid)!;
    seqs.push(seq);
    if (seqs.length === CHUNK_MAX) out.push([tid, seqs[0]!, seq, CHUNK_MAX]), open.set(tid, []);
    if (stops.has(seq)) close();
  });
  close();
  return out;
}

describe('record chunk writer', () => {
  it('puts every record kept in one chunk of its thread, cut as the rule says', () => {
    const all = records(2 * GROUP + 12345);
    const keep = all.map((_, i) => (i % 97 === 13 ? 0 : 1));
    const kept = all.filter((_, i) => keep[i] === 1);
    // The bundle's own table: rows come back in the order the writer inserted them (by id).
    const db = new Database(':memory:');
    db.exec(SCHEMA);
    const w = new RecordChunkWriter(db);
    // Batches that do not line up with groups; one finish() in the middle of a group (a capture's bundle is written in parts).
    const stopAfter = 70_000;
    let stopSeq = -1;
    for (let a = 0; a < all.length; ) {
      const b = Math.min(all.length, a + 40_000 + (a % 3) * 7_777);
      w.add(batch(all.slice(a, b)), Uint8Array.from(keep.slice(a, b)));
      if (a < stopAfter && b >= stopAfter) {
        stopSeq = w.records - 1;
        w.finish();
      }
      a = b;
    }
    w.finish();
    const rows = db
      .prepare('SELECT tid, ts_min AS tsMin, ts_max AS tsMax, seq_min AS seqMin, seq_max AS seqMax, n, data FROM record_chunks ORDER BY id')
      .all() as { tid: number; tsMin: number; tsMax: number; seqMin: number; seqMax: number; n: number; data: Buffer }[];
    db.close();
    expect(w.records).toBe(kept.length);
    expect(rows.map((r) => [r.tid, r.seqMin, r.seqMax, r.n])).toEqual(expectedChunks(kept.map((r) => r.tid), new Set([stopSeq])));
    expect(rows.some((r) => r.n === CHUNK_MAX)).toBe(true);
    // Decoded, each chunk's records are the ones of its seqs, in order, each seq once.
    const decoded: Rec[] = new Array<Rec>(kept.length);
    const out = new RecordColumns(CHUNK_MAX);
    const seqs = new Float64Array(CHUNK_MAX);
    const bounds: number[][] = [];
    for (const r of rows) {
      expect(decodeInto(r.data, out, r.tid, { scatter: false, seqs }, true)).toBe(r.n);
      bounds.push([r.tsMin, r.tsMax, r.seqMin, r.seqMax, out.ts[0]!, out.ts[r.n - 1]!, seqs[0]!, seqs[r.n - 1]!]);
      for (let i = 0; i < r.n; i++) {
        const d = out.detailsAt[i]!;
        expect(decoded[seqs[i]!]).toBeUndefined();
        decoded[seqs[i]!] = { tid: out.tid[i]!, ts: out.ts[i]!, line: out.line[i]!, cpu: out.cpu[i]!, probe: out.probe[i]!, comm: out.comm[i]!, details: d < 0 ? null : out.details[d]! };
      }
    }
    expect(bounds.filter((b) => b[0] !== b[4] || b[1] !== b[5] || b[2] !== b[6] || b[3] !== b[7])).toEqual([]);
    expect(decoded).toEqual(kept);
  });
});

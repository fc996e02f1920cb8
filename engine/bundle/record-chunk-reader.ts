import type Database from 'better-sqlite3';
import { RecordColumns } from '../records/record-columns.js';
import { CHUNK_MAX, chunkChecksum, ChunkDamaged, decodeInto, GROUP } from './record-chunk-codec.js';

// Reads `record_chunks` back (ADR 0060): one thread's records in a time range (a span's records:
// one indexed lookup on (tid, ts_max)), and all records in time order, GROUP at a time: no chunk
// crosses a group (record-chunk-writer.ts), so each group's chunks are decoded straight into
// their rows. Every chunk's checksum is checked before it is decoded.

export interface ChunkRecord {
  seq: number;
  ts: number;
  tid: number;
  cpu: number;
  probe: number;
  comm: number;
  details: string | null;
  line: number;
}

export class RecordChunkReader {
  private readonly byThread: Database.Statement;
  private readonly byGroup: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byThread = db.prepare('SELECT id, ts_min, data, crc FROM record_chunks WHERE tid = ? AND ts_max >= ? ORDER BY ts_max').raw(true);
    this.byGroup = db.prepare('SELECT id, tid, seq_min, seq_max, n, data, crc FROM record_chunks WHERE seq_min >= ? AND seq_min < ?').raw(true);
  }

  get count(): number {
    return (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM record_chunks').get() as { n: number }).n;
  }

  /** Records of thread `tid` with from <= ts <= to, in time order. */
  threadRecords(tid: number, from: number, to: number, offset = 0, limit = Infinity): ChunkRecord[] {
    const out: ChunkRecord[] = [];
    let skip = offset;
    const cols = new RecordColumns(CHUNK_MAX);
    const seqs = new Float64Array(CHUNK_MAX);
    // Read whole, then decode: the statement must not stay open while the caller runs more SQL.
    const rows = [] as [number, number, Buffer, number][];
    for (const r of this.byThread.iterate(tid, from) as Iterable<[number, number, Buffer, number]>) {
      // Chunks of one thread never overlap in time: past `to`, none of the rest can match.
      if (r[1] > to) break;
      rows.push(r);
    }
    for (const [id, , data, crc] of rows) {
      if (out.length >= limit) break;
      check(id, data, crc);
      decodeInto(data, cols, tid, { scatter: false, seqs }, true);
      for (let i = 0; i < cols.n && out.length < limit; i++) {
        const ts = cols.ts[i]!;
        if (ts < from || ts > to) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        const d = cols.detailsAt[i]!;
        out.push({ seq: seqs[i]!, ts, tid, cpu: cols.cpu[i]!, probe: cols.probe[i]!, comm: cols.comm[i]!, details: d < 0 ? null : cols.details[d]!, line: cols.line[i]! });
      }
    }
    return out;
  }

  /**
   * All records in time order, GROUP at a time, as record columns (the batches the parser yields,
   * so the span generator and the counting sweep read them unchanged). `details: false` leaves
   * the text out. The batch object is reused.
   */
  *timeOrder(details = true): Generator<RecordColumns> {
    const total = this.count;
    const out = new RecordColumns(GROUP);
    for (let from = 0; from < total; from += GROUP) {
      const to = Math.min(from + GROUP, total);
      out.n = to - from;
      out.details.length = 0;
      let filled = 0;
      for (const [id, tid, , seqMax, n, data, crc] of this.byGroup.all(from, to) as [number, number, number, number, number, Buffer, number][]) {
        if (seqMax >= to) throw new ChunkDamaged(`record chunk ${id} crosses its group`);
        check(id, data, crc);
        if (decodeInto(data, out, tid, { scatter: true, base: from }, details) !== n) throw new ChunkDamaged(`record chunk ${id} does not hold the ${n} records its row says`);
        filled += n;
      }
      if (filled !== out.n) throw new ChunkDamaged(`records ${from}..${to - 1}: ${filled} of ${out.n} found`);
      yield out;
    }
  }

  /** Checks every chunk's checksum and decoding; returns the damaged ones. */
  damagedChunks(): { id: number; tid: number; reason: string }[] {
    const bad: { id: number; tid: number; reason: string }[] = [];
    const cols = new RecordColumns(CHUNK_MAX);
    const seqs = new Float64Array(CHUNK_MAX);
    // One chunk at a time: the bundle's records are never all in memory (nothing else runs SQL meanwhile).
    for (const [id, tid, n, data, crc] of this.db.prepare('SELECT id, tid, n, data, crc FROM record_chunks').raw(true).iterate() as Iterable<[number, number, number, Buffer, number]>) {
      try {
        check(id, data, crc);
        if (decodeInto(data, cols, tid, { scatter: false, seqs }, true) !== n) throw new ChunkDamaged(`holds other than the ${n} records its row says`);
      } catch (e) {
        if (!(e instanceof ChunkDamaged)) throw e;
        bad.push({ id, tid, reason: e.message });
      }
    }
    return bad;
  }
}

function check(id: number, data: Buffer, crc: number): void {
  if (!Buffer.isBuffer(data) || chunkChecksum(data) !== crc) throw new ChunkDamaged(`record chunk ${id} does not match its checksum`);
}

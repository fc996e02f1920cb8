import type Database from 'better-sqlite3';
import { RecordColumns } from '../records/record-columns.js';
import { chunkChecksum, ChunkColumns, ChunkDamaged, decodeChunk } from './record-chunk-codec.js';

// Reads `record_chunks` back (ADR 0060): one thread's records in a time range (a span's records:
// one indexed lookup on (tid, ts_max)), and all records in time order, rebuilt from the
// per-thread chunks by seq in windows, holding only the chunks that overlap the window. Every
// chunk's checksum is checked before it is decoded.

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

interface ChunkMeta {
  id: number;
  tid: number;
  seqMin: number;
  n: number;
}

export class RecordChunkReader {
  private readonly byThread: Database.Statement;
  private readonly byId: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.byThread = db.prepare('SELECT id, ts_min, data, crc FROM record_chunks WHERE tid = ? AND ts_max >= ? ORDER BY ts_max').raw(true);
    this.byId = db.prepare('SELECT data, crc FROM record_chunks WHERE id = ?').raw(true);
  }

  get count(): number {
    return (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM record_chunks').get() as { n: number }).n;
  }

  /** Records of thread `tid` with from <= ts <= to, in time order. */
  threadRecords(tid: number, from: number, to: number, offset = 0, limit = Infinity): ChunkRecord[] {
    const out: ChunkRecord[] = [];
    let skip = offset;
    let cols: ChunkColumns | null = null;
    for (const [id, tsMin, data, crc] of this.byThread.iterate(tid, from) as Iterable<[number, number, Buffer, number]>) {
      // Chunks of one thread never overlap in time: past `to`, none of the rest can match.
      if (tsMin > to || out.length >= limit) break;
      cols = decodeChecked(id, data, crc, cols, true);
      for (let i = 0; i < cols.n && out.length < limit; i++) {
        const ts = cols.ts[i]!;
        if (ts < from || ts > to) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        out.push({ seq: cols.seq[i]!, ts, tid, cpu: cols.cpu[i]!, probe: cols.probe[i]!, comm: cols.comm[i]!, details: cols.details[i]!, line: cols.line[i]! });
      }
    }
    return out;
  }

  /**
   * All records in time order, `window` at a time, as record columns (the same batches the parser
   * yields, so the span generator and the counting sweep read them unchanged). `details: false`
   * leaves the text out. The batch object is reused.
   */
  *timeOrder(window = 1 << 16, details = true): Generator<RecordColumns> {
    const chunks = (this.db.prepare('SELECT id, tid, seq_min, n FROM record_chunks ORDER BY seq_min').raw(true).all() as [number, number, number, number][]).map(
      ([id, tid, seqMin, n]): ChunkMeta => ({ id, tid, seqMin, n }),
    );
    let total = 0;
    for (const c of chunks) total += c.n;
    const out = new RecordColumns(window);
    let active: { meta: ChunkMeta; cols: ChunkColumns; pos: number }[] = [];
    let next = 0;
    for (let from = 0; from < total; from += window) {
      const to = Math.min(from + window, total);
      while (next < chunks.length && chunks[next]!.seqMin < to) {
        const meta = chunks[next++]!;
        const [data, crc] = this.byId.get(meta.id) as [Buffer, number];
        active.push({ meta, cols: decodeChecked(meta.id, data, crc, null, details), pos: 0 });
      }
      out.n = to - from;
      out.details.length = 0;
      let filled = 0;
      for (const a of active) {
        const c = a.cols;
        const tid = a.meta.tid;
        let i = a.pos;
        for (; i < c.n; i++) {
          const seq = c.seq[i]!;
          if (seq >= to) break;
          const k = seq - from;
          if (k < 0) throw new ChunkDamaged(`chunk ${a.meta.id}: records out of order`);
          out.tid[k] = tid;
          out.ts[k] = c.ts[i]!;
          out.cpu[k] = c.cpu[i]!;
          out.probe[k] = c.probe[i]!;
          out.comm[k] = c.comm[i]!;
          out.line[k] = c.line[i]!;
          const d = details ? c.details[i]! : null;
          if (d === null) out.detailsAt[k] = -1;
          else {
            out.detailsAt[k] = out.details.length;
            out.details.push(d);
          }
        }
        filled += i - a.pos;
        a.pos = i;
      }
      if (filled !== out.n) throw new ChunkDamaged(`records ${from}..${to - 1}: ${filled} of ${out.n} found`);
      active = active.filter((a) => a.pos < a.cols.n);
      yield out;
    }
  }

  /** Checks every chunk's checksum and decoding; returns the ids of damaged chunks. */
  damagedChunks(): { id: number; tid: number; reason: string }[] {
    const bad: { id: number; tid: number; reason: string }[] = [];
    let cols: ChunkColumns | null = null;
    for (const [id, tid, n, data, crc] of this.db.prepare('SELECT id, tid, n, data, crc FROM record_chunks').raw(true).iterate() as Iterable<
      [number, number, number, Buffer, number]
    >) {
      try {
        cols = decodeChecked(id, data, crc, cols, true);
        if (cols.n !== n) throw new ChunkDamaged(`holds ${cols.n} records, its row says ${n}`);
      } catch (e) {
        if (!(e instanceof ChunkDamaged)) throw e;
        bad.push({ id, tid, reason: e.message });
      }
    }
    return bad;
  }
}

function decodeChecked(id: number, data: Buffer, crc: number, into: ChunkColumns | null, details: boolean): ChunkColumns {
  if (!Buffer.isBuffer(data) || chunkChecksum(data) !== crc) throw new ChunkDamaged(`record chunk ${id} does not match its checksum`);
  return decodeChunk(data, into, details);
}

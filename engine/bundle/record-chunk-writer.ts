import type Database from 'better-sqlite3';
import type { RecordColumns } from '../records/record-columns.js';
import { CHUNK_MAX, chunkChecksum, ChunkColumns, ChunkEncoder, GROUP } from './record-chunk-codec.js';

// Records in time order -> `record_chunks` rows: each thread's records gather in a buffer (it
// grows up to CHUNK_MAX records), which is encoded and inserted when full. Every GROUP records
// all buffers are written out: the memory stays bounded however many threads a capture has, and
// no chunk crosses a group's boundary (record-chunk-reader.ts relies on it).

const FIRST = 16;

/** Where encoded chunks go: a `record_chunks` row each, in the order given. `data` is valid only during the call. */
export type ChunkSink = (tid: number, tsMin: number, tsMax: number, seqMin: number, seqMax: number, n: number, data: Buffer, crc: number) => void;

export class RecordChunkWriter {
  private readonly open = new Map<number, ChunkColumns>();
  /** Buffers of threads gone idle, grown already: the next new threads take them. */
  private readonly spare: ChunkColumns[] = [];
  private readonly enc = new ChunkEncoder();
  private readonly sink: ChunkSink;
  /** Records written so far; the next record's seq. */
  records = 0;
  chunks = 0;

  /** Into the bundle's table, or (on the reading thread, docs/adr/0110) to a sink that ships the rows. */
  constructor(out: Database.Database | ChunkSink) {
    if (typeof out === 'function') this.sink = out;
    else {
      const ins = out.prepare('INSERT INTO record_chunks (tid, ts_min, ts_max, seq_min, seq_max, n, data, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      this.sink = (...row) => ins.run(...row);
    }
  }

  /** Appends a batch in time order; `keep[i] === 0` leaves record i out. Call inside a transaction. */
  add(c: RecordColumns, keep: Uint8Array | null): void {
    for (let i = 0; i < c.n; i++) {
      if (keep !== null && keep[i] === 0) continue;
      if (this.records > 0 && this.records % GROUP === 0) this.finish();
      const tid = c.tid[i]!;
      let b = this.open.get(tid);
      if (b === undefined) {
        b = this.spare.pop() ?? new ChunkColumns(FIRST);
        this.open.set(tid, b);
      } else if (b.n === b.capacity) b.grow();
      const k = b.n++;
      b.seq[k] = this.records++;
      b.ts[k] = c.ts[i]!;
      b.line[k] = c.line[i]!;
      b.cpu[k] = c.cpu[i]!;
      b.probe[k] = c.probe[i]!;
      b.comm[k] = c.comm[i]!;
      const d = c.detailsAt[i]!;
      b.details[k] = d < 0 ? null : c.details[d]!;
      if (b.n === CHUNK_MAX) this.flush(tid, b);
    }
  }

  /** Writes every partly filled chunk. Call inside a transaction. */
  finish(): void {
    for (const [tid, b] of this.open) {
      // A buffer that stayed empty since its last chunk belongs to an idle thread: let it go.
      if (b.n > 0) this.flush(tid, b);
      else {
        this.open.delete(tid);
        this.spare.push(b);
      }
    }
  }

  private flush(tid: number, b: ChunkColumns): void {
    const data = this.enc.encode(b);
    this.sink(tid, b.ts[0]!, b.ts[b.n - 1]!, b.seq[0]!, b.seq[b.n - 1]!, b.n, data, chunkChecksum(data));
    this.chunks++;
    b.n = 0;
    b.details.fill(null);
  }
}

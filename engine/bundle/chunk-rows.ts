import type Database from 'better-sqlite3';
import { grown } from '../records/typed-grow.js';
import { BatchInsert } from './batch-insert.js';

// `record_chunks` rows as the chunk writer makes them, inserted many to a statement at each
// group's end in the order they were made: per row tid, ts_min, ts_max, seq_min, seq_max, n, crc
// and the data's length in `meta`, the data one after the other in `data`.

const FIELDS = 8;

export interface ChunkRows {
  count: number;
  meta: Float64Array;
  data: Uint8Array;
}

/** Collects rows as RecordChunkWriter makes them. */
export class ChunkRowBuffer {
  private meta = new Float64Array(FIELDS * 256);
  private data = new Uint8Array(1 << 20);
  private count = 0;
  private bytes = 0;

  add(tid: number, tsMin: number, tsMax: number, seqMin: number, seqMax: number, n: number, data: Buffer, crc: number): void {
    if ((this.count + 1) * FIELDS > this.meta.length) this.meta = grown(this.meta, this.meta.length * 2);
    if (this.bytes + data.length > this.data.length) this.data = grown(this.data, Math.max(this.data.length * 2, this.bytes + data.length));
    const m = this.meta;
    const k = this.count++ * FIELDS;
    m[k] = tid;
    m[k + 1] = tsMin;
    m[k + 2] = tsMax;
    m[k + 3] = seqMin;
    m[k + 4] = seqMax;
    m[k + 5] = n;
    m[k + 6] = crc;
    m[k + 7] = data.length;
    this.data.set(data, this.bytes);
    this.bytes += data.length;
  }

  /** The rows so far as views of the buffer's own arrays, valid until the next add() or clear(). */
  peek(): ChunkRows {
    return { count: this.count, meta: this.meta.subarray(0, this.count * FIELDS), data: this.data.subarray(0, this.bytes) };
  }

  clear(): void {
    this.count = 0;
    this.bytes = 0;
  }
}

/** Calls `row` for each row, `data` a view into the rows' bytes. */
export function eachChunkRow(rows: ChunkRows, row: (tid: number, tsMin: number, tsMax: number, seqMin: number, seqMax: number, n: number, data: Buffer, crc: number) => void): void {
  const m = rows.meta;
  const all = Buffer.from(rows.data.buffer, rows.data.byteOffset, rows.data.byteLength);
  let at = 0;
  for (let i = 0; i < rows.count; i++) {
    const k = i * FIELDS;
    const len = m[k + 7]!;
    row(m[k]!, m[k + 1]!, m[k + 2]!, m[k + 3]!, m[k + 4]!, m[k + 5]!, all.subarray(at, at + len), m[k + 6]!);
    at += len;
  }
}

// Rows to a statement: one statement per chunk row was a tenth of the records' insert time.
const ROWS = 64;
const COLUMNS = ['tid', 'ts_min', 'ts_max', 'seq_min', 'seq_max', 'n', 'data', 'crc'];

/** Inserts rows into `record_chunks` in their order (their ids assigned in that order), ROWS to a statement. */
export class ChunkRowInsert {
  private readonly batch: BatchInsert;

  constructor(db: Database.Database) {
    this.batch = new BatchInsert(db, 'record_chunks', COLUMNS, { rows: ROWS });
  }

  insert(rows: ChunkRows): void {
    eachChunkRow(rows, (...row) => this.batch.add(...row));
    this.batch.finish();
  }
}

import type Database from 'better-sqlite3';
import type { RecordColumns } from '../records/record-columns.js';
import { CHUNK_MAX, chunkChecksum, ChunkEncoder, GROUP, type ChunkSource } from './record-chunk-codec.js';
import { ChunkRowBuffer, ChunkRowInsert } from './chunk-rows.js';

// Records in time order -> `record_chunks` rows. The records of the current group (at most GROUP
// of them) are kept as columns by position; each thread's open chunk is a list through them
// (first, last, and each record's next), encoded and inserted when it reaches CHUNK_MAX records.
// Every GROUP records all open chunks are written out: the memory stays bounded however many
// threads a capture has, and no chunk crosses a group's boundary (record-chunk-reader.ts relies
// on it). A thread costs three numbers, not buffers of its own that grow (12k threads in 1M
// records: their buffers' allocations were a tenth of the writer's time).

/** Where encoded chunks go: a `record_chunks` row each, in the order given. `data` is valid only during the call. */
export type ChunkSink = (tid: number, tsMin: number, tsMax: number, seqMin: number, seqMax: number, n: number, data: Buffer, crc: number) => void;

export class RecordChunkWriter {
  private readonly src: ChunkSource = {
    ts: new Float64Array(GROUP),
    line: new Int32Array(GROUP),
    cpu: new Int32Array(GROUP),
    probe: new Int32Array(GROUP),
    comm: new Int32Array(GROUP),
    details: new Array<string | null>(GROUP).fill(null),
  };
  /** The group's record after this one in its thread's open chunk. */
  private readonly next = new Int32Array(GROUP);
  /** Records of the group so far; the seq of its first. */
  private g = 0;
  private seqBase = 0;
  /** Threads with an open chunk (possibly empty since the group began), in the order their chunks are closed at a group's end. */
  private readonly open = new Map<number, number>();
  /** Per slot: the thread, its open chunk's first and last record and their count. */
  private slotTid = new Float64Array(64);
  private first = new Int32Array(64);
  private last = new Int32Array(64);
  private count = new Int32Array(64);
  private readonly freeSlots: number[] = [];
  private slots = 0;
  private lastTid = NaN;
  private lastSlot = -1;
  private readonly at = new Int32Array(CHUNK_MAX);
  private readonly enc = new ChunkEncoder();
  private readonly sink: ChunkSink;
  /** Records written so far; the next record's seq. */
  records = 0;
  chunks = 0;

  /** Rows made since the last finish(), inserted then many to a statement (into the bundle's table). */
  private readonly pending: { rows: ChunkRowBuffer; ins: ChunkRowInsert } | null = null;

  /** Into the bundle's table, or (on the reading thread, docs/adr/0110) to a sink that ships the rows. */
  constructor(out: Database.Database | ChunkSink) {
    if (typeof out === 'function') this.sink = out;
    else {
      const rows = new ChunkRowBuffer();
      this.pending = { rows, ins: new ChunkRowInsert(out) };
      this.sink = (...row) => rows.add(...row);
    }
  }

  /** Appends a batch in time order; `keep[i] === 0` leaves record i out. Call inside a transaction. */
  add(c: RecordColumns, keep: Uint8Array | null): void {
    const s = this.src;
    for (let i = 0; i < c.n; i++) {
      if (keep !== null && keep[i] === 0) continue;
      if (this.records > 0 && this.records % GROUP === 0) this.finish();
      const tid = c.tid[i]!;
      // Most records are of the thread of the record before.
      const slot = tid === this.lastTid ? this.lastSlot : this.slotFor(tid);
      const k = this.g++;
      s.ts[k] = c.ts[i]!;
      s.line[k] = c.line[i]!;
      s.cpu[k] = c.cpu[i]!;
      s.probe[k] = c.probe[i]!;
      s.comm[k] = c.comm[i]!;
      const d = c.detailsAt[i]!;
      s.details[k] = d < 0 ? null : c.details[d]!;
      if (this.count[slot] === 0) this.first[slot] = k;
      else this.next[this.last[slot]!] = k;
      this.last[slot] = k;
      this.records++;
      if (++this.count[slot]! === CHUNK_MAX) this.flush(slot);
    }
  }

  /** Writes every partly filled chunk. Call inside a transaction. */
  finish(): void {
    for (const [tid, slot] of this.open) {
      // A thread without records since its last chunk has gone idle: let its slot go.
      if (this.count[slot]! > 0) this.flush(slot);
      else {
        this.open.delete(tid);
        this.freeSlots.push(slot);
      }
    }
    if (this.pending !== null) {
      this.pending.ins.insert(this.pending.rows.peek());
      this.pending.rows.clear();
    }
    this.src.details.fill(null, 0, this.g);
    this.seqBase += this.g;
    this.g = 0;
    this.lastTid = NaN;
  }

  private slotFor(tid: number): number {
    let slot = this.open.get(tid);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.newSlot();
      this.open.set(tid, slot);
      this.slotTid[slot] = tid;
      this.count[slot] = 0;
    }
    this.lastTid = tid;
    this.lastSlot = slot;
    return slot;
  }

  private newSlot(): number {
    if (this.slots === this.count.length) {
      const n = this.slots * 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
      this.slotTid = grow(this.slotTid, new Float64Array(n));
      this.first = grow(this.first, new Int32Array(n));
      this.last = grow(this.last, new Int32Array(n));
      this.count = grow(this.count, new Int32Array(n));
    }
    return this.slots++;
  }

  private flush(slot: number): void {
    const n = this.count[slot]!;
    const at = this.at;
    for (let j = 0, k = this.first[slot]!; j < n; j++, k = this.next[k]!) at[j] = k;
    const data = this.enc.encode(this.src, at, n, this.seqBase);
    const a = at[0]!;
    const b = at[n - 1]!;
    this.sink(this.slotTid[slot]!, this.src.ts[a]!, this.src.ts[b]!, this.seqBase + a, this.seqBase + b, n, data, chunkChecksum(data));
    this.chunks++;
    this.count[slot] = 0;
  }
}

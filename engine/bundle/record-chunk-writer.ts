import type Database from 'better-sqlite3';
import type { RecordColumns } from '../records/record-columns.js';
import { grown } from '../records/typed-grow.js';
import { CHUNK_MAX, chunkChecksum, ChunkEncoder, F_COMM, F_CPU, F_DETAILS, F_LINE, F_PROBE, F_SEQ, GROUP, type ChunkSource } from './record-chunk-codec.js';
import { ChunkRowBuffer, ChunkRowInsert } from './chunk-rows.js';

// Records in time order -> `record_chunks` rows. The records of the current group (at most GROUP
// of them) are kept as columns; each thread's open chunk is a list of blocks of BLOCK records in
// them (first block, last block, count), encoded and inserted when it reaches CHUNK_MAX records.
// Every GROUP records all open chunks are written out: the memory stays bounded however many
// threads a capture has, and no chunk crosses a group's boundary (record-chunk-reader.ts relies
// on it). A thread costs a few numbers, not buffers of its own that grow (12k threads in 1M
// records: their buffers' allocations were a tenth of the writer's time). A chunk's records lie
// together in its blocks: gathered from the group in arrival order instead, one cache miss per
// run of a thread's records and column made most of the encoding's time.

/**
 * Records in a block: a thread's chunk holds whole blocks but its last. 8 was faster than 16,
 * 32 or 64 (less room left empty, the group's columns stay smaller), as fast as 4; a group of
 * GROUP threads of one record each takes GROUP blocks.
 */
const BLOCK = 8;

export class RecordChunkWriter {
  /**
   * The group's records, BLOCK to a block, each block one thread's; a record's fields together
   * (the chunk's gather then touches a few cache lines per block, not one per field).
   */
  private readonly src: ChunkSource = { ts: new Float64Array(0), fields: new Int32Array(0), details: [] };
  /** Per block: the next block of its chunk. */
  private blockNext = new Int32Array(0);
  /** Blocks in use since the group began. */
  private blocks = 0;
  /** Records of the group so far; the seq of its first. */
  private g = 0;
  private seqBase = 0;
  /** Threads with an open chunk (possibly empty since the group began), in the order their chunks are closed at a group's end. */
  private readonly open = new Map<number, number>();
  /** Per slot: the thread, its open chunk's first and last block and its record count. */
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
  /** Records written so far; the next record's seq. */
  records = 0;
  chunks = 0;

  /** Rows made since the last finish(), inserted then many to a statement, in the order made. */
  private readonly rows = new ChunkRowBuffer();
  private readonly ins: ChunkRowInsert;

  /** Into the `record_chunks` table of `db`. */
  constructor(db: Database.Database) {
    this.ins = new ChunkRowInsert(db);
  }

  /** Appends a batch in time order; `keep[i] === 0` leaves record i out. Call inside a transaction. */
  add(c: RecordColumns, keep: Uint8Array | null): void {
    for (let i = 0; i < c.n; ) {
      if (this.records > 0 && this.records % GROUP === 0) this.finish();
      i = this.fill(c, keep, i, GROUP - (this.records % GROUP));
    }
  }

  /** Adds c's records from the i-th on, at most `room` of them (the rest of the group); returns where it stopped. */
  private fill(c: RecordColumns, keep: Uint8Array | null, i: number, room: number): number {
    const { n, tid: tids, ts, line, cpu, probe, comm, detailsAt, details } = c;
    const s = this.src;
    let g = this.g;
    const end = g + room;
    while (i < n && g < end) {
      if (keep !== null && keep[i] === 0) {
        i++;
        continue;
      }
      const tid = tids[i]!;
      // Most records are of the thread of the record before.
      const slot = tid === this.lastTid ? this.lastSlot : this.slotFor(tid);
      let have = this.count[slot]!;
      const pos = have & (BLOCK - 1);
      let k = (pos !== 0 ? this.last[slot]! : this.openBlock(slot, have)) * BLOCK + pos;
      const f = s.fields;
      const t = s.ts;
      // The thread's records from here on, up to its block's end (a run: 7 records on average).
      const blockEnd = k - pos + BLOCK;
      do {
        const q = k << 3;
        t[k << 2] = ts[i]!;
        f[q + F_SEQ] = g++;
        f[q + F_LINE] = line[i]!;
        f[q + F_CPU] = cpu[i]!;
        f[q + F_PROBE] = probe[i]!;
        f[q + F_COMM] = comm[i]!;
        const d = detailsAt[i]!;
        f[q + F_DETAILS] = d < 0 ? -1 : s.details.push(details[d]!) - 1;
        k++;
        have++;
        i++;
      } while (k < blockEnd && i < n && g < end && tids[i] === tid && (keep === null || keep[i] !== 0));
      // CHUNK_MAX is whole blocks: a chunk is full only at a block's end.
      if ((this.count[slot] = have) === CHUNK_MAX) this.flush(slot);
    }
    this.records += g - this.g;
    this.g = g;
    return i;
  }

  /** A new block at the end of the thread's open chunk (of `have` records): blocks are taken in order and all given back at the group's end. */
  private openBlock(slot: number, have: number): number {
    if (this.blocks === this.blockNext.length) this.growBlocks();
    const block = this.blocks++;
    if (have === 0) this.first[slot] = block;
    else this.blockNext[this.last[slot]!] = block;
    this.last[slot] = block;
    return block;
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
    this.ins.insert(this.rows.peek());
    this.rows.clear();
    this.src.details.length = 0;
    this.blocks = 0;
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
      this.slotTid = grown(this.slotTid, n);
      this.first = grown(this.first, n);
      this.last = grown(this.last, n);
      this.count = grown(this.count, n);
    }
    return this.slots++;
  }

  private growBlocks(): void {
    // A group takes GROUP / BLOCK blocks and one partly filled per thread (some 800 in a capture).
    const n = Math.max(2 * this.blockNext.length, GROUP / BLOCK + 1024);
    const s = this.src;
    const fields = grown(s.fields, n * BLOCK * 8);
    s.fields = fields;
    s.ts = new Float64Array(fields.buffer);
    this.blockNext = grown(this.blockNext, n);
  }

  private flush(slot: number): void {
    const n = this.count[slot]!;
    const at = this.at;
    for (let j = 0, block = this.first[slot]!; j < n; block = this.blockNext[block]!) {
      const end = Math.min(n, j + BLOCK);
      for (let k = block * BLOCK; j < end; j++, k++) at[j] = k;
    }
    const s = this.src;
    const data = this.enc.encode(s, at, n, this.seqBase);
    const a = at[0]!;
    const b = at[n - 1]!;
    this.rows.add(this.slotTid[slot]!, s.ts[a << 2]!, s.ts[b << 2]!, this.seqBase + s.fields[(a << 3) + F_SEQ]!, this.seqBase + s.fields[(b << 3) + F_SEQ]!, n, data, chunkChecksum(data));
    this.chunks++;
    this.count[slot] = 0;
  }
}

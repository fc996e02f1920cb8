import { grown } from './typed-grow.js';
import type { ProbeInfo, TraceRecord } from '../model/record.js';
import type { TimeBase } from '../model/time.js';

// Parsed records as columns: no object per record on the hot path. FieldColumns holds the
// fields; a batch (RecordColumns) also keeps where each record's line lies in the source chunk,
// and whether that line is already in bare form, so the sorter can copy bytes instead of
// re-formatting text; the sorter's whole table (sorted-records.ts) keeps the fields only.

/** The fields of `n` records, one typed array per field, growable. */
export class FieldColumns {
  n = 0;
  tid: Int32Array;
  ts: Float64Array;
  cpu: Int32Array;
  probe: Int32Array;
  comm: Int32Array;
  line: Int32Array;
  /** Index into `details`, -1 when the record has none. */
  detailsAt: Int32Array;
  details: string[] = [];

  constructor(capacity: number) {
    this.tid = new Int32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.cpu = new Int32Array(capacity);
    this.probe = new Int32Array(capacity);
    this.comm = new Int32Array(capacity);
    this.line = new Int32Array(capacity);
    this.detailsAt = new Int32Array(capacity);
  }

  /** Records the columns hold without growing. */
  get capacity(): number {
    return this.ts.length;
  }

  /** Room for `c` records, keeping the first `n`. */
  protected growTo(c: number): void {
    this.tid = grown(this.tid, c);
    this.ts = grown(this.ts, c);
    this.cpu = grown(this.cpu, c);
    this.probe = grown(this.probe, c);
    this.comm = grown(this.comm, c);
    this.line = grown(this.line, c);
    this.detailsAt = grown(this.detailsAt, c);
  }
}

export class RecordColumns extends FieldColumns {
  /**
   * (Filled only when the stream was asked for bare lines.)
   * Where each record's bare line (`comm|tid|nsecs|cpu|probe[|details]`) is: lineSrc 0 = bytes
   * buf[lineStart, lineEnd) of the source chunk, 1 = bytes arena[lineStart, lineEnd) (quoted
   * lines rewritten bare), 2 = the string bareText[lineStart] (lines the string parser read).
   */
  buf: Buffer = Buffer.alloc(0);
  arena: Buffer = Buffer.alloc(0);
  lineSrc: Uint8Array;
  lineStart: Int32Array;
  lineEnd: Int32Array;
  bareText: string[] = [];

  constructor(capacity = 1 << 16) {
    super(capacity);
    this.lineStart = new Int32Array(capacity);
    this.lineEnd = new Int32Array(capacity);
    this.lineSrc = new Uint8Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  reset(buf: Buffer): void {
    this.n = 0;
    this.buf = buf;
    this.details.length = 0;
    this.bareText.length = 0;
  }

  /** Room for one more record. */
  ensure(): void {
    if (this.n >= this.capacity) this.growTo(this.capacity * 2);
  }

  protected override growTo(c: number): void {
    super.growTo(c);
    this.lineStart = grown(this.lineStart, c);
    this.lineEnd = grown(this.lineEnd, c);
    this.lineSrc = grown(this.lineSrc, c);
  }
}

/** Names needed to turn column ids back into text. */
export interface ColumnNames {
  probes: readonly ProbeInfo[];
  comms: readonly string[];
  base: TimeBase;
}

/**
 * A reusable record object over a batch: `at(i)` points it at record i. Consumers that keep
 * nothing from a record (the span generator) use it without allocating per record. What every
 * consumer reads of every record is loaded by `at`; the rest (command, CPU, details: the models
 * read details of their own records only, two in three records are not theirs) when asked.
 */
export class RecordView implements TraceRecord {
  line = 0;
  tid = 0;
  ts = 0;
  probe!: ProbeInfo;
  private c: RecordColumns | null = null;
  private i = 0;

  constructor(private readonly names: ColumnNames) {}

  get nsecs(): string {
    return this.names.base.absString(this.ts);
  }

  get comm(): string {
    return this.names.comms[this.c!.comm[this.i]!]!;
  }

  get cpu(): number {
    return this.c!.cpu[this.i]!;
  }

  get details(): string {
    const c = this.c!;
    const d = c.detailsAt[this.i]!;
    return d < 0 ? '' : c.details[d]!;
  }

  at(c: RecordColumns, i: number): this {
    this.c = c;
    this.i = i;
    this.line = c.line[i]!;
    this.tid = c.tid[i]!;
    this.ts = c.ts[i]!;
    this.probe = this.names.probes[c.probe[i]!]!;
    return this;
  }
}

/** Plain record objects (for user handlers, which may keep them). */
/**
 * Plain record objects of a batch, in slices of this many: a slice a consumer drops dies in V8's
 * young generation; a whole 64k-record batch outgrows it and is promoted, and a pass over 10M
 * records then grows the old generation past 1 GB before a full collection (issue 13).
 */
export const MATERIALIZED_SLICE = 4096;

/** A batch's plain record objects, MATERIALIZED_SLICE at a time. */
export function* materializeSlices(c: RecordColumns, names: ColumnNames): Generator<TraceRecord[]> {
  for (let i = 0; i < c.n; i += MATERIALIZED_SLICE) yield materialize(c, names, i, Math.min(c.n, i + MATERIALIZED_SLICE));
}

/** Plain record objects of records `from` to `to` of a batch (all by default). */
export function materialize(c: RecordColumns, names: ColumnNames, from = 0, to = c.n): TraceRecord[] {
  const out: TraceRecord[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    const ts = c.ts[i]!;
    const d = c.detailsAt[i]!;
    out[i - from] = {
      line: c.line[i]!,
      comm: names.comms[c.comm[i]!]!,
      tid: c.tid[i]!,
      ts,
      nsecs: names.base.absString(ts),
      cpu: c.cpu[i]!,
      probe: names.probes[c.probe[i]!]!,
      details: d < 0 ? '' : c.details[d]!,
    };
  }
  return out;
}

import { Diagnostics } from '../model/diagnostics.js';
import { NoRecordsError } from '../model/meta.js';
import { MalformedLineError } from './malformed-line.js';
import { emptyStats, type LineResult, type StreamStats } from '../model/psv-parse.js';
import type { ProbeTable, TraceRecord } from '../model/record.js';
import type { TimeBase } from '../model/time.js';
import { ByteScanner, type LineArena } from './byte-scanner.js';
import { readByteChunks, type ReadOptions } from './line-reader.js';
import { materializeSlices, RecordColumns, type ColumnNames } from './record-columns.js';

// A trace file as batches of parsed records (columns). Malformed lines stop the stream with
// their line number and text, unless `lenient`, where they are skipped and counted.

export interface RecordStreamOptions extends ReadOptions {
  lenient?: boolean;
  base?: TimeBase;
  probes?: ProbeTable;
  diagnostics?: Diagnostics;
  onProgress?: (bytesRead: number) => void;
  /** Produce each record's bare line in the columns (for the sorter). */
  bareLines?: boolean;
  /** Write every bare line into this buffer (the sorter's), lineSrc 1 (byte-scanner.ts). */
  lineArena?: LineArena;
}

export class RecordStream {
  bytesRead = 0;
  readonly stats: StreamStats = emptyStats();
  readonly scanner: ByteScanner;
  readonly diagnostics: Diagnostics;

  constructor(
    readonly path: string,
    private readonly opts: RecordStreamOptions = {},
  ) {
    this.scanner = new ByteScanner(this.stats, {
      ...(opts.base ? { base: opts.base } : {}),
      ...(opts.probes ? { probes: opts.probes } : {}),
      bareLines: opts.bareLines === true,
      ...(opts.lineArena ? { lineArena: opts.lineArena } : {}),
    });
    this.diagnostics = opts.diagnostics ?? new Diagnostics();
  }

  get probes(): ProbeTable {
    return this.scanner.probes;
  }

  get timeBase(): TimeBase | null {
    return this.scanner.base;
  }

  /** Names for the ids in the columns (valid once the first record was read). */
  names(): ColumnNames {
    return { probes: this.scanner.probes.list, comms: this.scanner.comms, base: this.scanner.base! };
  }

  /** Batches of records as columns. The same object is refilled for each batch. */
  async *columns(): AsyncGenerator<RecordColumns> {
    const cols = new RecordColumns();
    const other = (res: LineResult, line: number, text: string) => {
      if (res.kind === 'malformed') this.malformed(line, text, res.reason);
    };
    let line = 1;
    for await (const c of readByteChunks(this.path, this.opts)) {
      line = this.scanner.scan(c.buf, c.end, line, cols, other);
      this.bytesRead = c.bytesRead;
      this.opts.onProgress?.(c.bytesRead);
      if (cols.n > 0) yield cols;
    }
    if (this.stats.records === 0) {
      throw new NoRecordsError(
        this.stats.lines === 0 ? `${this.path} is empty` : `${this.path} holds no trace records (${this.stats.lines} lines, ${this.stats.malformed} malformed)`,
        'pass the output of a capture (bpftrace prints one "comm"|"tid"|"nsecs"|"cpu"|"probe" line per event)',
      );
    }
  }

  /** Batches of plain record objects (for consumers that keep records, such as user handlers). */
  async *records(): AsyncGenerator<TraceRecord[]> {
    for await (const c of this.columns()) yield* materializeSlices(c, this.names());
  }

  private malformed(line: number, text: string, reason: string): void {
    if (!this.opts.lenient) throw new MalformedLineError(this.path, line, reason, text);
    this.diagnostics.add('malformed-line', line, -1, `${reason}: ${text.slice(0, 120)}`);
  }
}

import { Diagnostics } from '../model/diagnostics.js';
import { InputError } from '../model/meta.js';
import { account, emptyStats, PsvParser, type StreamStats } from '../model/psv-parse.js';
import type { ProbeTable, TraceRecord } from '../model/record.js';
import type { TimeBase } from '../model/time.js';
import { readLineBatches, type ReadOptions } from './line-reader.js';

// A trace file as batches of parsed records. Malformed lines stop the stream with their line
// number and text, unless `lenient`, where they are skipped and counted.

export interface RecordStreamOptions extends ReadOptions {
  lenient?: boolean;
  base?: TimeBase;
  probes?: ProbeTable;
  diagnostics?: Diagnostics;
  onProgress?: (bytesRead: number) => void;
}

export interface RecordBatch {
  records: TraceRecord[];
  /** Raw line of each record, when asked for; else empty. */
  raws: string[];
}

export class RecordStream {
  bytesRead = 0;
  readonly stats: StreamStats = emptyStats();
  readonly parser: PsvParser;
  readonly diagnostics: Diagnostics;

  constructor(
    readonly path: string,
    private readonly opts: RecordStreamOptions = {},
  ) {
    this.parser = new PsvParser({ ...(opts.base ? { base: opts.base } : {}), ...(opts.probes ? { probes: opts.probes } : {}) });
    this.diagnostics = opts.diagnostics ?? new Diagnostics();
  }

  /** Batches of records; the raw line of each record too when asked (the sorter keeps bare lines as they are). */
  /** Just the records, batch by batch. */
  async *records(): AsyncGenerator<TraceRecord[]> {
    for await (const b of this.batches()) yield b.records;
  }

  async *batches(keepRaw = false): AsyncGenerator<RecordBatch> {
    const { stats, parser } = this;
    for await (const b of readLineBatches(this.path, this.opts)) {
      const records: TraceRecord[] = [];
      const raws: string[] = [];
      for (let i = 0; i < b.lines.length; i++) {
        const lineNo = b.firstLine + i;
        const text = b.lines[i]!;
        const res = parser.parse(text, lineNo);
        const rec = account(stats, res);
        if (rec !== null) {
          records.push(rec);
          if (keepRaw) raws.push(text);
        } else if (res.kind === 'malformed') this.malformed(lineNo, text, res.reason);
      }
      this.bytesRead = b.bytesRead;
      this.opts.onProgress?.(b.bytesRead);
      if (records.length > 0) yield { records, raws };
    }
    if (stats.records === 0) {
      throw new InputError(
        stats.lines === 0 ? `${this.path} is empty` : `${this.path} holds no trace records (${stats.lines} lines, ${stats.malformed} malformed)`,
        'pass the output of a capture (bpftrace prints one "comm"|"tid"|"nsecs"|"cpu"|"probe" line per event)',
      );
    }
  }

  private malformed(line: number, text: string, reason: string): void {
    if (!this.opts.lenient) {
      const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
      throw new InputError(
        `${this.path}:${line}: malformed line (${reason}): ${JSON.stringify(shown)}`,
        'bpftrace cuts or interleaves lines when output is heavy; re-run with --lenient to skip such lines (they are counted)',
      );
    }
    this.diagnostics.add('malformed-line', line, -1, `${reason}: ${text.slice(0, 120)}`);
  }
}

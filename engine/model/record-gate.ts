import type { Diagnostics } from './diagnostics.js';
import { EventCode, type TraceRecord } from './record.js';
import type { RelNs } from './time.js';

// What both models do with a record before their own work: refuse one earlier than the record
// before it (counted, with a diagnostic: the models need time order), count it, keep the stream's
// first and last times, and set user records (custom probes) aside for the per-span handlers.

export type Admission = 'late' | 'user' | 'model';

export class RecordGate {
  firstTs: RelNs = NaN;
  lastTs: RelNs = NaN;

  constructor(
    private readonly counts: { records: number; unsorted: number; user: number },
    private readonly diagnostics: Diagnostics,
  ) {}

  admit(r: TraceRecord): Admission {
    if (r.ts < this.lastTs) {
      this.counts.unsorted++;
      this.diagnostics.add('unsorted-record', r.line, r.tid, `record at line ${r.line} is earlier than the record before it`);
      return 'late';
    }
    this.counts.records++;
    if (Number.isNaN(this.firstTs)) this.firstTs = r.ts;
    this.lastTs = r.ts;
    if (r.probe.event !== EventCode.User) return 'model';
    this.counts.user++;
    return 'user';
  }

  /** The first and last times, 0 for an empty stream. */
  get first(): RelNs {
    return Number.isNaN(this.firstTs) ? 0 : this.firstTs;
  }

  get last(): RelNs {
    return Number.isNaN(this.lastTs) ? 0 : this.lastTs;
  }
}

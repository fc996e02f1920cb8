import { Diagnostics } from '../model/diagnostics.js';
import type { MetaEntry } from '../model/meta.js';
import { startModel, type ModelRun } from '../model/model-run.js';
import type { ModelName } from '../model/span-link.js';
import { CancelledError, CancelPoint } from '../records/line-reader.js';
import { RecordView, type ColumnNames, type RecordColumns } from '../records/record-columns.js';
import { RecordLog } from './record-log.js';

// The model fed while the records are written (ADR 0080): each parsed batch goes to the bundle
// and, in the same pass, to the span generator, instead of being read back from the bundle and
// decoded once more afterwards. The records still come first (ADR 0061): a model that fails on
// bad input or a bug stops being fed, the records go on into the bundle, and the failure is
// reported once they are in (`error`). Its diagnostics are kept apart and added after the
// reading's (merge), so a bundle lists them in the order a separate model pass gave.

export class FusedModel {
  readonly diagnostics = new Diagnostics();
  readonly run: ModelRun;
  /** Thread, time and probe of every record fed: the span counts need no pass over the bundle. */
  readonly log = new RecordLog();
  /** Why the model stopped being fed (not a cancel: that stops the whole pass). */
  error: unknown = null;
  private readonly cancel: CancelPoint;

  constructor(model: ModelName, meta: readonly MetaEntry[], gateway: string, o: { lenient?: boolean; source: string; signal?: AbortSignal }) {
    // A model record without the fields the model needs is bad input, like a malformed line.
    if (o.lenient !== true) this.diagnostics.stopOn(['bad-details'], o.source);
    this.run = startModel(model, meta, gateway, this.diagnostics);
    this.cancel = new CancelPoint(o.signal);
  }

  /** Feeds a batch the bundle has just taken; `keep[i] === 0`: record i was left out of it. */
  async feed(c: RecordColumns, names: ColumnNames, keep: Uint8Array | null): Promise<void> {
    if (this.error !== null) return;
    this.log.add(c, keep);
    const view = new RecordView(names);
    try {
      for (let i = 0; i < c.n; i++) {
        if (keep !== null && keep[i] === 0) continue;
        this.run.feed(view.at(c, i));
        // A batch can take minutes where the model's states pile up: a cancel must not wait for its end.
        if ((i & 1023) === 1023 && this.cancel.due()) await this.cancel.pause();
      }
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      this.error = e;
    }
  }

  /** After the model's finish(): its findings added to the reading's, as a separate pass would have. */
  mergeInto(reading: Diagnostics): void {
    const before = new Map(reading.counts);
    // add() keeps the cap on examples per kind; the counts are then set whole.
    for (const x of this.diagnostics.examples) reading.add(x.kind, x.line, x.tid, x.message);
    for (const [k, n] of this.diagnostics.counts) reading.counts.set(k, (before.get(k) ?? 0) + n);
  }
}

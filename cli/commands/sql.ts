import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { InputError } from '../../engine/model/meta.js';
import { requireString, UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeOutputChunks } from '../output.js';

// SQL on a bundle, with the `records` virtual table (format 2 stores records as chunk blobs, so a
// plain SQLite client sees the traces, spans and counts but not the records as rows).

export const sqlCommand: Command = {
  name: 'sql',
  usage: '-i BUNDLE [--json] "SELECT ..."',
  help: `  -i, --input PATH       a bundle
      --json             one JSON object per row (default: a header, then rows with | between fields)

tables: manifest, meta, probes, comms, traces, spans, span_counts, diagnostics, diagnostic_counts,
span_sched (captures with --sched: per span ns on_cpu, runnable, blocked, faults, migrations; idx -1
the trace's critical path), and records (virtual): seq, ts, ts_ns, tid, cpu, comm, probe, details, line
  records            every record in time order (ts: ns from the manifest's timeBaseNs, ts_ns: absolute)
  records(TID)       one thread's records, found by index
  records(TID, FROM, TO)  ... with FROM <= ts <= TO
example: misertrace sql -i B.mstrace "SELECT s.idx, r.probe, count(*) FROM spans s, records(s.tid, s.start, s.end) r WHERE s.trace_id = 1 GROUP BY 1, 2"`,
  options: {
    input: { type: 'string', short: 'i' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(v, pos, io) {
    const input = requireString(v, 'input', '-i BUNDLE', 'sql');
    if (pos.length !== 1) throw new UsageError(pos.length === 0 ? 'missing the SQL statement' : 'give the SQL statement as one argument (quote it)', 'see: misertrace sql --help');
    const b = Bundle.open(input);
    try {
      const sqlError = (e: unknown) =>
        // SQLite's own message says what is wrong with the statement.
        e instanceof Error && e.name === 'SqliteError' ? new InputError(`SQL: ${e.message}`, 'see: misertrace sql --help') : e;
      let res: { columns: string[]; rows: Generator<unknown[]> };
      try {
        res = b.queryRows(pos[0]!);
      } catch (e) {
        throw sqlError(e);
      }
      const text = (x: unknown) => (x === null || x === undefined ? '' : Buffer.isBuffer(x) ? `<${x.length} bytes>` : String(x));
      const json = (x: unknown) => (typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : String(x)) : Buffer.isBuffer(x) ? x.toString('base64') : x);
      const asJson = v['json'] === true;
      // Rows are written as they are read (ADR 0120): SELECT * FROM records on 10M records is not held.
      const lines = function* () {
        if (!asJson) yield `${res.columns.join('|')}\n`;
        try {
          for (const r of res.rows) yield `${asJson ? JSON.stringify(Object.fromEntries(res.columns.map((c, i) => [c, json(r[i])]))) : r.map(text).join('|')}\n`;
        } catch (e) {
          throw sqlError(e);
        }
      };
      await writeOutputChunks(undefined, lines(), io);
    } finally {
      b.close();
    }
    return EXIT.ok;
  },
};

import { existsSync, openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { isHelperFolder, replayHelperFolder } from '../../capture/ftrace/helper-replay.js';
import { trimIncompleteLine } from '../../capture/session/finalize-capture.js';
import { WORK_META, WORK_NOTE, type WorkNote } from '../../capture/session/work-note.js';
import { buildBundle } from '../../engine/bundle/build-bundle.js';
import { verifyBundle } from '../../engine/bundle/bundle-verify.js';
import { InputError, parseMeta } from '../../engine/model/meta.js';
import { UsageError, type CliIO } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { withRecordLines } from './record-maps-input.js';

// `bundle verify` (ADR 0062) and `bundle recover` (ADR 0061).

export function runVerify(v: Record<string, unknown>, pos: string[], io: CliIO): number {
  const path = typeof v['input'] === 'string' ? v['input'] : pos[1];
  if (path === undefined) throw new UsageError('missing the bundle', 'use: misertrace bundle verify B.mstrace');
  const r = verifyBundle(path);
  const what = `${r.records} records in ${r.chunks} chunks` + (r.tablesChecked ? ', tables' : ' (no table checksums: written before them)');
  if (r.problems.length === 0) {
    io.stdout.write(`${path}: ok (${what})\n`);
    if (r.tracesPending !== null) io.stdout.write(`  its traces are not generated: misertrace generate -i ${path}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${path}: damaged (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}; checked ${what})\n`);
  for (const p of r.problems.slice(0, 50)) io.stdout.write(`  ${p}\n`);
  if (r.problems.length > 50) io.stdout.write(`  ... and ${r.problems.length - 50} more\n`);
  io.stdout.write('  copy the bundle again from its source, or make it again from its capture\n');
  return EXIT.problems;
}

/** A capture's work folder (left by a process that was killed or failed) -> a bundle. */
export async function runRecover(v: Record<string, unknown>, pos: string[], io: CliIO): Promise<number> {
  const dir = typeof v['input'] === 'string' ? v['input'] : pos[1];
  if (dir === undefined) throw new UsageError('missing the work folder', 'use: misertrace bundle recover DIR [-o OUT.mstrace]');
  const notePath = join(dir, WORK_NOTE);
  if (!existsSync(notePath) || !existsSync(join(dir, WORK_META))) {
    throw new InputError(
      `${dir} is not the work folder of a capture (no ${WORK_NOTE} and ${WORK_META} in it)`,
      'a capture keeps one beside its output as .OUT.mstrace.capture-*; for a records file of your own: misertrace bundle import -i RAW -m META -g GATEWAY -o OUT.mstrace',
    );
  }
  const note = JSON.parse(readFileSync(notePath, 'utf8')) as WorkNote;
  const meta = parseMeta(readFileSync(join(dir, WORK_META), 'utf8'), join(dir, WORK_META));
  const output = resolve(typeof v['output'] === 'string' ? v['output'] : note.output);
  if (existsSync(output)) throw new InputError(`${output} exists; recover does not replace a bundle`, `choose another: misertrace bundle recover ${dir} -o OTHER.mstrace`);
  const records = await recordsOf(dir, io);
  const res = await withRecordLines(records, output, io, (path) =>
    buildBundle({
      sortedPath: path,
      unsorted: true,
      meta,
      gateway: note.gateway,
      output,
      lenient: true,
      signal: io.signal,
      capture: { network: note.network, startedAt: note.startedAt, partial: true, partialReason: `recovered from ${dir}: the capture did not finish` },
    }),
  );
  const m = res.manifest;
  io.stderr.write(`wrote ${output}: ${m.traceCount} request traces from ${m.stream.records} records (marked partial)\n  the work folder ${dir} can be removed now\n`);
  return EXIT.ok;
}

/** The folder's records: the ftrace helper's pages converted (again) when there are some, else raw.psv. */
async function recordsOf(dir: string, io: CliIO): Promise<string> {
  const raw = join(dir, 'raw.psv');
  if (isHelperFolder(dir)) {
    // The ftrace backend's records are converted from the helper's pages only after the capture:
    // converting them again is the only way to know they are whole.
    const out = join(dir, 'recovered.psv');
    const fd = openSync(out, 'w');
    try {
      const r = await replayHelperFolder(dir, fd);
      io.stderr.write(`converted the ftrace helper's pages: ${r.events} events -> ${r.converter.records} records` + (r.cutBytes > 0 ? ` (their last ${r.cutBytes} bytes were cut short)` : '') + '\n');
    } finally {
      closeSync(fd);
    }
    return out;
  }
  if (!existsSync(raw) || statSync(raw).size === 0) throw new InputError(`${dir} holds no records (raw.psv is missing or empty)`, 'the capture stopped before recording anything');
  const cut = await trimIncompleteLine(raw);
  if (cut > 0) io.stderr.write(`dropped a last line cut short (${cut} bytes)\n`);
  return raw;
}

import { sortTraceFile } from '../../engine/records/sort.js';
import { requireString, UsageError, type CliIO, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { Progress } from '../progress.js';
import { withRecordLines } from './record-maps-input.js';

export const sortCommand: Command = {
  name: 'sort',
  usage: '-i INPUT -o OUTPUT [--lenient] [--memory MB]',
  help: `  -i, --input PATH       raw capture (bpftrace output, quoted or bare fields)
  -o, --output PATH      sorted records (bare fields, one per line)
      --lenient          skip malformed lines (cut or interleaved) and count them, instead of stopping
      --memory MB        memory for in-memory runs before spilling to disk (default 512)`,
  options: {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    lenient: { type: 'boolean' },
    memory: { type: 'string' },
  },
  async run(v, _p, io) {
    const input = requireString(v, 'input', '-i INPUT', 'sort');
    const output = requireString(v, 'output', '-o OUTPUT', 'sort');
    const mb = v['memory'] === undefined ? 512 : Number(v['memory']);
    if (!Number.isFinite(mb) || mb < 1) throw new UsageError(`--memory ${String(v['memory'])} is not a size in MB`);
    return withRecordLines(input, output, io, (records) => sortRecords(records, output, v['lenient'] === true, mb, io));
  },
};

async function sortRecords(input: string, output: string, lenient: boolean, mb: number, io: CliIO): Promise<number> {
  const bar = new Progress(io.stderr);
  const res = await sortTraceFile(input, output, {
    lenient,
    memoryBudgetBytes: mb * 1024 * 1024,
    signal: io.signal,
    onProgress: (p) => bar.update(p.stage, p.stage === 'read' ? 0.5 : 0.9),
  });
  bar.done();
  const s = res.stats;
  io.stderr.write(
    `sorted ${s.records} records into ${output}` +
      (res.runs > 1 ? ` (${res.runs} runs merged)` : '') +
      `; bpftrace lines: ${s.ownLines}` +
      (s.attachedProbes !== null ? `, ${s.attachedProbes} probes attached` : '') +
      `, lost events: ${s.lostEvents}` +
      (s.malformed > 0 ? `; skipped ${s.malformed} malformed lines` : '') +
      (res.cpuDisorder > 0 ? `; ${res.cpuDisorder} records were out of order within their CPU` : '') +
      '\n',
  );
  if (s.lostEvents > 0) io.stderr.write('warning: bpftrace lost events; spans may be incomplete. Capture again with a larger BPFTRACE_PERF_RB_PAGES.\n');
  return EXIT.ok;
}

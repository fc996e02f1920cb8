import { basename } from 'node:path';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import { buildBundle } from '../../engine/bundle/build-bundle.js';
import { requireString, UsageError, type CliIO, type Command } from '../command.js';
import { MODEL_HELP, MODEL_OPTION, modelOf } from '../model-option.js';
import { EXIT } from '../exit-codes.js';
import { readText } from './generate.js';
import { withRecordLines } from './record-maps-input.js';

// Moving between bundles and the original tool's plain files, both ways.

export const bundleCommand: Command = {
  name: 'bundle',
  usage: 'import -i TRACE.psv -m META.psv -g GATEWAY -o OUT.mstrace [--model original|causal] [--script P.bt] [--lenient]\n       misertrace bundle export -i IN.mstrace -o DIR\n       misertrace bundle verify B.mstrace\n       misertrace bundle recover DIR [-o OUT.mstrace]',
  help: `  import                 sort (raw or sorted input), generate, and write a bundle
  export                 write DIR/sorted.psv, meta.psv, gateway.txt, the probe script(s), dag.json, custom.json, manifest.json
  verify                 check every stored block against its checksum, and SQLite's structure (exit 1 if damaged)
  recover                make a bundle from the work folder a killed or failed capture left (.OUT.mstrace.capture-*)
  -i, --input PATH       input file
  -o, --output PATH      bundle (import) or directory (export)
  -m, --metafile PATH    (import) tid|container|ip|container id
  -g, --gateway IP       (import) the network's gateway
      --script PATH      (import) the probe script to store
      --lenient          (import) skip malformed lines and count them
${MODEL_HELP}`,
  options: {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    metafile: { type: 'string', short: 'm' },
    gateway: { type: 'string', short: 'g' },
    script: { type: 'string' },
    lenient: { type: 'boolean' },
    ...MODEL_OPTION,
  },
  allowPositionals: true,
  async run(v, pos, io) {
    const sub = pos[0];
    if (sub === 'import') return importBundle(v, io);
    // Each subcommand but import loads what it needs only when it runs (start-up of import).
    if (sub === 'export') return (await import('./bundle-export.js')).exportBundle(v, io);
    if (sub === 'verify') return (await import('./bundle-care.js')).runVerify(v, pos, io);
    if (sub === 'recover') return (await import('./bundle-care.js')).runRecover(v, pos, io);
    throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`, 'use: misertrace bundle import|export|verify|recover ...');
  },
};

async function importBundle(v: Record<string, unknown>, io: CliIO): Promise<number> {
  const input = requireString(v, 'input', '-i TRACE.psv', 'bundle');
  const output = requireString(v, 'output', '-o OUT.mstrace', 'bundle');
  const meta = parseMeta(await readText(requireString(v, 'metafile', '-m META.psv', 'bundle')));
  const gateway = parseGateway(requireString(v, 'gateway', '-g GATEWAY', 'bundle'));
  const script = typeof v['script'] === 'string' ? { name: basename(v['script']), text: await readText(v['script']) } : undefined;
  // The input may be raw (per-CPU order) or sorted: it is ordered on the way, parsed once.
  const res = await withRecordLines(input, output, io, (records) => buildBundle({
    sortedPath: records,
    unsorted: true,
    meta,
    gateway,
    output,
    lenient: v['lenient'] === true,
    model: modelOf(v),
    signal: io.signal,
    capture: { backend: 'import' },
    ...(script ? { probeScript: script } : {}),
  }));
  const m = res.manifest;
  io.stderr.write(
    `wrote ${output}: ${m.traceCount} request traces from ${m.stream.records} records` + (m.stream.malformed > 0 ? ` (${m.stream.malformed} malformed lines skipped)` : '') + '\n',
  );
  return EXIT.ok;
}

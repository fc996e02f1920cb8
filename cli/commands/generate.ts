import { readFile } from 'node:fs/promises';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import { DIAGNOSTIC_EXPLANATION, type DiagnosticKind } from '../../engine/model/diagnostics.js';
import { buildBundle, type BuildResult } from '../../engine/bundle/build-bundle.js';
import { fileError } from '../../engine/records/line-reader.js';
import { requireString, UsageError, type CliIO, type Command } from '../command.js';
import { MODEL_HELP, MODEL_OPTION, modelOf } from '../model-option.js';
import { EXIT } from '../exit-codes.js';
import { Progress } from '../progress.js';
import { isSqliteFile } from './sqlite-file.js';

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw fileError(e, path);
  }
}

export const generateCommand: Command = {
  name: 'generate',
  usage: '-i INPUT -m METAFILE -g GATEWAY -o OUTPUT.mstrace [--model original|causal] [--lenient] [--script PROBES.bt]\n       misertrace generate -i BUNDLE.mstrace [--model original|causal]',
  help: `  -i, --input PATH       sorted records (misertrace sort output, or the original sorter's),
                         or a bundle: its traces are generated (again) in place from its records
  -m, --metafile PATH    threads at capture start: tid|container|ip|container id
  -g, --gateway IP       the Docker network's gateway IPv4 address
  -o, --output PATH      the bundle to write (.mstrace, SQLite)
      --script PATH      the probe script used for the capture, stored in the bundle
      --lenient          skip malformed lines and out-of-order records, and count them
${MODEL_HELP} (a bundle as input: the model it was made with)`,
  options: {
    input: { type: 'string', short: 'i' },
    metafile: { type: 'string', short: 'm' },
    gateway: { type: 'string', short: 'g' },
    output: { type: 'string', short: 'o' },
    script: { type: 'string' },
    lenient: { type: 'boolean' },
    ...MODEL_OPTION,
  },
  async run(v, _p, io) {
    const input = requireString(v, 'input', '-i INPUT', 'generate');
    const model = v['model'] === undefined ? undefined : modelOf(v);
    if (isSqliteFile(input)) {
      if (v['metafile'] !== undefined || v['gateway'] !== undefined || (v['output'] !== undefined && v['output'] !== input)) {
        throw new UsageError('with a bundle as input, generate uses its meta and gateway and writes the traces into it', `use: misertrace generate -i ${input}`);
      }
      const { generateInBundle } = await import('./bundle-input.js');
      const bar = new Progress(io.stderr);
      const res = await generateInBundle(input, io, (stage, f) => bar.update(stage, f), model, v['lenient'] === true);
      bar.done();
      return reportBuild(res, io);
    }
    const metafile = requireString(v, 'metafile', '-m METAFILE', 'generate');
    const gateway = parseGateway(requireString(v, 'gateway', '-g GATEWAY', 'generate'));
    const output = requireString(v, 'output', '-o OUTPUT', 'generate');
    const meta = parseMeta(await readText(metafile), metafile);
    const script = typeof v['script'] === 'string' ? { name: v['script'], text: await readText(v['script']) } : undefined;
    const bar = new Progress(io.stderr);
    const res = await buildBundle({
      sortedPath: input,
      meta,
      gateway,
      output,
      lenient: v['lenient'] === true,
      ...(model ? { model } : {}),
      signal: io.signal,
      onProgress: (stage, f) => bar.update(stage, f),
      ...(script ? { probeScript: script } : {}),
    });
    bar.done();
    return reportBuild(res, io);
  },
};

function reportBuild(res: BuildResult, io: CliIO): number {
  const m = res.manifest;
  io.stderr.write(`wrote ${res.output}: ${m.traceCount} request traces, ${m.spanCount} spans, ${m.stream.records} records\n`);
  for (const [kind, n] of res.diagnostics.counts) {
    io.stderr.write(`  ${String(n).padStart(6)} ${kind}: ${DIAGNOSTIC_EXPLANATION[kind as DiagnosticKind]}\n`);
  }
  return EXIT.ok;
}

import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { storedCountOutputs } from '../../engine/bundle/count-outputs.js';
import { loadHandlerModule } from '../../engine/handlers/handler-loader.js';
import { runHandlers } from '../../engine/handlers/run-handlers.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { ProbeTable } from '../../engine/model/record.js';
import { RecordStream } from '../../engine/records/record-stream.js';
import { renderDagJson, renderDagText, type HandlerOutputs } from '../../engine/render/dag-render.js';
import { pyJson } from '../../engine/render/py-json.js';
import { parseRange } from '../../engine/render/range.js';
import { requireString, UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeOutput } from '../output.js';
import { notePendingTraces } from './bundle-input.js';

export const renderCommand: Command = {
  name: 'render',
  usage: '-i BUNDLE -t dag|custom [-o OUTPUT] [-n RANGE] [-l TRACELOGS] [-r] [-f] [-c] [--links] [--handlers FILE|count|count-by-probe]',
  help: `  -i, --input PATH       a bundle written by misertrace generate
  -t, --rendertype TYPE  dag OR custom
  -o, --output PATH      write here instead of stdout
  -n, --range RANGE      traces to render, e.g. 1-4,6 (default all)
  -l, --tracelogs PATH   sorted records to feed the handlers (default: the records in the bundle)
  -r                     raw JSON, in the original tool's shape
  -f                     indent the raw JSON (with -r)
  -c                     coloured text tree (dag without -r)
      --links            each span's link: the rule that made it and exact or inferred (dag without -r)
      --handlers SPEC    custom handlers: a JS/TS module, or count (default), count-by-probe`,
  options: {
    input: { type: 'string', short: 'i' },
    rendertype: { type: 'string', short: 't' },
    output: { type: 'string', short: 'o' },
    range: { type: 'string', short: 'n' },
    tracelogs: { type: 'string', short: 'l' },
    raw: { type: 'boolean', short: 'r' },
    format: { type: 'boolean', short: 'f' },
    color: { type: 'boolean', short: 'c' },
    links: { type: 'boolean' },
    handlers: { type: 'string' },
  },
  async run(v, _p, io) {
    const input = requireString(v, 'input', '-i INPUT', 'render');
    const type = requireString(v, 'rendertype', '-t dag|custom', 'render');
    if (type !== 'dag' && type !== 'custom') throw new UsageError(`unknown render type "${type}"`, 'use -t dag or -t custom');
    const bundle = Bundle.open(input);
    try {
      if (notePendingTraces(bundle, io)) return EXIT.problems;
      const ids = typeof v['range'] === 'string' ? parseRange(v['range'], bundle.traceCount) : undefined;
      const traces = bundle.traces(ids);
      let text: string;
      if (type === 'dag') {
        text = v['raw'] === true ? renderDagJson(traces, bundle.base, { indent: v['format'] === true }) : renderDagText(traces, bundle.base, { color: v['color'] === true, links: v['links'] === true });
      } else {
        const outputs = await customOutputs(bundle, traces, v);
        if (v['raw'] === true) text = renderDagJson(traces, bundle.base, { indent: v['format'] === true, outputs });
        else text = customText(traces, bundle, outputs);
      }
      await writeOutput(typeof v['output'] === 'string' ? v['output'] : undefined, text, io);
    } finally {
      bundle.close();
    }
    return EXIT.ok;
  },
};

async function customOutputs(bundle: Bundle, traces: AssembledTrace[], v: Record<string, unknown>): Promise<HandlerOutputs> {
  const spec = typeof v['handlers'] === 'string' ? v['handlers'] : 'count';
  const logs = typeof v['tracelogs'] === 'string' ? v['tracelogs'] : undefined;
  if (spec === 'count' && logs === undefined) {
    // The bundle already holds the default counts: no pass over the records.
    return storedCountOutputs(bundle, traces);
  }
  const mod = await loadHandlerModule(spec);
  const source = logs === undefined ? bundle.recordBatches() : fileBatches(logs, bundle);
  const res = await runHandlers(traces, source, mod);
  return { trace: (id) => res.trace.get(id) ?? null, span: (id, i) => res.span.get(id)?.[i] ?? null };
}

async function* fileBatches(path: string, bundle: Bundle) {
  const probes = new ProbeTable();
  for (const p of bundle.probes) probes.get(p.name);
  yield* new RecordStream(path, { base: bundle.base, probes }).records();
}

function customText(traces: AssembledTrace[], bundle: Bundle, outputs: HandlerOutputs): string {
  const lines: string[] = [];
  for (const t of traces) {
    lines.push(`${t.id} ${pyJson(outputs.trace(t.id))}`);
    for (const s of t.spans) {
      lines.push(`${'\t'.repeat(s.depth)} ${s.container} PID ${s.tid} at ${bundle.base.absString(s.start)}: ${pyJson(outputs.span(t.id, s.index))}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

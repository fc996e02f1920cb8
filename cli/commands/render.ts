import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { storedCountOutputs } from '../../engine/bundle/count-outputs.js';
import { loadHandlerModule } from '../../engine/handlers/handler-loader.js';
import { runHandlers } from '../../engine/handlers/run-handlers.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { ProbeTable } from '../../engine/model/record.js';
import { RecordStream } from '../../engine/records/record-stream.js';
import { renderDagJsonChunks, renderDagTextChunks, type HandlerOutputs } from '../../engine/render/dag-render.js';
import { pyJson } from '../../engine/render/py-json.js';
import { parseRange } from '../../engine/render/range.js';
import { requireString, UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeOutputChunks } from '../output.js';
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
      // Ascending and unique (parseRange's order, as the raw JSON keys it): read one trace at a time.
      const ids = typeof v['range'] === 'string' ? parseRange(v['range'], bundle.traceCount) : bundle.traceIds();
      let chunks: Iterable<string>;
      if (type === 'dag') {
        const traces = bundle.eachTrace(ids);
        chunks = v['raw'] === true ? renderDagJsonChunks(traces, bundle.base, { indent: v['format'] === true }) : renderDagTextChunks(traces, bundle.base, { color: v['color'] === true, links: v['links'] === true });
      } else {
        const { traces, outputs } = await customOutputs(bundle, ids, v);
        if (v['raw'] === true) chunks = renderDagJsonChunks(traces, bundle.base, { indent: v['format'] === true, outputs });
        else chunks = customText(traces, bundle, outputs);
      }
      await writeOutputChunks(typeof v['output'] === 'string' ? v['output'] : undefined, chunks, io);
    } finally {
      bundle.close();
    }
    return EXIT.ok;
  },
};

async function customOutputs(bundle: Bundle, ids: number[], v: Record<string, unknown>): Promise<{ traces: Iterable<AssembledTrace>; outputs: HandlerOutputs }> {
  const spec = typeof v['handlers'] === 'string' ? v['handlers'] : 'count';
  const logs = typeof v['tracelogs'] === 'string' ? v['tracelogs'] : undefined;
  if (spec === 'count' && logs === undefined) {
    // The bundle already holds the default counts: no pass over the records, one trace at a time.
    return { traces: bundle.eachTrace(ids), outputs: storedCountOutputs(bundle) };
  }
  // Handlers see every record once, in time order, so every span's handler is held through the
  // pass; the traces themselves are read again for the output rather than kept beside them.
  const mod = await loadHandlerModule(spec);
  const source = logs === undefined ? bundle.recordBatches() : fileBatches(logs, bundle);
  const res = await runHandlers(bundle.eachTrace(ids), source, mod);
  return { traces: bundle.eachTrace(ids), outputs: { trace: (id) => res.trace.get(id) ?? null, span: (id, i) => res.span.get(id)?.[i] ?? null } };
}

async function* fileBatches(path: string, bundle: Bundle) {
  const probes = new ProbeTable();
  for (const p of bundle.probes) probes.get(p.name);
  yield* new RecordStream(path, { base: bundle.base, probes }).records();
}

function* customText(traces: Iterable<AssembledTrace>, bundle: Bundle, outputs: HandlerOutputs): Generator<string> {
  for (const t of traces) {
    const lines = [`${t.id} ${pyJson(outputs.trace(t.id))}`];
    for (const s of t.spans) {
      lines.push(`${'\t'.repeat(s.depth)} ${s.container} PID ${s.tid} at ${bundle.base.absString(s.start)}: ${pyJson(outputs.span(t.id, s.index))}`);
    }
    yield `${lines.join('\n')}\n`;
  }
}

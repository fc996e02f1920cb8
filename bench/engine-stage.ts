import { readFileSync } from 'node:fs';
import { EventCounter } from '../engine/handlers/event-counts.js';
import { parseMeta } from '../engine/model/meta.js';
import { buildBundle } from '../engine/bundle/build-bundle.js';
import type { ModelName } from '../engine/model/span-link.js';
import { generateFromFile } from '../engine/records/generate.js';
import { RecordStream } from '../engine/records/record-stream.js';
import { sortTraceFile } from '../engine/records/sort.js';

// One benchmark stage in its own process, so that its peak RSS is its own. Prints one JSON line.

const [stage, input, meta, gateway, output, modelArg] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
// The model: the default unless a 6th argument names one.
const model: { model?: ModelName } = modelArg === 'causal' || modelArg === 'original' ? { model: modelArg } : {};

async function run(): Promise<{ records: number; extra?: Record<string, number> }> {
  switch (stage) {
    case 'parse': {
      const s = new RecordStream(input);
      let n = 0;
      for await (const c of s.columns()) n += c.n;
      return { records: n };
    }
    case 'sort': {
      const r = await sortTraceFile(input, output);
      return { records: r.stats.records, extra: { runs: r.runs } };
    }
    case 'generate': {
      const g = await generateFromFile(input, parseMeta(readFileSync(meta, 'utf8')), gateway, model);
      return { records: g.stats.records, extra: { traces: g.traces.length, spans: g.traces.reduce((a, t) => a + t.spans.length, 0) } };
    }
    case 'fused': {
      // Raw capture -> traces in one pass: ordered on the way (what import and capture run).
      const g = await generateFromFile(input, parseMeta(readFileSync(meta, 'utf8')), gateway, { unsorted: true });
      return { records: g.stats.records, extra: { traces: g.traces.length, spans: g.traces.reduce((a, t) => a + t.spans.length, 0) } };
    }
    case 'counts': {
      // Generation first (not timed), then the counting pass over every record for every span.
      const g = await generateFromFile(input, parseMeta(readFileSync(meta, 'utf8')), gateway);
      const s = new RecordStream(input, { base: g.base, probes: g.probes });
      const batches: { length: number; tid: Int32Array; ts: Float64Array; probe: Int32Array }[] = [];
      for await (const c of s.columns()) {
        batches.push({ length: c.n, tid: c.tid.slice(0, c.n), ts: c.ts.slice(0, c.n), probe: c.probe.slice(0, c.n) });
      }
      const t0 = performance.now();
      const counter = new EventCounter(g.traces, g.probes.size);
      let n = 0;
      for (const c of batches) {
        counter.add(c);
        n += c.length;
      }
      const secs = (performance.now() - t0) / 1000;
      let consumed = 0;
      for (const v of counter.counts.totals) consumed += v;
      return { records: n, extra: { sweepSeconds: secs, spans: counter.counts.spanCount, consumed } };
    }
    case 'bundle': {
      const r = await buildBundle({ sortedPath: input, meta: parseMeta(readFileSync(meta, 'utf8')), gateway, output, ...model });
      return { records: r.manifest.stream.records, extra: { traces: r.manifest.traceCount } };
    }
    default:
      throw new Error(`unknown stage ${stage}`);
  }
}

const t0 = performance.now();
const c0 = process.cpuUsage();
const res = await run();
const seconds = (performance.now() - t0) / 1000;
// CPU time as well as wall time: on a shared machine, CPU time is the steadier of the two.
const cpu = process.cpuUsage(c0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(`${JSON.stringify({ stage, seconds, cpuSeconds, ...res, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);

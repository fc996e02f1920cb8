import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { storedCountOutputs } from '../../engine/bundle/count-outputs.js';
import { formatMeta } from '../../engine/model/meta.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { writeAtomically, type AtomicTextWriter } from '../../engine/records/atomic-file.js';
import { fileError } from '../../engine/records/line-reader.js';
import { renderDagJsonChunks } from '../../engine/render/dag-render.js';
import { requireString, type CliIO } from '../command.js';
import { EXIT } from '../exit-codes.js';

// `misertrace bundle export`: a bundle back to the original tool's plain files. Apart from
// bundle.ts so that `bundle import` does not load the bundle reader and the renderers.

export async function exportBundle(v: Record<string, unknown>, io: CliIO): Promise<number> {
  const input = requireString(v, 'input', '-i IN.mstrace', 'bundle');
  const dir = requireString(v, 'output', '-o DIR', 'bundle');
  const b = Bundle.open(input);
  try {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw fileError(e, dir);
    }
    await writeAtomically(join(dir, 'sorted.psv'), async (w) => {
      for (const batch of b.recordBatches()) {
        const lines: string[] = [];
        for (const r of batch) lines.push(`${r.comm}|${r.tid}|${r.nsecs}|${r.cpu}|${r.probe.name}${r.details === '' ? '' : `|${r.details}`}\n`);
        await w.write(lines.join(''));
      }
    });
    await writeAtomically(join(dir, 'meta.psv'), (w) => w.write(formatMeta(b.meta())));
    await writeAtomically(join(dir, 'gateway.txt'), (w) => w.write(`${b.manifest.capture.gateway}\n`));
    for (const s of b.probeScripts()) await writeAtomically(join(dir, basename(s.name)), (w) => w.write(s.text));
    // Trace by trace, written as made (ADR 0120): a bundle of millions of spans is never held whole.
    const writeChunks = (chunks: Iterable<string>) => async (w: AtomicTextWriter) => {
      for (const c of chunks) await w.write(c);
    };
    let traceCount = 0;
    const counted = function* (ts: Iterable<AssembledTrace>) {
      for (const t of ts) {
        traceCount++;
        yield t;
      }
    };
    await writeAtomically(join(dir, 'dag.json'), writeChunks(renderDagJsonChunks(counted(b.eachTrace()), b.base, { indent: true })));
    await writeAtomically(join(dir, 'custom.json'), writeChunks(renderDagJsonChunks(b.eachTrace(), b.base, { indent: true, outputs: storedCountOutputs(b) })));
    await writeAtomically(join(dir, 'manifest.json'), (w) => w.write(`${JSON.stringify(b.manifest, null, 2)}\n`));
    io.stderr.write(`exported ${input} to ${dir}/ (${b.recordCount} records, ${traceCount} traces)\n`);
  } finally {
    b.close();
  }
  return EXIT.ok;
}

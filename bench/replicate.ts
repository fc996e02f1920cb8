import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { formatMeta, parseMeta, type MetaEntry } from '../engine/model/meta.js';

// Builds large captures from a real one: each copy shifted in time past the previous one,
// its tids remapped to new ones (in record fields and fork/exit details), its threads added to
// the meta. The result reads like a long capture of the same application.

export interface ReplicaSpec {
  /** Fixture directory holding trace.psv and meta.psv. */
  fixtureDir: string;
  copies: number;
  /** Output raw capture (per-CPU order within each copy, quoted as bpftrace prints). */
  tracePath: string;
  metaPath: string;
  /** Added to every tid per copy. */
  tidStride?: number;
}

export interface ReplicaInfo {
  records: number;
  copies: number;
  meta: MetaEntry[];
}

export async function replicateCapture(spec: ReplicaSpec): Promise<ReplicaInfo> {
  const stride = spec.tidStride ?? 100_000;
  const lines = readFileSync(`${spec.fixtureDir}/trace.psv`, 'utf8').split('\n');
  const records = lines.filter((l) => l.startsWith('"'));
  const fields = records.map((l) => l.split('|'));
  let min = BigInt(fields[0]![2]!.slice(1, -1));
  let max = min;
  for (const f of fields) {
    const t = BigInt(f[2]!.slice(1, -1));
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const period = max - min + 1_000_000n; // 1 ms of quiet between copies
  const baseMeta = parseMeta(readFileSync(`${spec.fixtureDir}/meta.psv`, 'utf8'));
  const out = createWriteStream(spec.tracePath);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('Attaching 24 probes...\n');
  const remapDetails = (d: string, add: number) => d.replace(/(parent_pid|child_pid|pid)=(\d+)/g, (_m, k: string, v: string) => `${k}=${Number(v) + add}`);
  for (let c = 0; c < spec.copies; c++) {
    const add = c * stride;
    const shift = BigInt(c) * period;
    const buf: string[] = [];
    for (const f of fields) {
      const tid = Number(f[1]!.slice(1, -1)) + add;
      const ts = BigInt(f[2]!.slice(1, -1)) + shift;
      let line = `${f[0]}|"${tid}"|"${ts}"|${f[3]}|${f[4]}`;
      if (f.length > 5) line += `|${add === 0 ? f.slice(5).join('|') : remapDetails(f.slice(5).join('|'), add)}`;
      buf.push(line);
    }
    await write(`${buf.join('\n')}\n`);
  }
  await write('\n\n@pids[1]: 1\n');
  out.end();
  await once(out, 'finish');
  const meta: MetaEntry[] = [];
  for (let c = 0; c < spec.copies; c++) for (const m of baseMeta) meta.push({ ...m, tid: m.tid + c * stride });
  const ms = createWriteStream(spec.metaPath);
  ms.end(formatMeta(meta));
  await once(ms, 'finish');
  return { records: records.length * spec.copies, copies: spec.copies, meta };
}

/** Records in one copy of a fixture's trace.psv. */
export function recordsPerCopy(fixtureDir: string): number {
  return readFileSync(join(fixtureDir, 'trace.psv'), 'utf8').split('\n').filter((l) => l.startsWith('"')).length;
}

/** The benches' replica of about `millions` million records in `cache`: its paths, the raw capture and meta made once. */
export async function cachedReplica(fixtureDir: string, cache: string, millions: number, perCopy: number): Promise<{ copies: number; raw: string; meta: string; sorted: string; bundle: string }> {
  const copies = Math.round((millions * 1e6) / perCopy);
  const base = join(cache, `mixed50x${copies}`);
  const r = { copies, raw: `${base}.psv`, meta: `${base}.meta`, sorted: `${base}.sorted.psv`, bundle: `${base}.mstrace` };
  if (!existsSync(r.raw) || !existsSync(r.meta)) await replicateCapture({ fixtureDir, copies, tracePath: r.raw, metaPath: r.meta });
  return r;
}

import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CaptureGap, CaptureInfo } from '../../engine/bundle/manifest.js';
import type { MetaEntry } from '../../engine/model/meta.js';
import type { CaptureCollaborators } from '../session/capture-collaborators.js';
import type { FinalizeInput } from '../session/finalize-capture.js';

// One remote capture in segments (docs/adr/0085): when the connection drops, the segment so far is
// finalized as usual (the partial bundle is on disk before anything else is tried); if the
// capture then resumes, the next segment's bundle is built from the records of every segment so
// far, written over the same output, with the time between them as a gap in the manifest. The
// records of the segments so far are kept in a folder beside the output (a hard link: no copy
// of the first) until the chain is disposed.

interface Kept {
  rawPath: string;
  meta: readonly MetaEntry[];
  capture: Partial<CaptureInfo>;
}

export class CaptureSegments {
  private kept: Kept | null = null;
  private dir: string | null = null;
  private readonly gapList: CaptureGap[] = [];
  private pending: { reason: string; monotonicFrom: string | null } | null = null;
  private segments = 0;
  private reason: string | null = null;

  constructor(private readonly output: string) {}

  /** Segments finalized so far. */
  get count(): number {
    return this.segments;
  }

  get gaps(): readonly CaptureGap[] {
    return this.gapList;
  }

  /** Why the last bundle written is partial as the manifest says it (a resumed capture always is: its gaps); null: as its session says. */
  get partialReason(): string | null {
    return this.reason;
  }

  /** The capture goes on after `reason`: the next segment's bundle holds everything with a gap. */
  resume(reason: string): void {
    if (this.kept === null) throw new Error('resume() before a segment was finalized');
    this.pending = { reason, monotonicFrom: this.kept.capture.remote?.clockEnd?.monotonicNs ?? null };
  }

  /** Wraps a finalize (the in-process one or the engine worker's) so it builds from every segment. */
  finalize(real: CaptureCollaborators['finalize']): CaptureCollaborators['finalize'] {
    return async (inp) => {
      this.dir ??= await mkdtemp(join(dirname(resolve(this.output)), `.${basename(this.output)}.segments-`));
      const n = this.segments + 1;
      const merged = await this.merge(inp, n);
      const res = await real(merged);
      // The records as the bundle has them (finalize trimmed a cut last line in place).
      const prev = this.kept?.rawPath ?? null;
      if (merged.rawPath === inp.rawPath) {
        const keep = join(this.dir, `raw-${n}.psv`);
        await link(inp.rawPath, keep);
        this.kept = { rawPath: keep, meta: merged.meta, capture: merged.capture };
      } else {
        this.kept = { rawPath: merged.rawPath, meta: merged.meta, capture: merged.capture };
      }
      if (prev !== null && prev !== this.kept.rawPath) await rm(prev, { force: true });
      this.segments = n;
      this.pending = null;
      return res;
    };
  }

  /** This segment's input as the whole capture's: earlier records first, threads of every segment, the gaps. */
  private async merge(inp: FinalizeInput, n: number): Promise<FinalizeInput> {
    const kept = this.kept;
    if (kept === null || this.pending === null) return inp;
    const rawPath = join(this.dir!, `raw-${n}.psv`);
    const out = createWriteStream(rawPath, { flags: 'wx', mode: 0o600 });
    await pipeline(createReadStream(kept.rawPath), out, { end: false });
    await pipeline(createReadStream(inp.rawPath), out);
    const gap: CaptureGap = {
      from: kept.capture.stoppedAt ?? '',
      to: inp.capture.startedAt ?? '',
      reason: this.pending.reason,
      monotonicFrom: this.pending.monotonicFrom,
      monotonicTo: inp.capture.remote?.clockStart?.monotonicNs ?? null,
    };
    this.gapList.push(gap);
    const gaps = [...this.gapList];
    const first = kept.capture;
    const note = `the capture has ${gaps.length === 1 ? 'a gap' : `${gaps.length} gaps`} (${gaps.map((g) => `${g.reason}; resumed ${secondsBetween(g.from, g.to)} later`).join('; ')}): traces across ${gaps.length === 1 ? 'it' : 'them'} may be incomplete`;
    const partialReason = inp.capture.partialReason ? `${inp.capture.partialReason}; ${note}` : note;
    this.reason = partialReason;
    const capture: Partial<CaptureInfo> = {
      ...inp.capture,
      startedAt: first.startedAt ?? inp.capture.startedAt ?? null,
      partial: true,
      partialReason,
      gaps,
      ...(inp.capture.remote ? { remote: { ...inp.capture.remote, clockStart: first.remote?.clockStart ?? inp.capture.remote.clockStart } } : {}),
    };
    return { ...inp, rawPath, meta: unionMeta(kept.meta, inp.meta), capture };
  }

  /** Removes the kept records (the bundle holds them). */
  async dispose(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.kept = null;
  }
}

function secondsBetween(from: string, to: string): string {
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) ? `${s.toFixed(1)} s` : 'some time';
}

/** Threads of every segment, each once (a container restarted between them adds its new threads). */
function unionMeta(a: readonly MetaEntry[], b: readonly MetaEntry[]): MetaEntry[] {
  const seen = new Set<string>();
  const out: MetaEntry[] = [];
  for (const m of [...a, ...b]) {
    const k = JSON.stringify(m);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(m);
  }
  return out;
}

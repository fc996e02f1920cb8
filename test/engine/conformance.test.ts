import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { storedCountOutputs } from '../../engine/bundle/count-outputs.js';
import { parseGateway, parseMeta } from '../../engine/model/meta.js';
import { generateFromFile, type GenerateOutput } from '../../engine/records/generate.js';
import { sortTraceFile } from '../../engine/records/sort.js';
import { renderDagJson, renderDagText } from '../../engine/render/dag-render.js';
import { buildFixtureBundle, tempDir, type TempDir } from '../fixture-bundles.js';
import { fixture, FIXTURE_NAMES, type FixtureName } from '../fixtures.js';

// Our engine's original model (asked for by name: the default is causal) against the original tool's own outputs on real captures. Everything must match
// except the one intended difference that shows on these captures: a fork state ends at its
// thread's exit record, where the original takes the timestamp of the record before the exit.

interface RefState { State: string; PID: number; Container: string; IP: string; StartTime: number; EndTime: number }
interface RefNode { TraceID?: number; ThreadState: RefState; Children: RefNode[]; ThreadOutput?: { count: number }; TraceOutput?: { count: number } }

interface SortedLine { tid: number; ts: bigint; probe: string }

function readSorted(name: FixtureName): SortedLine[] {
  return readFileSync(fixture(name, 'sorted.psv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.replace(/\r$/, '').split('|');
      return { tid: Number(f[1]), ts: BigInt(f[2]!), probe: f[4]! };
    });
}

/** For each tid that exits: [ts of its exit record, ts of the record just before it in the file]. */
function exitTimes(lines: SortedLine[]): Map<number, [bigint, bigint]> {
  const m = new Map<number, [bigint, bigint]>();
  lines.forEach((l, i) => {
    if (l.probe.endsWith('sched_process_exit') && i > 0) m.set(l.tid, [l.ts, lines[i - 1]!.ts]);
  });
  return m;
}

function parseExact(json: string): Record<string, RefNode> {
  // Timestamps here are below 2^53, but parse them as strings anyway: the comparison is exact.
  return JSON.parse(json.replace(/"(StartTime|EndTime)": (\d+)/g, '"$1": "$2"')) as Record<string, RefNode>;
}

for (const name of FIXTURE_NAMES) {
  describe(`conformance on ${name}`, () => {
    let out: GenerateOutput;
    let lines: SortedLine[];
    let dir: TempDir;
    let bundlePath: string;

    beforeAll(async () => {
      dir = tempDir();
      const meta = parseMeta(readFileSync(fixture(name, 'meta.psv'), 'utf8'));
      const gw = parseGateway(readFileSync(fixture(name, 'gateway.txt'), 'utf8'));
      out = await generateFromFile(fixture(name, 'sorted.psv'), meta, gw, { model: 'original' });
      lines = readSorted(name);
      bundlePath = await buildFixtureBundle(name, dir.path, 'original');
    });
    afterAll(() => dir.remove());

    it('sorts the raw capture exactly as the original sorter did', async () => {
      const sorted = join(dir.path, 'resorted.psv');
      const res = await sortTraceFile(fixture(name, 'trace.psv'), sorted);
      const ours = readFileSync(sorted, 'utf8');
      const theirs = readFileSync(fixture(name, 'sorted.psv'), 'utf8').replace(/\r\n/g, '\n');
      expect(ours).toBe(theirs);
      expect(res.stats.attachedProbes).toBe(24);
      expect(res.stats.lostEvents).toBe(0);
      expect(res.stats.malformed).toBe(0);
      expect(res.stats.ownLines).toBeGreaterThan(100); // the @pids map dump
    });

    it('reports no diagnostics on a clean capture', () => {
      expect(out.diagnostics.summary()).toEqual({});
      expect(out.counts.unsorted).toBe(0);
    });

    it('produces the same traces as dag.json (ids, shape, kinds, tids, containers, IPs, times)', () => {
      const ref = parseExact(readFileSync(fixture(name, 'dag.json'), 'utf8'));
      const ours = parseExact(renderDagJson(out.traces, out.base, { indent: true }));
      expect(Object.keys(ours)).toEqual(Object.keys(ref));
      const exits = exitTimes(lines);
      let forkNodes = 0;
      let nodes = 0;
      const compare = (a: RefNode, b: RefNode, path: string) => {
        nodes++;
        const sa = a.ThreadState;
        const sb = b.ThreadState;
        expect({ ...sa, EndTime: 0 }, path).toEqual({ ...sb, EndTime: 0 });
        if (sa.State === 'ForkThreadState') {
          forkNodes++;
          const ex = exits.get(sa.PID);
          expect(ex, `${path}: fork thread ${sa.PID} exits in the capture`).toBeDefined();
          expect(BigInt(sa.EndTime), `${path} ends at its exit record`).toBe(ex![0]);
          expect(BigInt(sb.EndTime), `${path} original ends at the record before the exit`).toBe(ex![1]);
        } else {
          expect(sa.EndTime, path).toBe(sb.EndTime);
        }
        expect(a.Children.length, `${path} children`).toBe(b.Children.length);
        a.Children.forEach((c, i) => compare(c, b.Children[i]!, `${path}/${i}`));
      };
      for (const id of Object.keys(ref)) {
        expect(ours[id]!.TraceID).toBe(ref[id]!.TraceID);
        compare(ours[id]!, ref[id]!, `trace ${id}`);
      }
      expect(forkNodes).toBeGreaterThan(0);
      expect(nodes).toBe(out.traces.reduce((a, t) => a + t.spans.length, 0));
    });

    it('prints the text tree line for line like dag.txt (fork durations aside)', () => {
      const ours = renderDagText(out.traces, out.base).split('\n');
      const theirs = readFileSync(fixture(name, 'dag.txt'), 'utf8').split('\n');
      expect(ours.length).toBe(theirs.length);
      const strip = (l: string) => (l.includes('ForkThreadState') ? l.replace(/for a duration of \d+ ns$/, '') : l);
      ours.forEach((l, i) => expect(strip(l), `line ${i + 1}`).toBe(strip(theirs[i]!)));
    });

    it('counts records per span as custom.json does (fork spans also take their exit record window)', () => {
      const ref = parseExact(readFileSync(fixture(name, 'custom.json'), 'utf8'));
      const b = Bundle.open(bundlePath);
      try {
        const traces = b.traces();
        const ours = parseExact(renderDagJson(traces, b.base, { indent: true, outputs: storedCountOutputs(b, traces) }));
        const exits = exitTimes(lines);
        const byTid = new Map<number, bigint[]>();
        for (const l of lines) (byTid.get(l.tid) ?? byTid.set(l.tid, []).get(l.tid)!).push(l.ts);
        const extra = (tid: number) => {
          // Records of the thread after the original's fork end, up to and including its exit.
          const [exitTs, before] = exits.get(tid)!;
          return byTid.get(tid)!.filter((t) => t > before && t <= exitTs).length;
        };
        const compare = (a: RefNode, b2: RefNode): number => {
          const isFork = a.ThreadState.State === 'ForkThreadState';
          const delta = isFork ? extra(a.ThreadState.PID) : 0;
          expect(a.ThreadOutput!.count).toBe(b2.ThreadOutput!.count + delta);
          return delta + a.Children.reduce((acc, c, i) => acc + compare(c, b2.Children[i]!), 0);
        };
        for (const id of Object.keys(ref)) {
          const delta = compare(ours[id]!, ref[id]!);
          expect(ours[id]!.TraceOutput!.count).toBe(ref[id]!.TraceOutput!.count + delta);
        }
      } finally {
        b.close();
      }
    });
  });
}

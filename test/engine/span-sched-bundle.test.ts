import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../engine/bundle/build-bundle.js';
import { Bundle } from '../../engine/bundle/bundle-reader.js';
import { regenerateTraces } from '../../engine/bundle/regenerate-traces.js';
import { verifyBundle } from '../../engine/bundle/bundle-verify.js';
import { tempDir, type TempDir } from '../fixture-bundles.js';
import { GW, meta, Scenario } from './model-scenario.js';

// The split stored in the bundle (ADR 0090): a one-span request whose thread sleeps and waits for
// a CPU inside it, through the real build (records, model, span_sched, checksums) and reader.

const A = { ip: '172.18.0.2', port: 8080 };
const client = { ip: GW, port: 50000 };
const SW = 'tracepoint:sched:sched_switch';

function request(withSched: boolean): Scenario {
  const s = new Scenario(meta([1, 'front', A.ip], [2, 'other', '172.18.0.3']), 1_000_000n, 10n);
  s.recv(1, A, client, 'in'); // 1_000_010 .. 030
  if (withSched) {
    s.rec(1, SW, 'prev_state=1 next_pid=2'); // 040: asleep
    s.rec(2, SW, 'prev_state=0 next_pid=2'); // 050: another thread's record
    s.rec(1, 'tracepoint:sched:sched_wakeup', 'target_cpu=0'); // 060: runnable
    s.rec(1, 'tracepoint:exceptions:page_fault_user'); // 070 (while runnable: a record stamped when it lands)
    s.rec(1, SW, 'prev_state=256 next_pid=1'); // 080: on CPU again
  }
  s.send(1, A, client, 'out');
  return s;
}

let dir: TempDir | null = null;
afterEach(() => {
  dir?.remove();
  dir = null;
});

async function build(s: Scenario): Promise<string> {
  dir = tempDir('misertrace-sched-');
  const sorted = join(dir.path, 'sorted.psv');
  writeFileSync(sorted, `${s.lines.join('\n')}\n`);
  const out = join(dir.path, 'b.mstrace');
  await buildBundle({ sortedPath: sorted, meta: s.meta, gateway: GW, output: out, model: 'original' });
  return out;
}

describe('span_sched in the bundle', () => {
  it('stores each span\'s split and the critical path\'s total, read back exactly', async () => {
    const s = request(true);
    const path = await build(s);
    const b = Bundle.open(path);
    try {
      const t = b.trace(1)!;
      expect(t.spans).toHaveLength(1);
      const span = t.spans[0]!;
      const rel = (label: string) => Number(s.at.get(label)! - 1_000_010n) + span.start;
      expect(span.start).toBe(rel('in:enter'));
      expect(span.end).toBe(rel('out:exit'));
      const sched = b.spanSched(1, t.spans.length)!;
      // on CPU 010..040 and 080..110 (the send), asleep 040..060, runnable 060..080.
      const want = { onCpuNs: 30 + 30, blockedNs: 20, runnableNs: 20, faults: 1, migrations: 0 };
      expect(sched.spans[0]).toEqual(want);
      expect(sched.criticalPath).toEqual(want);
      expect(verifyBundle(path).problems).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('a capture without scheduler records has no split; regenerating keeps the table right', async () => {
    const path = await build(request(false));
    const b = Bundle.open(path);
    try {
      expect(b.spanSched(1, 1)).toBeNull();
    } finally {
      b.close();
    }
    dir!.remove();
    const withSched = await build(request(true));
    await regenerateTraces(withSched, { model: 'causal' });
    const c = Bundle.open(withSched);
    try {
      const t = c.trace(1)!;
      const sched = c.spanSched(1, t.spans.length)!;
      const sum = sched.spans[0]!.onCpuNs + sched.spans[0]!.runnableNs + sched.spans[0]!.blockedNs;
      expect(sum).toBe(t.spans[0]!.end - t.spans[0]!.start);
    } finally {
      c.close();
    }
  });
});

import type { CaptureResult } from '../capture/session/capture-session.js';
import type { ProbeSetName } from '../capture/probes/probe-catalog.js';
import type { WrkResult } from './wrk-run.js';

// bench:capture's verdict: one row per (endpoint, set, backend) and per set's kernel-only floor,
// each figure the median over rounds of the ratio to the untraced run paired with it (a shared
// machine drifts within seconds; a pair's two runs are adjacent), beside the untraced runs' own
// spread, so a reader can tell a cost from the machine's noise. Targets (docs/adr/0050): causal
// set >= 0.97 of throughput and p99 within 1.10x; syscall set >= 0.90 and 1.2x; nothing lost.

/** Untraced; a capture with a set and a backend (ssh: through a loopback sshd); a set's floor. */
export type Mode = 'off' | `capture:${ProbeSetName}:${string}` | `ssh:${ProbeSetName}:${string}` | `floor:${ProbeSetName}`;

export interface Row {
  endpoint: string;
  round: number;
  /** The traced mode an untraced run is paired with. */
  pairedWith?: Mode;
  mode: Mode;
  wrk: WrkResult;
  childCpu?: number;
  ourCpu?: number;
  /** CPU of the app's containers and of wrk per request, us. */
  cpuPerRequestUs?: number;
  records?: number;
  lost?: number;
  capture?: CaptureResult;
}

const TARGET: Record<ProbeSetName, { rps: number; p99: number }> = { causal: { rps: 0.97, p99: 1.1 }, syscalls: { rps: 0.9, p99: 1.2 } };

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

/** Prints the summary; false when a capture the verdict counts misses its target. */
export function printSummary(rows: readonly Row[], endpoints: readonly string[], modes: readonly Mode[]): boolean {
  console.log('\nsummary: medians over rounds; x = median of the per-round ratios to the untraced run paired with each');
  let ok = true;
  const table: string[] = ['| endpoint | set | backend | rounds | req/s | throughput | p50 | p99 | CPU/request (app+wrk) | child CPU | lost | verdict |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const endpoint of endpoints) {
    const off = rows.filter((r) => r.endpoint === endpoint && r.mode === 'off');
    if (off.length === 0) continue;
    const offRps = off.map((r) => r.wrk.rps);
    const offP99 = off.map((r) => r.wrk.p99ms);
    // The untraced runs' own spread: each untraced run against the one before it in its round
    // (minutes apart at most). A traced ratio inside this range may be the machine, not the capture.
    const drift = { rps: [] as number[], p99: [] as number[] };
    for (let i = 1; i < off.length; i++) {
      if (off[i]!.round !== off[i - 1]!.round) continue;
      drift.rps.push(off[i]!.wrk.rps / off[i - 1]!.wrk.rps);
      drift.p99.push(off[i]!.wrk.p99ms / off[i - 1]!.wrk.p99ms);
    }
    const offToOff = drift.rps.length > 0 ? `; untraced vs the untraced run before it: throughput x${range(drift.rps, 2)}, p99 x${range(drift.p99, 2)}` : '';
    console.log(
      `${endpoint.padEnd(8)} untraced ${median(offRps).toFixed(0)} req/s (runs ${range(offRps, 0)}), p50 ${median(off.map((r) => r.wrk.p50ms)).toFixed(2)} ms, p99 ${median(offP99).toFixed(2)} ms (runs ${range(offP99, 2)}), CPU ${median(off.map((r) => r.cpuPerRequestUs ?? Number.NaN)).toFixed(0)} us/request (app + wrk)${offToOff}`,
    );
    table.push(`| ${endpoint} | none | untraced | ${off.length} | ${median(offRps).toFixed(0)} (${range(offRps, 0)}) | 1 | ${median(off.map((r) => r.wrk.p50ms)).toFixed(2)} ms | ${median(offP99).toFixed(2)} ms (${range(offP99, 2)}) | ${median(off.map((r) => r.cpuPerRequestUs ?? Number.NaN)).toFixed(0)} us | | | |`);
    for (const mode of modes.filter((m) => m !== 'off')) {
      const mine = rows.filter((r) => r.endpoint === endpoint && r.mode === mode);
      if (mine.length === 0) continue;
      const pair = (f: (r: Row) => number) => median(mine.map((r) => f(r) / f(off.find((o) => o.round === r.round && o.pairedWith === mode)!)));
      const rps = pair((r) => r.wrk.rps);
      const p50 = pair((r) => r.wrk.p50ms);
      const p99 = pair((r) => r.wrk.p99ms);
      const cpu = pair((r) => r.cpuPerRequestUs ?? Number.NaN);
      const lost = mine.reduce((n, r) => n + (r.lost ?? 0), 0);
      const [kind, setName, backend] = mode.split(':') as [string, ProbeSetName, string | undefined];
      const capture = kind === 'capture' || kind === 'ssh';
      const verdict = capture ? (rps >= TARGET[setName].rps && p99 <= TARGET[setName].p99 && lost === 0 ? 'meets' : 'MISSES') : '';
      if (verdict === 'MISSES' && (setName !== 'causal' || endpoint === 'stock')) ok = false;
      const child = median(mine.map((r) => r.childCpu ?? 0));
      console.log(
        `${endpoint.padEnd(8)} ${mode.padEnd(24)} throughput ${median(mine.map((r) => r.wrk.rps)).toFixed(0)} req/s x${rps.toFixed(3)}, p50 x${p50.toFixed(2)}, p99 x${p99.toFixed(2)}, CPU per request (app + wrk) x${cpu.toFixed(3)}` +
          (capture
            ? `, child CPU ${(child * 100).toFixed(1)}%, lost ${lost}: ${verdict} the target (>= ${TARGET[setName].rps} throughput, p99 <= ${TARGET[setName].p99}x, 0 lost)`
            : ` (kernel only, ${median(mine.map((r) => (r.records ?? 0) / r.wrk.requests)).toFixed(1)} events/request)`),
      );
      table.push(
        `| ${endpoint} | ${setName} | ${capture ? `${backend}${kind === 'ssh' ? ' (ssh)' : ''}` : 'floor (kernel only)'} | ${mine.length} | ${median(mine.map((r) => r.wrk.rps)).toFixed(0)} | x${rps.toFixed(3)} | x${p50.toFixed(2)} | x${p99.toFixed(2)} | x${cpu.toFixed(3)} | ${capture ? `${(child * 100).toFixed(1)}%` : '-'} | ${capture ? lost : '-'} | ${verdict} |`,
      );
    }
  }
  console.log(`\n${table.join('\n')}`);
  return ok;
}

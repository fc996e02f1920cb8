import { Diagnostics } from '../../engine/model/diagnostics.js';
import type { MetaEntry } from '../../engine/model/meta.js';
import { PsvParser } from '../../engine/model/psv-parse.js';
import { SpanGenerator, type GeneratorCounts } from '../../engine/model/span-generator.js';
import { assembleAll, type AssembledTrace } from '../../engine/model/trace-assembly.js';
import type { TimeBase } from '../../engine/model/time.js';

// A tiny language for hand-made record sequences: each call appends model records of one thread
// at increasing timestamps, exactly as bpftrace would print them.

export const GW = '172.18.0.1';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ScenarioResult {
  traces: AssembledTrace[];
  diagnostics: Diagnostics;
  counts: GeneratorCounts;
  base: TimeBase;
  /** Timestamp (absolute, as written) of each labelled record. */
  at: Map<string, bigint>;
}

export class Scenario {
  readonly lines: string[] = [];
  readonly at = new Map<string, bigint>();
  private ts: bigint;

  constructor(
    readonly meta: MetaEntry[],
    start: bigint = 1_000_000n,
    private readonly step: bigint = 10n,
  ) {
    this.ts = start;
  }

  /** Appends one record; `label` remembers its timestamp. */
  rec(tid: number, probe: string, details = '', label?: string): this {
    this.ts += this.step;
    if (label) this.at.set(label, this.ts);
    this.lines.push(`comm|${tid}|${this.ts}|0|${probe}${details === '' ? '' : `|${details}`}`);
    return this;
  }

  /** A receive syscall in which data from `remote` arrives at `local`. */
  recv(tid: number, local: Endpoint, remote: Endpoint, label?: string): this {
    this.rec(tid, 'MT:tracepoint:syscalls:sys_enter_read', '', label ? `${label}:enter` : undefined);
    this.rec(tid, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', tuple(local, remote), label ? `${label}:data` : undefined);
    return this.rec(tid, 'MT:tracepoint:syscalls:sys_exit_read', '', label ? `${label}:exit` : undefined);
  }

  /** A send syscall from `local` to `remote`. */
  send(tid: number, local: Endpoint, remote: Endpoint, label?: string): this {
    this.rec(tid, 'MT:tracepoint:syscalls:sys_enter_write', '', label ? `${label}:enter` : undefined);
    this.rec(tid, 'MT:tcp_send', tuple(local, remote), label ? `${label}:data` : undefined);
    return this.rec(tid, 'MT:tracepoint:syscalls:sys_exit_write', '', label ? `${label}:exit` : undefined);
  }

  fork(parent: number, child: number, label?: string): this {
    return this.rec(parent, 'MT:tracepoint:sched:sched_process_fork', `parent_pid=${parent} child_pid=${child}`, label);
  }

  exit(tid: number, label?: string): this {
    return this.rec(tid, 'MT:tracepoint:sched:sched_process_exit', `pid=${tid}`, label);
  }

  user(tid: number, probe = 'tracepoint:sched:sched_migrate_task'): this {
    return this.rec(tid, probe);
  }

  run(gateway = GW): ScenarioResult {
    const parser = new PsvParser();
    const diagnostics = new Diagnostics();
    const gen = new SpanGenerator(this.meta, gateway, { diagnostics });
    this.lines.forEach((l, i) => {
      const r = parser.parse(l, i + 1);
      if (r.kind !== 'record') throw new Error(`scenario line ${i + 1} did not parse: ${l}`);
      gen.feed(r.record);
    });
    const res = gen.finish();
    return { traces: assembleAll(res.roots), diagnostics, counts: res.counts, base: parser.timeBase!, at: this.at };
  }
}

function tuple(local: Endpoint, remote: Endpoint): string {
  return `sport=${local.port} dport=${remote.port} saddr=${local.ip} daddr=${remote.ip}`;
}

export function meta(...threads: [number, string, string][]): MetaEntry[] {
  return threads.map(([tid, container, ip]) => ({ tid, container, ip, containerId: `${container}-id` }));
}

/** A compact shape of a trace for assertions: "kind:tid" nested by depth. */
export function shape(t: AssembledTrace): string[] {
  return t.spans.map((s) => `${'  '.repeat(s.depth)}${s.kind}:${s.tid}`);
}

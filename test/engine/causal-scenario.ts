import { CausalGenerator, type CausalResult } from '../../engine/model/causal/causal-generator.js';
import { Diagnostics } from '../../engine/model/diagnostics.js';
import { PsvParser } from '../../engine/model/psv-parse.js';
import type { TimeBase } from '../../engine/model/time.js';
import type { AssembledTrace } from '../../engine/model/trace-assembly.js';
import { GW, Scenario, type Endpoint } from './model-scenario.js';

// Record streams for the causal model: the original's scenario language plus the records only
// the causal model reads (connects, loop waits, socket-level sends and receives).

export class CausalScenario extends Scenario {
  connect(tid: number, local: Endpoint, remote: Endpoint, label?: string): this {
    return this.rec(tid, 'MT:tcp_connect', tuple(local, remote), label);
  }

  loopEnter(tid: number): this {
    return this.rec(tid, 'MT:tracepoint:syscalls:sys_enter_epoll_wait');
  }

  loopExit(tid: number): this {
    return this.rec(tid, 'MT:tracepoint:syscalls:sys_exit_epoll_wait');
  }

  /** One loop iteration boundary: wait, then wake up. */
  loop(tid: number): this {
    return this.loopEnter(tid).loopExit(tid);
  }

  sockSend(tid: number, local: Endpoint, remote: Endpoint, len = 100, label?: string): this {
    return this.rec(tid, 'MT:sock_send', `${tuple(local, remote)} len=${len}`, label);
  }

  sockRecv(tid: number, local: Endpoint, remote: Endpoint, len = 100, label?: string): this {
    return this.rec(tid, 'MT:sock_recv', `${tuple(local, remote)} len=${len}`, label);
  }

  /** A send syscall split around another thread's records: enter+tcp now, exit later by `sendExit`. */
  sendBegin(tid: number, local: Endpoint, remote: Endpoint): this {
    this.rec(tid, 'MT:tracepoint:syscalls:sys_enter_write');
    return this.rec(tid, 'MT:tcp_send', tuple(local, remote));
  }

  sendExit(tid: number): this {
    return this.rec(tid, 'MT:tracepoint:syscalls:sys_exit_write');
  }

  runCausal(gateway = GW, opts: { lostEvents?: number; every?: (g: CausalGenerator, i: number) => void } = {}): CausalResult & { gen: CausalGenerator; base: TimeBase; at: Map<string, bigint> } {
    const parser = new PsvParser();
    const gen = new CausalGenerator(this.meta, gateway, { diagnostics: new Diagnostics() });
    this.lines.forEach((l, i) => {
      const r = parser.parse(l, i + 1);
      if (r.kind !== 'record') throw new Error(`scenario line ${i + 1} did not parse: ${l}`);
      gen.feed(r.record);
      opts.every?.(gen, i);
    });
    return { ...gen.finish({ lostEvents: opts.lostEvents ?? 0 }), gen, base: parser.timeBase!, at: this.at };
  }
}

function tuple(local: Endpoint, remote: Endpoint): string {
  return `sport=${local.port} dport=${remote.port} saddr=${local.ip} daddr=${remote.ip}`;
}

/** "kind:tid rule" nested by depth, `?` after an inferred rule. */
export function linkShape(t: AssembledTrace): string[] {
  return t.spans.map((s) => `${'  '.repeat(s.depth)}${s.kind}:${s.tid} ${s.link?.rule ?? '-'}${s.link?.exact === false ? '?' : ''}`);
}

import { InternTable } from './intern-table.js';
import type { RelNs } from './time.js';

/** What the span generator does with a record, decided once per probe name. */
export const enum EventCode {
  User = 0,
  SendEnter = 1,
  SendExit = 2,
  RecvEnter = 3,
  RecvExit = 4,
  TcpSend = 5,
  TcpRcv = 6,
  TcpProbe = 7,
  Fork = 8,
  Exit = 9,
  OtherModel = 10,
  // The causal model's records (the original model ignores them, as it does OtherModel).
  /** `sock_send`: one completed send on a TCP socket (local saddr:sport, len). */
  SockSend = 11,
  /** `sock_recv`: one completed receive on a TCP socket (local saddr:sport, len). */
  SockRecv = 12,
  /** `tcp_connect`: this thread connected the connection (local saddr:sport). */
  TcpConnect = 13,
  /** An event loop starts waiting: `sys_enter_epoll_wait`/`epoll_pwait`/`epoll_pwait2`, `loop_wait` phase=enter. */
  LoopEnter = 14,
  /** The event loop wakes up: the matching exits, `loop_wait` phase=exit. */
  LoopExit = 15,
  /** `loop_wait`: enter or exit, told by its `phase=` detail. */
  LoopWait = 16,
}

export interface ProbeInfo {
  /** Dense id in order of first appearance; stable within one parse. */
  id: number;
  name: string;
  /** `MT:` probes are the model's own records; everything else is a user record. */
  isModel: boolean;
  event: EventCode;
  /** The last `:`-separated part (`sys_enter_read`, `tcp_send`, `page_fault_user`). */
  shortName: string;
}

/** One parsed trace line. */
export interface TraceRecord {
  /** 1-based line number in the file it came from. */
  line: number;
  comm: string;
  tid: number;
  ts: RelNs;
  /** The timestamp exactly as written (decimal u64). */
  nsecs: string;
  cpu: number;
  probe: ProbeInfo;
  /** The 6th field, unquoted; '' when absent. */
  details: string;
}

const SEND = new Set(['sendto', 'sendmsg', 'write', 'writev']);
const RECV = new Set(['recvfrom', 'recvmsg', 'read', 'readv']);
const LOOP_WAIT = new Set(['epoll_wait', 'epoll_pwait', 'epoll_pwait2']);

/** Probe names of the model's own records start with this; every other probe is a user record. */
export const MODEL_PROBE_PREFIX = 'MT:';

export function isModelProbe(name: string): boolean {
  return name.startsWith(MODEL_PROBE_PREFIX);
}

/** A probe's event: the last `:`-separated part (`MT:tracepoint:syscalls:sys_enter_read` -> `sys_enter_read`). */
export function probeEventName(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

export function classifyProbe(name: string): { isModel: boolean; event: EventCode; shortName: string } {
  const shortName = probeEventName(name);
  if (!isModelProbe(name)) return { isModel: false, event: EventCode.User, shortName };
  return { isModel: true, event: modelEvent(shortName), shortName };
}

function modelEvent(ev: string): EventCode {
  if (ev.startsWith('sys_enter_')) {
    const sc = ev.slice(10);
    if (SEND.has(sc)) return EventCode.SendEnter;
    if (RECV.has(sc)) return EventCode.RecvEnter;
    if (LOOP_WAIT.has(sc)) return EventCode.LoopEnter;
    return EventCode.OtherModel;
  }
  if (ev.startsWith('sys_exit_')) {
    const sc = ev.slice(9);
    if (SEND.has(sc)) return EventCode.SendExit;
    if (RECV.has(sc)) return EventCode.RecvExit;
    if (LOOP_WAIT.has(sc)) return EventCode.LoopExit;
    return EventCode.OtherModel;
  }
  switch (ev) {
    case 'tcp_send':
      return EventCode.TcpSend;
    case 'tcp_rcv_space_adjust':
      return EventCode.TcpRcv;
    case 'tcp_probe':
      return EventCode.TcpProbe;
    case 'sched_process_fork':
      return EventCode.Fork;
    case 'sched_process_exit':
      return EventCode.Exit;
    case 'sock_send':
      return EventCode.SockSend;
    case 'sock_recv':
      return EventCode.SockRecv;
    case 'tcp_connect':
      return EventCode.TcpConnect;
    case 'loop_wait':
      return EventCode.LoopWait;
    default:
      return EventCode.OtherModel;
  }
}

/** Interns probe names so each record carries a shared ProbeInfo, not a fresh string. */
// A probe name as a backend prints it: bpftrace's full probe (provider:target, `probe` builtin),
// optionally behind MT: (the model's records), or MT:<word> (records a converter makes). Anything
// else is not a record: e.g. the head of a record cut short and glued to the next one made a
// probe "tracesed" (issue 16).
const PROBE_NAME = /^(?:MT:)?(?:(?:tracepoint|rawtracepoint|kprobe|kretprobe|uprobe|uretprobe|usdt|fentry|fexit|kfunc|kretfunc|software|hardware|profile|interval|watchpoint|asyncwatchpoint|iter):[^\s|"]+|BEGIN|END)$|^MT:[a-z][a-z0-9_]*$/;

export function isProbeName(name: string): boolean {
  return PROBE_NAME.test(name);
}

export class ProbeTable {
  private readonly byName = new Map<string, ProbeInfo>();
  readonly list: ProbeInfo[] = [];
  private readonly interned = new InternTable<ProbeInfo>(
    (name) => this.get(name),
    (name) => isProbeName(name),
  );

  get(name: string): ProbeInfo {
    let p = this.byName.get(name);
    if (p === undefined) {
      p = { id: this.list.length, name, ...classifyProbe(name) };
      this.byName.set(name, p);
      this.list.push(p);
    }
    return p;
  }

  /** The probe named by text.slice(a, b) (null if not a probe name), without slicing for names seen before. */
  at(text: string, a: number, b: number): ProbeInfo | null {
    return this.interned.get(text, a, b);
  }

  get size(): number {
    return this.list.length;
  }
}

/**
 * The value of `key` in `key=value key=value` details, without splitting the whole string
 * (the generator asks for 4 keys of tcp records millions of times). Undefined when absent.
 */
export function detailValue(details: string, key: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = details.indexOf(key, from);
    if (at < 0) return undefined;
    const eq = at + key.length;
    if ((at === 0 || details.charCodeAt(at - 1) === 32) && details.charCodeAt(eq) === 61) {
      let end = details.indexOf(' ', eq + 1);
      if (end < 0) end = details.length;
      return details.slice(eq + 1, end);
    }
    from = at + 1;
  }
}

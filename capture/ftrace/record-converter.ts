// Over 300 lines: one per-event dispatch over tracefs events for both probe sets, run for every kernel event, over per-thread state all its branches share.
import type { FtEvent } from './ft-event.js';
import { NsOrigin } from './ns-origin.js';
import { LineSink, type RecordSink } from './record-sink.js';
import { userEventRecord, type WriteRecord } from './user-events.js';
import { causalTupleText, SocketJoin, tupleText, type JoinStats, type Tuple } from './socket-join.js';

export { PlainEvent, key53, type FtEvent } from './ft-event.js';

// Raw tracefs events -> the same record lines the bpftrace probe sets print, deciding in the
// reader what the bpftrace variants decide in the kernel. Two probe sets (docs/adr/0050):
// - syscalls (docs/request-model.md section 1): a send/recv syscall is kept only when it was on a TCP
//   socket (sock_send_length / tcp_rcv_space_adjust inside it say so); a receive only when data
//   came. The tcp_send record carries the socket's 4-tuple and is stamped with the syscall's entry
//   time (so it sorts before the peer's receive); records are printed when the syscall exits.
// - causal: one MT:sock_send / MT:sock_recv per completed send / receive with data
//   (sock_send_length / sock_recv_length, in the thread's context), and MT:tcp_connect when a
//   traced thread connects (inet_sock_set_state to SYN_SENT, in the connecting thread's context).
// Either way a record's socket pointer becomes its 4-tuple through the join of socket-join.ts: a
// record whose socket's tuple is not known yet (a connection older than the capture, a connect
// before ESTABLISHED) is written when it is learned, with its own time; the sorter puts records in
// time order. Events arrive in time order across CPUs and instances.

export type ProbeSetName = 'syscalls' | 'causal';

export interface ConverterOptions {
  syscalls: { send: readonly string[]; recv: readonly string[] };
  comms: ReadonlyMap<number, string>;
  tids: readonly number[];
  /** The probe set whose events these are (default: syscalls). */
  set?: ProbeSetName;
  /** Lines as strings (tests), or */
  emit?: (line: string) => void;
  /** records written by a sink (the capture child: bytes). */
  sink?: RecordSink;
  /** Origin of the events' timestamps (the reader's); 0 when they are absolute. */
  origin?: NsOrigin;
}

/** A thread's syscall in progress; one object per thread, reused (`active`). */
interface Pending {
  active: boolean;
  send: boolean;
  sc: string;
  ts: number;
  cpu: number;
  tcp: boolean;
  sk: number | null;
  /** tcp_rcv_space_adjust inside the receive: time, CPU, socket 4-tuple. */
  rcv: { ts: number; cpu: number; t: Tuple }[];
}

/** A record waiting for its socket's tuple: a tcp_send (syscalls) or a causal record. */
interface Waiting {
  probe: string;
  tid: number;
  ts: number;
  cpu: number;
  comm: string;
  /** Bytes of a causal send/receive; -1: no len (tcp_send, tcp_connect). */
  len: number;
}

export interface ConverterStats {
  events: number;
  records: number;
  /** Records written when the socket's tuple was learned after them. */
  readonly lateSends: number;
  /** Causal set: sends that failed (negative length; not records). */
  sendErrors: number;
  join: JoinStats;
}

const enum Kind {
  Enter,
  Exit,
  SendLength,
  RecvLength,
  RcvSpace,
  SockState,
  Fork,
  ProcExit,
  Rename,
  Ignore,
  User,
}

interface EventInfo {
  kind: Kind;
  /** The syscall of an enter/exit event. */
  sc: string;
  send: boolean;
  /** Probe names of the syscall's records. */
  enterProbe: string;
  exitProbe: string;
}

const TCP_ESTABLISHED = 1;
const TCP_SYN_SENT = 2;
const TCP_CLOSE = 7;

export class RecordConverter {
  readonly stats: ConverterStats;
  private readonly causal: boolean;
  private readonly send = new Set<string>();
  private readonly recv = new Set<string>();
  private readonly comm = new Map<number, string>();
  private readonly traced = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly join: SocketJoin<Waiting>;
  /** What each event name is, worked out once: feed runs for every event of a busy application. */
  private readonly infos = new Map<string, EventInfo>();
  private readonly origin: NsOrigin;
  private readonly sink: RecordSink;
  /** For the ready-made probes' events (user-events.ts), made once. */
  private readonly commFn = (tid: number): string => this.commOf(tid);
  private readonly lineFn: WriteRecord = (comm, tid, ts, cpu, probe, details) => this.line(comm, tid, ts, cpu, probe, details);

  constructor(private readonly o: ConverterOptions) {
    this.origin = o.origin ?? new NsOrigin(0n);
    if (o.sink) this.sink = o.sink;
    else if (o.emit) this.sink = new LineSink(this.origin, o.emit);
    else throw new Error('RecordConverter needs a sink or emit');
    this.causal = o.set === 'causal';
    for (const s of o.syscalls.send) this.send.add(s);
    for (const s of o.syscalls.recv) this.recv.add(s);
    for (const [t, c] of o.comms) this.comm.set(t, c);
    for (const t of o.tids) this.traced.add(t);
    this.join = new SocketJoin<Waiting>((w, t) => this.line(w.comm, w.tid, w.ts, w.cpu, w.probe, this.details(t, w.len)));
    const join = this.join.stats;
    this.stats = {
      events: 0,
      records: 0,
      sendErrors: 0,
      join,
      get lateSends() {
        return join.late;
      },
    };
  }

  /** Records still waiting for their socket's 4-tuple, plus those that never got one. */
  get unresolvedSends(): number {
    return this.join.waiting + this.join.stats.unresolved;
  }

  /** The end of the events: records still waiting for a tuple are counted as unresolved. */
  finish(): void {
    this.join.finish();
  }

  private details(t: Tuple, len: number): string {
    return len < 0 ? (this.causal ? causalTupleText(t) : tupleText(t)) : `${causalTupleText(t)} len=${len}`;
  }

  private line(comm: string, tid: number, ts: number, cpu: number, probe: string, details?: string): void {
    this.stats.records++;
    this.sink.record(comm, tid, ts, cpu, probe, details);
  }

  private info(name: string): EventInfo {
    let i = this.infos.get(name);
    if (i) return i;
    const colon = name.indexOf(':');
    const group = name.slice(0, colon);
    const ev = name.slice(colon + 1);
    const sc = ev.replace(/^sys_(enter|exit)_/, '');
    const send = this.send.has(sc);
    const io = send || this.recv.has(sc);
    const kinds: Record<string, Kind> = {
      'sock:sock_send_length': Kind.SendLength,
      'sock:sock_recv_length': this.causal ? Kind.RecvLength : Kind.Ignore,
      'tcp:tcp_rcv_space_adjust': Kind.RcvSpace,
      'sock:inet_sock_set_state': Kind.SockState,
      'sched:sched_process_fork': Kind.Fork,
      'sched:sched_process_exit': Kind.ProcExit,
      'task:task_rename': Kind.Rename,
    };
    let kind: Kind;
    if (group === 'syscalls') kind = !io ? Kind.Ignore : ev.startsWith('sys_enter_') ? Kind.Enter : ev.startsWith('sys_exit_') ? Kind.Exit : Kind.Ignore;
    else kind = kinds[name] ?? Kind.User;
    i = { kind, sc, send, enterProbe: `MT:sys_enter_${sc}`, exitProbe: `MT:sys_exit_${sc}` };
    this.infos.set(name, i);
    return i;
  }

  private commOf(tid: number): string {
    return this.comm.get(tid) ?? String(tid);
  }

  private tupleOf(e: FtEvent): Tuple {
    return { sport: e.num('sport'), dport: e.num('dport'), saddr: e.addr('saddr'), daddr: e.addr('daddr') };
  }

  /** A record on socket `sk`: written now when its tuple is known (no object made), else when learned. */
  private sockRecord(sk: number, probe: string, tid: number, ts: number, cpu: number, len: number): void {
    const t = this.join.tupleOf(sk);
    if (t !== null) this.line(this.commOf(tid), tid, ts, cpu, probe, this.details(t, len));
    else this.join.use(sk, { probe, tid, ts, cpu, comm: this.commOf(tid), len });
  }

  feed(e: FtEvent): void {
    this.stats.events++;
    const info = this.info(e.name);
    switch (info.kind) {
      case Kind.Enter: {
        const p = this.pending.get(e.pid);
        if (p === undefined) {
          this.pending.set(e.pid, { active: true, send: info.send, sc: info.sc, ts: e.ts, cpu: e.cpu, tcp: false, sk: null, rcv: [] });
        } else {
          p.active = true;
          p.send = info.send;
          p.sc = info.sc;
          p.ts = e.ts;
          p.cpu = e.cpu;
          p.tcp = false;
          p.sk = null;
          p.rcv.length = 0;
        }
        return;
      }
      case Kind.Exit:
        this.syscallExit(e, info);
        return;
      case Kind.SendLength: {
        if (e.num('protocol') !== 6) return;
        const family = e.num('family');
        if (family !== 2 && family !== 10) return;
        if (this.causal) {
          // The thread filter may be ours rather than the kernel's (docs/adr/0125).
          if (!this.traced.has(e.pid)) return;
          const len = e.num('ret');
          if (len < 0) this.stats.sendErrors++;
          else if (len > 0) this.sockRecord(e.key('sk'), 'MT:sock_send', e.pid, e.ts, e.cpu, len);
          return;
        }
        const p = this.pending.get(e.pid);
        if (p?.active && p.send) {
          p.tcp = true;
          p.sk = e.key('sk');
        }
        return;
      }
      case Kind.RecvLength: {
        const len = e.num('ret');
        const family = e.num('family');
        // len 0 is the end of the stream: a reply that ends at close ends there (its reader goes on).
        if (len >= 0 && e.num('protocol') === 6 && (family === 2 || family === 10) && this.traced.has(e.pid)) this.sockRecord(e.key('sk'), 'MT:sock_recv', e.pid, e.ts, e.cpu, len);
        return;
      }
      case Kind.RcvSpace: {
        const t = this.join.learn(e.key('skaddr'), this.tupleOf(e));
        const p = this.causal ? undefined : this.pending.get(e.pid);
        if (p?.active && !p.send) {
          p.tcp = true;
          p.rcv.push({ ts: e.ts, cpu: e.cpu, t });
        }
        return;
      }
      case Kind.SockState: {
        if (e.num('protocol') !== 6) return;
        const sk = e.key('skaddr');
        const state = e.num('newstate');
        if (state === TCP_SYN_SENT) {
          this.join.connecting(sk, e.ts);
          if (this.causal && this.traced.has(e.pid)) this.join.use(sk, { probe: 'MT:tcp_connect', tid: e.pid, ts: e.ts, cpu: e.cpu, comm: this.commOf(e.pid), len: -1 });
        } else if (state === TCP_ESTABLISHED) this.join.established(sk, e.ts, this.tupleOf(e));
        else if (state === TCP_CLOSE) this.join.closed(sk, e.ts, this.tupleOf(e));
        return;
      }
      case Kind.Fork: {
        // Only our threads' children (a set without a thread filter sees every fork).
        if (!this.traced.has(e.pid)) return;
        const parent = e.num('parent_pid');
        const child = e.num('child_pid');
        const childComm = e.get('child_comm');
        if (typeof childComm === 'string') this.comm.set(child, childComm);
        this.traced.add(child);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_fork', `parent_pid=${parent} child_pid=${child}`);
        return;
      }
      case Kind.ProcExit:
        if (!this.traced.has(e.pid)) return;
        this.pending.delete(e.pid);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_exit', `pid=${e.pid}`);
        this.traced.delete(e.pid);
        return;
      case Kind.Rename: {
        const newComm = e.get('newcomm');
        const pid = e.num('pid') || e.pid;
        // Only ours: without the kernel's thread filter every exec of the machine is one.
        if (typeof newComm === 'string' && this.traced.has(pid)) this.comm.set(pid, newComm);
        return;
      }
      case Kind.Ignore:
        return;
      default:
        userEventRecord(e, this.commFn, this.traced, this.lineFn);
    }
  }

  private syscallExit(e: FtEvent, info: EventInfo): void {
    const sc = info.sc;
    const p = this.pending.get(e.pid);
    if (!p?.active || p.sc !== sc) return;
    p.active = false;
    if (!p.tcp) return;
    const comm = this.commOf(e.pid);
    // The bytes the syscall moved (or its error), which the causal model reads when present.
    const ret = e.get('ret');
    const exitDetails = ret === undefined ? undefined : `ret=${typeof ret === 'bigint' ? Number(ret) : String(ret)}`;
    if (p.send) {
      this.line(comm, e.pid, p.ts, p.cpu, info.enterProbe);
      if (p.sk !== null) this.sockRecord(p.sk, 'MT:tcp_send', e.pid, p.ts, p.cpu, -1);
      this.line(comm, e.pid, e.ts, e.cpu, info.exitProbe, exitDetails);
    } else if (p.rcv.length > 0) {
      this.line(comm, e.pid, p.ts, p.cpu, info.enterProbe);
      for (const r of p.rcv) this.line(comm, e.pid, r.ts, r.cpu, 'MT:tcp_rcv_space_adjust', tupleText(r.t));
      this.line(comm, e.pid, e.ts, e.cpu, info.exitProbe, exitDetails);
    }
  }
}

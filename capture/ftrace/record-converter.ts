import type { FieldValue } from './event-format.js';
import { NsOrigin } from './ns-origin.js';
import { LineSink, type RecordSink } from './record-sink.js';

// Raw tracefs events -> the same record lines the bpftrace probe set prints (REQUEST-MODEL.md
// section 1), deciding in the reader what the bpftrace variant decides in the kernel:
//   - a send/recv syscall is kept only when it was on a TCP socket (sock_send_length /
//     sock_recv_length / tcp_rcv_space_adjust inside it say so); a receive only when data came;
//   - the 4-tuple of a send is joined by sock address from what tcp_rcv_space_adjust and
//     inet_sock_set_state taught us, and the tcp_send record is stamped with the syscall's
//     entry time (so it sorts before the peer's receive). A send on a socket whose tuple is not
//     known yet (a connection older than the capture) waits until the tuple is learned;
//   - records are printed when the syscall exits; the sorter puts them in time order.
// Events arrive in time order across CPUs and instances.

export interface FtEvent {
  /** ns offset from the converter's origin (ns-origin.ts). */
  ts: number;
  cpu: number;
  /** common_pid: the thread that was current. */
  pid: number;
  /** `group:event` */
  name: string;
  /** A field of the payload, decoded on demand (most events need none or a few). */
  get(field: string): FieldValue | undefined;
  /** An integer field as a Number (0 when absent; 64-bit values may round). */
  num(field: string): number;
  /** A pointer field as an exact Number key: its low 53 bits (kernel addresses differ only there). */
  key(field: string): number;
  /** Bytes `at`..`at+3` of an array field as one little-endian u32 (an IPv4 address; 0 when absent). */
  addr(field: string, at?: number): number;
}

const P32 = 2 ** 32;

/** The low 53 bits of a 64-bit value, exactly. */
export function key53(v: bigint): number {
  return Number(v & 0x1fffffffffffffn);
}

/** An event from plain values (tests, and sources that decode eagerly). */
export class PlainEvent implements FtEvent {
  constructor(
    readonly ts: number,
    readonly cpu: number,
    readonly pid: number,
    readonly name: string,
    private readonly fields: Record<string, FieldValue> = {},
  ) {}

  get(field: string): FieldValue | undefined {
    return this.fields[field];
  }

  num(field: string): number {
    return num(this.fields[field]);
  }

  key(field: string): number {
    const v = this.fields[field];
    return typeof v === 'bigint' ? key53(v) : typeof v === 'number' ? v : 0;
  }

  addr(field: string, at = 0): number {
    const v = this.fields[field];
    return v instanceof Uint8Array && v.length >= at + 4 ? (v[at]! | (v[at + 1]! << 8) | (v[at + 2]! << 16) | (v[at + 3]! << 24)) >>> 0 : 0;
  }
}

export interface ConverterOptions {
  syscalls: { send: readonly string[]; recv: readonly string[] };
  comms: ReadonlyMap<number, string>;
  tids: readonly number[];
  /** Lines as strings (tests), or */
  emit?: (line: string) => void;
  /** records written by a sink (the capture child: bytes). */
  sink?: RecordSink;
  /** Origin of the events' timestamps (the reader's); 0 when they are absolute. */
  origin?: NsOrigin;
}

/** A socket's 4-tuple; addresses as little-endian u32 of their bytes. */
interface Tuple {
  sport: number;
  dport: number;
  saddr: number;
  daddr: number;
  /** Its details text, made once. */
  text?: string;
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

interface DeferredSend {
  tid: number;
  ts: number;
  cpu: number;
  comm: string;
}

export interface ConverterStats {
  events: number;
  records: number;
  /** tcp_send records written when the socket's tuple was learned after the send. */
  lateSends: number;
}

function num(v: FieldValue | undefined): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

function big(v: FieldValue | undefined): bigint {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
}

const enum Kind {
  Enter,
  Exit,
  SendLength,
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

export class RecordConverter {
  readonly stats: ConverterStats = { events: 0, records: 0, lateSends: 0 };
  private readonly send = new Set<string>();
  private readonly recv = new Set<string>();
  private readonly comm = new Map<number, string>();
  private readonly traced = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly tuples = new Map<number, Tuple>();
  private readonly deferred = new Map<number, DeferredSend[]>();
  /** What each event name is, worked out once: feed runs for every event of a busy application. */
  private readonly infos = new Map<string, EventInfo>();
  private readonly origin: NsOrigin;
  private readonly sink: RecordSink;

  constructor(private readonly o: ConverterOptions) {
    this.origin = o.origin ?? new NsOrigin(0n);
    if (o.sink) this.sink = o.sink;
    else if (o.emit) this.sink = new LineSink(this.origin, o.emit);
    else throw new Error('RecordConverter needs a sink or emit');
    for (const s of o.syscalls.send) this.send.add(s);
    for (const s of o.syscalls.recv) this.recv.add(s);
    for (const [t, c] of o.comms) this.comm.set(t, c);
    for (const t of o.tids) this.traced.add(t);
  }

  /** Sends still waiting for their socket's 4-tuple. */
  get unresolvedSends(): number {
    let n = 0;
    for (const l of this.deferred.values()) n += l.length;
    return n;
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
      'tcp:tcp_rcv_space_adjust': Kind.RcvSpace,
      'sock:inet_sock_set_state': Kind.SockState,
      'sched:sched_process_fork': Kind.Fork,
      'sched:sched_process_exit': Kind.ProcExit,
      'task:task_rename': Kind.Rename,
      'sock:sock_recv_length': Kind.Ignore,
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

  /** What a socket's tuple is now; the same object while it does not change (its text is kept). */
  private learn(sk: number, sport: number, dport: number, saddr: number, daddr: number): Tuple {
    const known = this.tuples.get(sk);
    if (known !== undefined && known.sport === sport && known.dport === dport && known.saddr === saddr && known.daddr === daddr) return known;
    const t: Tuple = { sport, dport, saddr, daddr };
    if (sk === 0 || sport === 0 || daddr === 0) return t;
    this.tuples.set(sk, t);
    const waiting = this.deferred.get(sk);
    if (waiting) {
      this.deferred.delete(sk);
      for (const d of waiting) {
        this.stats.lateSends++;
        this.line(d.comm, d.tid, d.ts, d.cpu, 'MT:tcp_send', tupleText(t));
      }
    }
    return t;
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
        const p = this.pending.get(e.pid);
        if (p?.active && p.send && e.num('protocol') === 6) {
          const family = e.num('family');
          if (family === 2 || family === 10) {
            p.tcp = true;
            p.sk = e.key('sk');
          }
        }
        return;
      }
      case Kind.RcvSpace: {
        const t = this.learn(e.key('skaddr'), e.num('sport'), e.num('dport'), e.addr('saddr'), e.addr('daddr'));
        const p = this.pending.get(e.pid);
        if (p?.active && !p.send) {
          p.tcp = true;
          p.rcv.push({ ts: e.ts, cpu: e.cpu, t });
        }
        return;
      }
      case Kind.SockState: {
        if (e.num('protocol') !== 6) return;
        const sk = e.key('skaddr');
        this.learn(sk, e.num('sport'), e.num('dport'), e.addr('saddr'), e.addr('daddr'));
        // TCP_CLOSE: the address may be reused by another socket.
        if (e.num('newstate') === 7) this.tuples.delete(sk);
        return;
      }
      case Kind.Fork: {
        const parent = e.num('parent_pid');
        const child = e.num('child_pid');
        const childComm = e.get('child_comm');
        if (typeof childComm === 'string') this.comm.set(child, childComm);
        this.traced.add(child);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_fork', `parent_pid=${parent} child_pid=${child}`);
        return;
      }
      case Kind.ProcExit:
        this.pending.delete(e.pid);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_exit', `pid=${e.pid}`);
        this.traced.delete(e.pid);
        return;
      case Kind.Rename: {
        const newComm = e.get('newcomm');
        if (typeof newComm === 'string') this.comm.set(e.num('pid') || e.pid, newComm);
        return;
      }
      case Kind.Ignore:
        return;
      default:
        this.userEvent(e);
    }
  }

  private syscallExit(e: FtEvent, info: EventInfo): void {
    const sc = info.sc;
    const p = this.pending.get(e.pid);
    if (!p?.active || p.sc !== sc) return;
    p.active = false;
    if (!p.tcp) return;
    const comm = this.commOf(e.pid);
    if (p.send) {
      this.line(comm, e.pid, p.ts, p.cpu, info.enterProbe);
      const t = p.sk !== null ? this.tuples.get(p.sk) : undefined;
      if (t) this.line(comm, e.pid, p.ts, p.cpu, 'MT:tcp_send', tupleText(t));
      else if (p.sk !== null) {
        const l = this.deferred.get(p.sk) ?? [];
        l.push({ tid: e.pid, ts: p.ts, cpu: p.cpu, comm });
        this.deferred.set(p.sk, l);
      }
      this.line(comm, e.pid, e.ts, e.cpu, info.exitProbe);
    } else if (p.rcv.length > 0) {
      this.line(comm, e.pid, p.ts, p.cpu, info.enterProbe);
      for (const r of p.rcv) this.line(comm, e.pid, r.ts, r.cpu, 'MT:tcp_rcv_space_adjust', tupleText(r.t));
      this.line(comm, e.pid, e.ts, e.cpu, info.exitProbe);
    }
  }

  /** Ready-made probes' events, printed like their bpftrace versions. */
  private userEvent(e: FtEvent): void {
    const probe = `tracepoint:${e.name}`;
    switch (e.name) {
      case 'tcp:tcp_probe': {
        const v6 = e.num('family') === 10;
        const t: Tuple = { sport: e.num('sport'), dport: e.num('dport'), saddr: e.addr('saddr', v6 ? 20 : 4), daddr: e.addr('daddr', v6 ? 20 : 4) };
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:tcp_probe', tupleText(t));
        return;
      }
      case 'sched:sched_migrate_task': {
        const tid = e.num('pid');
        if (!this.traced.has(tid)) return;
        const comm = e.get('comm');
        this.line(typeof comm === 'string' ? comm : this.commOf(tid), tid, e.ts, e.cpu, probe, `orig_cpu=${e.num('orig_cpu')} dest_cpu=${e.num('dest_cpu')}`);
        return;
      }
      case 'sched:sched_switch': {
        const prev = e.num('prev_pid');
        if (!this.traced.has(prev)) return;
        this.line(this.commOf(prev), prev, e.ts, e.cpu, probe, `prev_state=${e.num('prev_state')} next_pid=${e.num('next_pid')}`);
        return;
      }
      case 'block:block_bio_queue':
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe, `dev=${e.num('dev')} sector=${big(e.get('sector'))} bytes=${e.num('nr_sector') * 512} rwbs=${String(e.get('rwbs') ?? '')}`);
        return;
      case 'exceptions:page_fault_user':
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe);
        return;
      default:
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe);
    }
  }
}

function dotted(a: number): string {
  return `${a & 0xff}.${(a >>> 8) & 0xff}.${(a >>> 16) & 0xff}.${a >>> 24}`;
}

function tupleText(t: Tuple): string {
  t.text ??= `sport=${t.sport} dport=${t.dport} saddr=${dotted(t.saddr)} daddr=${dotted(t.daddr)}`;
  return t.text;
}

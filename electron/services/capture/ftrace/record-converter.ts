import type { FieldValue } from './event-format.js';

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
  ts: bigint;
  cpu: number;
  /** common_pid: the thread that was current. */
  pid: number;
  /** `group:event` */
  name: string;
  /** A field of the payload, decoded on demand (most events need none or a few). */
  get(field: string): FieldValue | undefined;
}

/** An event from plain values (tests, and sources that decode eagerly). */
export class PlainEvent implements FtEvent {
  constructor(
    readonly ts: bigint,
    readonly cpu: number,
    readonly pid: number,
    readonly name: string,
    private readonly fields: Record<string, FieldValue> = {},
  ) {}

  get(field: string): FieldValue | undefined {
    return this.fields[field];
  }
}

export interface ConverterOptions {
  syscalls: { send: readonly string[]; recv: readonly string[] };
  comms: ReadonlyMap<number, string>;
  tids: readonly number[];
  emit: (line: string) => void;
}

interface Tuple {
  sport: number;
  dport: number;
  saddr: string;
  daddr: string;
}

interface Pending {
  send: boolean;
  sc: string;
  ts: bigint;
  cpu: number;
  tcp: boolean;
  sk: bigint | null;
  rcv: string[];
}

interface DeferredSend {
  tid: number;
  ts: bigint;
  cpu: number;
  comm: string;
}

export interface ConverterStats {
  events: number;
  records: number;
  /** tcp_send records written when the socket's tuple was learned after the send. */
  lateSends: number;
}

function ipv4(v: FieldValue | undefined, offset = 0): string {
  if (!(v instanceof Uint8Array) || v.length < offset + 4) return '0.0.0.0';
  return `${v[offset]}.${v[offset + 1]}.${v[offset + 2]}.${v[offset + 3]}`;
}

function num(v: FieldValue | undefined): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

function big(v: FieldValue | undefined): bigint {
  return typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
}

export class RecordConverter {
  readonly stats: ConverterStats = { events: 0, records: 0, lateSends: 0 };
  private readonly send = new Set<string>();
  private readonly recv = new Set<string>();
  private readonly comm = new Map<number, string>();
  private readonly traced = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly tuples = new Map<bigint, Tuple>();
  private readonly deferred = new Map<bigint, DeferredSend[]>();

  constructor(private readonly o: ConverterOptions) {
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

  private line(comm: string, tid: number, ts: bigint, cpu: number, probe: string, details?: string): void {
    this.stats.records++;
    this.o.emit(details === undefined ? `${comm}|${tid}|${ts}|${cpu}|${probe}` : `${comm}|${tid}|${ts}|${cpu}|${probe}|"${details}"`);
  }

  private commOf(tid: number): string {
    return this.comm.get(tid) ?? String(tid);
  }

  private learn(sk: bigint, t: Tuple): void {
    if (sk === 0n || t.sport === 0 || t.daddr === '0.0.0.0') return;
    this.tuples.set(sk, t);
    const waiting = this.deferred.get(sk);
    if (waiting) {
      this.deferred.delete(sk);
      for (const d of waiting) {
        this.stats.lateSends++;
        this.line(d.comm, d.tid, d.ts, d.cpu, 'MT:tcp_send', tupleText(t));
      }
    }
  }

  feed(e: FtEvent): void {
    this.stats.events++;
    const colon = e.name.indexOf(':');
    const group = e.name.slice(0, colon);
    const ev = e.name.slice(colon + 1);
    const f = (k: string) => e.get(k);
    if (group === 'syscalls') {
      if (ev.startsWith('sys_enter_')) {
        const sc = ev.slice(10);
        const isSend = this.send.has(sc);
        if (isSend || this.recv.has(sc)) this.pending.set(e.pid, { send: isSend, sc, ts: e.ts, cpu: e.cpu, tcp: false, sk: null, rcv: [] });
      } else if (ev.startsWith('sys_exit_')) {
        this.syscallExit(e, ev.slice(9));
      }
      return;
    }
    switch (e.name) {
      case 'sock:sock_send_length': {
        const p = this.pending.get(e.pid);
        if (p?.send && num(f('protocol')) === 6 && [2, 10].includes(num(f('family')))) {
          p.tcp = true;
          p.sk = big(f('sk'));
        }
        return;
      }
      case 'tcp:tcp_rcv_space_adjust': {
        const t = { sport: num(f('sport')), dport: num(f('dport')), saddr: ipv4(f('saddr')), daddr: ipv4(f('daddr')) };
        this.learn(big(f('skaddr')), t);
        const p = this.pending.get(e.pid);
        if (p && !p.send) {
          p.tcp = true;
          p.rcv.push(`${this.commOf(e.pid)}|${e.pid}|${e.ts}|${e.cpu}|MT:tcp_rcv_space_adjust|"${tupleText(t)}"`);
        }
        return;
      }
      case 'sock:inet_sock_set_state': {
        if (num(f('protocol')) !== 6) return;
        const sk = big(f('skaddr'));
        this.learn(sk, { sport: num(f('sport')), dport: num(f('dport')), saddr: ipv4(f('saddr')), daddr: ipv4(f('daddr')) });
        // TCP_CLOSE: the address may be reused by another socket.
        if (num(f('newstate')) === 7) this.tuples.delete(sk);
        return;
      }
      case 'sched:sched_process_fork': {
        const parent = num(f('parent_pid'));
        const child = num(f('child_pid'));
        const childComm = f('child_comm');
        if (typeof childComm === 'string') this.comm.set(child, childComm);
        this.traced.add(child);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_fork', `parent_pid=${parent} child_pid=${child}`);
        return;
      }
      case 'sched:sched_process_exit':
        this.pending.delete(e.pid);
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:sched_process_exit', `pid=${e.pid}`);
        this.traced.delete(e.pid);
        return;
      case 'task:task_rename':
      {
        const newComm = f('newcomm');
        if (typeof newComm === 'string') this.comm.set(num(f('pid')) || e.pid, newComm);
        return;
      }
      case 'sock:sock_recv_length':
        return;
      default:
        this.userEvent(e);
    }
  }

  private syscallExit(e: FtEvent, sc: string): void {
    const p = this.pending.get(e.pid);
    if (!p || p.sc !== sc) return;
    this.pending.delete(e.pid);
    if (!p.tcp) return;
    const comm = this.commOf(e.pid);
    if (p.send) {
      this.line(comm, e.pid, p.ts, p.cpu, `MT:sys_enter_${sc}`);
      const t = p.sk !== null ? this.tuples.get(p.sk) : undefined;
      if (t) this.line(comm, e.pid, p.ts, p.cpu, 'MT:tcp_send', tupleText(t));
      else if (p.sk !== null) {
        const l = this.deferred.get(p.sk) ?? [];
        l.push({ tid: e.pid, ts: p.ts, cpu: p.cpu, comm });
        this.deferred.set(p.sk, l);
      }
      this.line(comm, e.pid, e.ts, e.cpu, `MT:sys_exit_${sc}`);
    } else if (p.rcv.length > 0) {
      this.line(comm, e.pid, p.ts, p.cpu, `MT:sys_enter_${sc}`);
      for (const r of p.rcv) {
        this.stats.records++;
        this.o.emit(r);
      }
      this.line(comm, e.pid, e.ts, e.cpu, `MT:sys_exit_${sc}`);
    }
  }

  /** Ready-made probes' events, printed like their bpftrace versions. */
  private userEvent(e: FtEvent): void {
    const f = (k: string) => e.get(k);
    const probe = `tracepoint:${e.name}`;
    switch (e.name) {
      case 'tcp:tcp_probe': {
        const v6 = num(f('family')) === 10;
        const t = { sport: num(f('sport')), dport: num(f('dport')), saddr: ipv4(f('saddr'), v6 ? 20 : 4), daddr: ipv4(f('daddr'), v6 ? 20 : 4) };
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, 'MT:tcp_probe', tupleText(t));
        return;
      }
      case 'sched:sched_migrate_task': {
        const tid = num(f('pid'));
        if (!this.traced.has(tid)) return;
        const comm = f('comm');
        this.line(typeof comm === 'string' ? comm : this.commOf(tid), tid, e.ts, e.cpu, probe, `orig_cpu=${num(f('orig_cpu'))} dest_cpu=${num(f('dest_cpu'))}`);
        return;
      }
      case 'sched:sched_switch': {
        const prev = num(f('prev_pid'));
        if (!this.traced.has(prev)) return;
        this.line(this.commOf(prev), prev, e.ts, e.cpu, probe, `prev_state=${num(f('prev_state'))} next_pid=${num(f('next_pid'))}`);
        return;
      }
      case 'block:block_bio_queue':
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe, `dev=${num(f('dev'))} sector=${big(f('sector'))} bytes=${num(f('nr_sector')) * 512} rwbs=${String(f('rwbs') ?? '')}`);
        return;
      case 'exceptions:page_fault_user':
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe);
        return;
      default:
        this.line(this.commOf(e.pid), e.pid, e.ts, e.cpu, probe);
    }
  }
}

function tupleText(t: Tuple): string {
  return `sport=${t.sport} dport=${t.dport} saddr=${t.saddr} daddr=${t.daddr}`;
}

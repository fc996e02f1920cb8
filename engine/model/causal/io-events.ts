import { detailValue, EventCode, type TraceRecord } from '../record.js';
import type { RelNs } from '../time.js';
import { TupleCache, type Tuple } from './tuples.js';

// The causal model reads I/O, not syscalls: this turns each thread's records into one event per
// send or receive on a TCP connection, from either record set a capture may hold:
//   - the syscall set: sys_enter_<send> .. tcp_send .. sys_exit_<send> (and the receive
//     counterpart with tcp_rcv_space_adjust), an optional `ret=N` on the exit giving bytes;
//   - the socket set: sock_send / sock_recv, one record per completed send or receive, with `len=`.
// When both sets are present, a socket record inside a syscall describes the same I/O: the
// syscall gives the start (its entry), the socket record the tuple and the size; one event.

export interface IoEvent {
  tid: number;
  dir: 'send' | 'recv';
  tuple: Tuple;
  /** Syscall entry when known, else the record's own time. */
  start: RelNs;
  /** When the data moved (the tcp or socket record). */
  dataTs: RelNs;
  /** Syscall exit when known, else dataTs. */
  end: RelNs;
  /** Bytes moved, NaN when the records do not say. */
  bytes: number;
  line: number;
}

/** The syscall a thread is in, as far as the model cares (`open` false: none; the object is the thread's, reused). */
export interface SysCtx {
  open: boolean;
  dir: 'send' | 'recv';
  start: RelNs;
  tuple: Tuple | null;
  dataTs: RelNs;
  bytes: number;
  line: number;
}

/** A thread as the normalizer knows it: its syscall context lives on it, made at its first syscall. */
export interface IoThread {
  readonly tid: number;
  sys: SysCtx | null;
}

export class IoNormalizer {
  // One context per thread, kept from syscall to syscall on the thread itself: a Map entry set at
  // each syscall's entry and deleted at its exit made the Map shrink and grow again (a tenth of
  // the model's allocations), and a lookup by tid at each of a syscall's records missed the cache.
  /** Threads inside a syscall now. */
  private inside = 0;

  constructor(
    private readonly emit: (e: IoEvent) => void,
    private readonly bad: (r: TraceRecord, what: string) => void,
    private readonly tuples = new TupleCache(),
  ) {}

  /** Feeds a model record of a live thread; returns true when the record was I/O (consumed here). */
  feed(r: TraceRecord, ev: EventCode, t: IoThread): boolean {
    switch (ev) {
      case EventCode.SendEnter:
      case EventCode.RecvEnter: {
        this.flush(t);
        let c = t.sys;
        if (c === null) {
          c = { open: false, dir: 'send', start: 0, tuple: null, dataTs: 0, bytes: NaN, line: 0 };
          t.sys = c;
        }
        c.open = true;
        this.inside++;
        c.dir = ev === EventCode.SendEnter ? 'send' : 'recv';
        c.start = r.ts;
        c.tuple = null;
        c.dataTs = r.ts;
        c.bytes = NaN;
        c.line = r.line;
        return true;
      }
      case EventCode.SendExit:
      case EventCode.RecvExit: {
        const c = this.open(t);
        if (c !== undefined && c.dir === (ev === EventCode.SendExit ? 'send' : 'recv')) {
          const ret = detailValue(r.details, 'ret');
          if (ret !== undefined && Number.isNaN(c.bytes)) c.bytes = Number(ret);
          this.close(c);
          if (c.tuple !== null && !(c.bytes <= 0)) this.emitCtx(r.tid, c, r.ts);
        }
        return true;
      }
      case EventCode.TcpSend:
      case EventCode.TcpRcv:
      case EventCode.SockSend:
      case EventCode.SockRecv: {
        const dir = ev === EventCode.TcpSend || ev === EventCode.SockSend ? 'send' : 'recv';
        const tuple = this.tuples.get(r.details);
        if (tuple === null) {
          this.bad(r, `${r.probe.shortName} without saddr/sport/daddr/dport`);
          return true;
        }
        const len = ev === EventCode.SockSend || ev === EventCode.SockRecv ? Number(detailValue(r.details, 'len') ?? NaN) : NaN;
        const c = this.open(t);
        if (c !== undefined && c.dir === dir && (c.tuple === null || sameTuple(c.tuple, tuple))) {
          // The socket record of the same I/O gives the size; the first record gives the time.
          if (c.tuple === null) c.dataTs = r.ts;
          c.tuple = tuple;
          if (!Number.isNaN(len)) c.bytes = len;
          return true;
        }
        // No syscall around it (a socket-set capture, or an I/O syscall the probes do not see).
        this.emit({ tid: r.tid, dir, tuple, start: r.ts, dataTs: r.ts, end: r.ts, bytes: len, line: r.line });
        return true;
      }
      default:
        return false;
    }
  }

  /** The thread exits or a new syscall starts: an I/O whose exit was never seen still happened. */
  flush(t: IoThread): void {
    const c = this.open(t);
    if (c === undefined) return;
    this.close(c);
    if (c.tuple !== null) this.emitCtx(t.tid, c, c.dataTs);
  }

  /** The thread exits: flush(), and its context goes. */
  end(t: IoThread): void {
    this.flush(t);
    t.sys = null;
  }

  /** The syscall `t` is in, if any. */
  private open(t: IoThread): SysCtx | undefined {
    const c = t.sys;
    return c !== null && c.open ? c : undefined;
  }

  private close(c: SysCtx): void {
    c.open = false;
    this.inside--;
  }

  private emitCtx(tid: number, c: SysCtx, end: RelNs): void {
    this.emit({ tid, dir: c.dir, tuple: c.tuple!, start: c.start, dataTs: c.dataTs, end, bytes: c.bytes, line: c.line });
  }

  get size(): number {
    return this.inside;
  }
}

function sameTuple(a: Tuple, b: Tuple): boolean {
  return a === b || (a.localPort === b.localPort && a.remotePort === b.remotePort && a.localIp === b.localIp && a.remoteIp === b.remoteIp);
}

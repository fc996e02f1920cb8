// Over 300 lines: the transitions of docs/request-model.md section 4 are one ordered dispatch over shared state; split, the order that decides them would be scattered.
import { RecordGate } from './record-gate.js';
import { Diagnostics } from './diagnostics.js';
import type { MetaEntry } from './meta.js';
import { detailValue, EventCode, type TraceRecord } from './record.js';
import { keyString, Thread, type KeyedState, type Socket4, type SpanState, type StateKind } from './state.js';
import type { RelNs } from './time.js';

// The span generator: docs/request-model.md sections 2 to 4, one record at a time over a time-ordered
// stream. Memory holds the live threads, the socket pool and the states (which the traces need
// at the end), never the records.

interface PoolEntry {
  status: 'request' | 'response';
  src: Thread | null;
}

export interface GeneratorCounts {
  /** Every record fed (model and user). */
  records: number;
  /** Model records of live threads, dispatched to the model. */
  modelUsed: number;
  /** User records (custom probes): left to the per-span handlers. */
  user: number;
  /** Model records of tids that belong to no traced container. */
  ignoredNotLive: number;
  /** Records skipped because they were earlier than the record before them. */
  unsorted: number;
  threadsFromMeta: number;
  threadsForked: number;
  states: number;
}

export interface GenerationResult {
  /** Root state of each trace; trace id = index + 1. */
  roots: SpanState[];
  counts: GeneratorCounts;
  diagnostics: Diagnostics;
  firstTs: RelNs;
  lastTs: RelNs;
}

const sockKey = (sIp: string, sPort: string, dIp: string, dPort: string) => `${sIp}:${sPort}>${dIp}:${dPort}`;

export class SpanGenerator {
  private readonly live = new Map<number, Thread>();
  private readonly pool = new Map<string, PoolEntry>();
  private readonly roots: SpanState[] = [];
  private nextUid = 1;
  private serial = 0;
  private finished = false;
  readonly diagnostics: Diagnostics;
  private readonly gate: RecordGate;
  readonly counts: GeneratorCounts = {
    records: 0,
    modelUsed: 0,
    user: 0,
    ignoredNotLive: 0,
    unsorted: 0,
    threadsFromMeta: 0,
    threadsForked: 0,
    states: 0,
  };

  constructor(
    meta: readonly MetaEntry[],
    private readonly gateway: string,
    opts: { diagnostics?: Diagnostics; rejectUnsorted?: boolean } = {},
  ) {
    this.diagnostics = opts.diagnostics ?? new Diagnostics();
    this.gate = new RecordGate(this.counts, this.diagnostics);
    for (const m of meta) {
      if (this.live.has(m.tid)) this.diagnostics.add('duplicate-tid', 0, m.tid, `tid ${m.tid} listed twice in meta; the later line wins`);
      this.live.set(m.tid, new Thread(this.nextUid++, m.tid, m.container, m.ip, NaN));
    }
    this.counts.threadsFromMeta = this.live.size;
  }

  /** Feeds one record. Records must come in time order; an earlier one is skipped and counted. */
  feed(r: TraceRecord): void {
    if (this.finished) throw new Error('SpanGenerator.feed after finish');
    const admitted = this.gate.admit(r);
    if (admitted !== 'model') return;
    const ev = r.probe.event;
    if (ev === EventCode.Fork) {
      this.fork(r);
      return;
    }
    const t = this.live.get(r.tid);
    if (t === undefined) {
      this.counts.ignoredNotLive++;
      return;
    }
    this.counts.modelUsed++;
    if (ev === EventCode.Exit) {
      this.retire(t, r.ts);
      return;
    }
    this.dispatch(t, r, ev);
  }

  /** Ends the stream: every live thread is retired at the last timestamp. */
  finish(): GenerationResult {
    if (!this.finished) {
      this.finished = true;
      const end = this.gate.last;
      for (const t of [...this.live.values()]) this.retire(t, end);
    }
    return {
      roots: this.roots,
      counts: this.counts,
      diagnostics: this.diagnostics,
      firstTs: this.gate.first,
      lastTs: this.gate.last,
    };
  }

  private dispatch(t: Thread, r: TraceRecord, ev: EventCode): void {
    const ctx = t.ctx;
    if (ev === EventCode.SendEnter && (t.active.size > 0 || t.forks.length > 0)) {
      t.ctx = { kind: 'send', start: r.ts, toExtend: [] };
    } else if (ctx.kind === 'send') {
      if (ev === EventCode.TcpSend) this.tcpSend(t, r, ctx.toExtend);
      else if (ev === EventCode.SendExit) {
        for (const s of ctx.toExtend) s.end = r.ts;
        t.ctx = { kind: 'none' };
      }
    } else if (ev === EventCode.RecvEnter) {
      t.ctx = { kind: 'recv', start: r.ts, implicit: false };
    } else if (ctx.kind === 'recv') {
      if (ev === EventCode.TcpRcv) this.tcpRcv(t, r, ctx.implicit ? NaN : ctx.start);
      else if (ev === EventCode.RecvExit) t.ctx = { kind: 'none' };
    }
  }

  private fork(r: TraceRecord): void {
    const parentTid = Number(detailValue(r.details, 'parent_pid') ?? NaN);
    const childTid = Number(detailValue(r.details, 'child_pid') ?? NaN);
    const p = this.live.get(Number.isNaN(parentTid) ? r.tid : parentTid);
    if (p === undefined) {
      if (this.live.has(r.tid)) {
        this.counts.modelUsed++;
        this.diagnostics.add('fork-parent-not-live', r.line, r.tid, `fork by untraced parent ${parentTid}`);
      } else this.counts.ignoredNotLive++;
      return;
    }
    this.counts.modelUsed++;
    if (!Number.isInteger(childTid)) {
      this.diagnostics.add('bad-details', r.line, r.tid, `fork without child_pid: "${r.details}"`);
      return;
    }
    if (this.live.has(childTid)) {
      this.diagnostics.add('duplicate-tid', r.line, childTid, `fork created tid ${childTid} which was already live; replaced`);
    }
    const c = new Thread(this.nextUid++, childTid, p.container, p.ip, NaN);
    this.live.set(childTid, c);
    this.counts.threadsForked++;
    const traces: number[] = [];
    for (const f of p.forks) traces.push(f.traceId);
    for (const k of p.active.values()) traces.push(k.state.traceId);
    for (const traceId of traces) {
      const s = this.newState('fork', p, c, traceId, r.ts, null);
      c.forks.push(s);
      p.addChild(traceId, s);
    }
  }

  private retire(t: Thread, ts: RelNs): void {
    for (const f of t.forks) f.end = ts;
    for (const k of t.active.values()) t.log.push(k.state);
    for (const k of t.parked.values()) t.log.push(k.state);
    t.active.clear();
    t.fresh.clear();
    t.parked.clear();
    t.ctx = { kind: 'none' };
    if (this.live.get(t.tid) === t) this.live.delete(t.tid);
  }

  private tcpSend(t: Thread, r: TraceRecord, toExtend: SpanState[]): void {
    const q = this.tuple(r);
    if (q === null) return;
    const ts = r.ts;
    if (q.dstIp === this.gateway) {
      // A reply to the outside client: the root states of this thread are answered.
      for (const [k, e] of t.active) {
        if (e.source === null) {
          t.active.delete(k);
          t.fresh.delete(k);
          t.parked.set(k, e);
        }
      }
      for (const [, e] of t.parked.roots()) {
        e.state.end = ts;
        toExtend.push(e.state);
      }
      return;
    }
    let isResponse = false;
    for (const e of t.active.values()) {
      const s = e.state.socket;
      if (s !== null && s.srcIp === q.dstIp && s.srcPort === q.dstPort && s.dstIp === q.srcIp && s.dstPort === q.srcPort) {
        isResponse = true;
        break;
      }
    }
    const out = sockKey(q.srcIp, q.srcPort, q.dstIp, q.dstPort);
    const back = sockKey(q.dstIp, q.dstPort, q.srcIp, q.srcPort);
    if (!isResponse) {
      this.pool.set(out, { status: 'request', src: t });
      this.pool.set(back, { status: 'response', src: null });
      return;
    }
    const mine = this.pool.get(out);
    if (mine === undefined) {
      this.diagnostics.add('response-socket-missing', r.line, r.tid, `response on ${out} but no request was seen on it`);
      return;
    }
    mine.status = 'response';
    mine.src = t;
    const requester = this.pool.get(back)?.src ?? null;
    if (requester === null) {
      this.diagnostics.add('requester-missing', r.line, r.tid, `response on ${out}: the requesting thread is unknown`);
      return;
    }
    const inR = requester.activeTraceIds(false);
    // Parked states keyed (requester, a trace in inR, daddr, dport): looked up when there are
    // more parked states than traces to look up, else scanned (the same states either way).
    if (t.parked.size > inR.size) {
      for (const traceId of inR) {
        const e = t.parked.get(keyString(requester, traceId, q.dstIp, q.dstPort));
        if (e !== undefined) {
          e.state.end = ts;
          toExtend.push(e.state);
        }
      }
    } else {
      for (const e of t.parked.values()) {
        if (e.source === requester && inR.has(e.traceId) && e.ip === q.dstIp && e.port === q.dstPort) {
          e.state.end = ts;
          toExtend.push(e.state);
        }
      }
    }
    for (const [k, e] of t.active) {
      if (e.source === requester && e.ip === q.dstIp && e.port === q.dstPort) {
        e.state.responded = true;
        e.state.end = ts;
        toExtend.push(e.state);
        if (e.state.newSourceSeen) {
          t.active.delete(k);
          t.parked.set(k, e);
        }
      }
    }
  }

  /** tcp_rcv_space_adjust: local = saddr:sport, remote = daddr:dport. */
  private tcpRcv(t: Thread, r: TraceRecord, recvStart: RelNs): void {
    const q = this.tuple(r);
    if (q === null) return;
    const ts = r.ts;
    const start = () => {
      if (!Number.isNaN(recvStart)) return recvStart;
      this.diagnostics.add('implicit-recv-start', r.line, r.tid, 'data arrived before any receive syscall');
      return this.gate.firstTs;
    };
    const remoteIp = q.dstIp;
    const remotePort = q.dstPort;
    if (remoteIp === this.gateway) {
      const roots: KeyedState[] = [];
      for (const e of t.active.values()) if (e.source === null) roots.push(e);
      if (roots.length === 0) {
        for (const [k, e] of t.parked.roots()) {
          t.parked.delete(k);
          t.log.push(e.state);
        }
        const traceId = this.roots.length + 1;
        const socket = { srcIp: this.gateway, srcPort: remotePort, dstIp: q.srcIp, dstPort: q.srcPort };
        const s = this.newState('network', null, t, traceId, start(), socket);
        this.roots.push(s);
        const rk = keyString(null, traceId, this.gateway, remotePort);
        const entry = { source: null, traceId, ip: this.gateway, port: remotePort, state: s };
        t.active.set(rk, entry);
        t.fresh.set(rk, entry);
      } else {
        if (roots.length > 1) {
          this.diagnostics.add('multiple-active-roots', r.line, r.tid, `${roots.length} requests from outside active at once`);
        }
        for (const e of roots) e.state.end = ts;
      }
      return;
    }
    const entry = this.pool.get(sockKey(remoteIp, remotePort, q.srcIp, q.srcPort));
    if (entry === undefined || entry.status !== 'request' || entry.src === null) return; // a response arriving
    const src = entry.src;
    const inS = src.activeTraceIds(true);
    // 1. Parked states from this source that were never re-keyed are finished for good.
    const finished = (e: KeyedState) => e.state.socket !== null && e.ip === e.state.socket.srcIp && e.port === e.state.socket.srcPort;
    if (t.parked.size > 2 * inS.size) {
      for (const traceId of inS) {
        for (const [k, e] of t.parked.ofSourceTrace(src.uid, traceId)) {
          if (finished(e)) {
            t.parked.delete(k);
            t.log.push(e.state);
          }
        }
      }
    } else if (t.parked.size > 0) {
      for (const [k, e] of t.parked.entries()) {
        if (e.source === src && inS.has(e.traceId) && finished(e)) {
          t.parked.delete(k);
          t.log.push(e.state);
        }
      }
    }
    // 2. Every other active state now knows another source talks to this thread.
    for (const [k, e] of t.fresh) {
      if (e.source === src && inS.has(e.traceId) && e.ip === remoteIp && e.port === remotePort) continue;
      e.state.newSourceSeen = true;
      t.fresh.delete(k);
      if (e.state.responded) {
        t.active.delete(k);
        t.parked.set(keyString(src, e.traceId, remoteIp, remotePort), { source: src, traceId: e.traceId, ip: remoteIp, port: remotePort, state: e.state });
      }
    }
    // 3. One network state per trace the source is working for.
    const traces: number[] = [];
    for (const e of src.active.values()) traces.push(e.state.traceId);
    for (const f of src.forks) traces.push(f.traceId);
    const socket = { srcIp: remoteIp, srcPort: remotePort, dstIp: q.srcIp, dstPort: q.srcPort };
    for (const traceId of traces) {
      const k = keyString(src, traceId, remoteIp, remotePort);
      const ex = t.active.get(k);
      if (ex === undefined) {
        const s = this.newState('network', src, t, traceId, start(), socket);
        const entry = { source: src, traceId, ip: remoteIp, port: remotePort, state: s };
        t.active.set(k, entry);
        t.fresh.set(k, entry);
        src.addChild(traceId, s);
      } else ex.state.end = ts;
    }
  }

  private tuple(r: TraceRecord): Socket4 | null {
    const d = r.details;
    const srcIp = detailValue(d, 'saddr');
    const srcPort = detailValue(d, 'sport');
    const dstIp = detailValue(d, 'daddr');
    const dstPort = detailValue(d, 'dport');
    if (srcIp === undefined || srcPort === undefined || dstIp === undefined || dstPort === undefined) {
      this.diagnostics.add('bad-details', r.line, r.tid, `${r.probe.shortName} without sport/dport/saddr/daddr: "${r.details}"`);
      return null;
    }
    return { srcIp, srcPort, dstIp, dstPort };
  }

  private newState(kind: StateKind, source: Thread | null, handler: Thread, traceId: number, start: RelNs, socket: Socket4 | null): SpanState {
    this.counts.states++;
    return { serial: this.serial++, kind, source, handler, traceId, start, end: start, socket, responded: false, newSourceSeen: false };
  }
}

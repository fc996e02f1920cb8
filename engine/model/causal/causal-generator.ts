import { Diagnostics } from '../diagnostics.js';
import { RecordGate } from '../record-gate.js';
import type { MetaEntry } from '../meta.js';
import { detailValue, EventCode, type TraceRecord } from '../record.js';
import type { GeneratorCounts } from '../span-generator.js';
import type { RelNs } from '../time.js';
import type { AssembledTrace } from '../trace-assembly.js';
import { addKid, assembleCausal, type CausalSpan } from './causal-span.js';
import { CausalThread } from './causal-thread.js';
import { Connection, connectionKey, guessClient } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import { Exchanges } from './exchanges.js';
import { IoNormalizer, type IoEvent } from './io-events.js';
import { TupleCache, type Tuple } from './tuples.js';
import { OwnershipLog, type OwnershipLane } from './ownership.js';
import { decideParent } from './parent-rules.js';

// The causal model (ADR 0040): requests and replies read from TCP connections, matched by
// turn-taking per connection; the parent of each outgoing request decided by ordered rules,
// each link recording its rule. One pass over time-ordered records; the working state is the
// live threads and the connections in use, whatever the number of requests.

export interface CausalCounts extends GeneratorCounts {
  ioEvents: number;
  orphans: number;
  pipelined: number;
  connectionsPeak: number;
}

export interface CausalResult {
  traces: AssembledTrace[];
  counts: CausalCounts;
  diagnostics: Diagnostics;
  firstTs: RelNs;
  lastTs: RelNs;
  /** Per tid, which span owns its records over time (for per-span event counts). */
  ownership: Map<number, OwnershipLane>;
}

/** A connection quiet this long (capture time) is forgotten; its next use starts it afresh. */
const IDLE_NS = 2e9;
/** Data on a 4-tuple this close before its connect cannot have been on that connection. */
const REUSE_NS = 1e9;

export class CausalGenerator {
  private readonly live = new Map<number, CausalThread>();
  /** For the exchanges, made once (not a closure per I/O event). */
  private readonly threadOf = (tid: number): CausalThread | undefined => this.live.get(tid);
  private readonly conns = new ConnectionTable();
  private readonly tracedIps = new Set<string>();
  private readonly io: IoNormalizer;
  private readonly tuples = new TupleCache();
  private readonly ex: Exchanges;
  private readonly owners = new OwnershipLog();
  private finished = false;
  readonly diagnostics: Diagnostics;
  private readonly gate: RecordGate;
  readonly counts: CausalCounts = {
    records: 0,
    modelUsed: 0,
    user: 0,
    ignoredNotLive: 0,
    unsorted: 0,
    threadsFromMeta: 0,
    threadsForked: 0,
    states: 0,
    ioEvents: 0,
    orphans: 0,
    pipelined: 0,
    connectionsPeak: 0,
  };

  constructor(
    meta: readonly MetaEntry[],
    private readonly gateway: string,
    opts: { diagnostics?: Diagnostics } = {},
  ) {
    this.diagnostics = opts.diagnostics ?? new Diagnostics();
    this.gate = new RecordGate(this.counts, this.diagnostics);
    for (const m of meta) {
      if (this.live.has(m.tid)) this.diagnostics.add('duplicate-tid', 0, m.tid, `tid ${m.tid} listed twice in meta; the later line wins`);
      this.live.set(m.tid, new CausalThread(m.tid, m.container, m.ip));
      this.tracedIps.add(m.ip);
    }
    this.counts.threadsFromMeta = this.live.size;
    this.io = new IoNormalizer(
      (e) => this.onIo(e),
      (r, what) => this.diagnostics.add('bad-details', r.line, r.tid, `${what}: "${r.details}"`),
      this.tuples,
    );
    this.ex = new Exchanges(this.diagnostics, this.counts, (t, ts, s) => this.own(t, ts, s));
  }

  feed(r: TraceRecord): void {
    if (this.finished) throw new Error('CausalGenerator.feed after finish');
    const admitted = this.gate.admit(r);
    if (admitted === 'late') return;
    if ((this.counts.records & 4095) === 0) this.evictIdle(r.ts);
    if (admitted === 'user') return;
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
    switch (ev) {
      case EventCode.Exit:
        this.exit(t, r.ts);
        return;
      case EventCode.TcpConnect:
        this.connect(t, r);
        return;
      case EventCode.LoopEnter:
      case EventCode.LoopExit:
      case EventCode.LoopWait: {
        const enter = ev === EventCode.LoopEnter || (ev === EventCode.LoopWait && detailValue(r.details, 'phase') === 'enter');
        t.loopSeen = true;
        t.newSlice();
        if (enter) this.own(t, r.ts, null);
        return;
      }
      default:
        this.io.feed(r, ev, t);
    }
  }

  /** Ends the stream. With lost events every link is marked inferred: any record may be missing. */
  finish(opts: { lostEvents?: number } = {}): CausalResult {
    if (this.finished) throw new Error('CausalGenerator.finish twice');
    this.finished = true;
    const end = this.gate.last;
    for (const t of [...this.live.values()]) this.exit(t, end);
    for (const c of this.conns.values()) {
      this.ex.closeTurn(c);
      for (const p of c.pending) this.ex.orphan(p.span, 'its client request was never seen');
    }
    const all = this.ex.spans;
    if ((opts.lostEvents ?? 0) > 0) for (const s of all) s.exact = false;
    const traces = assembleCausal(this.ex.roots, all, (s) =>
      this.diagnostics.add('orphan-request', 0, s.tid, `span of tid ${s.tid} at ${s.start} was linked in a cycle; made a root`),
    );
    this.counts.states = all.length;
    return {
      traces,
      counts: this.counts,
      diagnostics: this.diagnostics,
      firstTs: this.gate.first,
      lastTs: end,
      ownership: this.owners.resolve(),
    };
  }

  /** Threads, connections, open requests and syscalls in progress: what memory holds besides output. */
  get stateSize(): number {
    let open = 0;
    for (const t of this.live.values()) open += t.open.length;
    return this.live.size + this.conns.size + open + this.io.size;
  }

  private own(t: CausalThread, ts: RelNs, s: CausalSpan | null): void {
    if (t.owner === s) return;
    t.owner = s;
    this.owners.set(t.tid, ts, s);
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
    const old = this.live.get(childTid);
    if (old !== undefined) {
      this.diagnostics.add('duplicate-tid', r.line, childTid, `fork created tid ${childTid} which was already live; replaced`);
      this.exit(old, r.ts);
    }
    const c = new CausalThread(childTid, p.container, p.ip);
    this.live.set(childTid, c);
    this.counts.threadsForked++;
    const d = decideParent(p, null);
    if (d.parent === null) return; // forked while serving nothing: no span, as in the original
    const f = this.ex.newSpan('fork', c, r.ts, r.ts);
    f.parent = d.parent;
    f.rule = 'fork';
    f.exact = d.exact;
    f.bound = true;
    addKid(d.parent, f);
    c.fork = f;
    this.own(c, r.ts, f);
  }

  private exit(t: CausalThread, ts: RelNs): void {
    this.io.end(t);
    if (t.fork !== null && ts > t.fork.end) t.fork.end = ts;
    this.own(t, ts, null);
    if (this.live.get(t.tid) === t) this.live.delete(t.tid);
  }

  private connect(t: CausalThread, r: TraceRecord): void {
    this.ex.connectsRecorded = true;
    const tuple = this.tuples.get(r.details);
    if (tuple === null) {
      this.diagnostics.add('bad-details', r.line, r.tid, `tcp_connect without saddr/sport/daddr/dport: "${r.details}"`);
      return;
    }
    if (!this.possible(t, tuple, r.line)) return;
    const key = connectionKey(tuple, t.container);
    const old = this.conns.get(key);
    if (old !== undefined && old.seen && r.ts - old.lastTs < REUSE_NS) {
      this.diagnostics.add('impossible-connection', r.line, r.tid, `data on ${key} before it was connected: those records named a wrong connection`);
      this.ex.distrust(old);
    }
    const c = this.newConnection(key, tuple);
    c.client = tuple.local;
    c.roleRule = 'connect';
    c.seen = true;
    c.lastTs = r.ts;
    const d = decideParent(t, null);
    if (d.parent !== null) c.birth = { parent: d.parent, rule: 'birth', exact: d.exact };
  }

  /** The local end of a record must be its thread's container (or loopback inside it). */
  private possible(t: CausalThread, q: Tuple, line: number): boolean {
    if (q.localIp === t.ip || (q.localIp.startsWith('127.') && q.remoteIp.startsWith('127.'))) return true;
    this.diagnostics.add('impossible-connection', line, t.tid, `${q.localIp}:${q.localPort} -> ${q.remoteIp}:${q.remotePort} on a thread of ${t.container} (${t.ip}); skipped`);
    return false;
  }

  private newConnection(key: string, q: Tuple): Connection {
    const a = q.local;
    const b = q.remote;
    const bTraced = q.remoteIp !== this.gateway && (this.tracedIps.has(q.remoteIp) || q.remoteIp.startsWith('127.'));
    const c = new Connection(key, { a, aTraced: true, b, bTraced });
    this.conns.add(key, c);
    if (this.conns.size > this.counts.connectionsPeak) this.counts.connectionsPeak = this.conns.size;
    return c;
  }

  private onIo(e: IoEvent): void {
    const t = this.live.get(e.tid);
    if (t === undefined || !this.possible(t, e.tuple, e.line)) return;
    this.counts.ioEvents++;
    const key = connectionKey(e.tuple, t.container);
    let c = this.conns.get(key);
    // The end of a stream never seen carrying data (older than the capture): nothing to learn.
    if (e.bytes === 0 && e.dir === 'recv' && (c === undefined || !c.seen)) return;
    if (c === undefined) c = this.newConnection(key, e.tuple);
    else {
      // Most recently used last: idle eviction looks at the front only.
      this.conns.touch(c);
    }
    if (!c.seen) {
      c.seen = true;
      const g = guessClient(e.tuple, this.gateway, e.dir === 'send');
      c.client = g.client;
      c.roleRule = g.rule;
      if (g.rule === 'first-sender') {
        c.suspect = true;
        this.diagnostics.add('guessed-role', e.line, e.tid, `client of ${key} taken to be ${g.client}, the first sender`);
      }
    }
    c.lastTs = e.end;
    this.ex.handle(t, c, e, e.tuple.local, this.threadOf);
  }

  private evictIdle(now: RelNs): void {
    let budget = 64;
    for (let c = this.conns.oldest; c !== null; ) {
      if (budget-- === 0 || now - c.lastTs < IDLE_NS) return;
      const quiet = c.pending.length === 0 && c.clientTurn !== 'sending' && c.serverTurn !== 'receiving';
      // The one after it, before it moves or goes (a connection moved to the end is met again there).
      const next = c.lruNext;
      if (!quiet && now - c.lastTs < 10 * IDLE_NS) {
        this.conns.touch(c); // in the middle of an exchange: look again later
        c = next;
        continue;
      }
      const gone = c;
      this.conns.remove(gone);
      this.ex.closeTurn(gone);
      for (const p of gone.pending) this.ex.orphan(p.span, 'its client request was never seen');
      gone.turn.forEach((s, i) => this.live.get(gone.turnHolders[i]!)?.dropOpen(s));
      c = next;
    }
  }
}

// Over 300 lines: one exchange table per connection (turns, byte offsets, deferred binds, pipelining) whose transitions share its state; split, each half would reach into the other.
import type { Diagnostics } from '../diagnostics.js';
import type { StateKind } from '../state.js';
import type { RelNs } from '../time.js';
import { addKid, type CausalSpan } from './causal-span.js';
import type { CausalThread } from './causal-thread.js';
import type { ClientRequest, Connection, Decision, PendingSpan } from './connection.js';
import type { IoEvent } from './io-events.js';
import { decideParent } from './parent-rules.js';

// Turn-taking on one connection, seen from each side. The client's bytes up to its first read of
// a reply are its request; the server's span of a request starts at its first receive of it and
// ends at its last send before it reads again. Requests are matched by byte offset when the
// records give sizes (a pipelining client's requests are told apart by the parent each was sent
// for, and found in the server's reads by offset), else in order. A server read processed before
// the client's send record (a send's record can come after the peer read the data) waits for it
// (deferred bind).

/** A client request starting this long after the server read its bytes cannot be theirs. */
const RACE_NS = 1e6;
/** Requests a connection remembers, at most (pipelining depth). */
const MAX_REQUESTS = 64;

type ThreadOf = (tid: number) => CausalThread | undefined;

export class Exchanges {
  readonly spans: CausalSpan[] = [];
  readonly roots: CausalSpan[] = [];
  /** The capture has tcp_connect records (set on the first). */
  connectsRecorded = false;
  private serial = 0;

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly counts: { orphans: number; pipelined: number },
    private readonly own: (t: CausalThread, ts: RelNs, s: CausalSpan | null) => void,
  ) {}

  newSpan(kind: StateKind, t: CausalThread, start: RelNs, firstData: RelNs): CausalSpan {
    const s: CausalSpan = {
      serial: this.serial++,
      kind,
      tid: t.tid,
      container: t.container,
      ip: t.ip,
      start,
      end: Math.max(start, firstData),
      firstData,
      parent: null,
      kids: null,
      rule: 'orphan',
      exact: false,
      bound: false,
      answered: false,
      flat: -1,
    };
    this.spans.push(s);
    return s;
  }

  handle(t: CausalThread, c: Connection, e: IoEvent, local: string, thread: ThreadOf): void {
    const client = c.isClient(local);
    // A receive of 0 bytes is the end of the stream: no message, no turn. A client reading it has
    // the whole reply only now when the reply ends at close (HTTP/1.0, CGI): what it sends next
    // continues that reply's request, so it counts as a read of it.
    if (e.dir === 'recv' && e.bytes === 0) {
      if (client) this.clientEof(t, c, e);
      return;
    }
    // One side used by two threads at once: the turn-taking of each is mixed with the other's.
    const busy = client ? c.busyClient : c.busyServer;
    if (busy !== t.tid && busy >= 0 && e.start < (client ? c.busyClientEnd : c.busyServerEnd) && thread(busy) !== undefined) {
      if (!c.suspect) this.diagnostics.add('shared-connection', e.line, t.tid, `${c.key} used by threads ${busy} and ${t.tid} at once`);
      this.distrust(c);
    }
    if (client) {
      c.busyClient = t.tid;
      c.busyClientEnd = e.end;
    } else {
      c.busyServer = t.tid;
      c.busyServerEnd = e.end;
    }
    if (Number.isNaN(e.bytes)) c.sized = false;
    const len = Number.isNaN(e.bytes) ? 0 : e.bytes;
    if (client && e.dir === 'send') this.clientSend(t, c, e, len, thread);
    else if (client) this.clientRecv(t, c, e);
    else if (e.dir === 'recv') this.serverRecv(t, c, e, local, len);
    else this.serverSend(t, c, e, thread);
  }

  private clientSend(t: CausalThread, c: Connection, e: IoEvent, len: number, thread: ThreadOf): void {
    const tail = c.requests.length > 0 ? c.requests[c.requests.length - 1]! : null;
    // More bytes of the request being sent, unless the thread read something since and sends
    // them for another parent: then the client did not wait for the reply (pipelining).
    const more = c.clientTurn === 'sending' && tail !== null;
    const same = c.clientReadsTid === t.tid && t.readCount === c.clientReads;
    const d = more && (same || tail.rule === 'birth') ? tail : decideParent(t, c, this.connectsRecorded);
    c.clientReads = t.readCount;
    c.clientReadsTid = t.tid;
    let req: ClientRequest;
    if (more && (d === tail || tail.parent === d.parent)) {
      req = tail;
      tail.to += len;
    } else {
      if (d.parent === null) {
        this.counts.orphans++;
        this.diagnostics.add('orphan-request', e.line, t.tid, `request on ${c.key}: no rule decided its parent`);
      }
      if (c.clientTurn === 'sending' && tail !== null) this.markPipelined(c, e);
      // Whatever rule decided, that read has now been sent for.
      if (d.parent !== null) t.consumeRead(d.parent);
      req = clientRequest(d, e.start, c.upSent, c.upSent + len);
      this.staleBefore(c, req);
      c.requests.push(req);
      if (c.requests.length > MAX_REQUESTS) c.requests.shift();
    }
    c.upSent += len;
    c.used = true;
    c.clientTurn = 'sending';
    this.bindPending(c);
    // The server already read these bytes in its current turn, as part of an earlier request's:
    // it holds one more request than it knew.
    if (c.sized && req.boundTo === null && req.from < c.upRecv && c.turn.length > 0 && c.serverTurn !== 'idle') {
      const first = c.turn[0]!;
      const holder = thread(first.tid);
      if (holder !== undefined) this.bind(this.serverSpan(holder, c, first.start, first.firstData), req, c);
    }
    this.own(t, e.start, req.parent);
  }

  /** Pending server spans read long before this new request began are older than the capture. */
  private staleBefore(c: Connection, req: ClientRequest): void {
    const since = req.begin - RACE_NS;
    // One pass; the kept spans are copied only once one is stale (most requests find none).
    let keep: PendingSpan[] | null = null;
    for (let i = 0; i < c.pending.length; i++) {
      const p = c.pending[i]!;
      if (p.span.firstData >= since) keep?.push(p);
      else {
        keep ??= c.pending.slice(0, i);
        this.orphan(p.span, 'its request was sent before the capture');
      }
    }
    if (keep === null) return;
    c.pending = keep;
    // The server's byte count included bytes sent before the capture: align it with the client's.
    if (keep.length === 0) c.upRecv = c.upSent;
  }

  private clientRecv(t: CausalThread, c: Connection, e: IoEvent): void {
    if (c.requests.length === 0 && !c.oldReported) {
      c.oldReported = true;
      this.diagnostics.add('old-connection', e.line, t.tid, `reply on ${c.key} to a request sent before the capture`);
    }
    if (!c.sized && c.pending.length > 0) {
      // A reply before the client sent anything the waiting request could be: it was sent before the capture.
      for (const p of c.pending) this.orphan(p.span, 'its request was sent before the capture');
      c.pending = [];
    }
    c.clientTurn = 'got-reply';
    // The reply of the oldest request not read yet (replies come in request order).
    const req = firstUnread(c.requests) ?? (c.requests.length > 0 ? c.requests[c.requests.length - 1]! : null);
    if (req !== null) req.read = true;
    while (c.requests.length > 1 && c.requests[0]!.read && c.requests[0] !== req) c.requests.shift();
    t.noteRead(req?.parent ?? null);
    this.own(t, e.start, t.lastRead);
  }

  private clientEof(t: CausalThread, c: Connection, e: IoEvent): void {
    let req: ClientRequest | null = null;
    for (let i = c.requests.length - 1; i >= 0 && req === null; i--) if (c.requests[i]!.read) req = c.requests[i]!;
    t.noteRead(req?.parent ?? null);
    this.own(t, e.start, t.lastRead);
  }

  private serverRecv(t: CausalThread, c: Connection, e: IoEvent, local: string, len: number): void {
    const offset = c.upRecv;
    c.upRecv += len;
    if (c.serverTurn !== 'receiving' || c.turn.length === 0) {
      this.closeTurn(c);
      c.turn = [];
      c.turnHolders = [];
      c.answering = 0;
      c.serverTurn = 'receiving';
      this.serverRequest(t, c, e, local, offset);
    } else {
      const last = c.turn[c.turn.length - 1]!;
      if (e.dataTs > last.end) last.end = e.dataTs;
    }
    // The bytes hold the start of further requests (a pipelining client's): one span each.
    if (c.sized && len > 0 && c.peerTraced(local)) {
      for (const r of c.requests) {
        if (r.from > offset && r.from < offset + len && r.boundTo === null) this.bind(this.serverSpan(t, c, e.start, e.dataTs), r, c);
      }
    }
    const cur = c.turn[c.turn.length - 1]!;
    t.noteRead(cur);
    this.own(t, e.start, cur);
  }

  /** A new request read by the server at byte `offset`: its span, linked or waiting for its client. */
  private serverRequest(t: CausalThread, c: Connection, e: IoEvent, local: string, offset: number): void {
    const s = this.serverSpan(t, c, e.start, e.dataTs);
    if (!c.peerTraced(local)) {
      // From outside the traced network (the gateway, an untraced peer): a trace starts here.
      s.rule = 'root';
      s.exact = !c.suspect;
      s.bound = true;
      this.roots.push(s);
      return;
    }
    const req = this.requestAt(c, offset);
    if (req !== null && req.boundTo === null) {
      this.bind(s, req, c);
    } else if (req !== null && c.clientTurn === 'sending') {
      // A second server request inside one client request: the client sent two without waiting.
      this.markPipelined(c, e);
      const copy = clientRequest(req, req.begin, req.from, req.to);
      copy.read = req.read;
      this.bind(s, copy, c);
    } else {
      c.pending.push({ span: s, offset });
    }
  }

  private serverSpan(t: CausalThread, c: Connection, start: RelNs, firstData: RelNs): CausalSpan {
    const s = this.newSpan('network', t, start, firstData);
    c.turn.push(s);
    c.turnHolders.push(t.tid);
    t.served++;
    t.open.push(s);
    return s;
  }

  /** The client request holding byte `offset` (by offset when sized, else the oldest unmatched). */
  private requestAt(c: Connection, offset: number): ClientRequest | null {
    if (c.sized) {
      for (const r of c.requests) if (r.from <= offset && offset < r.to) return r;
      return null;
    }
    for (const r of c.requests) if (r.boundTo === null) return r;
    return c.requests.length > 0 ? c.requests[c.requests.length - 1]! : null;
  }

  private bindPending(c: Connection): void {
    if (c.pending.length === 0) return;
    const left = [];
    for (const p of c.pending) {
      const r = this.requestAt(c, p.offset);
      if (r !== null && r.boundTo === null) this.bind(p.span, r, c);
      else left.push(p);
    }
    c.pending = left;
  }

  private serverSend(t: CausalThread, c: Connection, e: IoEvent, thread: ThreadOf): void {
    if (c.turn.length === 0) {
      if (!c.oldReported) {
        c.oldReported = true;
        this.diagnostics.add('old-connection', e.line, t.tid, `reply on ${c.key} to a request received before the capture`);
      }
      return;
    }
    // Pipelined requests of one turn are answered in order, one send each (the last takes the rest).
    const i = Math.min(c.answering, c.turn.length - 1);
    const s = c.turn[i]!;
    if (c.serverTurn === 'receiving') c.serverTurn = 'replying';
    s.answered = true;
    if (c.turnHolders[i]! >= 0) {
      thread(c.turnHolders[i]!)?.dropOpen(s);
      c.turnHolders[i] = -1;
    }
    if (e.end > s.end) s.end = e.end;
    c.turnEnd = e.end;
    if (c.answering < c.turn.length - 1) c.answering++;
    this.own(t, e.start, s);
  }

  /** Requests of the turn no send was left for (one write held several replies) end with its last send. */
  closeTurn(c: Connection): void {
    if (c.serverTurn === 'replying') for (let i = c.answering; i < c.turn.length; i++) if (c.turn[i]!.end < c.turnEnd) c.turn[i]!.end = c.turnEnd;
  }

  private markPipelined(c: Connection, e: IoEvent): void {
    if (c.pipelined) return;
    c.pipelined = true;
    this.counts.pipelined++;
    this.diagnostics.add('pipelined-connection', e.line, e.tid, `${c.key} carries requests without waiting for replies${c.sized ? '' : '; matched in order'}`);
  }

  private bind(s: CausalSpan, req: ClientRequest, c: Connection): void {
    req.boundTo = s;
    s.bound = true;
    if (req.parent === null || req.parent === s) {
      this.orphan(s, 'no rule decided the parent of its request', false);
      return;
    }
    s.parent = req.parent;
    // Without sizes a pipelined connection's requests are matched by order only: inferred.
    const byOrder = c.pipelined && !c.sized;
    s.rule = byOrder ? 'pipelined' : req.rule;
    s.exact = !byOrder && !c.suspect && req.exact;
    addKid(req.parent, s);
  }

  /** A span with no parent: a trace of its own, marked inferred. */
  orphan(s: CausalSpan, why: string, count = true): void {
    s.bound = true;
    s.parent = null;
    s.rule = 'orphan';
    s.exact = false;
    this.roots.push(s);
    if (count) {
      this.counts.orphans++;
      this.diagnostics.add('orphan-request', 0, s.tid, `request received by tid ${s.tid} at ${s.start}: ${why}`);
    }
  }

  /** The connection's records cannot all be right: what was linked over it is inferred. */
  distrust(c: Connection): void {
    c.suspect = true;
    for (const s of c.turn) s.exact = false;
    for (const r of c.requests) if (r.boundTo !== null) r.boundTo.exact = false;
    for (const p of c.pending) p.span.exact = false;
  }
}

/**
 * A client request with its decision's parent, rule and exactness, not yet bound nor read. Made
 * here alone, field by field: a spread of the decision gave requests a shape per kind of decision
 * (and cloned them slowly), which made every access to a request polymorphic.
 */
function clientRequest(d: Decision, begin: RelNs, from: number, to: number): ClientRequest {
  return { parent: d.parent, rule: d.rule, exact: d.exact, begin, from, to, boundTo: null, read: false };
}

/** The oldest request whose reply was not read yet. */
function firstUnread(requests: readonly ClientRequest[]): ClientRequest | undefined {
  for (const r of requests) if (!r.read) return r;
  return undefined;
}

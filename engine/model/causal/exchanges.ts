import type { Diagnostics } from '../diagnostics.js';
import type { StateKind } from '../state.js';
import type { RelNs } from '../time.js';
import { addKid, type CausalSpan } from './causal-span.js';
import type { CausalThread } from './causal-thread.js';
import type { ClientRequest, Connection } from './connection.js';
import type { IoEvent } from './io-events.js';
import { decideParent } from './parent-rules.js';

// Turn-taking on one connection, seen from each side. The client's bytes up to the server's
// first reply byte are request k, the reply run is response k; the server's span of request k
// starts at its first receive of it and ends at its last send of response k. The server's
// request k is matched to the client's latest request; when the server's receive is processed
// before the client's send (a send's record can come after the peer read the data), the span
// waits and the client's next request binds it (deferred bind).

export class Exchanges {
  readonly spans: CausalSpan[] = [];
  readonly roots: CausalSpan[] = [];
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
      flat: -1,
    };
    this.spans.push(s);
    return s;
  }

  handle(t: CausalThread, c: Connection, e: IoEvent, local: string, thread: (tid: number) => CausalThread | undefined): void {
    const client = c.isClient(local);
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
    const bytes = Number.isNaN(e.bytes) ? 0 : e.bytes;
    if (client && e.dir === 'send') {
      c.bytesUp += bytes;
      this.clientSend(t, c, e);
    } else if (client) {
      c.bytesDown += bytes;
      this.clientRecv(t, c, e);
    } else if (e.dir === 'recv') {
      c.bytesUp += bytes;
      this.serverRecv(t, c, e, local);
    } else {
      c.bytesDown += bytes;
      this.serverSend(t, c, e, thread);
    }
  }

  private clientSend(t: CausalThread, c: Connection, e: IoEvent): void {
    if (c.clientTurn !== 'sending') {
      const d = decideParent(t, c);
      if (d.parent === null) {
        this.counts.orphans++;
        this.diagnostics.add('orphan-request', e.line, t.tid, `request on ${c.key}: no rule decided its parent`);
      }
      const req: ClientRequest = { ...d, begin: e.start, boundTo: null };
      c.req = req;
      c.used = true;
      c.clientTurn = 'sending';
      if (c.pending !== null) {
        const p = c.pending;
        c.pending = null;
        this.bind(p, req, c);
      }
    }
    this.own(t, e.start, c.req!.parent);
  }

  private clientRecv(t: CausalThread, c: Connection, e: IoEvent): void {
    if (c.req === null && !c.oldReported) {
      c.oldReported = true;
      this.diagnostics.add('old-connection', e.line, t.tid, `reply on ${c.key} to a request sent before the capture`);
    }
    if (c.pending !== null) {
      // The client got a reply before sending anything the pending request could be: that
      // request was sent before the capture began.
      this.orphan(c.pending, 'its request was sent before the capture');
      c.pending = null;
    }
    c.clientTurn = 'got-reply';
    t.lastRead = c.req?.parent ?? null;
    this.own(t, e.start, t.lastRead);
  }

  private serverRecv(t: CausalThread, c: Connection, e: IoEvent, local: string): void {
    if (c.serverTurn === 'receiving' && c.cur !== null) {
      // More bytes of the same request.
      if (e.dataTs > c.cur.end) c.cur.end = e.dataTs;
      t.lastRead = c.cur;
      this.own(t, e.start, c.cur);
      return;
    }
    const s = this.newSpan('network', t, e.start, e.dataTs);
    c.cur = s;
    c.curHolder = t.tid;
    c.serverTurn = 'receiving';
    t.served++;
    t.open.push(s);
    t.lastRead = s;
    this.own(t, e.start, s);
    if (!c.peerTraced(local)) {
      // From outside the traced network (the gateway, an untraced peer): a trace starts here.
      s.rule = 'root';
      s.exact = !c.suspect;
      s.bound = true;
      this.roots.push(s);
    } else if (c.req !== null && c.req.boundTo === null) {
      this.bind(s, c.req, c);
    } else if (c.req !== null && c.clientTurn === 'sending') {
      // A second request of the client's one sending turn: the client did not wait for a reply.
      if (!c.pipelined) {
        c.pipelined = true;
        this.counts.pipelined++;
        this.diagnostics.add('pipelined-connection', e.line, t.tid, `${c.key} carries requests without waiting for replies; matched in order`);
      }
      this.bind(s, { ...c.req, boundTo: null }, c);
    } else {
      if (c.pending !== null) this.orphan(c.pending, 'no client request matched it');
      c.pending = s;
    }
  }

  private serverSend(t: CausalThread, c: Connection, e: IoEvent, thread: (tid: number) => CausalThread | undefined): void {
    const s = c.cur;
    if (s === null) {
      if (!c.oldReported) {
        c.oldReported = true;
        this.diagnostics.add('old-connection', e.line, t.tid, `reply on ${c.key} to a request received before the capture`);
      }
      return;
    }
    if (c.serverTurn === 'receiving') {
      c.serverTurn = 'replying';
      thread(c.curHolder)?.dropOpen(s);
    }
    if (e.end > s.end) s.end = e.end;
    this.own(t, e.start, s);
  }

  private bind(s: CausalSpan, req: ClientRequest, c: Connection): void {
    req.boundTo = s;
    s.bound = true;
    if (req.parent === null || req.parent === s) {
      this.orphan(s, 'no rule decided the parent of its request', false);
      return;
    }
    s.parent = req.parent;
    s.rule = c.pipelined ? 'pipelined' : req.rule;
    s.exact = !c.pipelined && !c.suspect && req.exact;
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
    if (c.cur !== null) c.cur.exact = false;
    if (c.req?.boundTo) c.req.boundTo.exact = false;
    if (c.pending !== null) c.pending.exact = false;
  }
}

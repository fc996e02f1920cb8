// Which connection a record's socket pointer stands for (docs/adr/0050). Socket events name a
// sock by its kernel address; the 4-tuple comes from the events that carry both (ESTABLISHED and
// CLOSE of inet_sock_set_state, tcp_rcv_space_adjust). An address is reused as soon as a socket is
// freed, so the join is by address AND time: each address has a current generation (one socket),
// which a state change starts (SYN_SENT, ESTABLISHED) or ends (CLOSE). A record waits in its
// generation until that socket's tuple is known, and is never handed the tuple of another
// generation: records whose socket ended unknown are counted (unresolved), not guessed.
// Events arrive in time order (raw-reader.ts); the checks on times below keep a socket event that
// came late from being applied to records that cannot be its socket's.

/** A socket's 4-tuple; saddr:sport the local end; addresses as little-endian u32 of their bytes. */
export interface Tuple {
  sport: number;
  dport: number;
  saddr: number;
  daddr: number;
  /** Its details texts, made once. */
  text?: string;
  causal?: string;
}

export interface JoinStats {
  /** Records written when their socket's tuple was learned after them (older connections, connects). */
  late: number;
  /** Records whose socket ended (closed, or its address taken by a new socket) before its tuple was seen. */
  unresolved: number;
  /** A known socket's tuple changed without a CLOSE in between (the CLOSE was lost): a new socket from then on. */
  reused: number;
  /** Socket events older than records already waiting on that address (delivered late): kept from them. */
  stale: number;
}

interface Generation<E> {
  tuple: Tuple | null;
  /** Started by SYN_SENT: the ESTABLISHED that follows completes this same socket. */
  connecting: boolean;
  waiting: E[];
}

export function complete(t: Tuple): boolean {
  return t.sport !== 0 && t.dport !== 0 && t.daddr !== 0;
}

export function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.sport === b.sport && a.dport === b.dport && a.saddr === b.saddr && a.daddr === b.daddr;
}

export class SocketJoin<E extends { ts: number }> {
  readonly stats: JoinStats = { late: 0, unresolved: 0, reused: 0, stale: 0 };
  private readonly gens = new Map<number, Generation<E>>();

  /** `resolved` writes a record with its tuple; `dropped` is told of a record that never gets one. */
  constructor(
    private readonly resolved: (e: E, t: Tuple) => void,
    private readonly dropped: (e: E) => void = () => undefined,
  ) {}

  /** Records still waiting for their socket's tuple. */
  get waiting(): number {
    let n = 0;
    for (const g of this.gens.values()) n += g.waiting.length;
    return n;
  }

  /** The tuple of the socket at `sk` now, if known. */
  tupleOf(sk: number): Tuple | null {
    return this.gens.get(sk)?.tuple ?? null;
  }

  /** A record on the socket at `sk`: written now when its tuple is known, else when it is learned. */
  use(sk: number, e: E): void {
    let g = this.gens.get(sk);
    if (g === undefined) {
      g = { tuple: null, connecting: false, waiting: [] };
      this.gens.set(sk, g);
    }
    if (g.tuple !== null) this.resolved(e, g.tuple);
    else g.waiting.push(e);
  }

  /** A live socket's tuple (tcp_rcv_space_adjust, tcp_probe): the one at `sk` has it now. */
  learn(sk: number, t: Tuple): Tuple {
    if (!complete(t)) return t;
    const g = this.gens.get(sk);
    if (g === undefined) {
      this.gens.set(sk, { tuple: t, connecting: false, waiting: [] });
      return t;
    }
    if (g.tuple === null) {
      this.settle(g, t, -Infinity);
      return t;
    }
    if (sameTuple(g.tuple, t)) return g.tuple;
    // Another socket at this address though no CLOSE came: the old one's CLOSE was lost.
    this.stats.reused++;
    this.gens.set(sk, { tuple: t, connecting: false, waiting: [] });
    return t;
  }

  /** SYN_SENT at `ts`: a new socket at `sk` is connecting (its local port comes at ESTABLISHED). */
  connecting(sk: number, ts: number): void {
    const g = this.gens.get(sk);
    if (g !== undefined && g.tuple === null && !g.connecting && g.waiting.every((w) => w.ts >= ts)) {
      // Records came first only because this event was delivered late: they are this socket's.
      if (g.waiting.length > 0) this.stats.stale++;
      g.connecting = true;
      return;
    }
    if (g !== undefined) this.end(g);
    this.gens.set(sk, { tuple: null, connecting: true, waiting: [] });
  }

  /** ESTABLISHED at `ts`, with the socket's complete tuple. */
  established(sk: number, ts: number, t: Tuple): void {
    if (!complete(t)) return;
    const g = this.gens.get(sk);
    if (g === undefined) {
      this.gens.set(sk, { tuple: t, connecting: false, waiting: [] });
      return;
    }
    if (g.tuple === null) {
      // A connect we saw start, or records waiting: those before `ts` were an older socket's.
      this.settle(g, t, g.connecting ? -Infinity : ts);
      g.connecting = false;
      return;
    }
    if (sameTuple(g.tuple, t)) return;
    this.gens.set(sk, { tuple: t, connecting: false, waiting: [] });
  }

  /** CLOSE at `ts`: the socket at `sk` ends; `t` is its tuple (complete unless it never connected). */
  closed(sk: number, ts: number, t: Tuple): void {
    const g = this.gens.get(sk);
    if (g === undefined) return;
    if (g.tuple !== null) {
      // A CLOSE of another tuple is an older socket's, delivered after this one started.
      if (!sameTuple(g.tuple, t) && complete(t)) this.stats.stale++;
      else this.gens.delete(sk);
      return;
    }
    // Records after the CLOSE cannot be this socket's (a late CLOSE): they wait for the next one.
    const after = g.waiting.filter((w) => w.ts > ts);
    g.waiting = g.waiting.filter((w) => w.ts <= ts);
    if (complete(t)) this.settle(g, t, -Infinity);
    else this.end(g);
    if (after.length > 0) {
      this.stats.stale++;
      this.gens.set(sk, { tuple: null, connecting: false, waiting: after });
    } else this.gens.delete(sk);
  }

  /** The end of the capture: what still waits never got a tuple. */
  finish(): void {
    for (const g of this.gens.values()) this.end(g);
    this.gens.clear();
  }

  /** Gives `g` its tuple and writes its waiting records; those before `from` are an older socket's. */
  private settle(g: Generation<E>, t: Tuple, from: number): void {
    g.tuple = t;
    const waiting = g.waiting;
    g.waiting = [];
    for (const e of waiting) {
      if (e.ts < from) {
        this.stats.unresolved++;
        this.dropped(e);
      } else {
        this.stats.late++;
        this.resolved(e, t);
      }
    }
  }

  private end(g: Generation<E>): void {
    for (const e of g.waiting) {
      this.stats.unresolved++;
      this.dropped(e);
    }
    g.waiting = [];
  }
}

function dotted(a: number): string {
  return `${a & 0xff}.${(a >>> 8) & 0xff}.${(a >>> 16) & 0xff}.${a >>> 24}`;
}

/** `sport= dport= saddr= daddr=`, the syscall set's tcp_send / tcp_rcv_space_adjust details. */
export function tupleText(t: Tuple): string {
  t.text ??= `sport=${t.sport} dport=${t.dport} saddr=${dotted(t.saddr)} daddr=${dotted(t.daddr)}`;
  return t.text;
}

/** `saddr= sport= daddr= dport=`, the causal set's details (docs/adr/0050). */
export function causalTupleText(t: Tuple): string {
  t.causal ??= `saddr=${dotted(t.saddr)} sport=${t.sport} daddr=${dotted(t.daddr)} dport=${t.dport}`;
  return t.causal;
}

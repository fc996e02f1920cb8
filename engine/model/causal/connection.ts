import type { LinkRule } from '../span-link.js';
import type { RelNs } from '../time.js';
import type { CausalSpan } from './causal-span.js';
import type { Tuple } from './tuples.js';

// One TCP connection, keyed by its unordered 4-tuple: both sides' records land on the same
// object. It holds what turn-taking needs (whose turn it is on each side), the latest request of
// the client and the server's span of the request it is handling: a few fields, whatever the
// number of requests the connection carries.

export type RoleRule = 'connect' | 'gateway' | 'ephemeral' | 'first-sender';

/** The parent an outgoing request got, and by which rule. */
export interface Decision {
  parent: CausalSpan | null;
  rule: LinkRule;
  exact: boolean;
}

/** One request as the client sent it: its parent, and where its bytes lie in the client's stream. */
export interface ClientRequest extends Decision {
  /** When the client began sending it (the send's syscall entry). */
  begin: RelNs;
  /** Byte offsets [from, to) in the client-to-server stream (meaningful while `sized`). */
  from: number;
  to: number;
  /** The server span it was matched to, null while none. */
  boundTo: CausalSpan | null;
  /** The client read (some of) its reply. */
  read: boolean;
}

/** A server span waiting for the client request that holds byte `offset` (deferred bind). */
export interface PendingSpan {
  span: CausalSpan;
  offset: number;
}

/** Linux's default ephemeral port range starts here (net.ipv4.ip_local_port_range). */
export const EPHEMERAL_FROM = 32768;

export class Connection {
  /** Client endpoint as `ip:port`; '' until a role rule decided it. */
  client = '';
  roleRule: RoleRule | null = null;
  /** The parent context of the thread that connected it, for its first request (birth binding). */
  birth: Decision | null = null;
  /** A request was already sent on it (birth binding applies to the first one only). */
  used = false;
  clientTurn: 'idle' | 'sending' | 'got-reply' = 'idle';
  serverTurn: 'idle' | 'receiving' | 'replying' = 'idle';
  /** The client's requests not yet done with (bound and read), oldest first; a few at most. */
  readonly requests: ClientRequest[] = [];
  /** Server spans of the server's current turn, in request order (more than one: pipelining). */
  turn: CausalSpan[] = [];
  /** Per span of `turn`: the thread whose open-request list holds it until its first reply byte. */
  turnHolders: number[] = [];
  /** Index in `turn` of the span the server's next send answers. */
  answering = 0;
  /** End of the server's last send in this turn. */
  turnEnd: RelNs = 0;
  /** Server spans whose client request record has not come yet (deferred bind). */
  pending: PendingSpan[] = [];
  pipelined = false;
  /** Spans linked over it can no longer be trusted as exact (shared by two threads, bad tuple). */
  suspect = false;
  oldReported = false;
  /** Bytes per direction as each side saw them; `sized` while every event said its size. */
  upSent = 0;
  /** The sending thread's readCount at its last send (a send with no read since continues the request). */
  clientReads = -1;
  clientReadsTid = -1;
  upRecv = 0;
  sized = true;
  /** Thread inside a syscall on each side (for 'used by two threads at once'). */
  busyClient = -1;
  busyServer = -1;
  busyClientEnd: RelNs = 0;
  busyServerEnd: RelNs = 0;
  lastTs: RelNs = 0;
  /** Set when the first event (or the connect) was seen; false = fresh object. */
  seen = false;
  /** Its neighbours in the order of last use (connection-table.ts). */
  lruPrev: Connection | null = null;
  lruNext: Connection | null = null;

  constructor(
    readonly key: string,
    /** The side that is not a traced container (the gateway, or an IP no traced thread has). */
    readonly untracedEnds: { a: string; aTraced: boolean; b: string; bTraced: boolean },
  ) {}

  isClient(localEnd: string): boolean {
    return this.client === localEnd;
  }

  /** Is the peer of `localEnd` a traced container? */
  peerTraced(localEnd: string): boolean {
    const u = this.untracedEnds;
    return localEnd === u.a ? u.bTraced : u.aTraced;
  }
}

/** The unordered 4-tuple; loopback connections are per container (each has its own lo). */
export function connectionKey(t: Tuple, container: string): string {
  if (!t.loopback) return t.pair;
  if (t.keyContainer !== container) {
    t.keyContainer = container;
    t.containerKey = `${container}/${t.pair}`;
  }
  return t.containerKey;
}

/**
 * Which end is the client, when no connect was seen: the gateway's end, else the only end
 * with an ephemeral port, else whoever sends first. Returns the client end and the rule.
 */
export function guessClient(t: Tuple, gateway: string, firstIsSend: boolean): { client: string; rule: RoleRule } {
  const local = t.local;
  const remote = t.remote;
  if (t.remoteIp === gateway) return { client: remote, rule: 'gateway' };
  if (t.localIp === gateway) return { client: local, rule: 'gateway' };
  const le = Number(t.localPort) >= EPHEMERAL_FROM;
  const re = Number(t.remotePort) >= EPHEMERAL_FROM;
  if (le !== re) return { client: le ? local : remote, rule: 'ephemeral' };
  return { client: firstIsSend ? local : remote, rule: 'first-sender' };
}

import { ParkedStates } from './parked-states.js';
import type { RelNs } from './time.js';

// Threads and their states (spans), as docs/request-model.md section 3 defines them.

export type StateKind = 'network' | 'fork';

export interface Socket4 {
  srcIp: string;
  srcPort: string;
  dstIp: string;
  dstPort: string;
}

export interface SpanState {
  /** Creation order, unique over one generation run. */
  serial: number;
  kind: StateKind;
  /** Thread that sent the request or forked; null for a trace root (the outside world). */
  source: Thread | null;
  handler: Thread;
  traceId: number;
  start: RelNs;
  end: RelNs;
  /** Network states only: the socket the request arrived on (src = requester). */
  socket: Socket4 | null;
  responded: boolean;
  newSourceSeen: boolean;
}

/** The key of a network state inside a thread: (source thread or none, trace id, source IP, port). */
export interface StateKey {
  source: Thread | null;
  traceId: number;
  ip: string;
  port: string;
}

export interface KeyedState extends StateKey {
  state: SpanState;
}

export function keyString(source: Thread | null, traceId: number, ip: string, port: string): string {
  return `${source === null ? 'n' : source.uid}|${traceId}|${ip}|${port}`;
}

export type SyscallCtx =
  | { kind: 'none' }
  | { kind: 'send'; start: RelNs; toExtend: SpanState[] }
  | { kind: 'recv'; start: RelNs; implicit: boolean };

export class Thread {
  forks: SpanState[] = [];
  /** Insertion-ordered, like the original's dicts: iteration order decides child order. */
  active = new Map<string, KeyedState>();
  /**
   * The active states that have not seen another source yet (newSourceSeen false), in the same
   * order: the only ones a receive from another source changes. An active state that has seen one
   * is never also responded (it would have been parked), so visiting it again changes nothing.
   */
  fresh = new Map<string, KeyedState>();
  parked = new ParkedStates();
  log: SpanState[] = [];
  children = new Map<number, SpanState[]>();
  ctx: SyscallCtx;

  constructor(
    /** Unique per Thread object: a tid can be reused after an exit. */
    readonly uid: number,
    readonly tid: number,
    readonly container: string,
    readonly ip: string,
    initialRecvStart: RelNs,
  ) {
    this.ctx = { kind: 'recv', start: initialRecvStart, implicit: true };
  }

  addChild(traceId: number, s: SpanState): void {
    let list = this.children.get(traceId);
    if (list === undefined) {
      list = [];
      this.children.set(traceId, list);
    }
    list.push(s);
  }

  /** Trace ids of active network states (and fork states when asked), with duplicates removed. */
  activeTraceIds(withForks: boolean): Set<number> {
    const ids = new Set<number>();
    for (const k of this.active.values()) ids.add(k.state.traceId);
    if (withForks) for (const f of this.forks) ids.add(f.traceId);
    return ids;
  }
}

import type { RelNs } from '../time.js';
import type { CausalSpan } from './causal-span.js';
import type { IoThread, SysCtx } from './io-events.js';

// What the causal model keeps per live thread: a few pointers and the requests it has received
// and not yet begun to answer (as many as it serves at once, never one per request served).

export class CausalThread implements IoThread {
  /** Fork span: the thread was forked while its parent served a request (fork lineage). */
  fork: CausalSpan | null = null;
  /** Requests it received on any connection since it was born (fork lineage stops at the first). */
  served = 0;
  /** Requests received and not yet answered, in arrival order. */
  readonly open: CausalSpan[] = [];
  /** The request (or reply's request) last read by this thread: the event-loop slice's owner. */
  lastRead: CausalSpan | null = null;
  /**
   * What it read (requests, replies' requests) and has not sent a request for yet, newest last:
   * an event loop that reads two before either handler sends sends for the newer first.
   */
  readonly unsent: CausalSpan[] = [];
  /** Reads so far: a send with no read since the previous one continues the same request. */
  readCount = 0;
  /** Loop-wait records were seen for this thread: its slices are known, not inferred from reads. */
  loopSeen = false;
  /** Span this thread's records go to from now on (the ownership timeline's last entry). */
  owner: CausalSpan | null = null;
  ownerSince: RelNs = -Infinity;
  /** The syscall it is in (io-events.ts), null before its first. */
  sys: SysCtx | null = null;

  constructor(
    readonly tid: number,
    readonly container: string,
    readonly ip: string,
  ) {}

  /** A read: `s` is the request it was for. */
  noteRead(s: CausalSpan | null): void {
    this.readCount++;
    this.lastRead = s;
    if (s === null || this.unsent[this.unsent.length - 1] === s) return;
    this.unsent.push(s);
    if (this.unsent.length > 32) this.unsent.shift();
  }

  /** A request was sent for `s`: its newest read not sent for is gone. */
  consumeRead(s: CausalSpan): void {
    const i = this.unsent.lastIndexOf(s);
    if (i >= 0) this.unsent.splice(i, 1);
  }

  /** A new slice of the event loop: nothing read in it yet. */
  newSlice(): void {
    this.lastRead = null;
    this.unsent.length = 0;
  }

  dropOpen(s: CausalSpan): void {
    const i = this.open.indexOf(s);
    if (i >= 0) this.open.splice(i, 1);
  }
}

import type { CausalThread } from './causal-thread.js';
import type { Connection, Decision } from './connection.js';

// The one inference of the causal model: the parent of an outgoing request (or of a fork, or
// of a connection's birth). Rules in order; the first that applies decides and is recorded:
//   fork      the thread was forked while its parent served a request, and serves none itself;
//   birth     the connection was connected while the thread served a request, first use;
//   thread    the thread has exactly one request received and not yet answered;
//   slice     the request or reply read last since its event loop last woke up (loop waits seen);
//   last-read the request or reply read last, when the thread's loop boundaries are not recorded;
//             both take the newest read not yet sent for whose request is not answered yet (an
//             event loop that read two before either handler sent sends for the newer first),
//             else the newest read if its request is not answered yet: an answered request has
//             sent its response and sends nothing more, so it is never an inferred parent;
//   orphan    nothing applies: no parent (never glued to a wrong one, nor to a closed one).

export const ORPHAN: Decision = { parent: null, rule: 'orphan', exact: false };

/** `connectsRecorded`: the capture has tcp_connect records (a connection without one is older than it). */
export function decideParent(t: CausalThread, conn: Connection | null, connectsRecorded = true): Decision {
  if (t.fork !== null && t.served === 0) return { parent: t.fork, rule: 'fork', exact: t.fork.exact };
  if (conn !== null && conn.birth !== null && !conn.used) return conn.birth;
  if (t.open.length === 1) return { parent: t.open[0]!, rule: 'thread', exact: true };
  const rule = t.loopSeen ? 'slice' : 'last-read';
  // A connection's first request in a capture without connect records: it was probably connected
  // when its handler ran, and handlers connect in the order they read: the oldest read not yet
  // sent for. (With connect records, one without is older than the capture: the newest.)
  const fresh = conn !== null && !conn.used && !connectsRecorded;
  while (t.unsent.length > 0) {
    const s = fresh ? t.unsent.shift()! : t.unsent.pop()!;
    if (!s.answered) return { parent: s, rule, exact: false };
  }
  if (t.lastRead !== null && !t.lastRead.answered) return { parent: t.lastRead, rule, exact: false };
  return ORPHAN;
}

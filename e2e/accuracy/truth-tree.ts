// The true tree of one request, built from its endpoint's causal tree (endpoints.ts: roles, span
// kinds, nesting) and the ground-truth log: which thread handled each of our services' parts and
// when, and the window of each downstream call as its caller saw it. A node of a service that
// logs nothing (a third-party server, a forked CGI child) is known only by its role and its
// caller's window.

/** A service's handling of one request, with host tids and times relative to the bundle's base. */
export interface GtHandler {
  svc: string;
  rid: string;
  tid: number;
  start: number;
  end: number;
  calls: { to: string; start: number; end: number }[];
}

export interface TruthNode {
  kind: 'network' | 'fork';
  role: string;
  /** The handling thread (host tid), when the service logs it. */
  tid?: number;
  /** The handler's interval: the span must contain it. */
  handler?: { start: number; end: number };
  /**
   * The caller's window for this call (for the root: the load generator's request): the span lies
   * inside it, as a callee's handling lies between its caller's first request byte and last reply byte.
   */
  window?: { start: number; end: number };
  children: TruthNode[];
}

/** Parses `N:frontend(N:catalog(F:catalog),N:inventory)` into nodes without annotations. */
export function parseTree(text: string): TruthNode {
  let i = 0;
  const node = (): TruthNode => {
    const m = /^([NF]):([A-Za-z0-9_-]+)/.exec(text.slice(i));
    if (!m) throw new Error(`tree ${text}: expected N:role or F:role at ${i}`);
    i += m[0].length;
    const n: TruthNode = { kind: m[1] === 'N' ? 'network' : 'fork', role: m[2]!, children: [] };
    if (text[i] === '(') {
      i++;
      for (;;) {
        n.children.push(node());
        if (text[i] === ',') i++;
        else if (text[i] === ')') {
          i++;
          break;
        } else throw new Error(`tree ${text}: expected , or ) at ${i}`);
      }
    }
    return n;
  };
  const root = node();
  if (i !== text.length) throw new Error(`tree ${text}: trailing text at ${i}`);
  return root;
}

/**
 * Annotates the endpoint's tree for request `rid` with its handlers (`handlers` holds every
 * logged handler of that request) and the root with the load generator's window for it. Returns
 * null when the root service logged nothing for it.
 * A network node of a logging service takes that service's handler inside its window (the
 * earliest unused one); its network children take its calls to their roles, in order.
 */
export function truthTree(tree: string, handlers: readonly GtHandler[], rootWindow?: { start: number; end: number }): TruthNode | null {
  const root = parseTree(tree);
  const unused = [...handlers].sort((a, b) => a.start - b.start);
  const logging = new Set(handlers.map((h) => h.svc));
  const take = (role: string, w: TruthNode['window']): GtHandler | undefined => {
    const i = unused.findIndex((h) => h.svc === role && (!w || (h.start >= w.start && h.end <= w.end)));
    return i < 0 ? undefined : unused.splice(i, 1)[0];
  };
  const annotate = (n: TruthNode, window: TruthNode['window']): boolean => {
    if (window) n.window = window;
    let h: GtHandler | undefined;
    // The root must be a logged handling: it is how a trace claims the request.
    if (n.kind === 'network' && (logging.has(n.role) || n === root)) {
      h = take(n.role, window);
      if (!h) return n !== root;
      n.tid = h.tid;
      n.handler = { start: h.start, end: h.end };
    }
    const calls = h ? [...h.calls] : [];
    for (const c of n.children) {
      let w = window;
      if (h && c.kind === 'network') {
        const k = calls.findIndex((x) => x.to === c.role);
        if (k >= 0) w = calls.splice(k, 1)[0]!;
      }
      annotate(c, w ? { start: w.start, end: w.end } : undefined);
    }
    return true;
  };
  return annotate(root, rootWindow) ? root : null;
}

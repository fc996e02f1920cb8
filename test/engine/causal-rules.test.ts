import { describe, expect, it } from 'vitest';
import { CausalScenario, linkShape } from './causal-scenario.js';
import { GW, meta } from './model-scenario.js';

// Each parent rule of the causal model (ADR 0040) on hand-made record streams, and the
// message matching it rests on (turn-taking, deferred bind, pipelining).

const A = { ip: '172.18.0.2', port: 8080 };
const B = { ip: '172.18.0.3', port: 9000 };
const C = { ip: '172.18.0.4', port: 7000 };
const gw = (port: number) => ({ ip: GW, port });
const at = (ip: string, port: number) => ({ ip, port });
const threads = () => meta([1, 'front', A.ip], [2, 'back', B.ip], [3, 'store', C.ip], [4, 'back', B.ip]);

describe('the rules that decide the parent of an outgoing request', () => {
  it('thread per request: the one open request of the sending thread (exact)', () => {
    const r = new CausalScenario(threads())
      .recv(1, A, gw(50000))
      .send(1, at(A.ip, 41000), B)
      .recv(2, B, at(A.ip, 41000), 'b-in')
      .send(2, B, at(A.ip, 41000), 'b-out')
      .recv(1, at(A.ip, 41000), B)
      .send(1, A, gw(50000))
      .runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread']]);
    const child = r.traces[0]!.spans[1]!;
    expect(child.start).toBeLessThan(child.end);
    expect(r.diagnostics.total).toBe(0);
  });

  it('fork lineage: a child forked while its parent served R sends for R (the CGI shape)', () => {
    const r = new CausalScenario(threads())
      .recv(2, B, at(A.ip, 41000)) // untraced? no: A is traced, but nothing sent it: an orphan root
      .fork(2, 20)
      .fork(20, 21)
      .send(21, at(B.ip, 42000), C)
      .recv(3, C, at(B.ip, 42000))
      .send(3, C, at(B.ip, 42000))
      .exit(21)
      .exit(20)
      .runCausal();
    const t = r.traces.find((x) => x.spans.length > 1)!;
    expect(linkShape(t)).toEqual(['network:2 orphan?', '  fork:20 fork', '    fork:21 fork', '      network:3 fork']);
  });

  it('fork lineage applies to a request from the gateway too (exact all the way)', () => {
    const r = new CausalScenario(threads())
      .recv(1, A, gw(50000))
      .fork(1, 10)
      .send(10, at(A.ip, 42000), C)
      .recv(3, C, at(A.ip, 42000))
      .send(3, C, at(A.ip, 42000))
      .exit(10)
      .send(1, A, gw(50000))
      .runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  fork:10 fork', '    network:3 fork']]);
  });

  it('a thread forked while its parent serves nothing gets no span, and its own request is a root', () => {
    const r = new CausalScenario(threads()).fork(2, 20).recv(20, B, gw(50001)).send(20, B, gw(50001)).exit(20).runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:20 root']]);
  });

  it('birth binding: a connection connected in R\'s slice carries R\'s request, sent in a later slice (exact)', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000)).connect(1, at(A.ip, 41000), B); // request R1 connects Y
    s.loop(1).recv(1, A, gw(50001)); // request R2 arrives
    s.loop(1).send(1, at(A.ip, 41000), B); // Y is writable: nothing read in this slice
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 birth'], ['network:1 root']]);
  });

  it('event-loop slice: with two requests open, the request read last in this slice (inferred)', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000));
    s.loop(1).recv(1, A, gw(50001)).send(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root'], ['network:1 root', '  network:2 slice?']]);
  });

  it('event-loop slice: a send in a slice that read nothing is an orphan, not glued to the last request', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000));
    s.loop(1).recv(1, A, gw(50001));
    s.loop(1).send(1, at(A.ip, 41000), B); // a timer: nothing read since the loop woke
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root'], ['network:1 root'], ['network:2 orphan?']]);
    expect(r.diagnostics.count('orphan-request')).toBe(1);
    expect(r.counts.orphans).toBe(1);
  });

  it('last-read: without loop-wait records, the request or reply read last (inferred)', () => {
    const s = new CausalScenario(threads());
    s.connect(3, at(C.ip, 45000), B); // the capture records connects: a connection without one is older
    s.recv(1, A, gw(50000)).recv(1, A, gw(50001)).send(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root'], ['network:1 root', '  network:2 last-read?']]);
  });

  it('last-read: two reads before either handler sends: the newer is sent for first, then the older', () => {
    const s = new CausalScenario(threads());
    s.connect(3, at(C.ip, 45000), B);
    s.recv(1, A, gw(50000)).recv(1, A, gw(50001)); // requests a and b read, neither handler sent yet
    s.send(1, at(A.ip, 41000), B).send(1, at(A.ip, 41001), B); // b's call, then a's
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    s.recv(4, B, at(A.ip, 41001)).send(4, B, at(A.ip, 41001));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:4 last-read?'], ['network:1 root', '  network:2 last-read?']]);
  });

  it('last-read skips a read whose request was answered since', () => {
    const s = new CausalScenario(threads());
    s.connect(3, at(C.ip, 45000), B);
    s.recv(1, A, gw(50000)).recv(1, A, gw(50001)).send(1, A, gw(50001)); // b read and answered at once
    s.send(1, at(A.ip, 41000), B); // a's deferred call
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread'], ['network:1 root']]);
    const two = new CausalScenario(threads());
    two.connect(3, at(C.ip, 45000), B);
    two.recv(1, A, gw(50000)).recv(1, A, gw(50001)).recv(1, A, gw(50002)).send(1, A, gw(50001)); // a, b, c read; b answered
    two.send(1, at(A.ip, 41000), B).send(1, at(A.ip, 41001), B); // c's call, then a's
    two.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000)).recv(4, B, at(A.ip, 41001)).send(4, B, at(A.ip, 41001));
    const r2 = two.runCausal();
    expect(r2.traces.map(linkShape)).toEqual([['network:1 root', '  network:4 last-read?'], ['network:1 root'], ['network:1 root', '  network:2 last-read?']]);
  });

  it('last-read without connect records: a connection\'s first request goes to the oldest read not sent for (handlers connect in read order)', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).recv(1, A, gw(50001)); // a and b read; each handler connected (not recorded)
    s.send(1, at(A.ip, 41000), B).send(1, at(A.ip, 41001), B); // the connections' first requests: a's, then b's
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000)).recv(4, B, at(A.ip, 41001)).send(4, B, at(A.ip, 41001));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 last-read?'], ['network:1 root', '  network:4 last-read?']]);
  });

  it('a request sent by the thread rule uses up its read: a later first request goes to the next read', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B); // a's call (thread rule)
    s.recv(1, A, gw(50001)).send(1, at(A.ip, 41001), B); // b's call on a new connection (no connects recorded)
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000)).recv(4, B, at(A.ip, 41001)).send(4, B, at(A.ip, 41001));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread'], ['network:1 root', '  network:4 last-read?']]);
  });

  it('a reply read in a slice makes that reply\'s request the slice\'s owner', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B); // R1 calls B
    s.loop(1).recv(1, A, gw(50001)); // R2 arrives
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    s.loop(1).recv(1, at(A.ip, 41000), B).send(1, at(A.ip, 42000), C); // B's reply: R1 calls C
    s.recv(3, C, at(A.ip, 42000)).send(3, C, at(A.ip, 42000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread', '  network:3 slice?'], ['network:1 root']]);
  });

  it('orphan: a thread serving nothing sends a request; its server span is a trace of its own', () => {
    const r = new CausalScenario(threads()).send(1, at(A.ip, 41000), B).recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000)).runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:2 orphan?']]);
    expect(r.diagnostics.count('orphan-request')).toBe(1);
  });
});

describe('matching requests to the server\'s spans', () => {
  it('deferred bind: the server reads the request before the client\'s send record is complete', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).sendBegin(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)); // the server read it already
    s.sendExit(1);
    s.send(2, B, at(A.ip, 41000));
    // Second round on the same (keep-alive) connection, the same race.
    s.recv(1, at(A.ip, 41000), B).sendBegin(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)).sendExit(1).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread', '  network:2 thread']]);
    expect(r.diagnostics.total).toBe(0);
  });

  it('a socket-level capture (sock_send/sock_recv) links as the syscall set does', () => {
    const s = new CausalScenario(threads());
    s.sockRecv(1, A, gw(50000)).sockSend(1, at(A.ip, 41000), B);
    s.sockRecv(2, B, at(A.ip, 41000)).sockSend(2, B, at(A.ip, 41000));
    s.sockRecv(1, at(A.ip, 41000), B).sockSend(1, A, gw(50000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread']]);
  });

  it('pipelined: two requests before any reply are matched in order and marked', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), C).send(1, at(A.ip, 41000), C);
    s.recv(3, C, at(A.ip, 41000)).send(3, C, at(A.ip, 41000));
    s.recv(3, C, at(A.ip, 41000)).send(3, C, at(A.ip, 41000));
    s.recv(1, at(A.ip, 41000), C).send(1, A, gw(50000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:3 thread', '  network:3 pipelined?']]);
    expect(r.diagnostics.count('pipelined-connection')).toBe(1);
    expect(r.counts.pipelined).toBe(1);
  });

  it('pipelined with sizes: each request is found in the server\'s reads by byte offset, even two in one read', () => {
    const s = new CausalScenario(threads());
    const k = at(A.ip, 41000);
    s.sockRecv(1, A, gw(50000), 80).sockSend(1, k, C, 25); // request a: its store call
    s.sockRecv(1, A, gw(50001), 80).sockSend(1, k, C, 25); // request b: its call, before a's reply
    s.sockRecv(3, C, k, 50, 'both'); // the store reads both calls at once
    s.sockSend(3, C, k, 7, 'reply-a').sockSend(3, C, k, 7, 'reply-b');
    s.sockRecv(1, k, C, 14).sockSend(1, A, gw(50000), 100).sockSend(1, A, gw(50001), 100);
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([
      ['network:1 root', '  network:3 thread'],
      ['network:1 root', '  network:3 last-read?'],
    ]);
    const [ka, kb] = [r.traces[0]!.spans[1]!, r.traces[1]!.spans[1]!];
    expect(r.base.abs(ka.end)).toBe(r.at.get('reply-a'));
    expect(r.base.abs(kb.end)).toBe(r.at.get('reply-b'));
    expect(r.diagnostics.count('pipelined-connection')).toBe(1);
  });

  it('pipelined with sizes: two requests read at once and answered in one write both end at that write', () => {
    const s = new CausalScenario(threads());
    const k = at(A.ip, 41000);
    s.sockRecv(1, A, gw(50000), 80).sockSend(1, k, C, 25).sockRecv(1, A, gw(50001), 80).sockSend(1, k, C, 25);
    s.sockRecv(3, C, k, 50).sockSend(3, C, k, 14, 'replies');
    s.sockRecv(1, k, C, 14).sockSend(1, A, gw(50000), 100).sockSend(1, A, gw(50001), 100);
    const r = s.runCausal();
    expect(r.traces.map((t) => r.base.abs(t.spans[1]!.end))).toEqual([r.at.get('replies'), r.at.get('replies')]);
  });

  it('pipelined with sizes and a late send record: the server\'s read waits for the record that holds its bytes', () => {
    const s = new CausalScenario(threads());
    const k = at(A.ip, 41000);
    s.sockRecv(1, A, gw(50000), 80).sockSend(1, k, C, 25);
    s.sockRecv(1, A, gw(50001), 80);
    s.sockRecv(3, C, k, 25).sockSend(3, C, k, 7); // a's call, answered
    s.sockRecv(3, C, k, 25); // b's call read before its send record
    s.sockSend(1, k, C, 25).sockSend(3, C, k, 7);
    s.sockRecv(1, k, C, 14).sockSend(1, A, gw(50000), 100).sockSend(1, A, gw(50001), 100);
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([
      ['network:1 root', '  network:3 thread'],
      ['network:1 root', '  network:3 last-read?'],
    ]);
  });

  it('whatever the server sends on a connection answers that connection\'s open request', () => {
    const s = new CausalScenario(threads());
    s.recv(2, B, gw(50000)).recv(2, B, gw(50001)); // two clients, one server thread
    s.send(2, B, gw(50001), 'second-reply').send(2, B, gw(50000), 'first-reply');
    const r = s.runCausal(GW);
    const spans = r.traces.map((t) => t.spans[0]!);
    expect(r.base.abs(spans[0]!.end)).toBe(r.at.get('first-reply:exit'));
    expect(r.base.abs(spans[1]!.end)).toBe(r.at.get('second-reply:exit'));
  });
});

describe('a Node-like event loop with two requests in flight, keep-alive both ways', () => {
  it('links every downstream call to its own request, over two rounds on the same connections', () => {
    const s = new CausalScenario(threads());
    const y1 = at(A.ip, 41000);
    const y2 = at(A.ip, 41001);
    for (const round of [0, 1]) {
      const g1 = gw(50000);
      const g2 = gw(50001);
      s.loop(1).recv(1, A, g1).send(1, y1, B); // A reads R(a), calls B on y1
      s.loop(1).recv(1, A, g2).send(1, y2, B); // A reads R(b), calls B on y2
      s.recv(2, B, y1).recv(4, B, y2).send(4, B, y2).send(2, B, y1);
      s.loop(1).recv(1, y2, B).send(1, at(A.ip, 42000 + round), C); // R(b)'s 2nd call, new conn to C
      s.recv(3, C, at(A.ip, 42000 + round)).send(3, C, at(A.ip, 42000 + round));
      s.loop(1).recv(1, y1, B).send(1, A, g1); // R(a) answered
      s.loop(1).recv(1, at(A.ip, 42000 + round), C).send(1, A, g2); // R(b) answered
    }
    const r = s.runCausal();
    const one = [['network:1 root', '  network:2 thread'], ['network:1 root', '  network:4 slice?', '  network:3 slice?']];
    expect(r.traces.map(linkShape)).toEqual([...one, ...one]);
    expect(r.diagnostics.total).toBe(0);
  });
});

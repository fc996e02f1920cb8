import { describe, expect, it } from 'vitest';
import { CausalEventCounter } from '../../engine/handlers/causal-event-counts.js';
import { EventCounter } from '../../engine/handlers/event-counts.js';
import { CausalGenerator } from '../../engine/model/causal/causal-generator.js';
import { PsvParser } from '../../engine/model/psv-parse.js';
import { ProbeTable, type TraceRecord } from '../../engine/model/record.js';
import { CausalScenario, linkShape } from './causal-scenario.js';
import { GW, meta } from './model-scenario.js';

// The causal model on bad input (each a diagnostic and a best-effort trace marked inferred),
// its bounded state over a long keep-alive run, and per-span counts without double counting.

const A = { ip: '172.18.0.2', port: 8080 };
const B = { ip: '172.18.0.3', port: 9000 };
const gw = (port: number) => ({ ip: GW, port });
const at = (ip: string, port: number) => ({ ip, port });
const threads = () => meta([1, 'front', A.ip], [2, 'back', B.ip], [4, 'back', B.ip]);

describe('bad input', () => {
  it('a connection in the middle of an exchange when the capture began: a diagnostic, no span, no crash', () => {
    const s = new CausalScenario(threads());
    s.send(2, B, at(A.ip, 41000)); // a reply to a request received before the capture
    s.recv(1, at(A.ip, 41000), B); // ... read by its client
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B).recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.diagnostics.count('old-connection')).toBe(1);
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread']]);
  });

  it('a request received whose client request was sent before the capture: an orphan, not bound to the next request', () => {
    const s = new CausalScenario(threads());
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000)); // its request was sent before the capture
    s.recv(1, at(A.ip, 41000), B);
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B).recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:2 orphan?'], ['network:1 root', '  network:2 thread']]);
  });

  it('lost events: every link is marked inferred, the traces are kept', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B).recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal(GW, { lostEvents: 3 });
    expect(r.traces.map(linkShape)).toEqual([['network:1 root?', '  network:2 thread?']]);
  });

  it('one side of a connection used by two threads at once: a diagnostic, the spans over it inferred', () => {
    const s = new CausalScenario(threads());
    const y = at(A.ip, 41000);
    s.recv(1, A, gw(50000)).send(1, y, B);
    s.rec(2, 'MT:tracepoint:syscalls:sys_enter_read').rec(2, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', `sport=9000 dport=41000 saddr=${B.ip} daddr=${A.ip}`);
    s.rec(4, 'MT:tracepoint:syscalls:sys_enter_read').rec(4, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', `sport=9000 dport=41000 saddr=${B.ip} daddr=${A.ip}`);
    s.rec(2, 'MT:tracepoint:syscalls:sys_exit_read').rec(4, 'MT:tracepoint:syscalls:sys_exit_read');
    s.send(2, B, y);
    const r = s.runCausal();
    expect(r.diagnostics.count('shared-connection')).toBe(1);
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread?']]);
  });

  it('a record whose 4-tuple is not its thread\'s (its container IP is neither end): counted and skipped', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000));
    s.send(1, at('127.0.0.1', 8080), at('172.18.0.9', 34567)); // a host-side socket, not this container's
    s.send(1, at(B.ip, 9000), at(A.ip, 41000)); // the back's socket, on the front's thread
    s.send(1, A, gw(50000));
    const r = s.runCausal();
    expect(r.diagnostics.count('impossible-connection')).toBe(2);
    expect(r.traces.map(linkShape)).toEqual([['network:1 root']]);
  });

  it('data on a 4-tuple just before another thread connects it: the earlier link is marked inferred', () => {
    const s = new CausalScenario(threads());
    const y = at(A.ip, 41000);
    s.recv(1, A, gw(50000)).send(1, y, B).recv(2, B, y);
    s.connect(1, y, B); // the tuple's real connection starts only now
    s.send(2, B, y).recv(1, y, B).send(1, A, gw(50000));
    const r = s.runCausal();
    expect(r.diagnostics.count('impossible-connection')).toBe(1);
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread?']]);
  });

  it('malformed tuples and unknown phases never crash the model', () => {
    const s = new CausalScenario(threads());
    s.rec(1, 'MT:tcp_connect', 'sport=1').rec(1, 'MT:sock_send', 'len=3').rec(1, 'MT:loop_wait', 'phase=sideways');
    s.fork(99, 100).exit(1234);
    const r = s.runCausal();
    expect(r.diagnostics.count('bad-details')).toBe(2);
    expect(r.traces).toEqual([]);
  });
});

/** A keep-alive run straight into the generator: one gateway connection, one backend connection. */
function* keepAliveRun(requests: number): Generator<TraceRecord> {
  const probes = new ProbeTable();
  let ts = 1_000_000;
  let line = 0;
  const rec = (tid: number, probe: string, details = ''): TraceRecord => ({ line: ++line, comm: 'c', tid, ts: (ts += 10), nsecs: '', cpu: 0, probe: probes.get(probe), details });
  const t = (l: { ip: string; port: number }, r: { ip: string; port: number }) => `sport=${l.port} dport=${r.port} saddr=${l.ip} daddr=${r.ip}`;
  const y = at(A.ip, 41000);
  for (let i = 0; i < requests; i++) {
    yield rec(1, 'MT:tracepoint:syscalls:sys_exit_epoll_wait');
    yield rec(1, 'MT:sock_recv', `${t(A, gw(50000 + (i & 7)))} len=80`);
    yield rec(1, 'MT:sock_send', `${t(y, B)} len=40`);
    yield rec(1, 'MT:tracepoint:syscalls:sys_enter_epoll_wait');
    yield rec(2, 'MT:sock_recv', `${t(B, y)} len=40`);
    yield rec(2, 'page_fault_user');
    yield rec(2, 'MT:sock_send', `${t(B, y)} len=20`);
    yield rec(1, 'MT:tracepoint:syscalls:sys_exit_epoll_wait');
    yield rec(1, 'MT:sock_recv', `${t(y, B)} len=20`);
    yield rec(1, 'MT:sock_send', `${t(A, gw(50000 + (i & 7)))} len=200`);
    yield rec(1, 'MT:tracepoint:syscalls:sys_enter_epoll_wait');
  }
}

describe('bounded state', () => {
  it('a 100k-request keep-alive run keeps the working state flat', () => {
    const gen = new CausalGenerator(threads(), GW);
    const sizes: number[] = [];
    let i = 0;
    for (const r of keepAliveRun(100_000)) {
      gen.feed(r);
      if (++i % 110_000 === 0) sizes.push(gen.stateSize);
    }
    const res = gen.finish();
    expect(res.traces).toHaveLength(100_000);
    expect(res.traces[99_999]!.spans.map((s) => s.link?.rule)).toEqual(['root', 'thread']);
    expect(sizes).toHaveLength(10);
    expect(Math.max(...sizes)).toBe(Math.min(...sizes));
    expect(Math.max(...sizes)).toBeLessThan(20);
  });
});

describe('per-span event counts', () => {
  it('each record counts in one span at most; the rest is counted apart per thread', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000)).user(1).user(1); // 2 records in R1's slice
    s.loop(1).recv(1, A, gw(50001)).user(1).send(1, at(A.ip, 41000), B); // 1 in R2's slice
    s.recv(2, B, at(A.ip, 41000)).user(2).send(2, B, at(A.ip, 41000));
    s.loopEnter(1).user(1); // asleep: nobody's
    s.loopExit(1).recv(1, at(A.ip, 41000), B).send(1, A, gw(50001)).send(1, A, gw(50000));
    const parser = new PsvParser();
    const recs = s.lines.map((l, i) => (parser.parse(l, i + 1) as { record: TraceRecord }).record);
    const r = s.runCausal();
    const cols = { length: recs.length, tid: recs.map((x) => x.tid), ts: recs.map((x) => r.base.rel(x.nsecs)), probe: recs.map((x) => x.probe.id) };
    const counter = new CausalEventCounter(r.traces, parser.probes.size, r.ownership);
    counter.add(cols);
    let apart = 0;
    for (const tc of counter.threadCounts.values()) apart += tc.total;
    const inSpans = counter.counts.totals.reduce((a, b) => a + b, 0);
    expect(inSpans + apart).toBe(recs.length);
    const user = parser.probes.get('tracepoint:sched:sched_migrate_task').id;
    const byTrace = r.traces.map((_, ti) => {
      let n = 0;
      for (let g = counter.counts.offsets[ti]!; g < counter.counts.offsets[ti + 1]!; g++) n += counter.counts.byProbe[g * parser.probes.size + user]!;
      return n;
    });
    expect(byTrace).toEqual([2, 2]); // R1: its 2; R2: its 1 and the back's 1
    expect(counter.threadCounts.get(1)!.byProbe.get(user)).toBe(1);
    // The original's rule offers each record to every span of its thread in its window: R1's
    // records count in R2 as well.
    const orig = new EventCounter(r.traces, parser.probes.size);
    orig.add(cols);
    expect(orig.counts.totals.reduce((a, b) => a + b, 0)).toBeGreaterThan(inSpans);
  });

  it('counts the same whether the records come in one batch or one at a time', () => {
    // The counter keeps the last thread's cursor and slot between records and batches.
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000)).user(1).user(2).user(1);
    s.loop(1).recv(1, A, gw(50001)).user(1).send(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)).user(2).user(1).send(2, B, at(A.ip, 41000));
    s.loopEnter(1).user(1).user(2).user(1);
    s.loopExit(1).recv(1, at(A.ip, 41000), B).send(1, A, gw(50001)).send(1, A, gw(50000)).user(2);
    const parser = new PsvParser();
    const recs = s.lines.map((l, i) => (parser.parse(l, i + 1) as { record: TraceRecord }).record);
    const r = s.runCausal();
    const col = (from: number, to: number) => {
      const part = recs.slice(from, to);
      return { length: part.length, tid: part.map((x) => x.tid), ts: part.map((x) => r.base.rel(x.nsecs)), probe: part.map((x) => x.probe.id) };
    };
    const whole = new CausalEventCounter(r.traces, parser.probes.size, r.ownership);
    whole.add(col(0, recs.length));
    const single = new CausalEventCounter(r.traces, parser.probes.size, r.ownership);
    for (let i = 0; i < recs.length; i++) single.add(col(i, i + 1));
    expect([...single.counts.byProbe]).toEqual([...whole.counts.byProbe]);
    expect([...single.counts.traceTotals]).toEqual([...whole.counts.traceTotals]);
    const flat = (c: CausalEventCounter) => [...c.threadCounts].map(([tid, tc]) => [tid, tc.total, [...tc.byProbe].sort((a, b) => a[0] - b[0])]);
    expect(flat(single)).toEqual(flat(whole));
    // Both threads had records no span owned (thread 2's last record, thread 1's while asleep).
    expect(flat(whole).map((x) => x[0])).toEqual([1, 2]);
    let apart = 0;
    for (const tc of whole.threadCounts.values()) apart += tc.total;
    expect(whole.counts.totals.reduce((a, b) => a + b, 0) + apart).toBe(recs.length);
  });
});

describe('the original model and the causal records', () => {
  it('ignores socket-level sends and receives, connects and loop waits', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000));
    s.connect(1, at(A.ip, 41000), B).loop(1).sockSend(1, at(A.ip, 41000), B).sockRecv(2, B, at(A.ip, 41000)).sockSend(2, B, at(A.ip, 41000));
    s.rec(1, 'MT:loop_wait', 'phase=enter').rec(1, 'MT:tracepoint:syscalls:sys_exit_epoll_pwait2');
    s.send(1, A, gw(50000));
    const original = s.run();
    expect(original.traces.map((t) => t.spans.map((x) => `${x.kind}:${x.tid}`))).toEqual([['network:1']]);
    expect(original.diagnostics.total).toBe(0);
    const causal = s.runCausal();
    expect(causal.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 birth']]);
  });
});

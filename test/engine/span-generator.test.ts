import { describe, expect, it } from 'vitest';
import { renderDagJson } from '../../engine/render/dag-render.js';
import { GW, meta, Scenario, shape } from './model-scenario.js';

// Each transition of docs/request-model.md section 4 on small hand-made record sequences.

const A = { ip: '172.18.0.2', port: 8080 };
const B = { ip: '172.18.0.3', port: 9000 };
const C = { ip: '172.18.0.4', port: 7000 };
const client = (port: number) => ({ ip: GW, port });
const eph = (ip: string, port: number) => ({ ip, port });
const threads = () => meta([1, 'front', A.ip], [2, 'back', B.ip], [3, 'store', C.ip]);

describe('requests from the outside world', () => {
  it('a request from the gateway starts a trace at the receive syscall; the reply ends it at the send exit', () => {
    const r = new Scenario(threads()).recv(1, A, client(50000), 'in').send(1, A, client(50000), 'out').run();
    expect(r.traces).toHaveLength(1);
    const root = r.traces[0]!.spans[0]!;
    expect(root).toMatchObject({ kind: 'network', tid: 1, container: 'front', ip: A.ip, parent: -1 });
    expect(r.base.abs(root.start)).toBe(r.at.get('in:enter'));
    expect(r.base.abs(root.end)).toBe(r.at.get('out:exit'));
  });

  it('more bytes of the same request extend the root instead of starting a new trace', () => {
    const r = new Scenario(threads()).recv(1, A, client(50000)).recv(1, A, client(50000), 'more').run();
    expect(r.traces).toHaveLength(1);
    expect(r.base.abs(r.traces[0]!.spans[0]!.end)).toBe(r.at.get('more:data'));
  });

  it('after replying, the next request from the gateway is a new trace (keep-alive client)', () => {
    const r = new Scenario(threads())
      .recv(1, A, client(50000))
      .send(1, A, client(50000))
      .recv(1, A, client(50000), 'second')
      .send(1, A, client(50000), 'reply2')
      .run();
    expect(r.traces.map((t) => t.id)).toEqual([1, 2]);
    expect(r.base.abs(r.traces[1]!.spans[0]!.start)).toBe(r.at.get('second:enter'));
    expect(r.base.abs(r.traces[1]!.spans[0]!.end)).toBe(r.at.get('reply2:exit'));
  });

  it('once the root is answered (parked), a later send of the idle thread is not tracked', () => {
    // Rule 1 of the dispatch chain: a send-enter opens a send only for a thread with an active state.
    const r = new Scenario(threads()).recv(1, A, client(1)).send(1, A, client(1), 'first').send(1, A, client(1)).run();
    expect(r.base.abs(r.traces[0]!.spans[0]!.end)).toBe(r.at.get('first:exit'));
  });
});

describe('requests between services', () => {
  const twoTier = () =>
    new Scenario(threads())
      .recv(1, A, client(50000), 'in')
      .send(1, eph(A.ip, 41000), B, 'req')
      .recv(2, B, eph(A.ip, 41000), 'b-in')
      .send(2, B, eph(A.ip, 41000), 'b-out')
      .recv(1, eph(A.ip, 41000), B)
      .send(1, A, client(50000), 'out');

  it('a request to another container becomes a child span, ended by its response', () => {
    const r = twoTier().run();
    expect(r.traces).toHaveLength(1);
    expect(shape(r.traces[0]!)).toEqual(['network:1', '  network:2']);
    const child = r.traces[0]!.spans[1]!;
    expect(child).toMatchObject({ container: 'back', ip: B.ip, parent: 0, depth: 1 });
    expect(r.base.abs(child.start)).toBe(r.at.get('b-in:enter'));
    expect(r.base.abs(child.end)).toBe(r.at.get('b-out:exit'));
  });

  it('the response arriving back at the caller changes nothing', () => {
    const r = twoTier().run();
    expect(r.counts.states).toBe(2);
    expect(r.diagnostics.total).toBe(0);
  });

  it('a keep-alive connection reused by the next trace gives a new span in that trace', () => {
    const r = twoTier()
      .recv(1, A, client(50001), 'in2')
      .send(1, eph(A.ip, 41000), B)
      .recv(2, B, eph(A.ip, 41000), 'b-in2')
      .send(2, B, eph(A.ip, 41000), 'b-out2')
      .recv(1, eph(A.ip, 41000), B)
      .send(1, A, client(50001))
      .run();
    expect(r.traces.map(shape)).toEqual([
      ['network:1', '  network:2'],
      ['network:1', '  network:2'],
    ]);
    const second = r.traces[1]!.spans[1]!;
    expect(r.base.abs(second.start)).toBe(r.at.get('b-in2:enter'));
    expect(r.base.abs(second.end)).toBe(r.at.get('b-out2:exit'));
    // The first trace's span was not stretched by the second request.
    expect(r.base.abs(r.traces[0]!.spans[1]!.end)).toBe(r.at.get('b-out:exit'));
  });

  it('a state that answered and then saw a new connection from its source is parked, and extended by the next response', () => {
    const r = new Scenario(threads())
      .recv(2, B, client(60000))
      .send(2, eph(B.ip, 42000), C)
      .recv(3, C, eph(B.ip, 42000), 'c-in')
      .send(3, C, eph(B.ip, 42000), 'c-out')
      .send(2, eph(B.ip, 42001), C) // same caller, same trace, a new connection
      .recv(3, C, eph(B.ip, 42001), 'c-in2') // the answered state is parked (re-keyed to the new port)
      .send(3, C, eph(B.ip, 42001), 'c-out2') // the response extends the new state and the parked one
      .run();
    expect(r.traces).toHaveLength(1);
    expect(shape(r.traces[0]!)).toEqual(['network:2', '  network:3', '  network:3']);
    const [first, second] = [r.traces[0]!.spans[1]!, r.traces[0]!.spans[2]!];
    expect(r.base.abs(first.start)).toBe(r.at.get('c-in:enter'));
    expect(r.base.abs(first.end)).toBe(r.at.get('c-out2:exit'));
    expect(r.base.abs(second.start)).toBe(r.at.get('c-in2:enter'));
    expect(r.base.abs(second.end)).toBe(r.at.get('c-out2:exit'));
  });

  it('a request from another trace on a shared connection does not stretch the answered span', () => {
    const r = new Scenario(threads())
      .recv(2, B, client(60000))
      .send(2, eph(B.ip, 42000), C)
      .recv(3, C, eph(B.ip, 42000))
      .send(3, C, eph(B.ip, 42000), 'c-out')
      .recv(1, A, client(60001))
      .send(1, eph(A.ip, 43000), C)
      .recv(3, C, eph(A.ip, 43000), 'c-in2')
      .send(3, C, eph(A.ip, 43000), 'c-out2')
      .run();
    expect(r.traces.map(shape)).toEqual([
      ['network:2', '  network:3'],
      ['network:1', '  network:3'],
    ]);
    expect(r.base.abs(r.traces[0]!.spans[1]!.end)).toBe(r.at.get('c-out:exit'));
    expect(r.base.abs(r.traces[1]!.spans[1]!.start)).toBe(r.at.get('c-in2:enter'));
    expect(r.base.abs(r.traces[1]!.spans[1]!.end)).toBe(r.at.get('c-out2:exit'));
  });
});

describe('forks', () => {
  it('a fork inside a request gives the child a fork span; its requests nest under it', () => {
    const r = new Scenario(threads())
      .recv(1, A, client(50000))
      .fork(1, 10, 'fork')
      .send(10, eph(A.ip, 44000), B)
      .recv(2, B, eph(A.ip, 44000))
      .send(2, B, eph(A.ip, 44000))
      .exit(10, 'exit')
      .send(1, A, client(50000))
      .run();
    expect(shape(r.traces[0]!)).toEqual(['network:1', '  fork:10', '    network:2']);
    const fork = r.traces[0]!.spans[1]!;
    expect(fork.container).toBe('front');
    expect(r.base.abs(fork.start)).toBe(r.at.get('fork'));
    // Intended difference: the fork ends at its own exit record.
    expect(r.base.abs(fork.end)).toBe(r.at.get('exit'));
  });

  it('a thread forked outside any request has no span; its requests start no trace', () => {
    const r = new Scenario(threads()).fork(1, 10).send(10, eph(A.ip, 44000), B).recv(2, B, eph(A.ip, 44000)).run();
    expect(r.traces).toHaveLength(0);
  });

  it('a fork state still open at the end of input ends at the last timestamp', () => {
    const r = new Scenario(threads()).recv(1, A, client(50000)).fork(1, 10).user(10).user(1).rec(2, 'tracepoint:x:last', '', 'last').run();
    expect(r.base.abs(r.traces[0]!.spans[1]!.end)).toBe(r.at.get('last'));
  });

  it('a fork by an untraced parent from a traced thread is a diagnostic, not a crash', () => {
    const r = new Scenario(threads()).rec(1, 'MT:tracepoint:sched:sched_process_fork', 'parent_pid=999 child_pid=1000').run();
    expect(r.diagnostics.count('fork-parent-not-live')).toBe(1);
    expect(r.diagnostics.examples[0]).toMatchObject({ kind: 'fork-parent-not-live', line: 1, tid: 1 });
  });

  it('a fork creating a tid that is already live replaces it, with a diagnostic', () => {
    const r = new Scenario(threads()).fork(1, 2).run();
    expect(r.diagnostics.count('duplicate-tid')).toBe(1);
  });

  it('children appear in creation order, and a span that starts before its parent is left out', () => {
    const r = new Scenario(threads())
      .recv(1, A, client(50000))
      .fork(1, 10)
      .fork(1, 11)
      .send(1, A, client(50000))
      .run();
    expect(shape(r.traces[0]!)).toEqual(['network:1', '  fork:10', '  fork:11']);
  });
});

describe('exits, unknown threads and odd input', () => {
  it('records of threads outside the traced containers are ignored and counted', () => {
    const r = new Scenario(threads()).recv(77, A, client(1)).run();
    expect(r.traces).toHaveLength(0);
    expect(r.counts.ignoredNotLive).toBe(3);
  });

  it('after an exit, the thread is gone: its later records are ignored', () => {
    const r = new Scenario(threads()).exit(1).recv(1, A, client(1)).run();
    expect(r.traces).toHaveLength(0);
    expect(r.counts.ignoredNotLive).toBe(3);
  });

  it('data before any receive syscall starts the span at the first record of the capture, with a diagnostic', () => {
    const r = new Scenario(threads())
      .user(3, 'tracepoint:exceptions:page_fault_user')
      .rec(1, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', `sport=${A.port} dport=5 saddr=${A.ip} daddr=${GW}`)
      .run();
    expect(r.traces).toHaveLength(1);
    expect(r.traces[0]!.spans[0]!.start).toBe(r.base.rel('1000010'));
    expect(r.diagnostics.count('implicit-recv-start')).toBe(1);
  });

  it('while a send is open, a receive-enter is swallowed; a send-enter without any span is ignored', () => {
    const r = new Scenario(threads())
      .rec(2, 'MT:tracepoint:syscalls:sys_enter_write') // no state: ignored, ctx stays as it was
      .recv(1, A, client(1))
      .rec(1, 'MT:tracepoint:syscalls:sys_enter_write')
      .rec(1, 'MT:tracepoint:syscalls:sys_enter_read') // swallowed
      .rec(1, 'MT:tcp_send', `sport=${A.port} dport=1 saddr=${A.ip} daddr=${GW}`)
      .rec(1, 'MT:tracepoint:syscalls:sys_exit_write', '', 'exit')
      .run();
    expect(r.base.abs(r.traces[0]!.spans[0]!.end)).toBe(r.at.get('exit'));
  });

  it('a model record without its 4-tuple is a diagnostic', () => {
    const r = new Scenario(threads()).rec(1, 'MT:tracepoint:syscalls:sys_enter_read').rec(1, 'MT:tracepoint:tcp:tcp_rcv_space_adjust', 'sport=1').run();
    expect(r.diagnostics.count('bad-details')).toBe(1);
  });

  it('keeps timestamps above 2^53 exact through generation and JSON', () => {
    const start = 18_446_744_073_000_000_001n; // near u64 max, ~584 years of uptime
    const r = new Scenario(threads(), start, 7n).recv(1, A, client(1), 'in').send(1, A, client(1), 'out').run();
    const json = JSON.parse(renderDagJson(r.traces, r.base).replace(/(Time)": (\d+)/g, '$1": "$2"')) as Record<string, { ThreadState: { StartTime: string; EndTime: string } }>;
    expect(BigInt(json['1']!.ThreadState.StartTime)).toBe(r.at.get('in:enter'));
    expect(BigInt(json['1']!.ThreadState.EndTime)).toBe(r.at.get('out:exit'));
    expect(r.at.get('out:exit')! - r.at.get('in:enter')!).toBe(35n);
  });

  it('an out-of-order record is skipped and counted by the generator', () => {
    const s = new Scenario(threads()).recv(1, A, client(1));
    s.lines.push('comm|1|5|0|MT:tracepoint:syscalls:sys_enter_read');
    const r = s.run();
    expect(r.counts.unsorted).toBe(1);
    expect(r.diagnostics.count('unsorted-record')).toBe(1);
  });
});

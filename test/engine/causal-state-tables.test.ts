import { describe, expect, it } from 'vitest';
import { Connection } from '../../engine/model/causal/connection.js';
import { ConnectionTable } from '../../engine/model/causal/connection-table.js';
import { IoNormalizer, type IoEvent, type IoThread } from '../../engine/model/causal/io-events.js';
import { EventCode, type ProbeInfo, type TraceRecord } from '../../engine/model/record.js';

// The causal model's working tables: connections in the order of their last use (idle eviction
// and the end of the stream walk them oldest first), and one syscall context per thread.

const conn = (key: string) => new Connection(key, { a: 'a', aTraced: true, b: 'b', bTraced: true });
const keys = (t: ConnectionTable) => [...t.values()].map((c) => c.key);

describe('ConnectionTable', () => {
  it('keeps the order of last use, as deleting and setting a Map entry again did', () => {
    const t = new ConnectionTable();
    const [a, b, c] = [conn('a'), conn('b'), conn('c')];
    t.add('a', a);
    t.add('b', b);
    t.add('c', c);
    expect(keys(t)).toEqual(['a', 'b', 'c']);
    t.touch(a);
    expect(keys(t)).toEqual(['b', 'c', 'a']);
    t.touch(a); // already the most recent
    expect(keys(t)).toEqual(['b', 'c', 'a']);
    t.touch(c);
    expect(keys(t)).toEqual(['b', 'a', 'c']);
    // A new connection under a key in use replaces the old one, at the end.
    const b2 = conn('b');
    t.add('b', b2);
    expect(keys(t)).toEqual(['a', 'c', 'b']);
    expect(t.get('b')).toBe(b2);
    expect(t.size).toBe(3);
    t.remove(c);
    expect(keys(t)).toEqual(['a', 'b']);
    expect(t.get('c')).toBeUndefined();
    t.remove(a);
    t.remove(b2);
    expect(keys(t)).toEqual([]);
    expect(t.oldest).toBeNull();
    t.add('d', conn('d'));
    expect(keys(t)).toEqual(['d']);
  });

  it('lets a walk from the oldest move a connection to the end and meet it there again', () => {
    const t = new ConnectionTable();
    for (const k of ['a', 'b', 'c']) t.add(k, conn(k));
    const met: string[] = [];
    for (let c = t.oldest; c !== null && met.length < 5; ) {
      met.push(c.key);
      const next = c.lruNext;
      if (c.key === 'a') t.touch(c);
      else t.remove(c);
      c = next;
    }
    expect(met).toEqual(['a', 'b', 'c', 'a']);
  });
});

function probe(event: EventCode, name: string): ProbeInfo {
  return { id: event, name, isModel: true, event, shortName: name };
}
const ENTER = probe(EventCode.SendEnter, 'sys_enter_write');
const EXIT = probe(EventCode.SendExit, 'sys_exit_write');
const TCP = probe(EventCode.TcpSend, 'tcp_send');
const rec = (tid: number, ts: number, p: ProbeInfo, details = ''): TraceRecord => ({ line: ts, comm: 'c', tid, ts, nsecs: String(ts), cpu: 0, probe: p, details });
const tuple = 'saddr=10.0.0.1 sport=80 daddr=10.0.0.2 dport=40000';

describe('IoNormalizer', () => {
  it('makes one event per syscall from each thread, counts the syscalls open, and forgets an ended thread', () => {
    const out: IoEvent[] = [];
    const io = new IoNormalizer((e) => out.push(e), () => {
      throw new Error('no bad records here');
    });
    const threads = new Map<number, IoThread>([1, 2].map((tid) => [tid, { tid, sys: null }]));
    const th = (tid: number) => threads.get(tid)!;
    const feed = (r: TraceRecord) => io.feed(r, r.probe.event, th(r.tid));
    feed(rec(1, 10, ENTER));
    feed(rec(2, 11, ENTER));
    expect(io.size).toBe(2);
    feed(rec(1, 12, TCP, tuple));
    feed(rec(1, 13, EXIT, 'ret=5'));
    expect(io.size).toBe(1);
    // The same thread's next syscall: a fresh context (no tuple, no size from the last one).
    feed(rec(1, 20, ENTER));
    feed(rec(1, 21, EXIT, 'ret=7'));
    expect(io.size).toBe(1);
    feed(rec(2, 22, TCP, tuple));
    io.end(th(2)); // thread 2 exits inside its syscall: the I/O still happened
    expect(io.size).toBe(0);
    expect(th(2).sys).toBeNull();
    io.end(th(2));
    io.flush(th(1));
    expect(out.map((e) => [e.tid, e.dir, e.start, e.dataTs, e.end, e.bytes])).toEqual([
      [1, 'send', 10, 12, 13, 5],
      [2, 'send', 11, 22, 22, NaN],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { EventCode } from '../../engine/model/record.js';
import { PsvParser } from '../../engine/model/psv-parse.js';
import { TimeBase } from '../../engine/model/time.js';

describe('record lines', () => {
  const p = () => new PsvParser();

  it('reads bpftrace quoted fields and the sorter\'s bare CRLF lines alike', () => {
    const a = p().parse('"node"|"15772"|"635891101693"|"0"|"MT:tracepoint:tcp:tcp_probe"|"sport=49058 dport=8081 saddr=172.29.77.10 daddr=172.29.77.12"', 1);
    const b = p().parse('node|15772|635891101693|0|MT:tracepoint:tcp:tcp_probe|sport=49058 dport=8081 saddr=172.29.77.10 daddr=172.29.77.12\r', 1);
    expect(a.kind).toBe('record');
    expect(b.kind).toBe('record');
    if (a.kind !== 'record' || b.kind !== 'record') return;
    expect({ ...a.record, probe: a.record.probe.name }).toEqual({ ...b.record, probe: b.record.probe.name });
    expect(a.record).toMatchObject({ comm: 'node', tid: 15772, cpu: 0, nsecs: '635891101693', details: 'sport=49058 dport=8081 saddr=172.29.77.10 daddr=172.29.77.12' });
    expect(a.record.probe).toMatchObject({ isModel: true, event: EventCode.TcpProbe, shortName: 'tcp_probe' });
  });

  it('tells model records from user records and names events by the last part of the probe', () => {
    const r = p().parse('"item"|"1"|"5"|"1"|"tracepoint:exceptions:page_fault_user"', 1);
    expect(r.kind === 'record' && r.record.probe).toMatchObject({ isModel: false, event: EventCode.User, shortName: 'page_fault_user' });
    const s = p().parse('x|1|5|1|MT:tcp_send|sport=1 dport=2 saddr=a daddr=b', 1);
    expect(s.kind === 'record' && s.record.probe.event).toBe(EventCode.TcpSend);
    const w = p().parse('x|1|5|1|MT:tracepoint:syscalls:sys_exit_writev', 1);
    expect(w.kind === 'record' && w.record.probe.event).toBe(EventCode.SendExit);
  });

  it('keeps a command name with spaces and user details with pipes', () => {
    const r = p().parse('"my worker"|"7"|"9"|"0"|"uprobe:/bin/x:f"| a|b c ', 1);
    expect(r.kind === 'record' && r.record).toMatchObject({ comm: 'my worker', details: 'a|b c' });
  });

  it('recognises bpftrace\'s own lines and keeps what they say', () => {
    expect(p().parse('Attaching 24 probes...', 1)).toEqual({ kind: 'attach', probes: 24 });
    expect(p().parse('Lost 12 events', 1)).toEqual({ kind: 'lost', events: 12 });
    expect(p().parse('@pids[15729]: 1', 1)).toEqual({ kind: 'own' });
    expect(p().parse('', 1)).toEqual({ kind: 'own' });
  });

  it.each([
    ['a cut line', '"node"|"16026"|"6378'],
    ['an interleaved line', '"node"|"160"node"|"16026"|"637619005499"|"1"|"MT:x"|"26"|"637619005499"|"1"|"MT:tracepoint:syscalls:sys_exit_read"'],
    ['a cut details field', '"node"|"1"|"2"|"0"|"MT:tcp_send"|"sport=1 dpo'],
    ['a non-numeric tid', 'node|abc|2|0|MT:x'],
    ['a non-numeric timestamp', 'node|1|12a|0|MT:x'],
    ['binary garbage', '\u0001\u0002\u00ff|\u0000'],
    ['an unknown message', 'WARNING: something odd'],
  ])('calls %s malformed, never misparses it', (_name, line) => {
    expect(p().parse(line, 3).kind).toBe('malformed');
  });

  it('keeps timestamps exact beyond 2^53 ns', () => {
    const parser = new PsvParser();
    const r1 = parser.parse('x|1|18446744073709551615|0|MT:x', 1);
    const r2 = parser.parse('x|1|18446744073709551614|0|MT:x', 2);
    if (r1.kind !== 'record' || r2.kind !== 'record') throw new Error('did not parse');
    expect(parser.timeBase!.abs(r1.record.ts)).toBe(18446744073709551615n);
    expect(r1.record.ts - r2.record.ts).toBe(1);
    expect(parser.timeBase!.absString(r2.record.ts)).toBe('18446744073709551614');
  });

  it('relative times are exact integers for any capture shorter than 104 days', () => {
    const base = TimeBase.fromString('9007199254740993000'); // above 2^53 itself
    const day = 86_400_000_000_000n;
    const t = 9007199254740993000n + 100n * day + 1n;
    const rel = base.rel(t.toString());
    expect(Number.isSafeInteger(rel)).toBe(true);
    expect(base.abs(rel)).toBe(t);
  });
});

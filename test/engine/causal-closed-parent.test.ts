import { describe, expect, it } from 'vitest';
import { CausalScenario, linkShape } from './causal-scenario.js';
import { GW, meta } from './model-scenario.js';

// The accuracy harness (ADR 0045) found a child span linked under a root request that had
// already been answered (a /price call 60 ms after its root's response): the inferred rules fell
// back to the newest read even when its request was closed. An answered request sends nothing
// more: a request sent after it, with nothing open left, is an orphan (ADR 0040, rule 5).

const A = { ip: '172.18.0.2', port: 8080 };
const B = { ip: '172.18.0.3', port: 9000 };
const gw = (port: number) => ({ ip: GW, port });
const at = (ip: string, port: number) => ({ ip, port });
const threads = () => meta([1, 'front', A.ip], [2, 'back', B.ip]);

describe('an answered request is never an inferred parent', () => {
  it('last-read: a send after the only read request was answered is an orphan, not its child', () => {
    const s = new CausalScenario(threads());
    s.connect(2, at(B.ip, 45000), at(A.ip, 7)); // the capture records connects
    s.recv(1, A, gw(50000)).send(1, A, gw(50000), 'answered'); // the root request, read and answered
    s.send(1, at(A.ip, 41000), B, 'late'); // later: a call nothing open can have made
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root'], ['network:2 orphan?']]);
    const root = r.traces[0]!.spans[0]!;
    const late = r.traces[1]!.spans[0]!;
    expect(late.start).toBeGreaterThan(root.end);
    expect(r.diagnostics.count('orphan-request')).toBe(1);
    expect(r.counts.orphans).toBe(1);
  });

  it('slice: a send in the slice that read and answered a request is an orphan', () => {
    const s = new CausalScenario(threads());
    s.loop(1).recv(1, A, gw(50000)).send(1, A, gw(50000)).send(1, at(A.ip, 41000), B);
    s.recv(2, B, at(A.ip, 41000)).send(2, B, at(A.ip, 41000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root'], ['network:2 orphan?']]);
    expect(r.diagnostics.count('orphan-request')).toBe(1);
  });

  it('a reply read after its request\'s parent was answered gives that parent no more children', () => {
    const s = new CausalScenario(threads());
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B); // R calls B (thread rule)
    s.recv(2, B, at(A.ip, 41000));
    s.send(1, A, gw(50000)); // R answered without waiting for B
    s.send(2, B, at(A.ip, 41000)).recv(1, at(A.ip, 41000), B); // B's late reply is read
    s.send(1, at(A.ip, 42000), B); // a call after it: R is closed
    s.recv(2, B, at(A.ip, 42000)).send(2, B, at(A.ip, 42000));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([['network:1 root', '  network:2 thread'], ['network:2 orphan?']]);
  });

  it('the fallback to the newest read stays for a request not answered (a second parallel call)', () => {
    const s = new CausalScenario(threads());
    s.connect(2, at(B.ip, 45000), at(A.ip, 7));
    s.recv(1, A, gw(50000)).send(1, at(A.ip, 41000), B); // a read, a's call (thread rule)
    s.recv(1, A, gw(50001)).send(1, at(A.ip, 41001), B); // b read, b's call (uses up b's read)
    s.send(1, at(A.ip, 41002), B); // b's second call, nothing read since: the newest read, b, is open
    for (const port of [41000, 41001, 41002]) s.recv(2, B, at(A.ip, port)).send(2, B, at(A.ip, port));
    const r = s.runCausal();
    expect(r.traces.map(linkShape)).toEqual([
      ['network:1 root', '  network:2 thread'],
      ['network:1 root', '  network:2 last-read?', '  network:2 last-read?'],
    ]);
    expect(r.diagnostics.count('orphan-request')).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { account, emptyStats, formatRecordLine, PsvParser, type LineResult } from '../../engine/model/psv-parse.js';
import { ByteScanner } from '../../engine/records/byte-scanner.js';
import { RecordColumns } from '../../engine/records/record-columns.js';
import { fixture } from '../fixtures.js';

// The byte scanner (fast path) must agree with the string parser on every line: same records,
// same fields, same bare form, same verdict on everything else.

const TRICKY = [
  '"my worker"|"7"|"9"|"0"|"uprobe:/bin/x:f"| a|b c ',
  'x|1|5|1|MT:tcp_send|sport=1 dport=2 saddr=a daddr=b',
  'x|1|5|1|MT:tcp_send|"quoted details"',
  'x |1|5|1|MT:x',
  '"x"|1|5|1|MT:x',
  '"x"|"1"|"5"|"1"|"MT:x"|',
  'x|1|5|1|MT:x   ',
  'x|1|5|1|MT:x|',
  '"a"|"1"|"2"|"3"|"p"|""',
  'x|1|5"|1|MT:x',
  '"x"|"1"|"5"|"1"|MT:x"',
  'x|1||1|MT:x',
  'x|1|660140815256|1|MT:x',
  'x|1|18446744073709551615|1|MT:x',
  'x|1|1000000000|1|MT:x',
  'x|1|999999999|1|MT:x',
  'x|1|10000000000000000000|1|MT:x',
  '"x"|"1"|"1000000001"|"1"|"MT:x"',
  'x|1|5|1|MT:x\r',
  '""|"1"|"2"|"3"|"p"',
  'x|01|0005|1|MT:x',
  'x|1|123456789012345678901|1|MT:x',
  'x|12345678901|5|1|MT:x',
  '"node"|"16026"|"6378',
  '"node"|"160"node"|"16026"|"637619005499"|"1"|"MT:tracepoint:syscalls:sys_exit_read"',
  '"node"|"1"|"2"|"0"|"MT:tcp_send"|"sport=1 dpo',
  'Attaching 3 probes...',
  'Lost 7 events',
  '@pids[1|2|3|4|5]: 1',
  '',
  'a|b|c|d|e',
  'ünï|1|2|3|MT:ç',
  'x|1|2|3|has space',
];

// Lines read again from where they end (the probe field remembered by its bytes, byte-fields.ts)
// and times read as one number up to 15 digits: each twice, so that the second takes that path.
const REPEATED = [
  '"x"|"1"|"5"|"1"|"MT:x"',
  'x|1|5|1|"MT:x"', // the quoted field's bytes in a bare line: not the remembered probe
  'x|1|5|1|MT:x',
  '"x"|"1"|"5"|"1"|MT:x', // the bare field's bytes in a quoted line
  'x|1|5|1|MT:x|d=1',
  'x|1|5|1|MT:xy',
  'x|1|5|1|MT:y',
  'x|1|5|1|Mt:x',
  'x|1|5|1|MT:x ',
  'x|1|5|1|MT:',
  'x|1|5|1|MT:tracepoint:syscalls:sys_exit_write',
  'x|1|5|1|MT:tracepoint:syscalls:sys_enter_read',
  'x|1|5|1|MT:tracepoint:syscalls:sys_exit_writx',
  'x|1|5|1|MT:tracepoint:syscalls:sys_exit_write|',
  'x|2|999999999999999|3|MT:x',
  'x|2|1000000000000000|3|MT:x',
  'x|2|9007199254740993|3|MT:x',
  'x|2|000000000000001|3|MT:x',
  'x|2|18446744073709551615|3|MT:x',
  // Times read four bytes at a time: a byte just outside the digits in each place.
  'x|2|123/5678|3|MT:x',
  'x|2|123:5678|3|MT:x',
  'x|2|1234567\x7f|3|MT:x',
  'x|2|12345678 |3|MT:x',
  'x|2|1234à678|3|MT:x',
  'x|2|12345678',
  '"x"|"2"|"12345678"|"3"|"MT:x"',
  '"x"|"2"|"1234567"|"3"|"MT:x"',
  'xy|1|5|1|MT:x', // a command that starts with the one before
  'x"|1|5|1|MT:x',
  '"x|1|5|1|MT:x',
  'x',
  'x|',
  'x|1|5|1|MT:x',
];

function viaParser(lines: string[]): { results: LineResult[]; bare: (string | null)[]; parser: PsvParser } {
  const p = new PsvParser();
  const results = lines.map((l, i) => p.parse(l, i + 1));
  return { results, bare: results.map((r) => (r.kind === 'record' ? formatRecordLine(r.record) : null)), parser: p };
}

function viaScanner(lines: string[], direct: boolean) {
  const stats = emptyStats();
  // The sorter's way (every bare line written into its buffer) and the import's (lines left in place when bare).
  const scanner = new ByteScanner(stats, direct ? { lineArena: { buf: Buffer.alloc(8), pos: 0 } } : { bareLines: true });
  const cols = new RecordColumns(4);
  const others: { line: number; kind: string }[] = [];
  const buf = Buffer.from(lines.join('\n'));
  scanner.scan(buf, buf.length, 1, cols, (res, line) => others.push({ line, kind: res.kind }));
  const recs = [];
  for (let i = 0; i < cols.n; i++) {
    const src = cols.lineSrc[i]!;
    const bare = src === 2 ? cols.bareText[cols.lineStart[i]!]! : (src === 0 ? cols.buf : cols.arena).toString('utf8', cols.lineStart[i]!, cols.lineEnd[i]!);
    const d = cols.detailsAt[i]!;
    recs.push({
      line: cols.line[i]!,
      comm: scanner.comms[cols.comm[i]!]!,
      tid: cols.tid[i]!,
      abs: scanner.base!.absString(cols.ts[i]!),
      cpu: cols.cpu[i]!,
      probe: scanner.probes.list[cols.probe[i]!]!.name,
      details: d < 0 ? '' : cols.details[d]!,
      bare,
    });
  }
  return { recs, others, stats };
}

function agree(lines: string[]): void {
  for (const direct of [false, true]) agreeOnce(lines, direct);
}

function agreeOnce(lines: string[], direct: boolean): void {
  const a = viaParser(lines);
  const b = viaScanner(lines, direct);
  const stats = emptyStats();
  a.results.forEach((r) => account(stats, r));
  expect(b.stats).toEqual(stats);
  const expected = a.results.flatMap((r, i) =>
    r.kind === 'record'
      ? [{ line: i + 1, comm: r.record.comm, tid: r.record.tid, abs: a.parser.timeBase!.absString(r.record.ts), cpu: r.record.cpu, probe: r.record.probe.name, details: r.record.details, bare: a.bare[i] }]
      : [],
  );
  expect(b.recs).toEqual(expected);
  expect(b.others).toEqual(a.results.flatMap((r, i) => (r.kind === 'record' ? [] : [{ line: i + 1, kind: r.kind }])));
}

describe('byte scanner agrees with the string parser', () => {
  it('on tricky lines, one by one and all together', () => {
    for (const l of TRICKY) if (l !== '') agree([l]); // an empty buffer has no line at all
    agree(TRICKY);
  });

  it('on lines seen before, whatever line came first', () => {
    for (const l of REPEATED) agree([l, l]);
    agree([...REPEATED, ...REPEATED]);
    agree([...REPEATED].reverse().flatMap((l) => [l, l]));
    // A time base fixed by a 20-digit time, then shorter times.
    agree(['x|2|18446744073709551615|3|MT:x', 'x|2|18446744073709551614|3|MT:x', 'x|2|999999999999999|3|MT:x']);
  });

  it('names commands in the order bundles always listed them', () => {
    // A line refused for its probe name (after its fields were read) still names its command.
    const stats = emptyStats();
    const scanner = new ByteScanner(stats);
    const buf = Buffer.from(['a|1|2|3|has space', 'b|1|2|"3"|MT:x', 'c|1|2|3|MT:x', 'a|1|2|3|MT:x', 'd|1|2|3|MT:x|"cut'].join('\n'));
    scanner.scan(buf, buf.length, 1, new RecordColumns(4), () => {});
    expect(scanner.comms).toEqual(['a', 'b', 'c', 'd']);
    expect(stats.records).toBe(3);
  });

  it('reads times of 1 to 20 digits exactly', () => {
    const times = ['7', '1', '999999999', '1000000000', '656079932715', '999999999999999', '1000000000000001', '9007199254740993', '18446744073709551615'];
    // Each with a time a little later (times are exact relative to the first record's second).
    for (const t of times) {
      const later = (BigInt(t) + 1_000_000_007n).toString();
      const b = viaScanner([`x|1|${t}|0|MT:x`, `x|1|${later}|0|MT:x`, `"x"|"1"|"${later}"|"0"|"MT:x"`], true);
      expect(b.recs.map((r) => r.abs)).toEqual([t, later, later]);
    }
  });

  it('on every line of the real captures, raw and sorted', () => {
    for (const f of ['trace.psv', 'sorted.psv'] as const) {
      const lines = readFileSync(fixture('mixed50', f), 'utf8').replace(/\n$/, '').split('\n');
      agree(lines);
    }
  });
});

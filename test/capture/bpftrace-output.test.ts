import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BpftraceOutputPump, hasRecordMaps } from '../../capture/bpftrace/bpftrace-output.js';
import { loadCatalog } from '../../capture/probes/probe-catalog.js';
import { REC_EXIT, syscallCode } from '../../capture/probes/record-codes.js';
import { cli } from '../engine/cli-harness.js';

// The pump between bpftrace's output file and the records file, as the session runs it: polled
// while bpftrace writes (lines cut anywhere), finished once bpftrace has ended.

const groups = { send: ['write'], recv: ['read'] };
const dir = mkdtempSync(join(tmpdir(), 'misertrace-pump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const exit = (map: string, tid: number, ts: number) => `@mt_${map}[${tid}, ${ts}]: (${REC_EXIT}, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, sh)\n`;
/**
 * bpftrace's output of our script run by hand: a curl write (enter at 250, exit at 300, with its
 * tcp_send) in map a, then `rest` (more of map a and its count), then an empty map b.
 */
const byHand = (rest: string) =>
  `Attaching 9 probes...\n@misertrace_attached: 5\n@mt_a[7, 300]: (${syscallCode(loadCatalog().syscalls, 'write')}, 250, 1, 0, 5000, 80, 16777343, 33559212, 0, 0, 0, 0, 4108, curl)\n${rest}\n@mt_nb: 0\n`;

describe('converting bpftrace output while it is written', () => {
  it('appends converted records at every poll, keeps a cut line for the next, converts the rest at the end', async () => {
    const from = join(dir, 'bpftrace.out');
    const to = join(dir, 'raw.psv');
    const pump = new BpftraceOutputPump(from, to, groups);
    await pump.poll(); // bpftrace has not created its file yet
    writeFileSync(from, `Attaching 9 probes...\n${exit('a', 1, 10)}@mt_na: 1\n@misertrace_attached: 5   \n${exit('b', 2, 20).slice(0, 9)}`);
    await pump.poll();
    expect(readFileSync(to, 'utf8')).toBe('Attaching 9 probes...\nsh|1|10|1|MT:sched_process_exit|"pid=1"\n@misertrace_attached: 5   \n');
    appendFileSync(from, `${exit('b', 2, 20).slice(9)}\n@mt_nb: 3\n\n@mt_na: 0\n${exit('a', 3, 30)}`);
    await pump.poll();
    expect(readFileSync(to, 'utf8').split('\n').slice(3)).toEqual(['sh|2|20|1|MT:sched_process_exit|"pid=2"', 'Lost 2 events', '']);
    // Killed mid-dump: the entry without its count is still converted, the cut line is dropped.
    appendFileSync(from, '@mt_a[4, 4');
    expect(await pump.finish()).toEqual({ cutBytes: 10 });
    expect(readFileSync(to, 'utf8').split('\n').slice(5)).toEqual(['sh|3|30|1|MT:sched_process_exit|"pid=3"', '']);
    expect(pump.stats).toEqual({ entries: 3, mapLost: 2, malformed: 0, unresolved: 0 });
    await pump.poll(); // a late poll after finish does nothing
  });

  it('tells record map output from records', async () => {
    const maps = join(dir, 'maps.out');
    const records = join(dir, 'records.psv');
    writeFileSync(maps, `Attaching 9 probes...\n@misertrace_attached: 5\n\n@mt_na: 0\n`);
    writeFileSync(records, `Attaching 9 probes...\n@misertrace_attached: 5\nsh|1|10|1|MT:sched_process_exit|"pid=1"\n@pids[1]: 1\n`);
    expect([await hasRecordMaps(maps), await hasRecordMaps(records)]).toEqual([true, false]);
  });

  it('misertrace sort converts a capture by hand (record map dumps) before sorting, and says what was lost', async () => {
    const input = join(dir, 'trace.psv');
    writeFileSync(input, byHand(`${exit('a', 7, 100)}@mt_na: 4\nsh|9|200|0|tracepoint:sched:sched_switch|"prev_state=0 next_pid=0"\n`));
    const r = await cli('sort', '-i', input, '-o', join(dir, 'sorted.psv'));
    expect(r.stderr).toMatch(/converted bpftrace's record maps: 2 entries, 2 lost \(map full/);
    expect(r.stderr).toMatch(/sorted 5 records .*lost events: 2/);
    expect(readFileSync(join(dir, 'sorted.psv'), 'utf8').trim().split('\n')).toEqual([
      'sh|7|100|1|MT:sched_process_exit|pid=7',
      'sh|9|200|0|tracepoint:sched:sched_switch|prev_state=0 next_pid=0',
      'curl|7|250|1|MT:sys_enter_write',
      'curl|7|250|1|MT:tcp_send|sport=5000 dport=80 saddr=127.0.0.1 daddr=172.18.0.2',
      'curl|7|300|0|MT:sys_exit_write|ret=12',
    ]);
    expect(readdirSync(dir).filter((f) => f.includes('.records-'))).toEqual([]);
  });

  it('misertrace bundle import converts record map dumps too (not read as bpftrace lines and dropped)', async () => {
    const input = join(dir, 'import.psv');
    writeFileSync(input, byHand(`${exit('a', 7, 400)}@mt_na: 2\n`));
    const meta = join(dir, 'import.meta');
    writeFileSync(meta, '7|app|172.18.0.5|abc\n');
    const out = join(dir, 'import.mstrace');
    const r = await cli('bundle', 'import', '-i', input, '-m', meta, '-g', '172.18.0.1', '-o', out);
    expect(r.stderr).toMatch(/converted bpftrace's record maps: 2 entries/);
    expect(r.stderr).toMatch(/from 4 records/);
    expect(readdirSync(dir).filter((f) => f.includes('.records-'))).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustomProbeError, isKprobe, parseCustomProbes, tracepointOf } from '../../capture/probes/custom-probes.js';
import { findProbesDir } from '../../capture/probes/probe-catalog.js';

describe('custom probes in the original format', () => {
  it('splits blocks with predicates, braces inside strings and comments, and preprocessor lines', () => {
    const text = `#include <linux/sched.h>
// a comment with { braces }
tracepoint:sched:sched_migrate_task,
tracepoint:sched:sched_wakeup
/@pids[tid] == 1 && args->prio > 100/
{
    /* CUSTOM_CODE: { not a brace } */
    if (args->prio > 120) { @n++; }
    printf("%s|%d|%llu|%d|%s|\\"x={}\\"\\n", comm, tid, nsecs, cpu, probe);
}

kprobe:tcp_sendmsg { printf("%s|%d|%llu|%d|%s\\n", comm, tid, nsecs, cpu, probe); }
`;
    const f = parseCustomProbes(text, 'my.bt');
    expect(f.preamble).toEqual(['#include <linux/sched.h>']);
    expect(f.probes).toHaveLength(2);
    expect(f.probes[0]!.attachPoints).toEqual(['tracepoint:sched:sched_migrate_task', 'tracepoint:sched:sched_wakeup']);
    expect(f.probes[0]!.predicate).toBe('@pids[tid] == 1 && args->prio > 100');
    expect(f.probes[0]!.line).toBe(3);
    expect(f.probes[0]!.body).toContain('if (args->prio > 120) { @n++; }');
    expect(f.probes[1]!.attachPoints).toEqual(['kprobe:tcp_sendmsg']);
    expect(f.probes[1]!.predicate).toBeNull();
    expect(f.warnings).toEqual(['my.bt:12: kprobe:tcp_sendmsg has no @pids[...] predicate: it records events of every process on the host']);
  });

  it('refuses the unfilled template, BEGIN/END, the record maps, and unbalanced braces, naming the line', () => {
    const template = readFileSync(join(findProbesDir(), 'custom-probe-template.bt'), 'utf8');
    expect(() => parseCustomProbes(template, 't.bt')).toThrow(CustomProbeError);
    expect(() => parseCustomProbes(template, 't.bt')).toThrow(/t\.bt:\d+: CUSTOM_EVENT is still a placeholder/);
    expect(() => parseCustomProbes('BEGIN { @x = 1; }', 'b.bt')).toThrow("b.bt:1: BEGIN blocks are the capture script's own");
    expect(() => parseCustomProbes('\n\ntracepoint:a:b { if (1) { }', 'u.bt')).toThrow('u.bt:3: the probe body is not closed with "}"');
    expect(() => parseCustomProbes('\ntracepoint:a:b /@pids[tid] == 1/ { clear(@mt_a); }', 'r.bt')).toThrow("r.bt:2: maps named @mt_... are the capture script's record maps");
  });

  it('warns about more than one printf per probe', () => {
    const f = parseCustomProbes('tracepoint:a:b /@pids[tid] == 1/ { printf("a\\n"); printf("b\\n"); }', 'm.bt');
    expect(f.warnings).toEqual(['m.bt:1: 2 printf calls in one probe; their lines may be separated under load (use one printf)']);
  });

  it('knows tracepoints and kprobes by their attach point', () => {
    expect(tracepointOf('tracepoint:sched:sched_switch')).toBe('sched:sched_switch');
    expect(tracepointOf('t:block:*')).toBe('block:*');
    expect(tracepointOf('interval:s:1')).toBeNull();
    expect(isKprobe('kretprobe:vfs_read')).toBe(true);
    expect(isKprobe('uprobe:/bin/sh:main')).toBe(false);
  });

  it('the ready-made optional probes are valid custom probes filtered to traced threads', () => {
    const dir = findProbesDir();
    // sched-switch.bt has two blocks: a record for each traced side of the switch (ADR 0090).
    for (const [f, blocks] of [['sched-migrate-task.bt', 1], ['page-fault-user.bt', 1], ['block-io.bt', 1], ['sched-switch.bt', 2], ['sched-wakeup.bt', 1]] as const) {
      const parsed = parseCustomProbes(readFileSync(join(dir, 'optional', f), 'utf8'), f);
      expect(parsed.probes).toHaveLength(blocks);
      expect(parsed.warnings).toEqual([]);
    }
  });
});

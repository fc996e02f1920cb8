import { describe, expect, it } from 'vitest';
import { defaultCountColumns, defaultCountLabel, parseCountSpec } from '../../engine/figure/count-columns.js';
import { parseDurationNs, parseLabelFields, parseLength, parseRenames, parseWindow } from '../../engine/figure/figure-options.js';
import { TOTAL_COUNT_PROBE, type SpanCounts } from '../../engine/figure/layout-types.js';
import { niceStep, timeAxis } from '../../engine/figure/time-axis.js';
import { InputError } from '../../engine/model/meta.js';

describe('time axis', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect([0.3, 1, 1.5, 3, 7, 12, 99, 101, 4_000_001].map(niceStep)).toEqual([1, 1, 2, 5, 10, 20, 100, 200, 5_000_000]);
  });

  it('labels in one unit with just the decimals the step needs', () => {
    const a = timeAxis({ start: 1000, end: 1000 + 2_500_000 }, 1000, 900 / 2_500_000, 900, 'Time since request start');
    expect(a.unit).toBe('ms');
    expect(a.stepNs).toBe(500_000);
    expect(a.ticks.map((t) => t.label)).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0', '2.5']);
    expect(a.title).toBe('Time since request start (ms)');
  });

  it('uses ns and µs for short windows, and counts from the origin, not the window', () => {
    expect(timeAxis({ start: 0, end: 800 }, 0, 1, 800, 'T').unit).toBe('ns');
    const us = timeAxis({ start: 10_000, end: 12_000 }, 0, 0.45, 900, 'T');
    expect(us.unit).toBe('µs');
    expect(us.ticks[0]!.label).toBe('10.0');
    expect(us.ticks[0]!.x).toBe(0);
    const before = timeAxis({ start: -2000, end: 2000 }, 0, 0.2, 800, 'T');
    expect(before.ticks.map((t) => t.label)).toEqual(['-2.0', '-1.5', '-1.0', '-0.5', '0.0', '0.5', '1.0', '1.5', '2.0']);
  });
});

describe('count columns', () => {
  const probes = ['MT:tcp_send', 'tracepoint:sched:sched_migrate_task', 'tracepoint:exceptions:page_fault_user', 'tracepoint:sched:sched_switch', 'kprobe:sched_switch'];
  const counts: (SpanCounts | undefined)[] = [{ total: 5, byProbe: { 'MT:tcp_send': 2, 'tracepoint:exceptions:page_fault_user': 3 } }, undefined, { total: 1, byProbe: { 'tracepoint:sched:sched_migrate_task': 1 } }];

  it('default to the user probes that occur, ordered by label', () => {
    expect(defaultCountColumns(counts)).toEqual([
      { probe: 'tracepoint:sched:sched_migrate_task', label: 'Migrations' },
      { probe: 'tracepoint:exceptions:page_fault_user', label: 'User page faults' },
    ]);
    expect(defaultCountLabel('uprobe:/bin/x:do_work')).toBe('do_work');
  });

  it('parse a selection by full name or unique suffix, with optional labels', () => {
    expect(parseCountSpec('sched_migrate_task=Migr.,total,page_fault_user', probes, counts)).toEqual([
      { probe: 'tracepoint:sched:sched_migrate_task', label: 'Migr.' },
      { probe: TOTAL_COUNT_PROBE, label: 'Events' },
      { probe: 'tracepoint:exceptions:page_fault_user', label: 'User page faults' },
    ]);
    expect(parseCountSpec('none', probes, counts)).toEqual([]);
    expect(parseCountSpec('user', probes, counts)).toEqual(defaultCountColumns(counts));
    expect(parseCountSpec('kprobe:sched_switch', probes, counts)[0]!.probe).toBe('kprobe:sched_switch');
  });

  it('refuse unknown or ambiguous probes with a hint', () => {
    expect(() => parseCountSpec('nope', probes, counts)).toThrow(InputError);
    expect(() => parseCountSpec('nope', probes, counts)).toThrow(/no probe named "nope"/);
    expect(() => parseCountSpec('sched_switch', probes, counts)).toThrow(/several probes/);
  });
});

describe('figure option parsing', () => {
  it('reads lengths with units at 96 px per inch', () => {
    expect(parseLength('7in', 'w')).toEqual({ px: 672, unit: 'in' });
    expect(parseLength('960', 'w')).toEqual({ px: 960, unit: 'px' });
    expect(parseLength('72pt', 'w').px).toBe(96);
    expect(parseLength('25.4mm', 'w').px).toBeCloseTo(96, 9);
    expect(() => parseLength('7 inches', '--width')).toThrow(/--width "7 inches" is not a length/);
  });

  it('reads durations and windows', () => {
    expect(parseDurationNs('2.5ms')).toBe(2_500_000);
    expect(parseDurationNs('250us')).toBe(250_000);
    expect(parseDurationNs('3µs')).toBe(3000);
    expect(parseDurationNs('42')).toBe(42);
    expect(parseWindow('2ms..10ms')).toEqual({ start: 2_000_000, end: 10_000_000 });
    expect(parseWindow('..5ms')).toEqual({ start: null, end: 5_000_000 });
    expect(() => parseWindow('5ms..2ms')).toThrow(/ends before it starts/);
    expect(() => parseWindow('5ms')).toThrow(/START..END/);
  });

  it('reads label fields and renames', () => {
    expect(parseLabelFields('tid,duration')).toEqual(['tid', 'duration']);
    expect(parseLabelFields('none')).toEqual([]);
    expect(() => parseLabelFields('tid,colour')).toThrow(/unknown label field "colour"/);
    expect(parseRenames('a=Alpha, b=Beta')).toEqual({ a: 'Alpha', b: 'Beta' });
    expect(() => parseRenames('a')).toThrow(/CONTAINER=NAME/);
  });
});

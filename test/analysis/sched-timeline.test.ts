import { describe, expect, it } from 'vitest';
import { leftRunnable, SCHED_PROBES, SchedTimelines } from '../../engine/analysis/sched-timeline.js';

// Hand-made scheduler streams whose split is worked out by hand (ADR 0090): a switch-out says
// the thread ran until then, a switch-in that it waited for a CPU, a wakeup that it slept.

const names = [SCHED_PROBES.switch, SCHED_PROBES.wakeup, SCHED_PROBES.fault, 'MT:sock_send'];

/** Thread 7: runnable until 100, on CPU 0 to 300, asleep (S) to 700, woken, on CPU 1 at 750, preempted at 900, back at 1000; a fault at 800. */
function thread7(): SchedTimelines {
  const t = new SchedTimelines(names);
  t.recordSwitch(7, 100, 0, 0x100, 7); // switched in (next_pid is the thread)
  t.recordSwitch(7, 300, 0, 1, 42); // leaves asleep (S)
  t.recordWakeup(7, 700);
  t.recordSwitch(7, 750, 1, 0, 7); // back, on another CPU: a migration
  t.recordFault(7, 800);
  t.recordSwitch(7, 900, 1, 0x100, 42); // preempted: runnable
  t.recordSwitch(7, 1000, 1, 1, 7);
  return t;
}

describe('a thread\'s on-CPU / runnable / blocked split', () => {
  it('over the whole stream, with the states before the first and after the last record', () => {
    expect(thread7().split(7, 0, 1200)).toEqual({ onCpuNs: 200 + 150 + 200, runnableNs: 100 + 50 + 100, blockedNs: 400, faults: 1, migrations: 1 });
  });

  it('over a window inside it: each state clipped to the window, point events at its ends counted', () => {
    expect(thread7().split(7, 200, 800)).toEqual({ onCpuNs: 100 + 50, runnableNs: 50, blockedNs: 400, faults: 1, migrations: 1 });
    expect(thread7().split(7, 800, 850)).toEqual({ onCpuNs: 50, runnableNs: 0, blockedNs: 0, faults: 1, migrations: 0 });
    expect(thread7().split(7, 301, 699)).toEqual({ onCpuNs: 0, runnableNs: 0, blockedNs: 398, faults: 0, migrations: 0 });
  });

  it('a window before the first record takes the state the first record says it left', () => {
    const t = new SchedTimelines(names);
    t.recordWakeup(3, 500); // was asleep before
    t.recordSwitch(3, 600, 2, 0x100, 3);
    expect(t.split(3, 100, 400)).toEqual({ onCpuNs: 0, runnableNs: 0, blockedNs: 300, faults: 0, migrations: 0 });
    expect(t.split(3, 100, 700)).toEqual({ onCpuNs: 100, runnableNs: 100, blockedNs: 400, faults: 0, migrations: 0 });
    const s = new SchedTimelines(names);
    s.recordSwitch(4, 500, 0, 2, 9); // left in D: it ran before
    s.recordSwitch(9, 500, 0, 2, 9); // (the other side: the capture records threads taking a CPU)
    expect(s.split(4, 0, 1000)).toEqual({ onCpuNs: 500, runnableNs: 0, blockedNs: 500, faults: 0, migrations: 0 });
  });

  it('a wakeup of a thread still on its CPU (woken before it slept) changes nothing', () => {
    const t = new SchedTimelines(names);
    t.recordSwitch(5, 0, 0, 0, 5);
    t.recordWakeup(5, 50);
    t.recordSwitch(5, 100, 0, 1, 9);
    expect(t.split(5, 0, 100)).toEqual({ onCpuNs: 100, runnableNs: 0, blockedNs: 0, faults: 0, migrations: 0 });
  });

  it('threads are apart; a thread without scheduler records has no split', () => {
    const t = thread7();
    t.recordSwitch(8, 500, 3, 1, 7);
    expect(t.split(8, 0, 1000)).toEqual({ onCpuNs: 500, runnableNs: 0, blockedNs: 500, faults: 0, migrations: 0 });
    expect(t.split(7, 0, 1200)!.onCpuNs).toBe(550);
    expect(t.split(9, 0, 1000)).toBeNull();
  });

  it('reads record columns as the bundle gives them, and counts unreadable switch details', () => {
    const t = new SchedTimelines(names);
    const details = ['prev_state=0 next_pid=7', 'prev_state=1 next_pid=3', 'len=9', 'garbage'];
    t.add({
      n: 5,
      tid: [7, 7, 7, 7, 7],
      ts: [10, 20, 30, 40, 50],
      cpu: [0, 0, 0, 0, 0],
      probe: [0, 3, 0, 1, 0],
      detailsAt: [0, 2, 1, -1, 3],
      details,
    });
    expect(t.unreadable).toBe(1);
    expect(t.split(7, 0, 60)).toEqual({ onCpuNs: 20, runnableNs: 10 + 20, blockedNs: 10, faults: 0, migrations: 0 });
  });

  it('a capture whose switches are only threads leaving the CPU (older captures, the original tool\'s) gets no split', () => {
    const t = new SchedTimelines(names);
    t.recordSwitch(5, 100, 0, 1, 9);
    t.recordWakeup(5, 200);
    t.recordSwitch(5, 400, 0, 1, 9);
    expect(t.sawSwitchIn).toBe(false);
    expect(t.split(5, 0, 500)).toBeNull();
  });

  it('a span that ends before it starts is split over the same interval', () => {
    expect(thread7().split(7, 800, 200)).toEqual(thread7().split(7, 200, 800));
  });

  it('no sched_switch probe: no timelines', () => {
    expect(SchedTimelines.forProbes(['MT:sock_send', SCHED_PROBES.wakeup])).toBeNull();
    expect(SchedTimelines.forProbes(names)).not.toBeNull();
  });

  it('prev_state: running or preempted is runnable, any sleep bit is blocked', () => {
    expect([0, 0x100, 1, 2, 0x80, 0x102].map(leftRunnable)).toEqual([true, true, false, false, false, false]);
  });
});

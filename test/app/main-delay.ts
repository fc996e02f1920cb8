import { monitorEventLoopDelay } from 'node:perf_hooks';

// How long main's event loop is held while some work runs, for the responsiveness tests
// (docs/adr/0055): this thread stands in for Electron's main process.

export interface MainDelay {
  /** monitorEventLoopDelay's longest wait, ms: main's own work plus the scheduler's share. */
  maxDelay: number;
  /** The most time the loop was busy (eventLoopUtilization's active ms) between two 5 ms ticks: main's own work. */
  maxBusy: number;
}

/**
 * How long main's event loop waited while `work` ran. On a shared 2-core machine a thread that is
 * not scheduled for 100 ms shows as a 100 ms delay with an idle loop; only a delay during which
 * the loop was busy is main blocking, so the busy time between ticks is measured too.
 */
export async function mainDelayDuring(work: () => Promise<unknown>): Promise<MainDelay> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  let last = performance.eventLoopUtilization();
  let maxBusy = 0;
  const tick = setInterval(() => {
    const now = performance.eventLoopUtilization();
    maxBusy = Math.max(maxBusy, performance.eventLoopUtilization(now, last).active);
    last = now;
  }, 5);
  h.enable();
  try {
    await work();
  } finally {
    h.disable();
    clearInterval(tick);
  }
  // A final stretch that ended with the work is not seen by the last tick: count it too.
  maxBusy = Math.max(maxBusy, performance.eventLoopUtilization(performance.eventLoopUtilization(), last).active);
  return { maxDelay: h.max / 1e6, maxBusy };
}

export const formatDelay = (d: MainDelay): string => `max delay ${d.maxDelay.toFixed(1)} ms, longest busy ${d.maxBusy.toFixed(1)} ms`;

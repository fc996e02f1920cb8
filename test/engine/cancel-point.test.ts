import { describe, expect, it } from 'vitest';
import { CancelledError, CancelPoint } from '../../engine/records/line-reader.js';

// Long synchronous work (the span generator on a pathological capture) must let a cancel in:
// a signal handler or a worker's cancel message runs only when the event loop turns.

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: synchronous work, as the generator's feed loop is
  }
}

describe('CancelPoint', () => {
  it('lets a timer abort a synchronous loop that would otherwise never end', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    const cancel = new CancelPoint(ctl.signal, 10);
    let steps = 0;
    const loop = async () => {
      for (;;) {
        busy(1);
        steps++;
        if (cancel.due()) await cancel.pause();
      }
    };
    // Without the pauses the timer could never fire and the loop would never end.
    await expect(loop()).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBeGreaterThan(0);
  });

  it('is not due before its interval, and pausing without a cancel goes on', async () => {
    const cancel = new CancelPoint(new AbortController().signal, 60_000);
    expect(cancel.due()).toBe(false);
    await expect(cancel.pause()).resolves.toBeUndefined();
  });
});

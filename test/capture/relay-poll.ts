import type { FtraceRelay } from '../../capture/ftrace/ftrace-relay.js';

// The live ftrace tests wait for something the relay steers (a filter written, learning switched):
// the relay only acts when polled, as the capture session polls it.

/** Polls `relay` every 100 ms until `cond` holds; throws after `ms` naming `what`. */
export async function pollUntil(relay: FtraceRelay, what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await relay.poll();
    await new Promise((r) => setTimeout(r, 100));
  }
}

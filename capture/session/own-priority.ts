import { getPriority, setPriority } from 'node:os';

// Once the probes are attached, `misertrace capture` runs below the application it traces
// (docs/adr/0107). Its main thread counts the helper's pages for the live figures (about 10 ms of
// CPU a second under /stock's load, in a burst each second); at the normal priority such a burst
// takes half of a CPU from the application's threads for a few ms, which is what a p99 shows.
// The helper's read rounds already run at nice 10 (ADR 0071). On Linux this changes the calling
// thread only, and it is done after the child started, so neither the elevated child nor
// libuv's I/O threads inherit it; an unprivileged process cannot come back up, so it is not
// done in the app, whose main process must stay responsive.

export const CAPTURE_NICE = 10;

/** The calling thread's nice value raised to CAPTURE_NICE (never lowered); false when the OS refused. */
export function runBelowTracedApp(nice = CAPTURE_NICE): boolean {
  try {
    if (getPriority(0) < nice) setPriority(0, nice);
    return true;
  } catch {
    return false;
  }
}

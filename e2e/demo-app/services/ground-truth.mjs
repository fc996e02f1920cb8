// Ground truth for the accuracy harness (e2e/accuracy): every service we write records, per
// request id (the load generator's X-Request-Id, passed on downstream), the thread that handled
// it and CLOCK_MONOTONIC times (process.hrtime.bigint() is clock_gettime(CLOCK_MONOTONIC) on
// Linux, the capture's trace_clock) of the handler and of each downstream call.
// The records stay in memory and are read after the capture (GET /__gt, or the kvstore's __GT
// command): writing them out during the run would add system calls to the very threads traced.

const records = [];
const LIMIT = 200_000;

export const now = () => process.hrtime.bigint().toString();

/** JavaScript runs on the main thread, whose namespaced tid is the process id. */
export const handlerTid = () => process.pid;

export function record(rec) {
  if (records.length < LIMIT) records.push(rec);
}

/** All records so far, as JSON lines; the buffer is emptied. */
export function drain() {
  return records.splice(0).map((r) => JSON.stringify(r)).join('\n');
}

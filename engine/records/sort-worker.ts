import { parentPort } from 'node:worker_threads';
import { sortSegment, type SegmentJob } from './sort-segment.js';

// The sorter's thread (sort-threads.ts): sorts the segments it is sent, one at a time, and hands
// the sorted bytes back without copying them (their buffers are transferred).

parentPort!.on('message', (job: SegmentJob) => {
  try {
    const r = sortSegment(job);
    const moved: ArrayBuffer[] = [r.cpuEnds.buffer as ArrayBuffer];
    if (r.bytes) moved.push(r.bytes.buffer as ArrayBuffer, r.ts!.buffer as ArrayBuffer, r.ends!.buffer as ArrayBuffer);
    parentPort!.postMessage({ ok: r }, moved);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort!.postMessage({ error: { message: err.message ?? String(e), ...(err.code ? { code: err.code } : {}) } });
  }
});

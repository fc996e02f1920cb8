import { throwIfCancelled } from './line-reader.js';
import type { ByteOutput } from './byte-output.js';
import type { Run } from './sort-run.js';

// Merges sorted runs (in file order) into one stable time order. A raw capture is close to time
// order already, so runs cut from it overlap only near their edges: the run with the earliest
// head gives every record before the next run's head at once, and that stretch of lines is one
// copy (one write when large), instead of one heap step and one copy per record. Ties go to the
// earlier run, so equal times keep file order. Few runs (a handful): the heads are scanned, not heaped.

export async function mergeRuns(runs: Run[], out: ByteOutput, opts: { signal?: AbortSignal; onRecords?: (n: number) => void } = {}): Promise<void> {
  const live: Run[] = [];
  const order: number[] = [];
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k]!;
    if (r.n > r.i || (await r.next())) {
      live.push(r);
      order.push(k);
    }
  }
  let written = 0;
  let nextReport = 1 << 16;
  while (live.length > 0) {
    // The earliest head (first in file order on ties), and the head after it.
    let best = 0;
    let bestTs = live[0]!.ts[live[0]!.i]! + live[0]!.offset;
    let secondTs = Infinity;
    let secondK = Infinity;
    for (let x = 1; x < live.length; x++) {
      const r = live[x]!;
      const t = r.ts[r.i]! + r.offset;
      if (t < bestTs) {
        secondTs = bestTs;
        secondK = order[best]!;
        best = x;
        bestTs = t;
      } else if (t < secondTs) {
        secondTs = t;
        secondK = order[x]!;
      }
    }
    const r = live[best]!;
    const k = order[best]!;
    const { ts, offset, n } = r;
    // Everything of r before the second head; at the second head's time too when r comes first in the file.
    let j = r.i + 1;
    if (k < secondK) while (j < n && ts[j]! + offset <= secondTs) j++;
    else while (j < n && ts[j]! + offset < secondTs) j++;
    const wrote = r.put(out, r.i, j);
    if (wrote !== undefined) await wrote;
    written += j - r.i;
    r.i = j;
    if (j === n && !(await r.next())) {
      live.splice(best, 1);
      order.splice(best, 1);
    }
    if (written >= nextReport) {
      nextReport = written + (1 << 16);
      throwIfCancelled(opts.signal);
      opts.onRecords?.(written);
    }
  }
  await out.flush();
}

import { MinHeap } from './min-heap.js';

// bpftrace's output is in order per CPU: the stable time order of n records is a k-way merge of
// their per-CPU sequences (O(n log k)), ties broken by position (file order). A CPU whose own
// records are out of order is sorted first (stably) and counted.

export function cpuMergeOrder(ts: Float64Array, cpu: Int32Array, n: number): { order: Int32Array; disorder: number } {
  const byCpu = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let l = byCpu.get(cpu[i]!);
    if (l === undefined) byCpu.set(cpu[i]!, (l = []));
    l.push(i);
  }
  const lists = [...byCpu.values()];
  let disorder = 0;
  for (const l of lists) {
    let sorted = true;
    for (let k = 1; k < l.length; k++) {
      if (ts[l[k]!]! < ts[l[k - 1]!]!) {
        sorted = false;
        disorder++;
      }
    }
    if (!sorted) l.sort((a, b) => ts[a]! - ts[b]! || a - b);
  }
  const pos = new Int32Array(lists.length);
  const head = (li: number) => lists[li]![pos[li]!]!;
  const heap = new MinHeap((a, b) => {
    const ia = head(a);
    const ib = head(b);
    return ts[ia]! < ts[ib]! || (ts[ia] === ts[ib] && ia < ib);
  });
  for (let li = 0; li < lists.length; li++) heap.push(li);
  const order = new Int32Array(n);
  let o = 0;
  while (heap.size > 0) {
    const li = heap.peek();
    order[o++] = head(li);
    pos[li]!++;
    if (pos[li]! < lists[li]!.length) heap.replaceTop(li);
    else heap.pop();
  }
  return { order, disorder };
}

import { MinHeap } from './min-heap.js';

// bpftrace's output is in order per CPU: the stable time order of n records is a k-way merge of
// their per-CPU sequences (O(n log k)), ties broken by position (file order). A CPU whose own
// records are out of order is sorted first (stably) and counted.

export function cpuMergeOrder(ts: Float64Array, cpu: Int32Array, n: number): { order: Int32Array; disorder: number } {
  // Positions of each CPU's records, in typed arrays (two passes: count, then fill).
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(cpu[i]!, (counts.get(cpu[i]!) ?? 0) + 1);
  const slot = new Map<number, number>();
  const lists: Int32Array[] = [];
  for (const [c, k] of counts) {
    slot.set(c, lists.length);
    lists.push(new Int32Array(k));
  }
  const fill = new Int32Array(lists.length);
  for (let i = 0; i < n; i++) {
    const li = slot.get(cpu[i]!)!;
    lists[li]![fill[li]!++] = i;
  }
  let disorder = 0;
  lists.forEach((l, li) => {
    let sorted = true;
    for (let k = 1; k < l.length; k++) {
      if (ts[l[k]!]! < ts[l[k - 1]!]!) {
        sorted = false;
        disorder++;
      }
    }
    if (!sorted) lists[li] = Int32Array.from([...l].sort((a, b) => ts[a]! - ts[b]! || a - b));
  });
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

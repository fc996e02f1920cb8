import { MinHeap } from './min-heap.js';

// bpftrace's output is in order per CPU: the stable time order of n records is a k-way merge of
// their per-CPU sequences (O(n log k)), ties broken by position (file order). A CPU whose own
// records are out of order is sorted first (stably) and counted.

export function cpuMergeOrder(ts: Float64Array, cpu: Int32Array, n: number): { order: Int32Array; disorder: number } {
  const lists = cpuLists(cpu, n);
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
    // The top CPU gives its records up to the next CPU's head at once: bpftrace prints a CPU's
    // records in stretches, so the heap moves once a stretch, not once a record.
    const li = heap.peek();
    const l = lists[li]!;
    let p = pos[li]!;
    const s = heap.second();
    if (s < 0) while (p < l.length) order[o++] = l[p++]!;
    else {
      const h2 = head(s);
      const t2 = ts[h2]!;
      do order[o++] = l[p++]!;
      while (p < l.length && (ts[l[p]!]! < t2 || (ts[l[p]!] === t2 && l[p]! < h2)));
    }
    pos[li] = p;
    if (p < l.length) heap.replaceTop(li);
    else heap.pop();
  }
  return { order, disorder };
}

/** Each CPU's positions in file order, CPUs in order of first appearance. */
function cpuLists(cpu: Int32Array, n: number): Int32Array[] {
  // CPU numbers are small: counted in an array by number; a Map for odd ones (two passes: count, then fill).
  let small = true;
  for (let i = 0; i < n && small; i++) small = cpu[i]! >= 0 && cpu[i]! < 4096;
  const slot = small ? new Int32Array(4096).fill(-1) : null;
  const slots = new Map<number, number>();
  const at = new Int32Array(n);
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cpu[i]!;
    let li = slot !== null ? slot[c]! : (slots.get(c) ?? -1);
    if (li < 0) {
      li = counts.length;
      counts.push(0);
      if (slot !== null) slot[c] = li;
      else slots.set(c, li);
    }
    at[i] = li;
    counts[li]!++;
  }
  const lists = counts.map((k) => new Int32Array(k));
  const fill = new Int32Array(lists.length);
  for (let i = 0; i < n; i++) {
    const li = at[i]!;
    lists[li]![fill[li]!++] = i;
  }
  return lists;
}

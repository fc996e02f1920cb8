import type { KeyedState } from './state.js';

// A thread's parked states (REQUEST-MODEL section 3) with the lookups the generator makes, so
// that it never scans them all. Parked states are only dropped when a later request of their own
// source and trace arrives, so on a keep-alive event-loop thread they pile up with every request:
// scanning them on each send and receive made the original model quadratic (a 10 s wrk capture
// did not finish). The key of an entry always encodes (source, trace, ip, port), so every scan
// the model makes is a lookup by source and trace, or over the roots (source none).

const NONE: Iterable<[string, KeyedState]> = [];
const bucketOf = (e: KeyedState) => `${e.source === null ? 'n' : e.source.uid}|${e.traceId}`;

export class ParkedStates {
  /** Insertion-ordered, as a Map: what iterates over all of them sees the original's order. */
  private readonly all = new Map<string, KeyedState>();
  private readonly bySourceTrace = new Map<string, Map<string, KeyedState>>();
  private readonly rootKeys = new Map<string, KeyedState>();

  get size(): number {
    return this.all.size;
  }

  set(key: string, e: KeyedState): void {
    this.all.set(key, e);
    const b = bucketOf(e);
    let m = this.bySourceTrace.get(b);
    if (m === undefined) {
      m = new Map();
      this.bySourceTrace.set(b, m);
    }
    m.set(key, e);
    if (e.source === null) this.rootKeys.set(key, e);
  }

  delete(key: string): void {
    const e = this.all.get(key);
    if (e === undefined) return;
    this.all.delete(key);
    const b = bucketOf(e);
    const m = this.bySourceTrace.get(b)!;
    m.delete(key);
    if (m.size === 0) this.bySourceTrace.delete(b);
    this.rootKeys.delete(key);
  }

  get(key: string): KeyedState | undefined {
    return this.all.get(key);
  }

  values(): IterableIterator<KeyedState> {
    return this.all.values();
  }

  clear(): void {
    this.all.clear();
    this.bySourceTrace.clear();
    this.rootKeys.clear();
  }

  /** Entries whose source is `sourceKey` ('n' or a thread uid) and trace is `traceId` (deleting them while iterating is safe). */
  ofSourceTrace(sourceKey: string | number, traceId: number): Iterable<[string, KeyedState]> {
    return this.bySourceTrace.get(`${sourceKey}|${traceId}`) ?? NONE;
  }

  /** All entries, a copy (for a scan that deletes). */
  entries(): [string, KeyedState][] {
    return [...this.all];
  }

  /** Root entries (source none): [key, state], a copy, in insertion order. */
  roots(): [string, KeyedState][] {
    return [...this.rootKeys];
  }
}

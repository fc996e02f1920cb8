import type { Connection } from './connection.js';

// The connections in use, by key, in the order of their last use (least recent first): what a
// Map gave by deleting and setting a connection again on each use, without that churn (every
// I/O event rewrote its entry, and the Map's table was rebuilt every few thousand events: a
// tenth of the model's allocations). The order is a list through the connections themselves.

export class ConnectionTable {
  private readonly byKey = new Map<string, Connection>();
  /** Least recently used; `tail` the most recently used. */
  private head: Connection | null = null;
  private tail: Connection | null = null;

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Connection | undefined {
    return this.byKey.get(key);
  }

  /** The least recently used connection (then follow `lruNext`). */
  get oldest(): Connection | null {
    return this.head;
  }

  /** `c` under `key`, as the most recently used; the connection that was there is dropped. */
  add(key: string, c: Connection): void {
    const old = this.byKey.get(key);
    if (old !== undefined) this.unlink(old);
    this.byKey.set(key, c);
    this.append(c);
  }

  /** `c` (in the table) is now the most recently used. */
  touch(c: Connection): void {
    if (this.tail === c) return;
    this.unlink(c);
    this.append(c);
  }

  remove(c: Connection): void {
    this.byKey.delete(c.key);
    this.unlink(c);
  }

  /** Least recently used first. */
  *values(): Generator<Connection> {
    for (let c = this.head; c !== null; c = c.lruNext) yield c;
  }

  private append(c: Connection): void {
    c.lruPrev = this.tail;
    c.lruNext = null;
    if (this.tail === null) this.head = c;
    else this.tail.lruNext = c;
    this.tail = c;
  }

  private unlink(c: Connection): void {
    if (c.lruPrev === null) this.head = c.lruNext;
    else c.lruPrev.lruNext = c.lruNext;
    if (c.lruNext === null) this.tail = c.lruPrev;
    else c.lruNext.lruPrev = c.lruPrev;
    c.lruPrev = null;
    c.lruNext = null;
  }
}

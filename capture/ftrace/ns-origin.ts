// Exact kernel timestamps without a BigInt per event. CLOCK_MONOTONIC ns pass 2^53 after 104
// days of uptime, so an event's time is kept as a Number offset from an origin (a whole second,
// a minute before the first page read): exact for 104 days of capture, cheap to compare and add.
// Printing puts seconds and nanoseconds together as decimal text, as bpftrace prints nsecs.

export class NsOrigin {
  private originNs: bigint | null;
  private sec = 0;

  constructor(origin: bigint | null = null) {
    this.originNs = null;
    if (origin !== null) this.set(origin);
  }

  get ready(): boolean {
    return this.originNs !== null;
  }

  /** The origin, ns (a whole second). */
  get ns(): bigint {
    if (this.originNs === null) throw new Error('NsOrigin read before it was set');
    return this.originNs;
  }

  private set(origin: bigint): void {
    this.originNs = origin - (origin % 1_000_000_000n);
    this.sec = Number(this.originNs / 1_000_000_000n);
  }

  /** Sets the origin from the first timestamp seen (once). */
  seed(firstNs: bigint): void {
    if (this.originNs === null) this.set(firstNs > 60_000_000_000n ? firstNs - 60_000_000_000n : 0n);
  }

  /** Offset of an absolute timestamp. */
  offset(ns: bigint): number {
    return Number(ns - this.ns);
  }

  /** The absolute timestamp of an offset, as decimal text. */
  format(off: number): string {
    const s = Math.floor(off / 1e9);
    const sec = this.sec + s;
    const rest = off - s * 1e9;
    if (sec === 0) return String(rest);
    // The seconds change rarely; their text is kept.
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastSecText = String(sec);
    }
    return rest >= 100_000_000 ? this.lastSecText + rest : this.lastSecText + String(rest).padStart(9, '0');
  }

  private lastSec = -1;
  private lastSecText = '';

  /** Whole seconds of the absolute time whose offset has `s` whole seconds. */
  secondsAt(s: number): number {
    return this.sec + s;
  }

  absolute(off: number): bigint {
    return this.ns + BigInt(off);
  }
}

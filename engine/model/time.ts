// Exact nanosecond time. bpftrace's `nsecs` is a u64 that passes 2^53 after ~104 days of uptime,
// so a JS number cannot hold it. We keep every timestamp as a number of nanoseconds relative to a
// whole-second base (a bigint), as Perfetto does: relative values stay far below 2^53 for any
// capture shorter than 104 days, and absolute values are rebuilt exactly only for output.

/** Nanoseconds relative to a TimeBase. Exact integer as long as |value| < 2^53. */
export type RelNs = number;

export class TimeBase {
  /** Whole seconds of the base; fits a double exactly (u64 ns / 1e9 < 2^35). */
  readonly baseSec: number;

  constructor(baseSec: number) {
    if (!Number.isSafeInteger(baseSec) || baseSec < 0) throw new Error(`bad time base ${baseSec}`);
    this.baseSec = baseSec;
  }

  static fromAbs(abs: bigint): TimeBase {
    return new TimeBase(Number(abs / 1_000_000_000n));
  }

  static fromString(nsecs: string): TimeBase {
    return TimeBase.fromAbs(BigInt(nsecs));
  }

  get baseNs(): bigint {
    return BigInt(this.baseSec) * 1_000_000_000n;
  }

  /**
   * Converts a decimal u64 string to RelNs without BigInt (hot path: once per record).
   * Returns NaN if the string is not 1..20 decimal digits.
   */
  rel(nsecs: string): RelNs {
    const n = nsecs.length;
    if (n === 0 || n > 20) return NaN;
    for (let i = 0; i < n; i++) {
      const c = nsecs.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
    }
    if (n <= 9) return Number(nsecs) - this.baseSec * 1e9;
    const sec = Number(nsecs.slice(0, n - 9));
    const frac = Number(nsecs.slice(n - 9));
    return (sec - this.baseSec) * 1e9 + frac;
  }

  /** Exact absolute nanoseconds as a bigint. */
  abs(rel: RelNs): bigint {
    return this.baseNs + BigInt(rel);
  }

  /** Exact absolute nanoseconds as a decimal string (for JSON and text output). */
  absString(rel: RelNs): string {
    return (this.baseNs + BigInt(rel)).toString();
  }
}

/** Formats a duration in ns with a sensible unit (ns, µs, ms, s). */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns} ns`;
  if (a < 1e6) return `${trim(ns / 1e3)} µs`;
  if (a < 1e9) return `${trim(ns / 1e6)} ms`;
  return `${trim(ns / 1e9)} s`;
}

function trim(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

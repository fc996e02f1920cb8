import { RawJson } from './json-text.js';

// Exact conversions of absolute nanoseconds (bigint) for the interchange formats: microseconds
// with three decimals for the Trace Event format, whole microseconds for Jaeger, decimal
// nanosecond strings for OTLP. No value passes through a double.

/** `ns` as microseconds, exact: 637618970003n -> "637618970.003". */
export function microsDecimal(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const whole = a / 1000n;
  const frac = (a % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export function microsRaw(ns: bigint): RawJson {
  return new RawJson(microsDecimal(ns));
}

/** Whole microseconds, rounded down (monotonic, so a span inside another stays inside). */
export function floorMicros(ns: bigint): bigint {
  return ns >= 0n ? ns / 1000n : -((-ns + 999n) / 1000n);
}

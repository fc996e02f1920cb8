// Trace and span ids for Jaeger and OTLP (docs/adr/0011-export-ids-and-clock.md). They are derived,
// not random, so exporting the same bundle twice gives the same file, and they can be read back:
//   trace id (32 hex) = root span's absolute start ns (16) | root tid (8) | trace number (8)
//   span id  (16 hex) = tid (8) | span index + 1 (8)
// A thread cannot start two root states at the same nanosecond, so trace ids are unique on a
// host; span ids are unique within a trace. Neither can be all zeros (invalid in both formats):
// the trace number and the span index + 1 are at least 1.

const U64 = (1n << 64n) - 1n;

function hex(v: bigint, digits: number): string {
  return v.toString(16).padStart(digits, '0');
}

export function traceIdHex(rootStartAbsNs: bigint, rootTid: number, traceNumber: number): string {
  if (traceNumber < 1) throw new RangeError(`trace numbers start at 1, got ${traceNumber}`);
  return hex(rootStartAbsNs & U64, 16) + hex(BigInt(rootTid >>> 0), 8) + hex(BigInt(traceNumber >>> 0), 8);
}

export function spanIdHex(tid: number, spanIndex: number): string {
  return hex(BigInt(tid >>> 0), 8) + hex(BigInt((spanIndex + 1) >>> 0), 8);
}

/** Decodes an id made by traceIdHex (for readers and tests). */
export function parseTraceIdHex(id: string): { rootStartAbsNs: bigint; rootTid: number; traceNumber: number } {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`not a 32-hex trace id: ${id}`);
  return { rootStartAbsNs: BigInt(`0x${id.slice(0, 16)}`), rootTid: parseInt(id.slice(16, 24), 16), traceNumber: parseInt(id.slice(24), 16) };
}

export function parseSpanIdHex(id: string): { tid: number; spanIndex: number } {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new Error(`not a 16-hex span id: ${id}`);
  return { tid: parseInt(id.slice(0, 8), 16), spanIndex: parseInt(id.slice(8), 16) - 1 };
}

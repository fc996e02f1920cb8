// One kernel record of a span as the app shows it (a page of `Bundle.spanRecords`). Declared
// here, browser-safe, so the bundle reader and the IPC contract share one shape.

export interface SpanRecord {
  seq: number;
  /** RelNs: exact integer offset from the bundle's timeBaseNs. */
  ts: number;
  /** Exact absolute nanoseconds, as a decimal string. */
  tsNs: string;
  tid: number;
  cpu: number;
  comm: string;
  probe: string;
  details: string;
  /** The record's line in the capture it was read from. */
  line: number;
}

import { writeSync } from 'node:fs';
import type { NsOrigin } from './ns-origin.js';

// Where the converter's records go. A record line is `comm|tid|ns|cpu|probe[|"details"]`.
// The capture child writes them as bytes straight into one buffer (ByteSink): under load it
// writes ~100k records a second on the CPUs the traced application needs, and a string per line
// (then a joined string, then its UTF-8 copy) was most of its cost. LineSink gives strings, for
// tests and other callers that want lines.

export interface RecordSink {
  record(comm: string, tid: number, ts: number, cpu: number, probe: string, details?: string): void;
}

export class LineSink implements RecordSink {
  constructor(
    private readonly origin: NsOrigin,
    private readonly emit: (line: string) => void,
  ) {}

  record(comm: string, tid: number, ts: number, cpu: number, probe: string, details?: string): void {
    const t = this.origin.format(ts);
    this.emit(details === undefined ? `${comm}|${tid}|${t}|${cpu}|${probe}` : `${comm}|${tid}|${t}|${cpu}|${probe}|"${details}"`);
  }
}

const BAR = 0x7c;
const QUOTE = 0x22;
const NL = 0x0a;
const ZERO = 0x30;

export class ByteSink implements RecordSink {
  private buf = Buffer.allocUnsafe(1 << 20);
  private n = 0;
  /** Encoded comms and probe names (a few of each). */
  private readonly texts = new Map<string, Buffer>();
  private secText: Buffer = Buffer.alloc(0);
  private lastComm = '';
  private lastCommBuf: Buffer = Buffer.alloc(0);
  private sec = -1;

  constructor(
    private readonly fd: number,
    private readonly origin: NsOrigin,
  ) {}

  record(comm: string, tid: number, ts: number, cpu: number, probe: string, details?: string): void {
    // Consecutive records mostly share their comm (a thread's syscall): compare the
    // string with the last one before looking it up.
    let c = this.lastCommBuf;
    if (comm !== this.lastComm) c = this.lastCommBuf = this.encoded((this.lastComm = comm));
    const p = this.encoded(probe);
    // Details are mostly unique (fork pids) or repeat right away (a receive's tuples): no cache.
    const dLen = details === undefined ? 0 : details.length * 3;
    if (this.n + c.length + p.length + dLen + 80 > this.buf.length) this.makeRoom(c.length + p.length + dLen + 80);
    // Locals, not fields, in the per-byte work.
    const buf = this.buf;
    let n = copy(buf, this.n, c);
    buf[n++] = BAR;
    n = writeInt(buf, n, tid);
    buf[n++] = BAR;
    n = this.time(buf, n, ts);
    buf[n++] = BAR;
    n = writeInt(buf, n, cpu);
    buf[n++] = BAR;
    n = copy(buf, n, p);
    if (details !== undefined) {
      buf[n++] = BAR;
      buf[n++] = QUOTE;
      n += buf.write(details, n, 'utf8');
      buf[n++] = QUOTE;
    }
    buf[n++] = NL;
    this.n = n;
  }

  /** Writes what is buffered to the file. */
  flush(): void {
    let off = 0;
    while (off < this.n) off += writeSync(this.fd, this.buf, off, this.n - off);
    this.n = 0;
  }

  private makeRoom(need: number): void {
    this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need * 2);
  }

  private encoded(s: string): Buffer {
    let b = this.texts.get(s);
    if (b === undefined) {
      b = Buffer.from(s, 'utf8');
      // Bounded, should comms be many (threads renamed again and again).
      if (this.texts.size >= 4096) this.texts.clear();
      this.texts.set(s, b);
    }
    return b;
  }

  /** The absolute time of an offset: cached seconds text, then 9 digits of nanoseconds. */
  private time(buf: Buffer, n: number, off: number): number {
    const s = Math.floor(off / 1e9);
    const sec = this.origin.secondsAt(s);
    const rest = off - s * 1e9;
    if (sec === 0) return writeInt(buf, n, rest);
    if (sec !== this.sec) {
      this.sec = sec;
      this.secText = Buffer.from(String(sec));
    }
    n = copy(buf, n, this.secText);
    // rest < 1e9: int32 arithmetic.
    let r = rest | 0;
    for (let p = n + 8; p >= n; p--) {
      const q = (r / 10) | 0;
      buf[p] = ZERO + (r - q * 10);
      r = q;
    }
    return n + 9;
  }
}

/** Short copies byte by byte: cheaper than a native call each. */
function copy(buf: Buffer, n: number, b: Buffer): number {
  const len = b.length;
  if (len > 48) {
    b.copy(buf, n);
    return n + len;
  }
  for (let i = 0; i < len; i++) buf[n + i] = b[i]!;
  return n + len;
}

function writeInt(buf: Buffer, n: number, v: number): number {
  if (v < 0) {
    buf[n++] = 0x2d;
    v = -v;
  }
  if (v < 10) {
    buf[n] = ZERO + v;
    return n + 1;
  }
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  let p = n + digits;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[--p] = ZERO + (v - q * 10);
    v = q;
  }
  buf[--p] = ZERO + v;
  return n + digits;
}

// Over 300 lines: one converter of record-map dumps whose byte-level parse runs for every record; its pending-record state is shared by every map's branch.
import { recordKinds, RECORD_MAPS, type RecordKind, type SyscallGroups } from '../probes/record-codes.js';
import { ByteBuilder } from './byte-builder.js';

// bpftrace's output with the record maps (docs/adr/0026) back into the record lines the printf
// probe set wrote, so that sorting, generating and the live figures read what they always read.
// A dump is the lines `@mt_a[tid, exit ts]: (code, n1, ..., n12, comm)` of one map, then its count
// line `@mt_na: N`. At the count line the dump's entries are written, in exit-time order (the
// order the printf set wrote them in), each as its records in the printf order (sys_enter,
// tcp_send / tcp_rcv_space_adjust(s), sys_exit). A count above the number of entries means
// writes the full map refused: written as bpftrace's own `Lost N events`. Every other line (the
// custom probes' records, `Attaching N probes...`, `Lost N events`, the attach marker, a user's
// maps at exit) passes through unchanged; the empty line of an empty map is dropped.
// It runs on every entry while the capture runs, on the machine it measures: bytes in, bytes out,
// no strings per entry (~2 us of CPU per entry with the file I/O; a version with strings cost
// ~6 us, most of it GC).

export interface ConverterStats {
  /** Record entries converted. */
  entries: number;
  /** Events lost because a record map was full (count above entries). */
  mapLost: number;
  /** Entry lines that could not be read (passed through unchanged, so the sorter skips them). */
  malformed: number;
  /** Causal entries whose socket's 4-tuple was not known (join variant, a connection older than the capture): no record. */
  unresolved: number;
}

/** bpftrace's ntop of a u32 read from a sock (network byte order in memory): a.b.c.d. */
export function ntop4(v: number): string {
  return `${v & 255}.${(v >>> 8) & 255}.${(v >>> 16) & 255}.${v >>> 24}`;
}

const b = (s: string) => Buffer.from(s, 'latin1');
const FORK = b('MT:sched_process_fork|"parent_pid=');
const CHILD = b(' child_pid=');
const EXIT = b('MT:sched_process_exit|"pid=');
const SEND = b('MT:tcp_send|"sport=');
const RCV = b('MT:tcp_rcv_space_adjust|"sport=');
const DPORT = b(' dport=');
const SADDR = b(' saddr=');
const DADDR = b(' daddr=');
const C_SPORT = b(' sport=');
const C_DPORT = b(' dport=');
const C_LEN = b(' len=');
const CAUSAL: Record<string, Buffer> = { sock_send: b('MT:sock_send|"saddr='), sock_recv: b('MT:sock_recv|"saddr='), connect: b('MT:tcp_connect|"saddr=') };
const ENTRY_SEP = b(']: (');
const COMMA = 44;
const SPACE = 32;
const NL = 10;
const QUOTE = 34;
const BAR = 124;
const AT = 64;

// Entry fields, as indices into `pos` (start at 2i, end at 2i+1).
const TID = 0, TS = 1, CODE = 2, N1 = 3, N2 = 4, CPU = 5, SPORT = 6, DPORT_F = 7, SA = 8, DA = 9, RTS = 10, RCPU = 11, LTS = 12, LCPU = 13, RET = 14;
const FIELDS = 15;
/** A syscall's return value is written biased by this (errors are -1..-4095), so that 0 can mean none. */
const RET_BIAS = 4096;
const RET_DETAIL = b('|"ret=');

interface Kind {
  kind: RecordKind['kind'];
  enter: Buffer;
  exit: Buffer;
}

/** Entries of one map since its last count: converted bytes, and where each entry's are. */
class Pending {
  readonly out = new ByteBuilder(1 << 16);
  starts: number[] = [];
  ts: number[] = [];
  lines = 0;
  sorted = true;
}

export class BpftraceRecordConverter {
  readonly stats: ConverterStats = { entries: 0, mapLost: 0, malformed: 0, unresolved: 0 };
  private readonly out = new ByteBuilder(1 << 20);
  private readonly kinds = new Map<number, Kind>();
  private readonly pending: { name: Buffer; count: Buffer; p: Pending }[];
  private readonly addrs = new Map<number, Buffer>();
  private readonly pos = new Int32Array(FIELDS * 2);

  constructor(groups: SyscallGroups) {
    for (const [code, k] of recordKinds(groups)) {
      const sc = 'sc' in k ? k.sc : '';
      this.kinds.set(code, { kind: k.kind, enter: b(`MT:sys_enter_${sc}`), exit: b(`MT:sys_exit_${sc}`) });
    }
    this.pending = RECORD_MAPS.map((m) => ({ name: b(`@${m.entries}[`), count: b(`@${m.count}: `), p: new Pending() }));
  }

  /** One line of bpftrace's output: bytes [a, e) of `src`, without its newline. */
  line(src: Uint8Array, a: number, e: number): void {
    if (e === a) return; // an empty map prints an empty line
    if (src[a] === AT) {
      for (const m of this.pending) {
        if (startsWith(src, a, e, m.name)) return this.entry(m.p, src, a, e);
        if (startsWith(src, a, e, m.count)) return this.flush(m.p, digits(src, a + m.count.length, e));
      }
    }
    this.out.put(src, a, e);
    this.out.byte(NL);
  }

  /** A line given as a string (tests, small inputs). */
  lineText(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    this.line(buf, 0, buf.length);
  }

  /** The end of the output: entries of a dump cut short (no count line) are written unchecked. */
  end(): void {
    for (const m of this.pending) this.flush(m.p, -1);
  }

  /** The bytes converted so far (whole lines), handed over once. */
  take(): Buffer {
    return this.out.take();
  }

  private entry(p: Pending, src: Uint8Array, a: number, e: number): void {
    p.lines++;
    const start = p.out.length;
    if (!this.convert(p.out, src, a, e)) {
      p.out.truncate(start);
      this.stats.malformed++;
      this.out.put(src, a, e);
      this.out.byte(NL);
      return;
    }
    const ts = digits(src, this.pos[2 * TS]!, this.pos[2 * TS + 1]!);
    if (p.ts.length > 0 && ts < p.ts[p.ts.length - 1]!) p.sorted = false;
    p.starts.push(start);
    p.ts.push(ts);
  }

  private flush(p: Pending, count: number): void {
    const n = p.starts.length;
    if (p.sorted) this.out.put(p.out.bytes, 0, p.out.length);
    else {
      const order = p.ts.map((_, i) => i).sort((x, y) => p.ts[x]! - p.ts[y]! || x - y);
      for (const i of order) this.out.put(p.out.bytes, p.starts[i]!, i + 1 < n ? p.starts[i + 1]! : p.out.length);
    }
    this.stats.entries += n;
    // A smaller count is an entry written after its map's count was cleared: nothing lost.
    const lost = count < 0 ? 0 : count - p.lines;
    if (lost > 0) {
      this.stats.mapLost += lost;
      this.out.putString(`Lost ${lost} events\n`);
    }
    p.out.truncate(0);
    p.starts = [];
    p.ts = [];
    p.lines = 0;
    p.sorted = true;
  }

  /** Writes the records of an entry line to `o`; false if it is not one. */
  private convert(o: ByteBuilder, l: Uint8Array, a: number, e: number): boolean {
    const pos = this.pos;
    // `@map[tid, ts]: (n, ..., n, comm)`: 15 digit fields, then comm up to the last ")"
    // (a comm may itself contain ", " or ")").
    let p = a;
    while (p < e && l[p] !== 91 /* [ */) p++;
    p++;
    if (p >= e || l[e - 1] !== 41 /* ) */) return false;
    for (let i = 0; i < FIELDS; i++) {
      const s = p;
      while (p < e && l[p]! >= 48 && l[p]! <= 57) p++;
      if (p === s) return false;
      pos[2 * i] = s;
      pos[2 * i + 1] = p;
      if (i === TS) {
        if (!startsWith(l, p, e, ENTRY_SEP)) return false;
        p += ENTRY_SEP.length;
      } else {
        if (l[p] !== COMMA || l[p + 1] !== SPACE) return false;
        p += 2;
      }
    }
    const kind = this.kinds.get(digits(l, pos[2 * CODE]!, pos[2 * CODE + 1]!));
    if (kind === undefined) return false;
    const comm = p;
    const commEnd = e - 1;
    if (kind.kind === 'fork' || kind.kind === 'exit') {
      this.head(o, l, comm, commEnd, TS, CPU);
      o.putBytes(kind.kind === 'fork' ? FORK : EXIT);
      this.field(o, l, kind.kind === 'fork' ? N1 : TID);
      if (kind.kind === 'fork') {
        o.putBytes(CHILD);
        this.field(o, l, N2);
      }
      o.byte(QUOTE);
      o.byte(NL);
      return true;
    }
    const causal = CAUSAL[kind.kind];
    if (causal !== undefined) {
      // The causal set (docs/adr/0050): one record at the entry's own time, saddr:sport local.
      if (this.isZero(l, DA)) {
        this.stats.unresolved++;
        return true;
      }
      this.head(o, l, comm, commEnd, TS, CPU);
      o.putBytes(causal);
      o.putBytes(this.addr(l, SA));
      o.putBytes(C_SPORT);
      this.field(o, l, SPORT);
      o.putBytes(DADDR);
      o.putBytes(this.addr(l, DA));
      o.putBytes(C_DPORT);
      this.field(o, l, DPORT_F);
      if (kind.kind !== 'connect') {
        o.putBytes(C_LEN);
        this.field(o, l, N1);
      }
      o.byte(QUOTE);
      o.byte(NL);
      return true;
    }
    this.head(o, l, comm, commEnd, N1, N2);
    o.putBytes(kind.enter);
    o.byte(NL);
    if (kind.kind === 'send') {
      // daddr 0: the sock had no peer (not connected): the printf set wrote no tcp_send either.
      if (!this.isZero(l, DA)) {
        this.head(o, l, comm, commEnd, N1, N2);
        this.tuple(o, l, SEND);
      }
    } else {
      this.head(o, l, comm, commEnd, RTS, RCPU);
      this.tuple(o, l, RCV);
      if (!this.isZero(l, LTS)) {
        this.head(o, l, comm, commEnd, LTS, LCPU);
        this.tuple(o, l, RCV);
      }
    }
    this.head(o, l, comm, commEnd, TS, CPU);
    o.putBytes(kind.exit);
    // The bytes the syscall moved (or its error), as the ftrace backend writes them.
    const ret = digits(l, this.pos[2 * RET]!, this.pos[2 * RET + 1]!);
    if (ret > 0) {
      o.putBytes(RET_DETAIL);
      o.putString(String(ret - RET_BIAS));
      o.byte(QUOTE);
    }
    o.byte(NL);
    return true;
  }

  /** `comm|tid|ts|cpu|` of one record, ts and cpu from the given fields. */
  private head(o: ByteBuilder, l: Uint8Array, comm: number, commEnd: number, ts: number, cpu: number): void {
    o.put(l, comm, commEnd);
    o.byte(BAR);
    this.field(o, l, TID);
    o.byte(BAR);
    this.field(o, l, ts);
    o.byte(BAR);
    this.field(o, l, cpu);
    o.byte(BAR);
  }

  /** `MT:…|"sport=… dport=… saddr=… daddr=…"` and the newline. */
  private tuple(o: ByteBuilder, l: Uint8Array, name: Buffer): void {
    o.putBytes(name);
    this.field(o, l, SPORT);
    o.putBytes(DPORT);
    this.field(o, l, DPORT_F);
    o.putBytes(SADDR);
    o.putBytes(this.addr(l, SA));
    o.putBytes(DADDR);
    o.putBytes(this.addr(l, DA));
    o.byte(QUOTE);
    o.byte(NL);
  }

  private field(o: ByteBuilder, l: Uint8Array, i: number): void {
    o.put(l, this.pos[2 * i]!, this.pos[2 * i + 1]!);
  }

  private isZero(l: Uint8Array, i: number): boolean {
    return this.pos[2 * i + 1]! - this.pos[2 * i]! === 1 && l[this.pos[2 * i]!] === 48;
  }

  /** Dotted form of an address field; a capture sees few addresses. */
  private addr(l: Uint8Array, i: number): Buffer {
    const v = digits(l, this.pos[2 * i]!, this.pos[2 * i + 1]!);
    let s = this.addrs.get(v);
    if (s === undefined) {
      if (this.addrs.size > 4096) this.addrs.clear();
      s = b(ntop4(v));
      this.addrs.set(v, s);
    }
    return s;
  }
}

function startsWith(src: Uint8Array, a: number, e: number, prefix: Buffer): boolean {
  if (e - a < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (src[a + i] !== prefix[i]) return false;
  return true;
}

/** The decimal number in [a, e) (exact up to 2^53, like the sorter's timestamps); NaN if none. */
function digits(src: Uint8Array, a: number, e: number): number {
  let v = 0;
  let n = 0;
  for (let i = a; i < e; i++) {
    const c = src[i]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    n++;
  }
  return n > 0 ? v : Number.NaN;
}

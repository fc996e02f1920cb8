// Over 300 lines: one byte-level scanner run for every line of a capture; its fast path and fallback share the cursor state.
import { account, cleanDetails, formatRecordLine, PsvParser, type LineResult, type StreamStats } from '../model/psv-parse.js';
import type { ProbeTable } from '../model/record.js';
import type { TimeBase } from '../model/time.js';
import { ByteIntern, copyBytes, EndKeyedProbes, viewOf } from './byte-fields.js';
import { RecordColumns } from './record-columns.js';

// The fast path of the record parser, over bytes: fields are found and read in place, command
// and probe names are interned by a hash of their bytes (a probe field that ends its line is
// recognised from that end, byte-fields.ts), times are read as one number, and no string is made
// for a record unless it has details. Any line that is not a plain record in one of the two usual shapes
// (all fields quoted, or all bare) goes to the string parser (PsvParser), so both agree on
// every line by construction: the fast path only ever accepts what the parser accepts.

const PIPE = 124;
const NL = 10;
const QUOTE = 34;
const CR = 13;
const SPACE = 32;

export type OtherLine = (result: LineResult, line: number, text: string) => void;

export class ByteScanner {
  readonly parser: PsvParser;
  readonly comms: string[] = [];
  private readonly commIds = new Map<string, number>();
  private readonly commIntern = new ByteIntern();
  private readonly probeIntern = new ByteIntern();
  private readonly probeEnds = new EndKeyedProbes();
  /** Bare bytes of quoted lines, per batch (columns point into it with lineSrc = 1). */
  private arena: Buffer = Buffer.allocUnsafe(1 << 20);
  private arenaView = viewOf(this.arena);
  private arenaPos = 0;
  /** The time base in ns while it is a safe integer (then a record's time is its digits' value minus this), else -1. */
  private baseNs = -1;

  /** Whether to produce each record's bare line (only the sorter needs it). */
  private readonly bareLines: boolean;
  /** The sorter's own buffer, when it gave one: every bare line is written there, once. */
  private readonly direct: LineArena | null;

  constructor(
    readonly stats: StreamStats,
    opts: { base?: TimeBase; probes?: ProbeTable; bareLines?: boolean; lineArena?: LineArena } = {},
  ) {
    this.parser = new PsvParser({ ...(opts.base ? { base: opts.base } : {}), ...(opts.probes ? { probes: opts.probes } : {}) });
    this.direct = opts.lineArena ?? null;
    this.bareLines = opts.bareLines === true || this.direct !== null;
  }

  /** Time of the digits buf[a, b) (1 to 20 of them) relative to the base, which the first record fixes. */
  private time(buf: Buffer, a: number, b: number, value: number): number {
    // Up to 15 digits the value is an exact double (< 2^53), and so is the difference.
    if (b - a <= 15 && this.baseNs >= 0) return value - this.baseNs;
    let sec = 0;
    const split = b - 9 > a ? b - 9 : a;
    for (let i = a; i < split; i++) sec = sec * 10 + buf[i]! - 48;
    let frac = 0;
    for (let i = split; i < b; i++) frac = frac * 10 + buf[i]! - 48;
    const base = this.parser.ensureBase(sec);
    const ns = base.baseSec * 1e9;
    if (Number.isSafeInteger(ns)) this.baseNs = ns;
    return (sec - base.baseSec) * 1e9 + frac;
  }

  get probes(): ProbeTable {
    return this.parser.probes;
  }

  get base(): TimeBase | null {
    return this.parser.timeBase;
  }

  commId(name: string): number {
    let id = this.commIds.get(name);
    if (id === undefined) {
      id = this.comms.length;
      this.comms.push(name);
      this.commIds.set(name, id);
    }
    return id;
  }

  /**
   * Scans the complete lines of buf[0, end) (end at a line boundary) into `out`, which is reset.
   * Lines that are not records go to `other` (after being counted in the stats). Returns the
   * number of the line after the last one scanned.
   */
  scan(buf: Buffer, end: number, firstLine: number, out: RecordColumns, other: OtherLine): number {
    out.reset(buf);
    if (this.direct !== null) {
      // Lines go after what the sorter holds already (it may have moved it since the last batch).
      if (this.arena !== this.direct.buf) {
        this.arena = this.direct.buf;
        this.arenaView = viewOf(this.arena);
      }
      this.arenaPos = this.direct.pos;
    } else this.arenaPos = 0;
    const view = viewOf(buf);
    out.arena = this.arena;
    let s = 0;
    let line = firstLine;
    while (s < end) {
      let nl = buf.indexOf(10, s);
      if (nl < 0 || nl > end) nl = end;
      let e = nl;
      if (e > s && buf[e - 1] === CR) e--;
      if (!this.fast(buf, view, s, e, line, out)) this.slow(buf, s, e, line, out, other);
      s = nl + 1;
      line++;
    }
    out.arena = this.arena; // it may have grown
    if (this.direct !== null) {
      this.direct.buf = this.arena;
      this.direct.pos = this.arenaPos;
    }
    return line;
  }

  private slow(buf: Buffer, s: number, e: number, line: number, out: RecordColumns, other: OtherLine): void {
    const text = buf.toString('utf8', s, e);
    const res = this.parser.parse(text, line);
    const rec = account(this.stats, res);
    if (rec === null) {
      other(res, line, text);
      return;
    }
    out.ensure();
    const i = out.n++;
    out.tid[i] = rec.tid;
    out.ts[i] = rec.ts;
    out.cpu[i] = rec.cpu;
    out.probe[i] = rec.probe.id;
    out.comm[i] = this.commId(rec.comm);
    out.line[i] = line;
    if (rec.details === '') out.detailsAt[i] = -1;
    else {
      out.detailsAt[i] = out.details.length;
      out.details.push(rec.details);
    }
    if (this.direct !== null) {
      const text = formatRecordLine(rec);
      this.reserve(Buffer.byteLength(text) + 1);
      out.lineSrc[i] = 1;
      out.lineStart[i] = this.arenaPos;
      this.arenaPos += this.arena.write(text, this.arenaPos, 'utf8');
      out.lineEnd[i] = this.arenaPos;
      this.arena[this.arenaPos++] = NL;
      return;
    }
    out.lineSrc[i] = 2;
    out.lineStart[i] = out.bareText.length;
    out.lineEnd[i] = 0;
    if (this.bareLines) out.bareText.push(formatRecordLine(rec));
  }

  /** Parses a plain record line in place, in one pass; false sends it to the string parser. */
  private fast(buf: Buffer, view: DataView, s: number, e: number, line: number, out: RecordColumns): boolean {
    // Short lines, and bpftrace's map dump (`@name[...]: value`), are the string parser's.
    if (e - s < 9 || buf[s] === 64) return false;
    const quoted = buf[s] === QUOTE;
    const q = quoted ? 1 : 0;
    // comm: most often the line before's; else hashed (quotes included) while looking for its pipe.
    let i = s;
    let ch = 0;
    let p1 = this.commIntern.followsLast(buf, s, e);
    let comm = p1 < 0 ? -1 : this.commIntern.lastId;
    if (p1 < 0) {
      ch = 0x811c9dc5;
      while (i < e && buf[i] !== PIPE) ch = Math.imul(ch ^ buf[i++]!, 0x01000193);
      p1 = i;
      if (p1 >= e || !shaped(buf, s, p1, quoted)) return false;
    }
    // tid, nsecs, cpu: digits read as they are passed.
    i = p1 + 1 + q;
    if (quoted && buf[i - 1] !== QUOTE) return false;
    const tidAt = i;
    let tid = 0;
    for (let c = buf[i]! - 48; i < e && c >= 0 && c <= 9; c = buf[++i]! - 48) tid = tid * 10 + c;
    const tidEnd = i;
    if (i === tidAt || i - tidAt > 10 || (buf[tidAt] === 48 && i - tidAt > 1)) return false;
    if ((quoted && buf[i++] !== QUOTE) || buf[i] !== PIPE) return false;
    const ta = ++i + q;
    if (quoted && buf[i] !== QUOTE) return false;
    i = ta;
    let value = 0; // exact up to 15 digits; time() reads longer ones again
    // Four digits at a time while four bytes are all digits (each byte 0x30-0x39: its high
    // nibble 3, and still 3 with 6 added), then one at a time.
    for (let x = 0; i + 4 <= e; i += 4) {
      x = view.getUint32(i, true);
      if ((x & 0xf0f0f0f0) !== 0x30303030 || ((x + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
      x -= 0x30303030;
      value = value * 10000 + (x & 0xff) * 1000 + ((x >>> 8) & 0xff) * 100 + ((x >>> 16) & 0xff) * 10 + (x >>> 24);
    }
    for (let c = buf[i]! - 48; i < e && c >= 0 && c <= 9; c = buf[++i]! - 48) value = value * 10 + c;
    const tb = i;
    if (tb === ta || tb - ta > 20) return false;
    if ((quoted && buf[i++] !== QUOTE) || buf[i] !== PIPE) return false;
    i += 1 + q;
    if (quoted && buf[i - 1] !== QUOTE) return false;
    const cpuAt = i;
    let cpu = 0;
    for (let c = buf[i]! - 48; i < e && c >= 0 && c <= 9; c = buf[++i]! - 48) cpu = cpu * 10 + c;
    if (i === cpuAt || i - cpuAt > 10 || (buf[cpuAt] === 48 && i - cpuAt > 1)) return false;
    if ((quoted && buf[i++] !== QUOTE) || buf[i] !== PIPE) return false;
    const p4 = i;
    // probe: most lines end with a probe field seen before, recognised from the line's end;
    // otherwise hashed while looking for the end of the field.
    let probe = this.probeEnds.find(buf, view, p4 + 1, e, quoted);
    let e5 = e;
    if (probe < 0) {
      i = p4 + 1;
      let ph = 0x811c9dc5;
      while (i < e && buf[i] !== PIPE) ph = Math.imul(ph ^ buf[i++]!, 0x01000193);
      e5 = i;
      if (!shaped(buf, p4 + 1, e5, quoted)) return false;
      ph >>>= 0;
      probe = this.probeIntern.find(buf, p4 + 1, e5, ph);
      if (probe < 0) {
        // The command is named before the probe is checked, as it always was: a line refused
        // for its probe name still adds its command to the bundle's list (bundles stay the same).
        if (comm < 0) comm = this.internComm(buf, s, p1, ch, q);
        const pa = p4 + 1 + q;
        const pb = e5 - q;
        const p = this.parser.probes.at(buf.toString('utf8', pa, pb), 0, pb - pa);
        if (p === null) return false;
        probe = p.id;
        this.probeIntern.add(buf, p4 + 1, e5, ph, probe);
      }
      if (e5 === e) this.probeEnds.remember(buf, p4 + 1, e, quoted, probe);
    }
    const p5 = e5 < e ? e5 : -1;
    if (comm < 0) comm = this.internComm(buf, s, p1, ch, q);
    const pa = p4 + 1 + q;
    const pb = e5 - q;
    const ca = s + q;
    const cb = p1 - q;
    let details: string | null = null;
    let bare = !quoted;
    if (p5 >= 0) {
      const raw = buf.toString('utf8', p5 + 1, e);
      details = cleanDetails(raw);
      if (details === null) return false;
      // The bare form drops an empty details field and any quotes or spaces around it.
      if (details !== raw || details === '') bare = false;
      if (details === '') details = null;
    } else if (buf[e - 1] === SPACE) bare = false;
    const ts = this.time(buf, ta, tb, value);
    out.ensure();
    const k = out.n++;
    out.tid[k] = tid;
    out.ts[k] = ts;
    out.cpu[k] = cpu;
    out.probe[k] = probe;
    out.comm[k] = comm;
    out.line[k] = line;
    if (details === null) out.detailsAt[k] = -1;
    else {
      out.detailsAt[k] = out.details.length;
      out.details.push(details);
    }
    if (!this.bareLines) {
      out.lineSrc[k] = 0;
      out.lineStart[k] = s;
      out.lineEnd[k] = e;
    } else if (bare && this.direct === null) {
      out.lineSrc[k] = 0;
      out.lineStart[k] = s;
      out.lineEnd[k] = e;
    } else if (bare) {
      this.reserve(e - s + 1);
      const start = this.arenaPos;
      const end = e - s < 512 ? copyBytes(buf, view, s, e, this.arena, this.arenaView, start) : start + buf.copy(this.arena, start, s, e);
      this.arena[end] = NL;
      this.arenaPos = end + 1;
      out.lineSrc[k] = 1;
      out.lineStart[k] = start;
      out.lineEnd[k] = end;
    } else {
      // Bare form: the fields' inner bytes joined by pipes, then the cleaned details.
      this.reserve(e - s + 1 + (details === null ? 0 : Buffer.byteLength(details) + 1));
      const a = this.arena;
      const av = this.arenaView;
      const start = this.arenaPos;
      let w = start;
      w = copyBytes(buf, view, ca, cb, a, av, w);
      a[w++] = PIPE;
      w = copyBytes(buf, view, tidAt, tidEnd, a, av, w);
      a[w++] = PIPE;
      w = copyBytes(buf, view, ta, tb, a, av, w);
      a[w++] = PIPE;
      w = copyBytes(buf, view, cpuAt, p4 - q, a, av, w);
      a[w++] = PIPE;
      w = copyBytes(buf, view, pa, pb, a, av, w);
      if (details !== null) {
        a[w++] = PIPE;
        w += a.write(details, w, 'utf8');
      }
      out.lineSrc[k] = 1;
      out.lineStart[k] = start;
      out.lineEnd[k] = w;
      // In the sorter's buffer each line ends with its newline: lines in file order are copied out together.
      if (this.direct !== null) a[w++] = NL;
      this.arenaPos = w;
    }
    this.stats.lines++;
    this.stats.records++;
    return true;
  }

  /** The id of the command buf[s, p1) (quotes included, `ch` the hash of those bytes), named now if new. */
  private internComm(buf: Buffer, s: number, p1: number, ch: number, q: number): number {
    const h = ch >>> 0;
    let comm = this.commIntern.find(buf, s, p1, h);
    if (comm < 0) {
      comm = this.commId(buf.toString('utf8', s + q, p1 - q));
      this.commIntern.add(buf, s, p1, h, comm);
    }
    return comm;
  }

  private reserve(n: number): void {
    if (this.arenaPos + n <= this.arena.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaPos + n));
    this.arena.copy(bigger, 0, 0, this.arenaPos);
    this.arena = bigger;
    this.arenaView = viewOf(bigger);
  }
}

/**
 * A buffer the sorter hands the scanner (sort.ts): bare lines are written at `pos`, each followed
 * by a newline (not part of the record's line: lineEnd is before it), and the sorter keeps them
 * there, instead of the scanner's own arena and then a copy into the sorter's.
 */
export interface LineArena {
  buf: Buffer;
  pos: number;
}

/** A field in the line's shape: quoted on both sides, or on neither (and not empty). */
function shaped(buf: Buffer, a: number, b: number, quoted: boolean): boolean {
  if (quoted) return b - a >= 3 && buf[a] === QUOTE && buf[b - 1] === QUOTE;
  return b > a && buf[a] !== QUOTE && buf[b - 1] !== QUOTE && buf[a] !== SPACE && buf[b - 1] !== SPACE;
}

import { account, cleanDetails, PsvParser, type LineResult, type StreamStats } from '../model/psv-parse.js';
import type { ProbeTable } from '../model/record.js';
import type { TimeBase } from '../model/time.js';
import { RecordColumns } from './record-columns.js';

// The fast path of the record parser, over bytes: fields are found and read in place, command
// and probe names are interned by a hash of their bytes, and no string is made for a record
// unless it has details. Any line that is not a plain record in one of the two usual shapes
// (all fields quoted, or all bare) goes to the string parser (PsvParser), so both agree on
// every line by construction: the fast path only ever accepts what the parser accepts.

const PIPE = 124;
const QUOTE = 34;
const CR = 13;
const SPACE = 32;

interface Interned {
  bytes: Buffer;
  id: number;
}

/** Strings by a hash of their bytes, verified byte for byte. */
class ByteIntern {
  private readonly byHash = new Map<number, Interned[]>();

  find(buf: Buffer, a: number, b: number, h: number): number {
    const list = this.byHash.get(h);
    if (list === undefined) return -1;
    const n = b - a;
    outer: for (const e of list) {
      if (e.bytes.length !== n) continue;
      // From the end: names that collide differ there first.
      for (let i = n - 1; i >= 0; i--) if (e.bytes[i] !== buf[a + i]) continue outer;
      return e.id;
    }
    return -1;
  }

  add(buf: Buffer, a: number, b: number, h: number, id: number): void {
    const e = { bytes: Buffer.from(buf.subarray(a, b)), id };
    const list = this.byHash.get(h);
    if (list === undefined) this.byHash.set(h, [e]);
    else list.push(e);
  }
}

/** FNV-1a over the length and the last 16 bytes: probe names share long prefixes, not endings. */
function hashBytes(buf: Buffer, a: number, b: number): number {
  let h = Math.imul(0x811c9dc5 ^ (b - a), 0x01000193);
  for (let i = b - 16 > a ? b - 16 : a; i < b; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

export type OtherLine = (result: LineResult, line: number, text: string) => void;

export class ByteScanner {
  readonly parser: PsvParser;
  readonly comms: string[] = [];
  private readonly commIds = new Map<string, number>();
  private readonly commIntern = new ByteIntern();
  private readonly probeIntern = new ByteIntern();
  /** Bare bytes of quoted lines, per batch (columns point into it with lineSrc = 1). */
  private arena = Buffer.allocUnsafe(1 << 20);
  private arenaPos = 0;

  /** Whether to produce each record's bare line (only the sorter needs it). */
  private readonly bareLines: boolean;

  constructor(
    readonly stats: StreamStats,
    opts: { base?: TimeBase; probes?: ProbeTable; bareLines?: boolean } = {},
  ) {
    this.parser = new PsvParser({ ...(opts.base ? { base: opts.base } : {}), ...(opts.probes ? { probes: opts.probes } : {}) });
    this.bareLines = opts.bareLines === true;
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
    out.arena = this.arena;
    this.arenaPos = 0;
    let s = 0;
    let line = firstLine;
    while (s < end) {
      let nl = buf.indexOf(10, s);
      if (nl < 0 || nl > end) nl = end;
      let e = nl;
      if (e > s && buf[e - 1] === CR) e--;
      if (!this.fast(buf, s, e, line, out)) this.slow(buf, s, e, line, out, other);
      s = nl + 1;
      line++;
    }
    out.arena = this.arena; // it may have grown
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
    out.lineSrc[i] = 2;
    out.lineStart[i] = out.bareText.length;
    out.lineEnd[i] = 0;
    if (this.bareLines) out.bareText.push(`${rec.comm}|${rec.tid}|${rec.nsecs}|${rec.cpu}|${rec.probe.name}${rec.details === '' ? '' : `|${rec.details}`}`);
  }

  /** Parses a plain record line in place; false sends it to the string parser. */
  private fast(buf: Buffer, s: number, e: number, line: number, out: RecordColumns): boolean {
    // Short lines, and bpftrace's map dump (`@name[...]: value`), are the string parser's.
    if (e - s < 9 || buf[s] === 64) return false;
    const quoted = buf[s] === QUOTE;
    const q = quoted ? 1 : 0;
    // Field bounds: [s, p1) [p1+1, p2) ... ; inner bounds drop the quotes.
    const p1 = findPipe(buf, s, e);
    if (p1 < 0) return false;
    const p2 = findPipe(buf, p1 + 1, e);
    if (p2 < 0) return false;
    const p3 = findPipe(buf, p2 + 1, e);
    if (p3 < 0) return false;
    const p4 = findPipe(buf, p3 + 1, e);
    if (p4 < 0) return false;
    const p5 = findPipe(buf, p4 + 1, e);
    const e5 = p5 < 0 ? e : p5;
    if (!shaped(buf, s, p1, quoted) || !shaped(buf, p1 + 1, p2, quoted) || !shaped(buf, p2 + 1, p3, quoted)) return false;
    if (!shaped(buf, p3 + 1, p4, quoted) || !shaped(buf, p4 + 1, e5, quoted)) return false;
    // Numbers with leading zeros are rewritten by the string parser's bare form: leave them to it.
    if ((buf[p1 + 1 + q] === 48 && p2 - q - (p1 + 1 + q) > 1) || (buf[p3 + 1 + q] === 48 && p4 - q - (p3 + 1 + q) > 1)) return false;
    const tid = digits(buf, p1 + 1 + q, p2 - q, 10);
    if (tid < 0) return false;
    const cpu = digits(buf, p3 + 1 + q, p4 - q, 10);
    if (cpu < 0) return false;
    const ta = p2 + 1 + q;
    const tb = p3 - q;
    const n = tb - ta;
    if (n < 1 || n > 20) return false;
    const split = n > 9 ? tb - 9 : ta;
    const sec = digits(buf, ta, split, 11);
    const frac = digits(buf, split, tb, 9);
    if (sec < 0 || frac < 0) return false;
    // Command and probe, interned.
    const ca = s + q;
    const cb = p1 - q;
    const ch = hashBytes(buf, ca, cb);
    let comm = this.commIntern.find(buf, ca, cb, ch);
    if (comm < 0) {
      comm = this.commId(buf.toString('utf8', ca, cb));
      this.commIntern.add(buf, ca, cb, ch, comm);
    }
    const pa = p4 + 1 + q;
    const pb = e5 - q;
    const ph = hashBytes(buf, pa, pb);
    let probe = this.probeIntern.find(buf, pa, pb, ph);
    if (probe < 0) {
      const p = this.parser.probes.at(buf.toString('utf8', pa, pb), 0, pb - pa);
      if (p === null) return false;
      probe = p.id;
      this.probeIntern.add(buf, pa, pb, ph, probe);
    }
    let details: string | null = null;
    let bare = !quoted;
    if (p5 >= 0) {
      const raw = buf.toString('utf8', p5 + 1, e);
      details = cleanDetails(raw);
      if (details === null) return false;
      if (details !== raw) bare = false;
      if (details === '') details = null;
    } else if (buf[e - 1] === SPACE) bare = false;
    const base = this.parser.ensureBase(sec);
    out.ensure();
    const i = out.n++;
    out.tid[i] = tid;
    out.ts[i] = (sec - base.baseSec) * 1e9 + frac;
    out.cpu[i] = cpu;
    out.probe[i] = probe;
    out.comm[i] = comm;
    out.line[i] = line;
    if (details === null) out.detailsAt[i] = -1;
    else {
      out.detailsAt[i] = out.details.length;
      out.details.push(details);
    }
    if (!this.bareLines) {
      out.lineSrc[i] = 0;
      out.lineStart[i] = s;
      out.lineEnd[i] = e;
    } else if (bare) {
      out.lineSrc[i] = 0;
      out.lineStart[i] = s;
      out.lineEnd[i] = e;
    } else {
      // Bare form: the fields' inner bytes joined by pipes, then the cleaned details.
      this.reserve(e - s + (details === null ? 0 : Buffer.byteLength(details) + 1));
      const a = this.arena;
      const start = this.arenaPos;
      let w = start;
      w = copy(buf, ca, cb, a, w);
      a[w++] = PIPE;
      w = copy(buf, p1 + 1 + q, p2 - q, a, w);
      a[w++] = PIPE;
      w = copy(buf, ta, tb, a, w);
      a[w++] = PIPE;
      w = copy(buf, p3 + 1 + q, p4 - q, a, w);
      a[w++] = PIPE;
      w = copy(buf, pa, pb, a, w);
      if (details !== null) {
        a[w++] = PIPE;
        w += a.write(details, w, 'utf8');
      }
      this.arenaPos = w;
      out.lineSrc[i] = 1;
      out.lineStart[i] = start;
      out.lineEnd[i] = w;
    }
    this.stats.lines++;
    this.stats.records++;
    return true;
  }

  private reserve(n: number): void {
    if (this.arenaPos + n <= this.arena.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaPos + n));
    this.arena.copy(bigger, 0, 0, this.arenaPos);
    this.arena = bigger;
  }
}

function findPipe(buf: Buffer, a: number, e: number): number {
  for (let i = a; i < e; i++) if (buf[i] === PIPE) return i;
  return -1;
}

/** A field in the line's shape: quoted on both sides, or on neither (and not empty). */
function shaped(buf: Buffer, a: number, b: number, quoted: boolean): boolean {
  if (quoted) return b - a >= 3 && buf[a] === QUOTE && buf[b - 1] === QUOTE;
  return b > a && buf[a] !== QUOTE && buf[b - 1] !== QUOTE && buf[a] !== SPACE && buf[b - 1] !== SPACE;
}

function digits(buf: Buffer, a: number, b: number, max: number): number {
  if (b - a > max) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function copy(src: Buffer, a: number, b: number, dst: Buffer, w: number): number {
  for (let i = a; i < b; i++) dst[w++] = src[i]!;
  return w;
}

import { ProbeTable, type TraceRecord } from './record.js';
import { InternTable } from './intern-table.js';
import { TimeBase } from './time.js';

// One trace line: "comm"|"tid"|"nsecs"|"cpu"|"probe"[|"details"] (quoted by bpftrace, bare from
// the original sorter), plus bpftrace's own lines in the same stream. Everything that is neither
// is malformed: a line cut or interleaved under high output volume must never be misparsed.

export type LineResult =
  | { kind: 'record'; record: TraceRecord }
  | { kind: 'attach'; probes: number }
  | { kind: 'lost'; events: number }
  | { kind: 'own' }
  | { kind: 'malformed'; reason: string };

const ATTACH = /^Attaching (\d+) probes?\.\.\.\s*$/;
const LOST = /^Lost (\d+) events\s*$/;
// bpftrace prints its maps at exit: `@pids[15729]: 1`, `@count: 3`, `@hist[...]:` and histogram rows.
const MAP_DUMP = /^@[A-Za-z_][\w]*(\[.*\])?:/;

/** Counts kept about the stream besides the records themselves. */
export interface StreamStats {
  lines: number;
  records: number;
  malformed: number;
  ownLines: number;
  attachedProbes: number | null;
  lostEvents: number;
  lostLines: number;
}

export function emptyStats(): StreamStats {
  return { lines: 0, records: 0, malformed: 0, ownLines: 0, attachedProbes: null, lostEvents: 0, lostLines: 0 };
}

export class PsvParser {
  readonly probes: ProbeTable;
  private base: TimeBase | null;
  /** Command names repeat endlessly: one string per distinct name. */
  private readonly comms = new InternTable<string>((s) => s);

  constructor(opts: { base?: TimeBase; probes?: ProbeTable } = {}) {
    this.base = opts.base ?? null;
    this.probes = opts.probes ?? new ProbeTable();
  }

  /** The time base, fixed by the first record unless given. */
  get timeBase(): TimeBase | null {
    return this.base;
  }

  /** The base, fixed now from whole seconds if no record fixed it yet (fast scanners share it). */
  ensureBase(sec: number): TimeBase {
    this.base ??= new TimeBase(sec);
    return this.base;
  }

  parse(text: string, line: number): LineResult {
    // Tolerate CRLF (the original sorter's output) and trailing spaces.
    let end = text.length;
    while (end > 0 && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32)) end--;
    if (end !== text.length) text = text.slice(0, end);
    if (text === '') return { kind: 'own' };
    const c0 = text.charCodeAt(0);
    if (c0 === 65 /* A */) {
      const m = ATTACH.exec(text);
      if (m) return { kind: 'attach', probes: Number(m[1]) };
    } else if (c0 === 76 /* L */) {
      const m = LOST.exec(text);
      if (m) return { kind: 'lost', events: Number(m[1]) };
    } else if (c0 === 64 /* @ */) {
      if (MAP_DUMP.test(text)) return { kind: 'own' };
    }
    return this.parseRecord(text, line);
  }

  private parseRecord(text: string, line: number): LineResult {
    // Position-based: fields are located with indexOf and read in place; only comm (interned),
    // the timestamp text and the details are sliced. This is the engine's hottest loop.
    const p1 = text.indexOf('|');
    const p2 = p1 < 0 ? -1 : text.indexOf('|', p1 + 1);
    const p3 = p2 < 0 ? -1 : text.indexOf('|', p2 + 1);
    const p4 = p3 < 0 ? -1 : text.indexOf('|', p3 + 1);
    if (p4 < 0) return { kind: 'malformed', reason: 'fewer than 5 fields (line cut short?)' };
    const p5 = text.indexOf('|', p4 + 1);
    const end5 = p5 < 0 ? text.length : p5;
    if (!inner(text, 0, p1)) return UNBALANCED;
    const comm = this.comms.get(text, fa, fb)!;
    if (!inner(text, p1 + 1, p2)) return UNBALANCED;
    const tid = uintAt(text, fa, fb);
    if (tid < 0) return { kind: 'malformed', reason: `tid "${clip(text.slice(fa, fb))}" is not a number` };
    if (!inner(text, p2 + 1, p3)) return UNBALANCED;
    const ta = fa;
    const tb = fb;
    if (!inner(text, p3 + 1, p4)) return UNBALANCED;
    const cpu = uintAt(text, fa, fb);
    if (cpu < 0) return { kind: 'malformed', reason: `cpu "${clip(text.slice(fa, fb))}" is not a number` };
    if (!inner(text, p4 + 1, end5)) return UNBALANCED;
    const probe = this.probes.at(text, fa, fb);
    if (probe === null) return { kind: 'malformed', reason: `probe "${clip(text.slice(fa, fb))}" is not a probe name` };
    let details = '';
    if (p5 >= 0) {
      const d = cleanDetails(text.slice(p5 + 1));
      if (d === null) return { kind: 'malformed', reason: 'unterminated details field (line cut?)' };
      details = d;
    }
    const ts = this.timestamp(text, ta, tb);
    if (Number.isNaN(ts)) return { kind: 'malformed', reason: `timestamp "${clip(text.slice(ta, tb))}" is not a u64` };
    return { kind: 'record', record: { line, comm, tid, ts, nsecs: text.slice(ta, tb), cpu, probe, details } };
  }

  /** Decimal u64 at text[a, b) as ns relative to the base (fixed by the first record). */
  private timestamp(text: string, a: number, b: number): number {
    const n = b - a;
    if (n < 1 || n > 20) return NaN;
    const split = b - 9 > a ? b - 9 : a;
    let sec = 0;
    for (let i = a; i < split; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      sec = sec * 10 + c;
    }
    let frac = 0;
    for (let i = split; i < b; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      frac = frac * 10 + c;
    }
    return (sec - this.ensureBase(sec).baseSec) * 1e9 + frac;
  }
}

/**
 * The 6th field as the model and handlers see it: trimmed and unquoted. User probes may print
 * anything after the 5th field, pipes included, so it is kept whole. Null when cut short.
 */
export function cleanDetails(raw: string): string | null {
  const d = raw.trim();
  const u = d.length >= 2 && d.charCodeAt(0) === 34 && d.charCodeAt(d.length - 1) === 34 ? d.slice(1, -1) : d;
  return u.length > 0 && u.charCodeAt(0) === 34 ? null : u;
}

const UNBALANCED: LineResult = { kind: 'malformed', reason: 'unbalanced quotes (line cut or interleaved?)' };

// The inner bounds of the last field passed to inner() (module scratch: no allocation per field).
let fa = 0;
let fb = 0;

/** Sets fa/fb to s[a, b) without surrounding double quotes; false when quotes are unbalanced. */
function inner(s: string, a: number, b: number): boolean {
  const q0 = b > a && s.charCodeAt(a) === 34;
  const q1 = b > a && s.charCodeAt(b - 1) === 34;
  if (q0 && q1 && b - a >= 2) {
    fa = a + 1;
    fb = b - 1;
    return true;
  }
  if (q0 || q1) return false;
  fa = a;
  fb = b;
  return true;
}

function uintAt(s: string, a: number, b: number): number {
  const n = b - a;
  if (n === 0 || n > 10) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Applies a parse result to the stream counters; returns the record if it is one. */
export function account(stats: StreamStats, r: LineResult): TraceRecord | null {
  stats.lines++;
  switch (r.kind) {
    case 'record':
      stats.records++;
      return r.record;
    case 'attach':
      stats.ownLines++;
      stats.attachedProbes = r.probes;
      return null;
    case 'lost':
      stats.ownLines++;
      stats.lostEvents += r.events;
      stats.lostLines++;
      return null;
    case 'own':
      stats.ownLines++;
      return null;
    case 'malformed':
      stats.malformed++;
      return null;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Normalised bare form of a record (what `sort` writes): comm|tid|nsecs|cpu|probe[|details]. */
export function formatRecordLine(r: TraceRecord): string {
  const head = `${r.comm}|${r.tid}|${r.nsecs}|${r.cpu}|${r.probe.name}`;
  return r.details === '' ? head : `${head}|${r.details}`;
}

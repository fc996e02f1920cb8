import { ProbeTable, type TraceRecord } from './record.js';
import { TimeBase, secondsOf } from './time.js';

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

  constructor(opts: { base?: TimeBase; probes?: ProbeTable } = {}) {
    this.base = opts.base ?? null;
    this.probes = opts.probes ?? new ProbeTable();
  }

  /** The time base, fixed by the first record unless given. */
  get timeBase(): TimeBase | null {
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
    const p1 = text.indexOf('|');
    const p2 = p1 < 0 ? -1 : text.indexOf('|', p1 + 1);
    const p3 = p2 < 0 ? -1 : text.indexOf('|', p2 + 1);
    const p4 = p3 < 0 ? -1 : text.indexOf('|', p3 + 1);
    if (p4 < 0) return { kind: 'malformed', reason: 'fewer than 5 fields (line cut short?)' };
    const p5 = text.indexOf('|', p4 + 1);
    const comm = unquote(text, 0, p1);
    const tidS = unquote(text, p1 + 1, p2);
    const nsecs = unquote(text, p2 + 1, p3);
    const cpuS = unquote(text, p3 + 1, p4);
    const probeS = unquote(text, p4 + 1, p5 < 0 ? text.length : p5);
    if (comm === null || tidS === null || nsecs === null || cpuS === null || probeS === null) {
      return { kind: 'malformed', reason: 'unbalanced quotes (line cut or interleaved?)' };
    }
    let details = '';
    if (p5 >= 0) {
      // User probes may print anything after the 5th field, pipes included: keep it whole.
      const d = text.slice(p5 + 1).trim();
      const u = d.length >= 2 && d.charCodeAt(0) === 34 && d.charCodeAt(d.length - 1) === 34 ? d.slice(1, -1) : d;
      if (u.length > 0 && u.charCodeAt(0) === 34) return { kind: 'malformed', reason: 'unterminated details field (line cut?)' };
      details = u;
    }
    const tid = toUint(tidS);
    const cpu = toUint(cpuS);
    if (tid < 0) return { kind: 'malformed', reason: `tid "${clip(tidS)}" is not a number` };
    if (cpu < 0) return { kind: 'malformed', reason: `cpu "${clip(cpuS)}" is not a number` };
    if (probeS === '' || /\s/.test(probeS)) return { kind: 'malformed', reason: `probe "${clip(probeS)}" is not a probe name` };
    if (this.base === null) {
      if (!/^\d{1,20}$/.test(nsecs)) return { kind: 'malformed', reason: `timestamp "${clip(nsecs)}" is not a u64` };
      this.base = new TimeBase(secondsOf(nsecs));
    }
    const ts = this.base.rel(nsecs);
    if (Number.isNaN(ts)) return { kind: 'malformed', reason: `timestamp "${clip(nsecs)}" is not a u64` };
    return {
      kind: 'record',
      record: { line, comm, tid, ts, nsecs, cpu, probe: this.probes.get(probeS), details },
    };
  }
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

/** Field text without surrounding double quotes; null when quotes are unbalanced. */
function unquote(s: string, a: number, b: number): string | null {
  const q0 = s.charCodeAt(a) === 34;
  const q1 = b - a >= 2 && s.charCodeAt(b - 1) === 34;
  if (q0 && q1) return s.slice(a + 1, b - 1);
  if (q0 || (b > a && s.charCodeAt(b - 1) === 34)) return null;
  return s.slice(a, b);
}

function toUint(s: string): number {
  const n = s.length;
  if (n === 0 || n > 10) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Normalised bare form of a record (what `sort` writes): comm|tid|nsecs|cpu|probe[|details]. */
export function formatRecordLine(r: TraceRecord): string {
  const head = `${r.comm}|${r.tid}|${r.nsecs}|${r.cpu}|${r.probe.name}`;
  return r.details === '' ? head : `${head}|${r.details}`;
}

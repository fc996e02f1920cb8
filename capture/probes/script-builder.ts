import type { CustomProbeFile } from './custom-probes.js';
import { expandTemplate } from './template-expand.js';
import { readProbeFile, type ProbeCatalog, type ProbeSpec, type VariantSpec } from './probe-catalog.js';
import { REC_CONNECT, REC_EXIT, REC_FORK, REC_SOCK_RECV, REC_SOCK_SEND, RECORD_MAPS } from './record-codes.js';

// The bpftrace capture script: the chosen variant's fragments (thread map filled from discovery),
// the selected ready-made probes, the user's custom probes, and an END that clears our maps so
// bpftrace does not dump thousands of map entries at exit, except the record maps: what is left
// in them is the end of the capture, which bpftrace prints at exit (docs/adr/0026).

export interface BuiltScript {
  text: string;
  variant: string;
  probes: string[];
  customFiles: string[];
}

export interface ScriptInput {
  catalog: ProbeCatalog;
  variant: VariantSpec;
  tids: readonly number[];
  probes: readonly ProbeSpec[];
  custom: readonly CustomProbeFile[];
  /** A first comment line (what, when); kept out of tests' way when omitted. */
  header?: string;
  /** Append the attach marker (probes/bpftrace/attach-marker.bt); the capture session needs it. */
  attachMarker?: boolean;
}

/** Bytes of padding on the marker line: more than bpftrace's output buffer, so it is written at once. */
export const MARKER_FLUSH_BYTES = 9000;

export function buildBpftraceScript(inp: ScriptInput): BuiltScript {
  const { catalog, variant } = inp;
  if (variant.backend !== 'bpftrace') throw new Error(`variant ${variant.id} is not a bpftrace variant`);
  if (inp.tids.length === 0) throw new Error('a capture script needs at least one thread');
  const slots: Record<string, string> = {
    PIDS: inp.tids.map((t) => `  @pids[${t}] = 1;`).join('\n'),
    REC_FORK: String(REC_FORK),
    REC_EXIT: String(REC_EXIT),
    REC_SOCK_SEND: String(REC_SOCK_SEND),
    REC_SOCK_RECV: String(REC_SOCK_RECV),
    REC_CONNECT: String(REC_CONNECT),
    // Filled only where the causal model reads a syscall-set capture (VariantSpec.forCausalModel).
    RECV_EOF: '',
  };
  for (const [name, file] of Object.entries(variant.slots)) {
    slots[name] = readProbeFile(catalog, `bpftrace/${file}`).replace(/\n$/, '');
  }
  const ctx = { syscalls: catalog.syscalls, slots };
  // A slot's own text may use the other slots (the end-of-stream entry writes a {{RECORD}}).
  for (const [name, text] of Object.entries(slots)) {
    if (text.includes('{{')) slots[name] = expandTemplate(text, { ...ctx, slots: { ...slots, [name]: '' } }, name);
  }
  const parts: string[] = [];
  if (inp.header) parts.push(`// ${inp.header}`);
  for (const f of inp.custom) parts.push(...f.preamble);
  const own: string[] = [];
  for (const frag of variant.fragments) own.push(expandTemplate(readProbeFile(catalog, `bpftrace/${frag}`), ctx, frag));
  for (const p of inp.probes) own.push(expandTemplate(readProbeFile(catalog, p.bpftrace), ctx, p.bpftrace));
  parts.push(...own);
  for (const f of inp.custom) {
    parts.push(`// custom probes from ${f.source}`);
    for (const p of f.probes) parts.push(p.text);
  }
  if (inp.attachMarker) {
    const marker = expandTemplate(readProbeFile(catalog, 'bpftrace/attach-marker.bt'), { ...ctx, slots: { FLUSH_PAD: ' '.repeat(MARKER_FLUSH_BYTES) } }, 'attach-marker.bt');
    own.push(marker);
    parts.push(marker);
  }
  // Only the maps of our own probes are cleared; a user's maps are printed at exit as usual.
  const maps = new Set<string>();
  for (const text of own) for (const m of text.replace(/\/\/[^\n]*/g, '').matchAll(/@([A-Za-z_]\w*)/g)) maps.add(m[1]!);
  for (const r of RECORD_MAPS) {
    maps.delete(r.entries);
    maps.delete(r.count);
  }
  parts.push(`END\n{\n${[...maps].sort().map((m) => `  clear(@${m});`).join('\n')}\n}`);
  return {
    text: `${parts.join('\n\n')}\n`,
    variant: variant.id,
    probes: inp.probes.map((p) => p.id),
    customFiles: inp.custom.map((c) => c.source),
  };
}

export interface BufferSizing {
  /** Pages per CPU of bpftrace's perf ring buffer (a power of two). */
  rbPages: number;
  mapKeysMax: number;
  logSize: number;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Ring buffer memory of bpftrace, all CPUs together, when no rate is known. */
export const DEFAULT_RB_BUDGET = 64 * 1024 * 1024;

/** Map size bounds: see bufferSizing. */
const MAP_KEYS_MIN = 65536;
const MAP_KEYS_RATE_MAX = 262144;
/** Bytes of records per record entry (one syscall: ~3 records of ~65 bytes). */
const BYTES_PER_ENTRY = 200;

/**
 * Buffer sizes for bpftrace, from the thread count, the script size and (when known) the
 * record rate: the ring buffer holds about a second of output per CPU at that rate, so a stall of
 * bpftrace's reader loses nothing; without a rate, 64 MiB shared by the CPUs (16 MiB each at most;
 * 4 MiB per CPU lost events on 2 CPUs at ~45k records/s).
 * BPFTRACE_MAP_KEYS_MAX sizes every map: @pids must hold every traced thread and its children,
 * and each record map the entries written while bpftrace prints the other one. 20 ms epochs hold
 * ~700 entries at the ~35k entries/s of the demo app under wrk (/stock); 65536 leaves room for a reader
 * stalled ~2 s. With a known rate, a second of entries, up to 262144: bpftrace walks the whole
 * hash table (get_next_key) on every print and clear, so a huge map costs CPU on every flush.
 */
export function bufferSizing(o: { threads: number; scriptBytes: number; cpus: number; bytesPerSecond?: number; rbPages?: number }): BufferSizing {
  const cpus = Math.max(1, o.cpus);
  const wanted = o.bytesPerSecond !== undefined ? o.bytesPerSecond / cpus : DEFAULT_RB_BUDGET / cpus;
  let rbPages = o.rbPages ?? Math.min(4096, Math.max(256, pow2AtLeast(wanted / 4096)));
  if (rbPages !== pow2AtLeast(rbPages)) throw new Error(`ring buffer pages must be a power of two, not ${rbPages}`);
  return {
    rbPages,
    mapKeysMax: pow2AtLeast(Math.max(MAP_KEYS_MIN, o.threads * 8, o.bytesPerSecond !== undefined ? Math.min(MAP_KEYS_RATE_MAX, o.bytesPerSecond / BYTES_PER_ENTRY) : 0)),
    logSize: Math.max(1_000_000, o.scriptBytes * 100),
  };
}

export function bpftraceEnv(s: BufferSizing): Record<string, string> {
  return {
    BPFTRACE_PERF_RB_PAGES: String(s.rbPages),
    BPFTRACE_MAP_KEYS_MAX: String(s.mapKeysMax),
    BPFTRACE_LOG_SIZE: String(s.logSize),
  };
}

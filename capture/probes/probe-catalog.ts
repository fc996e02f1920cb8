import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// probes/ is data: catalog.json names the variants of the base probe set (fragments and what
// the kernel must offer), the default and optional ready-made probes, and the ftrace event lists.
// Found beside the package (source or dist layout), or at MISERTRACE_PROBES_DIR (packaged app).

export type Backend = 'bpftrace' | 'ftrace';

/** The probe sets (docs/adr/0050): socket-level records for the causal model, or syscall entry/exit. */
export type ProbeSetName = 'causal' | 'syscalls';
export const PROBE_SETS: readonly ProbeSetName[] = ['causal', 'syscalls'];

export interface Requirements {
  btf: boolean;
  /** `group:event` tracepoints that must exist. */
  tracepoints: string[];
  /** The send/recv syscall tracepoints (syscalls:sys_enter_* / sys_exit_*). */
  syscalls: boolean;
}

export interface VariantSpec {
  id: string;
  set: ProbeSetName;
  backend: Backend;
  /** ftrace: its event list, under probes/. */
  events?: string;
  title: string;
  requires: Requirements;
  fragments: string[];
  slots: Record<string, string>;
  /**
   * What a syscall-set variant adds when the causal model reads the capture (a kernel older
   * than the causal set's): connects and the end of a stream, which that model needs and the
   * original model must not see. Fragments go before the variant's own (a tracepoint's programs
   * run in the script's order), taken only where the kernel has `tracepoints`.
   */
  forCausalModel?: { fragments: string[]; slots: Record<string, string>; tracepoints: string[] };
}

/** The variant as the causal model's capture runs it: its forCausalModel parts merged in. */
export function withCausalModelParts(v: VariantSpec, has: (tracepoint: string) => boolean): VariantSpec {
  const x = v.forCausalModel;
  if (x === undefined || !x.tracepoints.every(has)) return v;
  return { ...v, fragments: [...x.fragments, ...v.fragments], slots: { ...v.slots, ...x.slots } };
}

export interface ProbeSpec {
  id: string;
  title: string;
  /** Path under probes/ of its bpftrace text, in the custom-probe format. */
  bpftrace: string;
  tracepoints: string[];
  ftrace: string[];
  default?: boolean;
}

export type FtraceEventSpec = string | { event: string; filter?: string };

export interface FtraceEvents {
  traced: FtraceEventSpec[];
  sockets: { event: string; filter?: string }[];
}

export interface ProbeCatalog {
  dir: string;
  syscalls: { send: string[]; recv: string[] };
  variants: VariantSpec[];
  base: ProbeSpec[];
  optional: ProbeSpec[];
  /** Ready-made probes taken together by one flag (`sched`: capture --sched, docs/adr/0090). */
  groups: Record<string, string[]>;
  /** The syscall set's ftrace events (probes/ftrace/events.json). */
  ftrace: FtraceEvents;
  /** Each ftrace variant's events, by variant id. */
  ftraceByVariant: Record<string, FtraceEvents>;
}

export function findProbesDir(): string {
  const env = process.env['MISERTRACE_PROBES_DIR'];
  if (env) return resolve(env);
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(d, 'probes', 'catalog.json'))) return join(d, 'probes');
    d = dirname(d);
  }
  throw new Error('probes/catalog.json not found beside the program; set MISERTRACE_PROBES_DIR');
}

let cached: ProbeCatalog | null = null;

export function loadCatalog(dir = findProbesDir()): ProbeCatalog {
  if (cached?.dir === dir) return cached;
  const raw = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8')) as Omit<ProbeCatalog, 'dir' | 'ftrace' | 'ftraceByVariant' | 'groups'> & { groups?: Record<string, unknown> };
  const readEvents = (rel: string) => JSON.parse(readFileSync(join(dir, rel), 'utf8')) as FtraceEvents;
  const ftrace = readEvents(join('ftrace', 'events.json'));
  const ftraceByVariant: Record<string, FtraceEvents> = {};
  for (const v of raw.variants) if (v.backend === 'ftrace') ftraceByVariant[v.id] = v.events ? readEvents(v.events) : ftrace;
  const groups = Object.fromEntries(Object.entries(raw.groups ?? {}).filter((e): e is [string, string[]] => Array.isArray(e[1])));
  cached = { dir, syscalls: raw.syscalls, variants: raw.variants, base: raw.base, optional: raw.optional, groups, ftrace, ftraceByVariant };
  return cached;
}

/** What an ftrace variant enables, and the set its events make records of (the child's config). */
export function ftraceEventsOf(catalog: ProbeCatalog, v: VariantSpec): FtraceEvents & { set: ProbeSetName } {
  const e = catalog.ftraceByVariant[v.id] ?? catalog.ftrace;
  return { traced: e.traced, sockets: e.sockets, set: v.set };
}

export function readProbeFile(catalog: ProbeCatalog, relPath: string): string {
  return readFileSync(join(catalog.dir, relPath), 'utf8');
}

/** Base and optional probes by id. */
export function probeById(catalog: ProbeCatalog, id: string): ProbeSpec | undefined {
  return [...catalog.base, ...catalog.optional].find((p) => p.id === id);
}

/** The probe ids of group `name` (e.g. `sched`); throws for a group the catalog lacks (our bug). */
export function probeGroup(catalog: ProbeCatalog, name: string): string[] {
  const ids = catalog.groups[name];
  if (ids === undefined) throw new Error(`probes/catalog.json has no probe group "${name}"`);
  return ids;
}

/** The syscall events a requirement of `syscalls: true` means. */
export function syscallTracepoints(catalog: ProbeCatalog): string[] {
  const all = [...catalog.syscalls.send, ...catalog.syscalls.recv];
  return [...all.map((s) => `syscalls:sys_enter_${s}`), ...all.map((s) => `syscalls:sys_exit_${s}`)];
}

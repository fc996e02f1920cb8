import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The ftrace backend's elevated child is our own Node program (ftrace-child), started like
// bpftrace (directly as root, or through sudo/pkexec) with one argument: this config, as JSON.

export interface FtraceChildConfig {
  /** Where tracefs is mounted. */
  tracefs: string;
  tids: number[];
  /** comm of each discovered thread (raw events carry none). */
  comms: Record<string, string>;
  syscalls: { send: string[]; recv: string[] };
  /** The probe set (docs/adr/0050): how the events become records; syscalls when absent. */
  set?: 'syscalls' | 'causal';
  /** Events of the pid-filtered instance (a name, or {event, filter}); `{send,recv}` in a name expands to the syscall lists. */
  traced: (string | { event: string; filter?: string })[];
  /** Events of the unfiltered socket instance, each with an optional tracefs filter. */
  sockets: { event: string; filter?: string }[];
  /** Ready-made probes' events (the converter prints each as its bpftrace probe would, tcp_probe as an MT: record). */
  userEvents: { event: string }[];
  /** The records file (during the capture: our own lines, Lost N events, live event counts). */
  output: string;
  /** The page spool, converted to records after the capture (page-spool.ts). */
  spool: string;
  /** Per-CPU buffer of each instance, KiB. */
  bufferKb: number;
}

/** The events of a `traced` list, with `{send,recv}` expanded to each send and receive syscall. */
export function expandEvents(list: FtraceChildConfig['traced'], syscalls: FtraceChildConfig['syscalls']): { event: string; filter?: string }[] {
  const out: { event: string; filter?: string }[] = [];
  for (const spec of list) {
    const e = typeof spec === 'string' ? { event: spec } : spec;
    const m = /^(.*)\{send,recv\}$/.exec(e.event);
    if (m) for (const sc of [...syscalls.send, ...syscalls.recv]) out.push({ ...e, event: `${m[1]}${sc}` });
    else out.push(e);
  }
  return out;
}

/** The child's live figures line: `@misertrace_events: <spool bytes> <JSON of kernel events by name so far>`. */
export const EVENTS_LINE = '@misertrace_events:';

/** How to run a Node program as the child: node itself, or Electron as node. */
export interface NodeRuntime {
  execPath: string;
  env?: Record<string, string>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** argv and environment of the ftrace child; from sources (tests) it runs through tsx. */
export function ftraceChildCommand(configPath: string, runtime: NodeRuntime = { execPath: process.execPath }): { argv: string[]; env: Record<string, string> } {
  const js = join(HERE, 'ftrace-child.js');
  if (existsSync(js)) return { argv: [runtime.execPath, js, configPath], env: runtime.env ?? {} };
  const ts = join(HERE, 'ftrace-child.ts');
  return { argv: [runtime.execPath, '--import', import.meta.resolve('tsx'), ts, configPath], env: runtime.env ?? {} };
}

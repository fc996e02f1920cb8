// What an ftrace capture traces and how its pages become records: the root helper's arguments
// are made from it (helper-command.ts), the unprivileged conversion reads it (helper-output.ts),
// and the work folder keeps it as ftrace-config.json (helper-replay.ts converts a folder again).

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
  /**
   * The causal set with its thread filter in the reader (docs/adr/0125): the events that carry a
   * filter on the threads' names, each with its filter without the names. Absent: the kernel's
   * pid list filters the `traced` instance.
   */
  byName?: { event: string; filter?: string }[];
  /** Events of the unfiltered socket instance, each with an optional tracefs filter. */
  sockets: { event: string; filter?: string }[];
  /** Ready-made probes' events (the converter prints each as its bpftrace probe would, tcp_probe as an MT: record). */
  userEvents: { event: string }[];
  /** The records file (during the capture: the helper's lines, Lost N events, live event counts). */
  output: string;
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

/** The live figures line: `@misertrace_events: <page bytes> <JSON of kernel events by name so far>`. */
export const EVENTS_LINE = '@misertrace_events:';

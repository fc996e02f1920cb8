import type { Command } from '../command.js';

// Every subcommand, in the order `misertrace --help` lists them. Names and summaries are here so
// that `misertrace --help` loads no command; a command's module (and what it pulls in: Docker's
// client, node-pty, SQLite) loads only when that command runs or shows its own --help.

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'sort',
    summary: 'Order a raw capture (per-CPU order) globally by time: a stable k-way merge, external when the file exceeds the memory budget.',
    load: async () => (await import('./sort.js')).sortCommand,
  },
  {
    name: 'generate',
    summary: 'Generate request spans and request traces from sorted records (the MiSeRTrace model) and write a trace bundle.',
    load: async () => {
      await startReading();
      return (await import('./generate.js')).generateCommand;
    },
  },
  {
    name: 'render',
    summary: 'Print request traces from a bundle: the DAG (text tree or the original raw JSON) or per-span handler results (custom).',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'bundle',
    summary: "Import the original tool's plain files into a bundle, or export a bundle back to them.",
    load: async () => {
      if (process.argv.includes('import')) await startReading(true);
      return (await import('./bundle.js')).bundleCommand;
    },
  },
  {
    name: 'sql',
    summary: 'Query a bundle with SQL, its records included (the records virtual table).',
    load: async () => (await import('./sql.js')).sqlCommand,
  },
  {
    name: 'export',
    summary: 'Export traces as an SVG figure or as Perfetto/chrome://tracing, Jaeger or OTLP JSON.',
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    name: 'discover',
    summary: 'Discover the threads of a Docker network; write the meta file and the bpftrace script, and print the command line to capture by hand.',
    load: async () => (await import('./discover.js')).discoverCommand,
  },
  {
    name: 'doctor',
    summary: 'Check this machine for capturing: tracefs (mounted when allowed), tracepoints, kprobes, BTF, bpftrace, trace-cmd, privileges, Docker.',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  {
    name: 'capture',
    summary:
      'Capture a Docker network end to end: discover, attach probes (bpftrace or ftrace), record until Ctrl-C or --duration, then sort, generate and write a bundle.',
    load: async () => (await import('./capture.js')).captureCommand,
  },
];

/** The records' reading thread, started before the command's modules load (docs/adr/0130). */
async function startReading(raw = false): Promise<void> {
  (await import('../../engine/bundle/reader-thread.js')).startReaderEarly(raw);
}

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './command.js';

// Inputs are files (a FIFO blocked `render` forever), and a command never writes its output over
// one of its inputs (`export -i X -o X` replaced the bundle
// it was reading with the export). Checked for every command before it runs, by file identity
// (device and inode: a symbolic or hard link to the input is the input too).

/** Flags that name files a command reads, and flags that name a file it writes. */
const INPUT_FLAGS = ['input', 'metafile', 'handlers', 'logs'] as const;
const OUTPUT_FLAGS = ['output', 'outputbt'] as const;

function identity(path: string): string | null {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.dev}:${s.ino}` : null;
  } catch {
    return null;
  }
}

/** Inputs must be regular files (or folders): a FIFO blocks the read, a device never ends. */
export function refuseNonRegularInputs(values: Record<string, unknown>): void {
  for (const f of INPUT_FLAGS) {
    const v = values[f];
    for (const p of Array.isArray(v) ? v : [v]) {
      if (typeof p !== 'string') continue;
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // the command reports a missing file as it always did
      }
      if (st.isFile() || st.isDirectory()) continue;
      const what = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
      throw new UsageError(`--${f} ${p} is ${what}, not a file: misertrace reads files`, 'write the data to a file first, and pass that');
    }
  }
}

export function refuseOutputOverInput(command: string, values: Record<string, unknown>): void {
  // `generate -i B.mstrace` writes the traces into the bundle it reads: that is its job.
  if (command === 'generate' && values['output'] === values['input'] && isBundle(values['input'])) return;
  const inputs = new Map<string, string>();
  for (const f of INPUT_FLAGS) {
    const v = values[f];
    for (const p of Array.isArray(v) ? v : [v]) {
      if (typeof p !== 'string') continue;
      const id = identity(p);
      if (id !== null) inputs.set(id, `--${f} ${p}`);
    }
  }
  for (const f of OUTPUT_FLAGS) {
    const p = values[f];
    if (typeof p !== 'string') continue;
    const id = identity(p);
    const input = id === null ? undefined : inputs.get(id);
    if (input !== undefined) {
      throw new UsageError(`the output ${resolve(p)} is the same file as the input (${input}): writing it would destroy the input`, `give misertrace ${command} another output path`);
    }
  }
}

function isBundle(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  try {
    if (!statSync(path).isFile()) return false; // a FIFO would block the open
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      return head.toString('latin1') === 'SQLite format 3\0';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

import { writeAtomically } from '../engine/records/atomic-file.js';
import type { CliIO } from './command.js';

/** Writes to a file atomically, or to stdout when no path is given. */
export async function writeOutput(path: string | undefined, text: string, io: CliIO): Promise<void> {
  if (path === undefined) {
    await new Promise<void>((res, rej) => io.stdout.write(text, (e) => (e ? rej(e) : res())));
    return;
  }
  await writeAtomically(path, (w) => w.write(text));
}

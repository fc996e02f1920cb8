import { writeAtomically } from '../engine/records/atomic-file.js';
import type { CliIO } from './command.js';

/** Writes to a file atomically, or to stdout when no path is given. */
export async function writeOutput(path: string | undefined, text: string, io: CliIO): Promise<void> {
  await writeOutputChunks(path, [text], io);
}

/**
 * The same for text made piece by piece (a render or export of millions of spans): each piece is
 * written before the next is made, so the whole text is never in memory (ADR 0120). A file still
 * appears whole or not at all; stdout gets the pieces as they come, about 1 MB at a time, each
 * write awaited so a slow reader holds the producer back instead of filling memory.
 */
export async function writeOutputChunks(path: string | undefined, chunks: Iterable<string>, io: CliIO): Promise<void> {
  if (path !== undefined) {
    await writeAtomically(path, async (w) => {
      for (const c of chunks) await w.write(c);
    });
    return;
  }
  const write = (s: string) => new Promise<void>((res, rej) => io.stdout.write(s, (e) => (e ? rej(e) : res())));
  let parts: string[] = [];
  let size = 0;
  for (const c of chunks) {
    parts.push(c);
    size += c.length;
    if (size >= 1 << 20) {
      await write(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  // An empty text is still one write, as before: the callback says stdout took it.
  await write(parts.join(''));
}

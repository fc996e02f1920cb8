import { InputError } from '../model/meta.js';

// A line of a capture that is not a record (cut or interleaved by bpftrace under heavy output),
// in the words every reader of captures uses: record-stream.ts, and sort.ts for its segments
// (at the line in the whole file).

export class MalformedLineError extends InputError {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly reason: string,
    readonly text: string,
  ) {
    const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    super(
      `${path}:${line}: malformed line (${reason}): ${JSON.stringify(shown)}`,
      'bpftrace cuts or interleaves lines when output is heavy; re-run with --lenient to skip such lines (they are counted)',
    );
  }
}

import { open } from 'node:fs/promises';
import { InputError } from '../model/meta.js';

// Streams a text file as batches of lines, without ever holding the whole file. Chunks are cut at
// the last '\n' byte, which never falls inside a UTF-8 sequence, so decoding is exact.

export interface LineBatch {
  /** Line number of lines[0] (1-based). */
  firstLine: number;
  lines: string[];
  /** Bytes consumed so far (for progress). */
  bytesRead: number;
}

export interface ReadOptions {
  chunkBytes?: number;
  signal?: AbortSignal;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export async function* readLineBatches(path: string, opts: ReadOptions = {}): AsyncGenerator<LineBatch> {
  const chunkBytes = opts.chunkBytes ?? 1 << 22;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new InputError(`${path} is a directory, not a trace file`);
    const buf = Buffer.allocUnsafe(chunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    let line = 1;
    let total = 0;
    let first = true;
    for (;;) {
      throwIfCancelled(opts.signal);
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      let chunk = buf.subarray(0, bytesRead);
      if (first) {
        first = false;
        const nul = chunk.indexOf(0);
        if (nul >= 0) {
          throw new InputError(`${path} is not a text trace (binary data at byte ${nul})`, 'pass the PSV text that bpftrace printed (trace.psv) or a sorted .psv');
        }
      }
      if (carry.length > 0) chunk = Buffer.concat([carry, chunk]);
      const lastNl = chunk.lastIndexOf(10);
      if (lastNl < 0) {
        carry = Buffer.from(chunk);
        continue;
      }
      const text = chunk.toString('utf8', 0, lastNl);
      carry = Buffer.from(chunk.subarray(lastNl + 1));
      const lines = text.split('\n');
      yield { firstLine: line, lines, bytesRead: total };
      line += lines.length;
    }
    if (carry.length > 0) yield { firstLine: line, lines: [carry.toString('utf8')], bytesRead: total };
  } finally {
    await fh.close();
  }
}

export interface ByteChunk {
  /** buf[0, end) holds whole lines (the last one may lack its newline only at end of file). */
  buf: Buffer;
  end: number;
  bytesRead: number;
}

/** Streams a file as byte chunks cut at line boundaries (for the byte scanner). */
export async function* readByteChunks(path: string, opts: ReadOptions = {}): AsyncGenerator<ByteChunk> {
  const chunkBytes = opts.chunkBytes ?? 1 << 22;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fileError(e, path);
  }
  try {
    if ((await fh.stat()).isDirectory()) throw new InputError(`${path} is a directory, not a trace file`);
    let carry: Buffer | null = null;
    let total = 0;
    let first = true;
    for (;;) {
      throwIfCancelled(opts.signal);
      const c: number = carry === null ? 0 : carry.length;
      const buf = Buffer.allocUnsafe(c + chunkBytes);
      if (carry !== null) carry.copy(buf, 0);
      const { bytesRead } = await fh.read(buf, c, chunkBytes, null);
      total += bytesRead;
      if (first && bytesRead > 0) {
        first = false;
        const nul = buf.subarray(c, c + bytesRead).indexOf(0);
        if (nul >= 0) {
          throw new InputError(`${path} is not a text trace (binary data at byte ${nul})`, 'pass the PSV text that bpftrace printed (trace.psv) or a sorted .psv');
        }
      }
      const filled: number = c + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) yield { buf, end: filled, bytesRead: total };
        return;
      }
      const lastNl: number = buf.lastIndexOf(10, filled - 1);
      if (lastNl < 0) {
        carry = buf.subarray(0, filled);
        continue;
      }
      carry = lastNl + 1 < filled ? Buffer.from(buf.subarray(lastNl + 1, filled)) : null;
      yield { buf, end: lastNl + 1, bytesRead: total };
    }
  } finally {
    await fh.close();
  }
}

/** Turns a file-system error into a message a user can act on. */
export function fileError(e: unknown, path: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`${path}: no such file`, 'check the path');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${path}: permission denied`, 'check the file permissions, or run as a user who may read it');
  if (code === 'EISDIR') return new InputError(`${path} is a directory, not a file`);
  if (code === 'ENOSPC') return new InputError(`${path}: no space left on the device`, 'free some space or choose another output directory');
  if (code === 'EROFS') return new InputError(`${path}: read-only file system`, 'choose a writable output path');
  if (code === 'ENOTDIR') return new InputError(`${path}: a part of the path is not a directory`);
  return e instanceof Error ? e : new Error(String(e));
}

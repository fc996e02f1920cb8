import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileError } from './line-reader.js';

// Output files appear whole or not at all: we write beside the target under a temporary name,
// flush to disk, then rename over the target. A killed process leaves only a hidden temp file.

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export class AtomicTextWriter {
  private parts: string[] = [];
  private size = 0;
  private constructor(
    readonly target: string,
    readonly temp: string,
    private readonly fh: FileHandle,
  ) {}

  static async create(target: string): Promise<AtomicTextWriter> {
    const temp = tempPathFor(target);
    try {
      return new AtomicTextWriter(target, temp, await open(temp, 'wx'));
    } catch (e) {
      throw fileError(e, target);
    }
  }

  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) await this.flush();
  }

  /** Writes bytes (after any pending text). The caller may reuse `b` once this resolves. */
  async writeBytes(b: Uint8Array): Promise<void> {
    await this.flush();
    try {
      await this.fh.write(b);
    } catch (e) {
      throw fileError(e, this.target);
    }
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const s = this.parts.join('');
    this.parts = [];
    this.size = 0;
    try {
      await this.fh.write(s);
    } catch (e) {
      throw fileError(e, this.target);
    }
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    try {
      await rename(this.temp, this.target);
    } catch (e) {
      await unlink(this.temp).catch(() => undefined);
      throw fileError(e, this.target);
    }
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}

/** Runs `fill` on an atomic writer: commit on success, remove the temp file on any failure. */
export async function writeAtomically(target: string, fill: (w: AtomicTextWriter) => Promise<void>): Promise<void> {
  const w = await AtomicTextWriter.create(target);
  try {
    await fill(w);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}

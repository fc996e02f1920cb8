import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeAtomically } from '../../engine/records/atomic-file.js';

// A small JSON document in the app's user-data folder, written atomically so a crash never leaves
// half a settings file. A missing or unreadable file reads as the default: settings are a
// convenience, never a reason for the app not to start.

export class JsonStore<T> {
  constructor(
    readonly path: string,
    private readonly fallback: () => T,
    private readonly parse: (v: unknown) => T | null,
  ) {}

  async read(): Promise<{ value: T; problem: string | null }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { value: this.fallback(), problem: code === 'ENOENT' ? null : `${this.path}: ${(e as Error).message}` };
    }
    try {
      const v = this.parse(JSON.parse(text));
      if (v !== null) return { value: v, problem: null };
      return { value: this.fallback(), problem: `${this.path} has an unexpected shape; using defaults` };
    } catch (e) {
      return { value: this.fallback(), problem: `${this.path} is not valid JSON (${(e as Error).message}); using defaults` };
    }
  }

  async write(value: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeAtomically(this.path, (w) => w.write(`${JSON.stringify(value, null, 2)}\n`));
  }
}

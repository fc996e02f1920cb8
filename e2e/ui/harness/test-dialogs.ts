import type { DialogPort } from '../../../electron/app-services/dialog-port.js';

// The native dialogs, answered by the test: each call takes the next queued answer (a path, or
// null for "cancel"). A dialog the test did not expect fails the test loudly.

export class QueuedDialogs implements DialogPort {
  private readonly answers: (string | null)[] = [];
  readonly asked: { kind: 'open' | 'save'; title: string; defaultName?: string }[] = [];

  answer(...paths: (string | null)[]): void {
    this.answers.push(...paths);
  }

  async pickOpenPath(o: { title: string }): Promise<string | null> {
    this.asked.push({ kind: 'open', title: o.title });
    return this.next(o.title);
  }

  async pickSavePath(o: { title: string; defaultName: string }): Promise<string | null> {
    this.asked.push({ kind: 'save', title: o.title, defaultName: o.defaultName });
    return this.next(o.title);
  }

  private next(title: string): string | null {
    if (this.answers.length === 0) throw new Error(`unexpected dialog "${title}": the test queued no answer`);
    return this.answers.shift()!;
  }
}

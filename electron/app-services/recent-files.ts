import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecentBundle } from '../ipc-contract.js';
import { JsonStore } from './json-store.js';

// Recently opened bundles, newest first, stored in the user-data folder. Also handed to the OS
// (main adds them to the dock/jump list) by whoever listens to `onChange`.

const MAX_RECENT = 12;

interface StoredRecent {
  path: string;
  openedAt: string;
}

function parse(v: unknown): StoredRecent[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter((e): e is StoredRecent => typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.openedAt === 'string');
}

export class RecentFiles {
  private readonly store: JsonStore<StoredRecent[]>;
  private listeners = new Set<(paths: string[]) => void>();

  constructor(userDataDir: string, private readonly now: () => Date = () => new Date()) {
    this.store = new JsonStore(join(userDataDir, 'recent-bundles.json'), () => [], parse);
  }

  async list(): Promise<RecentBundle[]> {
    const { value } = await this.store.read();
    return value.map((r) => ({ path: r.path, fileName: basename(r.path), openedAt: r.openedAt, exists: existsSync(r.path) }));
  }

  async add(path: string): Promise<RecentBundle[]> {
    const { value } = await this.store.read();
    const next = [{ path, openedAt: this.now().toISOString() }, ...value.filter((r) => r.path !== path)].slice(0, MAX_RECENT);
    await this.store.write(next);
    this.emit(next);
    return this.list();
  }

  async forget(path: string): Promise<RecentBundle[]> {
    const { value } = await this.store.read();
    const next = value.filter((r) => r.path !== path);
    await this.store.write(next);
    this.emit(next);
    return this.list();
  }

  /** Returns the disposer. */
  onChange(listener: (paths: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(list: StoredRecent[]): void {
    for (const l of this.listeners) l(list.map((r) => r.path));
  }
}

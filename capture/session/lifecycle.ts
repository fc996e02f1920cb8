// Disposables and typed events for the capture services (VS Code's lifecycle habit, small):
// every listener, timer, child and file a session holds is registered in its DisposableStore
// and released by dispose(); tests check that nothing is left behind.

export interface Disposable {
  dispose(): void;
}

export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>();
  private disposed = false;

  add<T extends Disposable>(d: T): T {
    if (this.disposed) {
      d.dispose();
      return d;
    }
    this.items.add(d);
    return d;
  }

  delete(d: Disposable): void {
    if (this.items.delete(d)) d.dispose();
  }

  get size(): number {
    return this.items.size;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const d of [...this.items].reverse()) {
      try {
        d.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    this.items.clear();
    if (errors.length > 0) throw new AggregateError(errors, 'errors while disposing');
  }
}

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

export function interval(fn: () => void, ms: number): Disposable {
  const t = setInterval(fn, ms);
  return toDisposable(() => clearInterval(t));
}

/** A typed event: `on(listener)` returns the subscription to dispose. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();

  readonly on = (listener: (e: T) => void): Disposable => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}

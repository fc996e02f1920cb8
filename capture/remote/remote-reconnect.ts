import { RemoteError } from './remote-errors.js';
import { shCommand } from './remote-shell.js';
import type { RemoteHost } from './ssh-connection.js';

// After the connection to a remote host dropped mid-capture (docs/adr/0085): connect again a
// bounded number of times, saying each time what happens, then make sure the host's watchdog
// stopped the earlier tracer (it does by itself when its channel ends, remote-watchdog.ts)
// before a new segment may start: two tracers would trace the same threads twice.

/** Waits before each try: quick first (a restarted sshd), then longer (a link coming back). */
export const RECONNECT_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000, 15_000];

export interface ReconnectOptions {
  connect(): Promise<RemoteHost>;
  /** Tries (default RECONNECT_DELAYS_MS.length); 0: none. */
  tries?: number;
  delaysMs?: readonly number[];
  /** Told before each wait: try n of `tries` in `delayMs`; `last` is the previous try's failure. */
  onAttempt?(n: number, tries: number, delayMs: number, last: Error | null): void;
  /** Aborted (Ctrl-C, Finish in the app): no more tries. */
  signal?: AbortSignal;
}

/** The new connection, or null when every try failed or it was given up; a login refused or cancelled ends the tries at once. */
export async function reconnect(o: ReconnectOptions): Promise<{ host: RemoteHost | null; error: Error | null }> {
  const delays = o.delaysMs ?? RECONNECT_DELAYS_MS;
  const tries = o.tries ?? delays.length;
  let last: Error | null = null;
  for (let n = 1; n <= tries; n++) {
    const delay = delays[Math.min(n - 1, delays.length - 1)] ?? 1000;
    o.onAttempt?.(n, tries, delay, last);
    if (!(await sleep(delay, o.signal))) break;
    try {
      return { host: await o.connect(), error: null };
    } catch (e) {
      last = e as Error;
      // Trying again cannot help: the person said no, or the server's key changed.
      if (e instanceof RemoteError && ['auth-cancelled', 'auth-failed', 'host-key-changed', 'host-key-unknown', 'bad-target'].includes(e.code)) break;
    }
  }
  return { host: null, error: last };
}

/**
 * Whether the tracer that ran as `pid` on the host is gone (the watchdog stopped it and cleaned
 * up), waiting up to `timeoutMs`: its heartbeat timeout, then its stop and kill, bound it.
 */
export async function tracerGone(host: RemoteHost, pid: number, timeoutMs = 45_000, signal?: AbortSignal): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  const t0 = Date.now();
  for (;;) {
    // /proc/PID is visible to the unprivileged user (the tracer runs as root).
    const r = await host.exec(shCommand(`test -e /proc/${pid}`), { timeoutMs: 10_000 });
    if (r.code !== 0) return true;
    if (Date.now() - t0 >= timeoutMs || !(await sleep(500, signal))) return false;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

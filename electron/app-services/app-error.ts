import { BundleError } from '../../engine/bundle/bundle-errors.js';
import { InputError } from '../../engine/model/meta.js';
import { CancelledError } from '../../engine/records/line-reader.js';
import type { AppError, AppErrorKind } from '../ipc-contract.js';

// Maps what services throw onto the AppError the renderer shows. Expected failures (bad files,
// Docker down, no rights) keep their message and hint; anything else is a bug and says so.

/** An expected failure raised by app services, already classified for the user. */
export class AppFailure extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}

/** Other services (capture, discovery) may classify their errors with a `kind` the contract knows. */
const KNOWN_KINDS = new Set<AppErrorKind>([
  'docker-unavailable',
  'docker-permission',
  'network-unknown',
  'privileges',
  'probe-missing',
  'capture-failed',
]);

export function toAppError(e: unknown): AppError {
  const withHint = (kind: AppErrorKind, message: string, hint: string | undefined): AppError => (hint ? { kind, message, hint } : { kind, message });
  if (e instanceof AppFailure) return withHint(e.kind, e.message, e.hint);
  if (e instanceof BundleError) return withHint(`bundle-${e.reason}`, e.message, e.hint);
  if (e instanceof CancelledError) return { kind: 'cancelled', message: 'cancelled' };
  if (e instanceof InputError) {
    const kind = (e as { kind?: unknown }).kind;
    return withHint(typeof kind === 'string' && KNOWN_KINDS.has(kind as AppErrorKind) ? (kind as AppErrorKind) : 'input', e.message, e.hint);
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    // The machine's state, not a bug (issue 16): the writers removed their partial files.
    return { kind: 'file', message: `the disk is full (${(e as Error).message})`, hint: 'free some space, or save to another disk' };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    kind: 'internal',
    message: `internal error: ${err.message}`,
    hint: 'this is a bug in MiSeRTrace Explorer; the app keeps running. Please report it with the log.',
  };
}
